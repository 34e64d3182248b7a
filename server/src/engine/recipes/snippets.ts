// Completion snippets made from the recipes: master.cf services (submission
// 587, submissions 465, the MX smtp line, a content-filter pair) and main.cf
// restriction lists (the MX relay guard, the submission $mua_* lists, TLS).
// A recipe's plan is rendered with markers for its parameters; each marker
// becomes a snippet placeholder whose default is the value the configuration
// gives (SASL type and path, certificate paths), so the text stays the
// recipe's own and the user tabs through what only they know.

import type { RuleContext } from '../rules/context';
import { findRecipe, mxRelayRestrictions, ownDomainList, PLACEHOLDER_DOMAIN, SENDER_ACTIONS } from './catalog';
import { serviceText, smtpdChroot, type Plan } from './plan';

export interface RecipeSnippet {
  label: string;
  detail: string;
  /** What the user types to find it. */
  filter: string;
  /** Snippet syntax (LSP InsertTextFormat.Snippet). */
  body: string;
  /** Markdown shown beside the item. */
  doc: string;
}

const OPEN = '\u0001';
const CLOSE = '\u0002';

/** Snippet syntax: `$`, `}` and `\` are literal only when escaped. */
function esc(s: string): string {
  return s.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** Text with parameter markers → snippet text, one tab stop per parameter (repeated markers mirror it). */
function withPlaceholders(text: string, defaultOf: (key: string) => string): string {
  const stops = new Map<string, number>();
  return text
    .split(new RegExp(`(${OPEN}[^${CLOSE}]*${CLOSE})`))
    .map((part) => {
      if (!part.startsWith(OPEN)) return esc(part);
      const key = part.slice(1, -1);
      if (!stops.has(key)) stops.set(key, stops.size + 1);
      return `\${${stops.get(key)}:${esc(defaultOf(key))}}`;
    })
    .join('');
}

/**
 * The recipe's plan with a marker for each parameter, and the configuration's
 * value of a parameter as its default (computed only for the markers the
 * snippet shows: own domains need the simulator, and completion runs often).
 */
function markedPlan(ctx: RuleContext, name: string): { plan: Plan; defaults: (key: string) => string } | undefined {
  const recipe = findRecipe(name);
  if (!recipe) return undefined;
  const marked: Record<string, string> = {};
  for (const p of recipe.parameters) marked[p.key] = `${OPEN}${p.key}${CLOSE}`;
  const defaults = (key: string) => recipe.parameters.find((p) => p.key === key)?.fallback(ctx) ?? key;
  return { plan: recipe.plan(ctx, marked), defaults };
}

/**
 * A recipe's service as master.cf text. `$mua_*` references stay only when
 * main.cf defines the list; otherwise the list's words go inline, so the
 * service works on its own.
 */
function serviceSnippet(ctx: RuleContext, name: string, label: string, detail: string): RecipeSnippet | undefined {
  const m = markedPlan(ctx, name);
  const sp = m?.plan.services[0];
  if (!m || !sp) return undefined;
  const lists = new Map(m.plan.main.map((s) => [s.name, s.value]));
  const options = sp.options.map(([n, v]): [string, string] => {
    const ref = /^\$([a-z_]+)$/.exec(v)?.[1];
    const inline = ref && !ctx.config.main?.byName.has(ref) ? lists.get(ref) : undefined;
    return [n, inline ? inline.replace(/,\s*/g, ',') : v];
  });
  return {
    label,
    detail,
    filter: `${sp.name} ${label}`,
    body: withPlaceholders(serviceText(sp.name, smtpdChroot(ctx), options), m.defaults),
    doc: `${findRecipe(name)!.summary}. From the \`${name}\` recipe (\`postfix-lint recipe ${name}\`).`,
  };
}

const CONTENT_FILTER = `# Content filter pair. In main.cf: content_filter = \${1:scan}:[127.0.0.1]:\${2:10024}
\${1:scan}      unix  -       -       n       -       \${3:2}       smtp
  -o smtp_data_done_timeout=1200
  -o smtp_send_xforward_command=yes
  -o max_use=20
127.0.0.1:\${4:10025} inet n     -       n       -       -       smtpd
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_helo_restrictions=
  -o smtpd_client_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
  -o mynetworks=127.0.0.0/8
  -o smtpd_authorized_xforward_hosts=127.0.0.0/8
`;

export function masterServiceSnippets(ctx: RuleContext): RecipeSnippet[] {
  const out: (RecipeSnippet | undefined)[] = [
    serviceSnippet(ctx, 'submission', 'submission service (port 587)', 'recipe: STARTTLS required, SASL, senders bound to logins'),
    serviceSnippet(ctx, 'submissions', 'submissions service (port 465)', 'recipe: implicit TLS, SASL, senders bound to logins'),
    {
      label: 'smtp service (MX, port 25)',
      detail: 'recipe: receives mail from the Internet',
      filter: 'smtp MX service port 25',
      body: `smtp      inet  n       -       \${1|${[...new Set([smtpdChroot(ctx), 'y', 'n'])].join(',')}|}       -       -       smtpd\n`,
      doc: 'The public smtpd on port 25. What it accepts is decided by main.cf: see the `mx` recipe (`smtpd_relay_restrictions` with `reject_unauth_destination`).',
    },
    {
      label: 'content filter pair (after-queue)',
      detail: 'recipe: hand mail to a filter on 10024, take it back on 10025',
      filter: 'content filter amavis pair',
      body: CONTENT_FILTER,
      doc: 'A `smtp` client transport that hands queued mail to a filter (amavisd, a scanner) and an smtpd on loopback that takes the filtered mail back without filtering it again or applying the public restrictions. Set `content_filter` in main.cf to the first service.',
    },
  ];
  return out.filter((x): x is RecipeSnippet => x !== undefined);
}

function mainLines(settings: { name: string; value: string }[]): string {
  return settings.map((s) => `${s.name} = ${s.value}\n`).join('');
}

export function mainListSnippets(ctx: RuleContext): RecipeSnippet[] {
  const out: RecipeSnippet[] = [];
  const relay = mxRelayRestrictions(ctx).split(/,\s*/);
  const guard = relay.pop()!;
  out.push({
    label: 'smtpd_relay_restrictions (MX)',
    detail: 'recipe: relay for trusted clients only',
    filter: 'smtpd_relay_restrictions MX',
    body: `smtpd_relay_restrictions = \${1:${esc(relay.join(', '))}}, ${guard}\n`,
    doc: 'Trusted clients (mynetworks, logged-in users) may relay; everyone else may only send to our own domains. From the `mx` recipe.',
  });
  const sub = markedPlan(ctx, 'submission');
  const mua = sub?.plan.main.filter((s) => s.name.startsWith('mua_')) ?? [];
  if (sub && mua.length) {
    out.push({
      label: 'mua_* restriction lists (submission)',
      detail: 'recipe: lists the submission services use via $mua_*',
      filter: 'mua_client_restrictions submission restrictions',
      body: withPlaceholders(mainLines(mua), sub.defaults),
      doc: 'Only logged-in users, and only with their own sender addresses (`reject_sender_login_mismatch` needs `smtpd_sender_login_maps`). master.cf submission services refer to them as `$mua_client_restrictions` and so on. From the `submission` recipe.',
    });
  }
  const tls = markedPlan(ctx, 'tls');
  if (tls) {
    out.push({
      label: 'TLS server settings (smtpd)',
      detail: "recipe: may on port 25, Mozilla's intermediate profile",
      filter: 'smtpd_tls_chain_files TLS server settings',
      body: withPlaceholders(mainLines(tls.plan.main), tls.defaults),
      doc: 'Opportunistic TLS on port 25 with the key and certificate chain in one setting, TLS 1.2 and newer, and the intermediate cipher list. Submission services require TLS with their own `-o smtpd_tls_security_level=encrypt`. From the `tls` recipe.',
    });
  }
  return out;
}

/** Entries for a check_sender_access table: every own domain and its subdomains, WARN or REJECT (one choice for all). */
export function senderTableSnippets(ctx: RuleContext): RecipeSnippet[] {
  const domains = ownDomainList(ctx);
  const list = domains.length ? domains : [PLACEHOLDER_DOMAIN];
  // Snippet choices: `,` and `|` are literal only when escaped.
  const choice = `\${1|${[SENDER_ACTIONS.WARN, SENDER_ACTIONS.REJECT].map((a) => esc(a).replace(/[,|]/g, (c) => `\\${c}`)).join(',')}|}`;
  let first = true;
  const body = list
    .flatMap((d) => [d, `.${d}`])
    .map((key) => {
      const result = first ? choice : '$1';
      first = false;
      return `${esc(key)} ${result}\n`;
    })
    .join('');
  return [
    {
      label: 'own domains as senders (sender-protection)',
      detail: `recipe: ${list.join(', ')} and their subdomains`,
      filter: `own domains senders ${list.join(' ')}`,
      body,
      doc: 'For a `check_sender_access` table after `permit_mynetworks`/`permit_sasl_authenticated`: outside clients using one of our own domains as sender. WARN only logs; REJECT 5.7.1 refuses. From the `sender-protection` recipe.',
    },
  ];
}

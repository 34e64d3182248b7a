// Settings that are not restriction lists:
// - PF507: compatibility_level missing or older than the target version's
// - PF508: a domain in two address classes at once (trivial-rewrite warns)
// - PF518: SMTP smuggling protections turned off
// - PF519: VRFY answers on a public server
// - PF520: the greeting banner names the software or the system

import { allParameterFacts, existsInVersion } from '../catalog/parameters';
import { versionAtLeast } from '../catalog/version';
import { compatLevelValue } from '../expand';
import type { MasterService } from '../mastercf';
import type { Fix, Problem, Range, TextEdit } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { removeTokens, setMainParameter, setServiceOption } from './edits';
import { listTokensSteps, ListToken, splitWords, tokenLocation } from './lists';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from '../steps';
import { domainSuffixPatterns } from '../simulate/lists';
import { code, problem, Rule } from './rule';
import type { RuleCode } from '../rule-code';
import { deliberateException, internalListener } from './internal-listener';
import { whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const COMPATIBILITY_LEVEL = code('PF507', 'compatibility-level', 'info', 'correctness', 'compatibility_level is missing or older than the installed Postfix');
export const DOMAIN_IN_TWO_CLASSES = code('PF508', 'domain-in-two-classes', 'warning', 'postfix', 'Domain listed in both mydestination and virtual_*_domains (or two virtual/relay classes)');
export const SMTP_SMUGGLING = code('PF518', 'smtp-smuggling', 'warning', 'security', 'SMTP smuggling protection (smtpd_forbid_bare_newline, smtpd_forbid_unauth_pipelining) is off');
export const VRFY_ENABLED = code('PF519', 'vrfy-enabled', 'info', 'security', 'VRFY lets anyone probe which addresses exist');
export const BANNER_DISCLOSURE = code('PF520', 'banner-disclosure', 'info', 'security', 'The SMTP greeting names the mail software or the operating system');

const TOP: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The newest compatibility level a Postfix version knows. */
export function latestCompatibilityLevel(version: string): string {
  if (versionAtLeast(version, '3.6')) return '3.6';
  if (versionAtLeast(version, '3.0')) return '2';
  return '0';
}

/** Defaults that depend on compatibility_level and are not set explicitly: their value at `level` and at `latest`. */
function levelDefaults(ctx: RuleContext, level: string, latest: string): string[] {
  const out: string[] = [];
  for (const f of allParameterFacts()) {
    // Every such default reads ${{$compatibility_level} <level {N} ? {old} : {new}}; show the branches as written.
    const m = /^\$\{\{\$compatibility_level\} <level \{([\d.]+)\} \? \{(.*)\} : \{(.*)\}\}$/.exec(f.default);
    if (!m || ctx.isSet(f.name)) continue;
    const at = (lv: string) => ((compatLevelValue(lv) ?? 0) < (compatLevelValue(m[1]) ?? 0) ? m[2] : m[3]).trim();
    const then = at(level);
    const now = at(latest);
    if (then !== now) out.push(`${f.name} = ${then || '(empty)'} instead of ${now || '(empty)'}`);
  }
  return out.sort();
}

/** A short summary of the defaults that differ: their names, a few of them (the values are in the doc page and on hover). */
function changed(diffs: string[], level: string): string {
  if (diffs.length === 0) return `Postfix keeps the defaults of level ${level}`;
  const names = diffs.map((d) => d.slice(0, d.indexOf(' =')));
  const shown = names.length <= 3 ? listText(names) : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `${diffs.length === 1 ? '1 default keeps its' : `${diffs.length} defaults keep their`} level-${level} value${diffs.length === 1 ? '' : 's'} (${shown})`;
}

function compatibility(ctx: RuleContext): Problem[] {
  const main = ctx.config.main;
  if (!main) return [];
  const latest = latestCompatibilityLevel(ctx.version);
  const entry = main.byName.get('compatibility_level');
  const fix: Fix[] = [{ title: `Set compatibility_level = ${latest}`, edits: setMainParameter(ctx, 'compatibility_level', latest) }];
  if (!entry) {
    const diffs = levelDefaults(ctx, '0', latest);
    return [
      problem(
        COMPATIBILITY_LEVEL,
        ctx.config.mainPath,
        TOP,
        `compatibility_level is not set, so ${changed(diffs, '0')}. Review them and set compatibility_level = ${latest}.`,
        fix,
      ),
    ];
  }
  const have = compatLevelValue(entry.value);
  const want = compatLevelValue(latest)!;
  if (have === undefined || have >= want) return [];
  const diffs = levelDefaults(ctx, entry.value, latest);
  return [
    problem(
      COMPATIBILITY_LEVEL,
      ctx.config.mainPath,
      entry.valueRange,
      `compatibility_level = ${entry.value}, so ${changed(diffs, entry.value)}. Review them and set compatibility_level = ${latest}.`,
      fix,
    ),
  ];
}

const PAIRS: [string, string, string][] = [
  // [first, second, the one to remove from]
  ['mydestination', 'virtual_alias_domains', 'mydestination'],
  ['mydestination', 'virtual_mailbox_domains', 'mydestination'],
  ['virtual_alias_domains', 'virtual_mailbox_domains', 'virtual_alias_domains'],
  ['virtual_alias_domains', 'relay_domains', 'relay_domains'],
  ['virtual_mailbox_domains', 'relay_domains', 'relay_domains'],
];

/** A word of a domain list, lower-cased, with its place in the list. */
interface DomainWord {
  t: ListToken;
  at: number;
  negated: boolean;
}

/** The plain words of a domain list (tables and files skipped, `!` noted), first of each; in steps. */
function* domains(ctx: RuleContext, name: string): Steps<Map<string, DomainWord>> {
  // Once per lint: mydestination is in two pairs, and may hold a million words.
  return yield* ctx.onceSteps(`settings:domains:${name}`, function* () {
    const out = new Map<string, DomainWord>();
    let work = 0;
    let at = 0;
    for (const t of yield* listTokensSteps(ctx, name)) {
      if (++work === ITEMS_PER_STEP) {
        work = 0;
        yield `domains of ${name}`;
      }
      let d = t.text.toLowerCase();
      let negated = false;
      while (d.startsWith('!')) {
        negated = !negated;
        d = d.slice(1);
      }
      if (d.includes(':') || d.startsWith('/') || d.startsWith('{')) continue;
      if (!out.has(d)) out.set(d, { t, at: at++, negated });
    }
    return out;
  });
}

/**
 * The word of list `words` that decides for domain `d`, when it admits it:
 * a string list (mydestination, virtual_*_domains) only by the name itself,
 * relay_domains also by a parent or `.parent` pattern (simulate/lists.ts).
 */
function admitting(words: Map<string, DomainWord>, d: string, relayParent: boolean | undefined): DomainWord | undefined {
  let first = words.get(d);
  if (relayParent !== undefined) {
    for (const p of domainSuffixPatterns(d, relayParent)) {
      const w = words.get(p);
      if (w && (!first || w.at < first.at)) first = w;
    }
  }
  return first && !first.negated ? first : undefined;
}

function* twoClasses(ctx: RuleContext): Steps<Problem[]> {
  if (!ctx.config.main) return [];
  const out: Problem[] = [];
  let work = 0;
  // trivial-rewrite matches relay_domains with main.cf's parent_domain_matches_subdomains.
  const relayParent = splitWords(ctx.value('parent_domain_matches_subdomains')).some((w) => w.text === 'relay_domains');
  for (const [a, b, from] of PAIRS) {
    // virtual_*_domains first, mostly empty: then a huge mydestination or relay_domains ($mydestination below level 2) is not read.
    const [first, second] = b === 'relay_domains' ? [a, b] : [b, a];
    const df = yield* domains(ctx, first);
    if (df.size === 0) continue;
    const ds = yield* domains(ctx, second);
    const [da, db] = first === a ? [df, ds] : [ds, df];
    for (const [d, wa] of da) {
      if (++work === ITEMS_PER_STEP) {
        work = 0;
        yield `PF508 ${a} and ${b}`;
      }
      // A domain never starts with '.': such a word of a string list matches no domain.
      if (wa.negated || d.charCodeAt(0) === 46) continue;
      const wb = admitting(db, d, b === 'relay_domains' ? relayParent : undefined);
      if (!wb) continue;
      const [ta, tb] = [wa.t, wb.t];
      const at = tokenLocation(tb) ?? tokenLocation(ta);
      if (!at) continue;
      const rm = from === a ? ta : tb;
      const fixes: Fix[] | undefined = rm.token ? [{ title: `Remove ${rm.text} from ${from}`, edits: removeTokens(ctx, rm.token.site, [rm.token]) }] : undefined;
      const winner = a === 'mydestination' ? 'local delivery (mydestination) wins' : b === 'relay_domains' ? `${a} wins` : 'virtual_alias_domains wins';
      out.push(
        problem(
          DOMAIN_IN_TWO_CLASSES,
          at.file,
          at.range,
          `do not list domain ${d} in BOTH ${a} and ${b}: a domain belongs to one address class; trivial-rewrite logs this warning for every address in it and ${winner}, which is rarely what was meant.`,
          fixes,
        ),
      );
    }
  }
  return out;
}

/** Contexts a global setting applies to: each smtpd service, or main.cf alone. */
function contexts(ctx: RuleContext): SmtpdService[] {
  return ctx.smtpdServices();
}

function* smuggling(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const checks: { name: string; safe: string; off: (v: string) => boolean; what: string }[] = [
    {
      name: 'smtpd_forbid_bare_newline',
      safe: 'normalize',
      off: (v) => /^(no|false|0)$/i.test(v),
      what: 'lines ending in a bare newline are accepted as they are, which lets a sender smuggle a second message past filters and SPF checks of the next server',
    },
    {
      name: 'smtpd_forbid_unauth_pipelining',
      safe: 'yes',
      off: (v) => /^(no|false|0)$/i.test(v),
      what: 'clients may send commands ahead of the replies where SMTP does not allow it, a building block of SMTP smuggling and of spam bots',
    },
  ];
  for (const c of checks) {
    if (!ctx.knows(c.name)) continue;
    const found = new ByLocation<{ svc: SmtpdService; explicit: boolean; fix: TextEdit[] }>();
    const services = contexts(ctx);
    for (let i = 0; i < services.length; i++) {
      if ((i + 1) % SERVICES_PER_STEP === 0) yield () => `PF518 ${c.name}`;
      const svc = services[i];
      const w = ctx.raw(c.name, svc.service).where;
      const value = ctx.value(c.name, svc.service).trim();
      if (!c.off(value)) continue;
      if (c.name === 'smtpd_forbid_unauth_pipelining' && /\breject_unauth_pipelining\b/i.test(ctx.value('smtpd_data_restrictions', svc.service))) continue;
      // Behind a front proxy that speaks XCLIENT, the proxy is the only client; Mailu's sends XCLIENT ahead of
      // the reply (Mailu issue 3322), and smtpd makes no exception for authorized XCLIENT hosts before EHLO
      // (smtpd.c, smtpd_flag_ill_pipelining), so such setups turn the check off on purpose.
      if (c.name === 'smtpd_forbid_unauth_pipelining' && ctx.value('smtpd_authorized_xclient_hosts', svc.service).trim()) continue;
      if (internalListener(ctx, svc) || deliberateException(ctx, svc, c.name)) continue;
      if (w.kind === 'default') {
        // Off by default only in the patch releases that received it (3.5.23+, 3.6.13+, 3.7.9+, 3.8.4+); the target must be such a release.
        if (!/^\d+\.\d+\.\d+$/.test(ctx.version) || !existsInVersion(c.name, ctx.version) || versionAtLeast(ctx.version, '3.9')) continue;
        found.add(ctx.config.mainPath, TOP, { svc, explicit: false, fix: setMainParameter(ctx, c.name, c.safe) });
        continue;
      }
      const at = whereRange(ctx, w, svc);
      const fix = w.kind === 'master' ? setServiceOption(ctx, w.service, c.name, c.safe) : setMainParameter(ctx, c.name, c.safe);
      found.add(at.file, at.range, { svc, explicit: true, fix });
    }
    for (const { file, range, items } of found.entries()) {
      const i = items[0];
      const origin = i.explicit ? `${c.name} = no` : `${c.name} is off by default in Postfix ${ctx.version}`;
      out.push(
        problem(
          SMTP_SMUGGLING,
          file,
          range,
          `${origin} on ${listText(items.map((x) => x.svc.label))}: ${c.what}. Postfix 3.9 and later turn it on by default; set ${c.name} = ${c.safe}.`,
          [{ title: `Set ${c.name} = ${c.safe}`, edits: i.fix, hardening: true }],
          i.explicit ? 'warning' : 'info',
        ),
      );
    }
  }
  return out;
}

const LOOPBACK_INTERFACES = /^(loopback-only|localhost|127\.0\.0\.1|\[?::1\]?)$/i;

/** smtpd listens beyond loopback. */
function listensPublicly(ctx: RuleContext, svc: SmtpdService): boolean {
  const name = svc.service?.name.text ?? '';
  const host = name.includes(':') ? name.slice(0, name.lastIndexOf(':')).replace(/^\[|\]$/g, '') : '';
  if (host) return !/^(127\.|::1$|localhost$)/i.test(host);
  const ifaces = splitWords(ctx.value('inet_interfaces', svc.service)).map((w) => w.text);
  return ifaces.length === 0 || !ifaces.every((i) => LOOPBACK_INTERFACES.test(i));
}

function setSomewhere(ctx: RuleContext, service: MasterService | undefined, name: string, value: string): TextEdit[] {
  const w = ctx.raw(name, service).where;
  return w.kind === 'master' ? setServiceOption(ctx, w.service, name, value) : setMainParameter(ctx, name, value);
}

function* vrfy(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ svc: SmtpdService; fix: TextEdit[] }>();
  const services = contexts(ctx);
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF519 VRFY';
    const svc = services[i];
    if (!svc.port25 || !listensPublicly(ctx, svc) || ctx.bool('disable_vrfy_command', svc.service)) continue;
    const w = ctx.raw('disable_vrfy_command', svc.service).where;
    // Left at its default, this is hardening advice (hardeningExtras), not a problem to show everywhere.
    if (w.kind === 'default') continue;
    const at = whereRange(ctx, w, svc);
    found.add(at.file, at.range, { svc, fix: setSomewhere(ctx, svc.service, 'disable_vrfy_command', 'yes') });
  }
  return found.entries().map(({ file, range, items }) =>
    problem(
      VRFY_ENABLED,
      file,
      range,
      `VRFY is enabled on ${listText(items.map((i) => i.svc.label))}: anyone can ask which addresses exist (a gift to address harvesters). Set disable_vrfy_command = yes.`,
      [{ title: 'Set disable_vrfy_command = yes', edits: items[0].fix, hardening: true }],
    ),
  );
}

const DISCLOSING = /\$\{?\(?(mail_name|mail_version)\b|\b(postfix|debian|ubuntu|centos|red ?hat|rhel|fedora|suse|freebsd|openbsd|netbsd|alpine|gentoo|arch linux)\b/i;

function* banner(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ svc: SmtpdService; raw: string; fix: TextEdit[] }>();
  const services = contexts(ctx);
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF520 banner';
    const svc = services[i];
    if (!svc.port25 || !listensPublicly(ctx, svc)) continue;
    const { raw, where } = ctx.raw('smtpd_banner', svc.service);
    if (!raw || !DISCLOSING.test(raw) || where.kind === 'default') continue;
    const at = where.kind === 'main' ? { file: ctx.config.mainPath, range: where.entry.valueRange } : { file: ctx.config.masterPath, range: where.override.valueRange };
    found.add(at.file, at.range, { svc, raw, fix: setSomewhere(ctx, svc.service, 'smtpd_banner', '$myhostname ESMTP') });
  }
  return found.entries().map(({ file, range, items }) => {
    const i = items[0];
    const m = DISCLOSING.exec(i.raw)!;
    return problem(
      BANNER_DISCLOSURE,
      file,
      range,
      `The SMTP greeting on ${listText(items.map((x) => x.svc.label))} tells every client "${m[0]}": it helps attackers pick exploits and helps nobody else. Set smtpd_banner = $myhostname ESMTP.`,
      [{ title: 'Set smtpd_banner = $myhostname ESMTP', edits: i.fix, hardening: true }],
    );
  });
}

/**
 * Hardening that is not a problem of the configuration as written: defaults
 * worth changing on a public server (VRFY, the banner). Offered only as part
 * of "harden this configuration"; each under the code of the rule it would be
 * if set explicitly, so turning that rule off turns the advice off too.
 */
export function hardeningExtras(ctx: RuleContext): { rule: RuleCode; fix: Fix }[] {
  const out: { rule: RuleCode; fix: Fix }[] = [];
  const public25 = contexts(ctx).filter((svc) => svc.port25 && listensPublicly(ctx, svc));
  if (public25.some((svc) => ctx.raw('disable_vrfy_command', svc.service).where.kind === 'default' && !ctx.bool('disable_vrfy_command', svc.service))) {
    out.push({ rule: VRFY_ENABLED, fix: { title: 'Set disable_vrfy_command = yes', edits: setMainParameter(ctx, 'disable_vrfy_command', 'yes'), hardening: true } });
  }
  if (public25.some((svc) => { const r = ctx.raw('smtpd_banner', svc.service); return r.where.kind === 'default' && DISCLOSING.test(r.raw ?? ''); })) {
    out.push({ rule: BANNER_DISCLOSURE, fix: { title: 'Set smtpd_banner = $myhostname ESMTP', edits: setMainParameter(ctx, 'smtpd_banner', '$myhostname ESMTP'), hardening: true } });
  }
  return out;
}

export const settingsRule: Rule = {
  codes: [COMPATIBILITY_LEVEL, DOMAIN_IN_TWO_CLASSES, SMTP_SMUGGLING, VRFY_ENABLED, BANNER_DISCLOSURE],
  check(ctx) {
    return drain(settingsRule.steps!(ctx));
  },
  *steps(ctx) {
    const compat = compatibility(ctx);
    const two = yield* twoClasses(ctx);
    // The rest judges every smtpd service, SERVICES_PER_STEP at a time: a master.cf may start 50,000.
    const smuggled = yield* smuggling(ctx);
    const vrfyOn = yield* vrfy(ctx);
    return [...compat, ...two, ...smuggled, ...vrfyOn, ...(yield* banner(ctx))];
  },
};

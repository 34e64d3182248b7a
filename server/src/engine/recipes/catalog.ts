// The hardening recipes, as data: each fills in what it can from the
// configuration (own domains, the SASL type, certificate paths) and leaves a
// clear placeholder for the rest. Docs: docs/recipes/<name>.md.

import { ownDomains, serverRoles, smtpdProcessLimit } from '../intent/roles';
import type { RuleContext } from '../rules/context';
import { versionAtLeast } from '../catalog/version';
import { findService, type MainSetting, type Plan } from './plan';
import type { MasterService } from '../mastercf';

export interface RecipeParameter {
  key: string;
  description: string;
  /** The value used when --set does not give one. */
  fallback(ctx: RuleContext): string;
}

export interface Recipe {
  name: string;
  title: string;
  summary: string;
  parameters: RecipeParameter[];
  plan(ctx: RuleContext, values: Record<string, string>): Plan;
}

export const PLACEHOLDER_DOMAIN = 'your-domain.example';
export const SENDER_TABLE = 'own_domain_senders';
export const LOGIN_TABLE = 'sender_login_maps';
const TRUSTED_PERMITS = 'permit_mynetworks, permit_sasl_authenticated';

function empty(): Plan {
  return { main: [], lists: [], services: [], files: [], notes: [] };
}

/** Own domains that mail is addressed to (local and virtual; relay domains belong to other servers). */
export function ownDomainList(ctx: RuleContext): string[] {
  const d = ownDomains(ctx);
  return [...new Set([...d.local, ...d.virtual])];
}

function domainsParam(): RecipeParameter {
  return {
    key: 'domains',
    description: 'own domains, comma-separated (default: mydestination and virtual_*_domains without localhost names)',
    fallback: (ctx) => ownDomainList(ctx).join(',') || PLACEHOLDER_DOMAIN,
  };
}

function saslEnabledSomewhere(ctx: RuleContext): boolean {
  return ctx.smtpdServices().some((s) => ctx.bool('smtpd_sasl_auth_enable', s.service));
}

/** An MX's relay restrictions: its trusted clients, then the guard that refuses everyone else's relaying. */
export function mxRelayRestrictions(ctx: RuleContext): string {
  return saslEnabledSomewhere(ctx) ? `${TRUSTED_PERMITS}, reject_unauth_destination` : 'permit_mynetworks, reject_unauth_destination';
}

const mx: Recipe = {
  name: 'mx',
  title: 'MX: receive mail for our domains from anywhere, relay for nobody',
  summary: 'smtpd_relay_restrictions with reject_unauth_destination, HELO required, pipelining checked, no unconditional reject before the recipient is known',
  parameters: [],
  plan(ctx) {
    const p = empty();
    if (/^\s*(loopback-only|localhost|127\.0\.0\.1)\s*$/i.test(ctx.value('inet_interfaces'))) p.main.push({ name: 'inet_interfaces', value: 'all' });
    const relay = ctx.config.main?.byName.get('smtpd_relay_restrictions');
    if (!relay || !/(^|[\s,])reject_unauth_destination([\s,]|$)/i.test(relay.value)) p.main.push({ name: 'smtpd_relay_restrictions', value: mxRelayRestrictions(ctx) });
    p.main.push({ name: 'smtpd_helo_required', value: 'yes' });
    p.lists.push({ parameter: 'smtpd_data_restrictions', words: 'reject_unauth_pipelining', whenUnset: 'reject_unauth_pipelining', present: /^reject_unauth_pipelining$/i });
    // An unconditional reject in the client, HELO or sender list refuses outside servers before their recipient is known.
    for (const name of ['smtpd_client_restrictions', 'smtpd_helo_restrictions', 'smtpd_sender_restrictions']) {
      const entry = ctx.config.main?.byName.get(name);
      if (entry && /(^|[\s,])(reject|defer)([\s,]|$)/i.test(entry.value)) p.main.push({ name, value: entry.value.split(/[\s,]+/).filter((w) => w && !/^(reject|defer)$/i.test(w)).join(', ') });
    }
    if (ctx.value('smtpd_tls_security_level').trim().toLowerCase() === 'encrypt') p.main.push({ name: 'smtpd_tls_security_level', value: 'may' });
    p.notes.push('Run postfix reload. Outside servers may now deliver to your domains; relaying stays limited to mynetworks and logged-in users.');
    return p;
  },
};

const localhostOnly: Recipe = {
  name: 'localhost-only-sending',
  title: 'Only this machine may send through port 25 (mynetworks = localhost)',
  summary: 'mynetworks = 127.0.0.0/8 [::1]/128; receiving for our domains is unaffected (that is the MX recipe)',
  parameters: [],
  plan() {
    const p = empty();
    p.main.push({ name: 'mynetworks', value: '127.0.0.0/8 [::1]/128' });
    p.notes.push('Other machines that sent through this server must now log in on the submission port.');
    return p;
  },
};

/** The master.cf service a submission recipe changes, when it exists. */
function submissionService(ctx: RuleContext, implicit: boolean) {
  return findService(ctx, implicit ? { name: 'submissions', aliases: ['smtps', '465'], options: [] } : { name: 'submission', aliases: ['587'], options: [] });
}

/** Where the SASL settings of a submission recipe come from. */
interface SaslChoice {
  type: string;
  path: string;
  /** explicit: set in main.cf or on the service; cyrus-config: Cyrus's smtpd.conf is there; assumed: nothing says which. */
  source: 'explicit' | 'cyrus-config' | 'assumed';
}

/** Cyrus's configuration for Postfix (smtpd.conf in cyrus_sasl_config_path, or where Debian's Postfix looks for it). */
function cyrusConfigured(ctx: RuleContext): boolean {
  const dirs = [ctx.value('cyrus_sasl_config_path').trim(), `${ctx.config.dir.replace(/\/+$/, '')}/sasl`].filter(Boolean);
  return dirs.some((d) => ctx.text(`${d}/smtpd.conf`) !== undefined);
}

/**
 * The SASL type and path for a submission service: what the service or
 * main.cf sets; Cyrus when its smtpd.conf is there (Postfix's own default
 * type, in use without a setting); else Dovecot at private/auth, the usual
 * pairing, stated as an assumption in the recipe's notes.
 */
export function saslChoice(ctx: RuleContext, implicit: boolean): SaslChoice {
  const svc = submissionService(ctx, implicit);
  const path = ctx.isSet('smtpd_sasl_path', svc) ? ctx.value('smtpd_sasl_path', svc).trim() : '';
  if (ctx.isSet('smtpd_sasl_type', svc) && ctx.value('smtpd_sasl_type', svc).trim()) {
    const type = ctx.value('smtpd_sasl_type', svc).trim();
    return { type, path: path || (type.toLowerCase() === 'dovecot' ? 'private/auth' : 'smtpd'), source: 'explicit' };
  }
  // A socket path without a type: only Dovecot takes one (Cyrus's path is an application name).
  if (path.includes('/')) return { type: 'dovecot', path, source: 'explicit' };
  if (cyrusConfigured(ctx)) return { type: 'cyrus', path: path || 'smtpd', source: 'cyrus-config' };
  return { type: 'dovecot', path: 'private/auth', source: 'assumed' };
}

function saslParams(implicit: boolean): RecipeParameter[] {
  return [
    { key: 'sasl_type', description: "SASL implementation (dovecot or cyrus; default: the service's or main.cf's setting, cyrus when sasl/smtpd.conf exists, else dovecot)", fallback: (ctx) => saslChoice(ctx, implicit).type },
    { key: 'sasl_path', description: "SASL socket or application name (default: the service's or main.cf's setting, smtpd for cyrus, else private/auth)", fallback: (ctx) => saslChoice(ctx, implicit).path },
    {
      key: 'login_maps',
      description: 'table of sender address → login (default: the existing smtpd_sender_login_maps, else a new texthash table to fill in)',
      fallback: (ctx) => ctx.config.main?.byName.get('smtpd_sender_login_maps')?.value.trim() || `texthash:$config_directory/${LOGIN_TABLE}`,
    },
  ];
}

/** Table types whose source file must be compiled with postmap before Postfix reads it. */
const INDEXED = /^(hash|btree|cdb|lmdb|dbm|sdbm):/i;

/** The login table the recipe creates: comments that say what to fill in, and one placeholder entry per domain so the table is never empty. */
function loginTableText(domains: string[]): string {
  return `# Which login may use which envelope sender address (smtpd_sender_login_maps,
# created by postfix-lint recipe submission). One line per address or @domain:
#   ADDRESS    LOGIN[,LOGIN...]
# for example
#   alice@${domains[0]}    alice
#   @${domains[0]}    admin
# A logged-in user whose sender address is not listed for their login gets
# 553 5.7.1 (reject_sender_login_mismatch). Replace the PLACEHOLDER lines.
${domains.map((d) => `PLACEHOLDER-address@${d}    PLACEHOLDER-login`).join('\n')}
`;
}

function submissionPlan(ctx: RuleContext, values: Record<string, string>, implicit: boolean): Plan {
  const p = empty();
  p.main.push({ name: 'mua_client_restrictions', value: 'permit_sasl_authenticated, reject', keepExisting: true });
  p.main.push({ name: 'mua_sender_restrictions', value: 'reject_sender_login_mismatch, permit_sasl_authenticated, reject', keepExisting: true });
  p.main.push({ name: 'mua_relay_restrictions', value: 'permit_sasl_authenticated, reject', keepExisting: true });
  const options: [string, string][] = [['syslog_name', implicit ? 'postfix/submissions' : 'postfix/submission']];
  if (implicit) options.push(['smtpd_tls_wrappermode', 'yes']);
  else options.push(['smtpd_tls_security_level', 'encrypt']);
  options.push(
    ['smtpd_sasl_auth_enable', 'yes'],
    ['smtpd_tls_auth_only', 'yes'],
    ['smtpd_sasl_type', values.sasl_type],
    ['smtpd_sasl_path', values.sasl_path],
    ['smtpd_sender_login_maps', values.login_maps],
    ['smtpd_client_restrictions', '$mua_client_restrictions'],
    ['smtpd_sender_restrictions', '$mua_sender_restrictions'],
    ['smtpd_relay_restrictions', '$mua_relay_restrictions'],
    ['smtpd_recipient_restrictions', '$mua_relay_restrictions'],
    ['milter_macro_daemon_name', 'ORIGINATING'],
  );
  p.services.push(implicit ? { name: 'submissions', aliases: ['smtps', '465'], options } : { name: 'submission', aliases: ['587'], options });
  if (values.login_maps.includes(`$config_directory/${LOGIN_TABLE}`)) {
    const domains = (values.domains || PLACEHOLDER_DOMAIN).split(',').map((d) => d.trim()).filter(Boolean);
    p.files.push({ name: LOGIN_TABLE, text: loginTableText(domains.length ? domains : [PLACEHOLDER_DOMAIN]) });
    const indexed = INDEXED.exec(values.login_maps);
    p.notes.push(
      indexed
        ? `Fill in ${LOGIN_TABLE} (address → login, replacing the PLACEHOLDER lines), then run postmap ${values.login_maps.replace(/\$config_directory|\$\{config_directory\}/, ctx.config.dir.replace(/\/+$/, ''))} and postfix reload: a logged-in user may only send as the addresses listed for their login.`
        : `Fill in ${LOGIN_TABLE} (address → login, replacing the PLACEHOLDER lines), then postfix reload (a texthash table needs no postmap; Postfix reads it when smtpd starts): a logged-in user may only send as the addresses listed for their login.`,
    );
  }
  const sasl = saslChoice(ctx, implicit);
  if (sasl.source !== 'explicit' && values.sasl_type === sasl.type && values.sasl_path === sasl.path) {
    p.notes.push(
      sasl.source === 'assumed'
        ? `SASL: this configuration does not say which SASL server it uses; the recipe assumes Dovecot at private/auth (Dovecot's auth service with unix_listener /var/spool/postfix/private/auth). Using Cyrus instead? Run again with --set sasl_type=cyrus --set sasl_path=smtpd.`
        : `SASL: Cyrus, as sasl/smtpd.conf in the configuration directory says (Postfix's default type). Using Dovecot instead? Run again with --set sasl_type=dovecot --set sasl_path=private/auth.`,
    );
  }
  if (!ctx.value('smtpd_tls_chain_files').trim() && !ctx.value('smtpd_tls_cert_file').trim()) p.notes.push('No server certificate is configured: add one (postfix-lint recipe tls) or clients cannot start TLS.');
  return p;
}

const submission: Recipe = {
  name: 'submission',
  title: 'Submission on port 587: STARTTLS required, SASL, senders bound to logins',
  summary: 'master.cf submission service with smtpd_tls_security_level=encrypt, smtpd_tls_auth_only, reject_sender_login_mismatch and $mua_* restriction lists',
  parameters: [...saslParams(false), domainsParam()],
  plan: (ctx, values) => submissionPlan(ctx, values, false),
};

const submissions: Recipe = {
  name: 'submissions',
  title: 'Submission on port 465 (implicit TLS): SASL, senders bound to logins',
  summary: 'master.cf submissions service with smtpd_tls_wrappermode=yes and the same $mua_* restriction lists as port 587',
  parameters: [...saslParams(true), domainsParam()],
  plan: (ctx, values) => submissionPlan(ctx, values, true),
};

/** The sender-protection table's results: log first, refuse once the log shows no legitimate use. */
export const SENDER_ACTIONS = {
  WARN: 'WARN sender address of our own domain used by an outside client',
  REJECT: 'REJECT 5.7.1 Mail from our own domain must be sent through the submission service',
};

const senderProtection: Recipe = {
  name: 'sender-protection',
  title: 'Own-domain sender protection on port 25',
  summary: 'check_sender_access with every own domain and its subdomains, after permit_mynetworks/permit_sasl_authenticated: WARN first, REJECT 5.7.1 once the log shows no legitimate use',
  parameters: [
    { key: 'action', description: 'WARN (log only) or REJECT', fallback: () => 'WARN' },
    domainsParam(),
  ],
  plan(ctx, values) {
    const p = empty();
    const reject = /^reject$/i.test(values.action);
    const action = reject ? SENDER_ACTIONS.REJECT : SENDER_ACTIONS.WARN;
    const domains = values.domains.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
    const lines = domains.flatMap((d) => [`${d} ${action}`, `.${d} ${action}`]);
    p.files.push({ name: SENDER_TABLE, text: `# Own domains as envelope senders from clients that are neither in mynetworks nor logged in.\n# Created by postfix-lint recipe sender-protection${domains.includes(PLACEHOLDER_DOMAIN) ? `; replace ${PLACEHOLDER_DOMAIN} with your domains` : ''}.\n${lines.join('\n')}\n` });
    const check = `check_sender_access texthash:$config_directory/${SENDER_TABLE}`;
    const permits = saslEnabledSomewhere(ctx) ? TRUSTED_PERMITS : 'permit_mynetworks';
    p.lists.push({ parameter: 'smtpd_recipient_restrictions', words: check, whenUnset: `${permits}, ${check}, reject_unauth_destination`, present: new RegExp(`^texthash:\\$config_directory/${SENDER_TABLE}$|/${SENDER_TABLE}$`) });
    p.notes.push(reject ? 'Outside clients using your domains as sender are now refused with 554 5.7.1.' : `Outside clients using your domains as sender are logged (a "NOQUEUE: warn:" line in the mail log); check the log, then run the recipe again with --set action=REJECT after deleting ${SENDER_TABLE}.`);
    p.notes.push('texthash tables are read when smtpd starts: run postfix reload after changing the file.');
    return p;
  },
};

const dnsbl: Recipe = {
  name: 'dnsbl',
  title: 'DNS blocklist done right: Spamhaus ZEN with a reply filter, after the permits',
  summary: 'reject_rbl_client zen.spamhaus.org=127.0.0.[2..11] after permit_mynetworks/permit_sasl_authenticated and reject_unauth_destination',
  parameters: [{ key: 'zone', description: 'DNSBL zone (a Spamhaus DQS zone if you use one)', fallback: () => 'zen.spamhaus.org' }],
  plan(ctx, values) {
    const p = empty();
    const rbl = `reject_rbl_client ${values.zone}=127.0.0.[2..11]`;
    const entry = ctx.config.main?.byName.get('smtpd_recipient_restrictions');
    const zone = values.zone.replace(/[.]/g, '\\.');
    if (entry && !new RegExp(`(^|[\\s,])${zone}(=|[\\s,]|$)`).test(entry.value)) {
      // After the relay guard: mail for other domains is refused without a DNS query.
      const words = entry.value.split(/[\s,]+/).filter(Boolean);
      const guard = words.findIndex((w) => /^(reject|defer)_unauth_destination$/i.test(w));
      const at = guard >= 0 ? guard + 1 : words.findIndex((w) => !/^permit_(mynetworks|sasl_authenticated)$/i.test(w));
      words.splice(at < 0 ? words.length : at, 0, rbl);
      p.main.push({ name: 'smtpd_recipient_restrictions', value: words.join(', ') });
    } else if (!entry) {
      p.main.push({ name: 'smtpd_recipient_restrictions', value: `${saslEnabledSomewhere(ctx) ? TRUSTED_PERMITS : 'permit_mynetworks'}, reject_unauth_destination, ${rbl}` });
    }
    p.notes.push('Spamhaus answers queries through public resolvers with an error code: use a local resolver, or a DQS zone with --set zone=KEY.zen.dq.spamhaus.net.');
    return p;
  },
};

const COUNT_LIMIT = 'smtpd_client_connection_count_limit';
/** Parallel connections one client gets when the process limit leaves room (Postfix's own default is 50). */
const PREFERRED_COUNT = 20;

/**
 * The per-client concurrency to write for smtpd services with `procs`
 * processes (0: unlimited). smtpd_client_connection_count_limit only protects
 * anyone when it is below the service's process limit (master.cf maxproc,
 * else default_process_limit): at or above it, one client may still hold
 * every process. So 20, but never more than half the processes, leaving the
 * other half to everyone else; at least 1 (0 would switch the limit off).
 */
export function connectionCountFor(procs: number): number {
  return procs > 0 ? Math.max(1, Math.min(PREFERRED_COUNT, Math.floor(procs / 2))) : PREFERRED_COUNT;
}

/** A count limit that keeps one client below the process limit (a value that is not a plain number is not judged). */
function countProtects(value: string, procs: number): boolean {
  if (!/^\d+$/.test(value.trim())) return true;
  const n = Number(value);
  return n > 0 && (procs === 0 || n < procs);
}

const rateLimits: Recipe = {
  name: 'rate-limits',
  title: 'Connection and message rate limits for port 25 (anvil)',
  summary: 'per-client connection count (below the smtpd process limit) and rate, message, recipient and AUTH rate limits; mynetworks is exempt',
  parameters: [],
  plan(ctx) {
    const p = empty();
    const set = (name: string, value: string) => p.main.push({ name, value, keepExisting: true });
    set('anvil_rate_time_unit', '60s');
    // The count limit must fit the port-25 services' process limits (the smallest, for main.cf's one value).
    const roles = serverRoles(ctx);
    const port25 = roles.mx.length ? roles.mx : ctx.smtpdServices().filter((s) => s.port25);
    const limits = port25.map((s) => smtpdProcessLimit(ctx, s)).filter((n) => n > 0);
    const procs = limits.length ? Math.min(...limits) : 0;
    const count = String(connectionCountFor(procs));
    const mainCount = ctx.config.main?.byName.get(COUNT_LIMIT)?.value;
    if (mainCount === undefined) set(COUNT_LIMIT, count);
    else if (!countProtects(mainCount, procs)) {
      // 0 (off) or not below the process limit: the very thing PF547 reports, so it is replaced, not kept.
      p.main.push({ name: COUNT_LIMIT, value: count });
      if (mainCount.trim() !== count) p.notes.push(`${COUNT_LIMIT} was ${mainCount.trim() || 'empty'}, which lets one client hold every one of the ${procs || 'unlimited'} smtpd processes of port 25: set to ${count}.`);
    }
    // A port-25 service with its own -o count limit: main.cf's value does not reach it.
    for (const s of port25) {
      const own = s.service?.overrides.filter((o) => o.name === COUNT_LIMIT).pop();
      const svcProcs = smtpdProcessLimit(ctx, s);
      if (s.service && own && !countProtects(own.value, svcProcs)) p.services.push({ name: s.service.name.text, aliases: [], options: [[COUNT_LIMIT, String(connectionCountFor(svcProcs))]] });
    }
    if (procs === 1) p.notes.push('Port 25 runs a single smtpd process (maxproc 1): whichever client holds it locks everyone else out, whatever the limits; raise maxproc.');
    set('smtpd_client_connection_rate_limit', '60');
    set('smtpd_client_message_rate_limit', '120');
    set('smtpd_client_recipient_rate_limit', '600');
    if (versionAtLeast(ctx.version, '3.1')) set('smtpd_client_auth_rate_limit', '30');
    p.notes.push('Limits apply per client address and minute; clients in smtpd_client_event_limit_exceptions ($mynetworks) are exempt.');
    return p;
  },
};

export const MOZILLA_INTERMEDIATE_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305';

/** The certificate parameters smtpd_tls_chain_files supersedes (Postfix ignores them once it is set). */
const LEGACY_CERT_PARAMS = ['smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_eccert_file', 'smtpd_tls_eckey_file', 'smtpd_tls_dcert_file', 'smtpd_tls_dkey_file'];

/** The first release with smtpd_tls_chain_files (parameters.tsv). */
const CHAIN_FILES_SINCE = '3.4';

/**
 * Before 3.4: the chain list (key, certificate[, key, certificate]) as the
 * older parameters. The first pair is the RSA slot, a second the ECDSA one
 * (2.6 and newer); a configured smtpd_tls_chain_files (unknown to that
 * release, an "unused parameter") is replaced.
 */
function certFileSettings(ctx: RuleContext, chain: string): MainSetting[] {
  const files = chain.split(/[\s,]+/).filter(Boolean);
  const out: MainSetting[] = [];
  const pair = (keyName: string, certName: string, key: string, cert: string | undefined, replaces?: string[]) => {
    // One PEM file with key and certificate: the key parameter defaults to the certificate file.
    out.push({ name: certName, value: cert ?? key, replaces });
    out.push({ name: keyName, value: key });
  };
  pair('smtpd_tls_key_file', 'smtpd_tls_cert_file', files[0] ?? '', files[1], ['smtpd_tls_chain_files']);
  if (files.length > 2 && versionAtLeast(ctx.version, '2.6')) pair('smtpd_tls_eckey_file', 'smtpd_tls_eccert_file', files[2], files[3]);
  return out;
}

/** The configured certificates as one chain list: key then certificate, for the RSA, ECDSA and DSA pairs that are set ('' when none). */
function chainOf(ctx: RuleContext, service?: MasterService): string {
  const pairs: string[] = [];
  for (const [key, cert] of [['smtpd_tls_key_file', 'smtpd_tls_cert_file'], ['smtpd_tls_eckey_file', 'smtpd_tls_eccert_file'], ['smtpd_tls_dkey_file', 'smtpd_tls_dcert_file']]) {
    const c = ctx.value(cert, service).trim();
    // Postfix's own default for a key file is the certificate file (both in one PEM).
    if (c) pairs.push(`${ctx.value(key, service).trim().replace(/^\$(\{|\()?smtpd_tls_(ec|d)?cert_file(\}|\))?$/, c) || c}, ${c}`);
  }
  return pairs.join(', ');
}

const tls: Recipe = {
  name: 'tls',
  title: "TLS: may on port 25, encrypt on submission, Mozilla's intermediate profile",
  summary: 'smtpd_tls_chain_files, TLS 1.2 and newer, the intermediate cipher list, encrypt on the submission service',
  parameters: [
    {
      key: 'chain_files',
      description: 'private key and certificate chain (PEM), comma-separated (default: the configured ones)',
      fallback: (ctx) => ctx.value('smtpd_tls_chain_files').trim() || chainOf(ctx) || '/etc/postfix/certs/PLACEHOLDER-key.pem, /etc/postfix/certs/PLACEHOLDER-fullchain.pem',
    },
  ],
  plan(ctx, values) {
    const p = empty();
    const modern = versionAtLeast(ctx.version, '3.6');
    const protocols = modern ? '>=TLSv1.2' : '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';
    // smtpd_use_tls and smtpd_enforce_tls are the obsolete form of the security level, ignored once it is set.
    p.main.push({ name: 'smtpd_tls_security_level', value: 'may', replaces: ['smtpd_use_tls', 'smtpd_enforce_tls'] });
    const hasChain = versionAtLeast(ctx.version, CHAIN_FILES_SINCE);
    if (hasChain) p.main.push({ name: 'smtpd_tls_chain_files', value: values.chain_files, replaces: LEGACY_CERT_PARAMS });
    else p.main.push(...certFileSettings(ctx, values.chain_files));
    // smtpd_tls_protocols (the opportunistic list) came with Postfix 2.6; the mandatory one with 2.3.
    if (versionAtLeast(ctx.version, '2.6')) p.main.push({ name: 'smtpd_tls_protocols', value: protocols });
    p.main.push({ name: 'smtpd_tls_mandatory_protocols', value: protocols });
    p.main.push({ name: 'smtpd_tls_mandatory_ciphers', value: 'medium' });
    p.main.push({ name: 'tls_medium_cipherlist', value: MOZILLA_INTERMEDIATE_CIPHERS });
    if (versionAtLeast(ctx.version, '2.8')) p.main.push({ name: 'tls_preempt_cipherlist', value: 'no' });
    for (const svc of ctx.smtpdServices()) {
      if (!svc.service) continue;
      const options: [string, string][] = [];
      // A service's own certificate: main.cf's chain would win over its -o cert/key lines, so it gets its own chain.
      // (Before 3.4 there is no chain: the service's own cert/key lines keep winning over main.cf's.)
      const own = hasChain && svc.service.overrides.some((o) => LEGACY_CERT_PARAMS.includes(o.name)) && !svc.service.overrides.some((o) => o.name === 'smtpd_tls_chain_files');
      if (own) options.push(['smtpd_tls_chain_files', chainOf(ctx, svc.service).replace(/,\s*/g, ',')]);
      if (svc.submission && !ctx.bool('smtpd_tls_wrappermode', svc.service)) options.push(['smtpd_tls_security_level', 'encrypt']);
      if (options.length) p.services.push({ name: svc.service.name.text, aliases: [], options, remove: own ? LEGACY_CERT_PARAMS : [] });
    }
    if (values.chain_files.includes('PLACEHOLDER')) p.notes.push('Replace the PLACEHOLDER certificate paths with your key and full chain (for example from certbot) before postfix reload.');
    if (!hasChain) p.notes.push(`Postfix ${ctx.version} predates smtpd_tls_chain_files (${CHAIN_FILES_SINCE}): the key and certificate go into smtpd_tls_key_file/smtpd_tls_cert_file (a second pair into smtpd_tls_eckey_file/smtpd_tls_eccert_file, for an ECDSA key); the certificate file holds the full chain, server certificate first.`);
    return p;
  },
};

export const RECIPES: Recipe[] = [mx, localhostOnly, submission, submissions, senderProtection, dnsbl, rateLimits, tls];

export function findRecipe(name: string): Recipe | undefined {
  return RECIPES.find((r) => r.name === name);
}

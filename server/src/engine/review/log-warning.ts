// The `warning:`, `error:` and `fatal:` lines Postfix daemons log, read for
// "postfix-lint explain": what each one means, and whether the configuration
// caused it (a restriction smtpd skips or does not know, a table it cannot
// open or that is older than its source) or something outside it did (DNS,
// a client that cannot speak SMTP, a wrong password). A line caused by the
// configuration is tied to the finding the engine reports for the same
// mistake today (file:line); when there is none, the configuration has
// probably changed since the line was logged, and the explanation says so.
//
// The patterns follow the format strings in Postfix 3.7's smtpd and
// libraries (test/oracle/explain-live.test.ts makes a live smtpd write these
// lines and reads them back).

import { basename } from 'node:path';
import type { Problem } from '../types';

export type WarningSeverity = 'warning' | 'error' | 'fatal' | 'panic';

/**
 * `configuration`: today's files decide it (a finding says where);
 * `client`: what a client sent or did; `dns`: a DNS answer; `operational`:
 * the server's state (a daemon that died, a limit that was reached);
 * `unknown`: a line postfix-lint has no explanation for.
 */
export type WarningOrigin = 'configuration' | 'client' | 'dns' | 'operational' | 'unknown';

export type WarningKind =
  | 'restriction-ignored'
  | 'unknown-restriction'
  | 'restriction-class-undefined'
  | 'sasl-restriction-ignored'
  | 'table-unavailable'
  | 'table-open-failed'
  | 'table-lookup-error'
  | 'table-older-than-source'
  | 'unsupported-table-type'
  | 'hostname-address-mismatch'
  | 'illegal-address-syntax'
  | 'non-smtp-command'
  | 'improper-pipelining'
  | 'sasl-authentication-failed'
  | 'rate-limit-exceeded'
  | 'tls-handshake-failed'
  | 'daemon-exit'
  | 'daemon-throttled'
  /** A line whose text one of today's findings quotes (a fatal start-up error, most often). */
  | 'quoted-by-finding'
  | 'other';

export interface LogWarning {
  /** Zero-based line number in the log. */
  line: number;
  raw: string;
  /** The logging program as syslog shows it: `postfix/smtpd`, `postfix/submission/smtpd`, `postfix/master`. */
  program: string;
  severity: WarningSeverity;
  /** What follows `warning: `. */
  text: string;
}

export interface WarningFinding {
  code: string;
  severity: Problem['severity'];
  file: string;
  /** One-based. */
  line: number;
  column: number;
  message: string;
}

export interface WarningExplanation {
  warning: LogWarning;
  kind: WarningKind;
  origin: WarningOrigin;
  /** What the line means, in our words. */
  meaning: string;
  /** The client the line names (`host[addr]`), when it names one. */
  client?: string;
  /** The restriction, table or address the line is about. */
  subject?: string;
  /** For configuration lines: today's findings about the same mistake. */
  findings: WarningFinding[];
  /** For configuration lines without a finding: why there may be none. */
  note?: string;
}

const HEAD = /(?:^|\s)((?:[\w.-]+\/)*[\w.-]+)\[\d+\]: (warning|error|fatal|panic): (.*)$/;

/** A warning, error or fatal line of a Postfix program, or undefined for any other line. */
export function parseLogWarning(raw: string, line = 0): LogWarning | undefined {
  const m = HEAD.exec(raw);
  if (!m) return undefined;
  return { line, raw, program: m[1], severity: m[2] as WarningSeverity, text: m[3] };
}

interface Pattern {
  kind: WarningKind;
  re: RegExp;
  origin: WarningOrigin;
  /** Finding codes for the same mistake (configuration lines). */
  codes?: string[];
  subject?: (m: RegExpExecArray) => string;
  client?: (m: RegExpExecArray) => string;
  meaning: (m: RegExpExecArray, w: LogWarning) => string;
}

/** A table name without the suffix of its compiled file (`/etc/postfix/access.db` → `/etc/postfix/access`). */
const sourceOf = (path: string) => path.replace(/\.(db|lmdb|cdb)$/, '');
const TABLE_CODES = ['PF374', 'PF310', 'PF309', 'PF379', 'PF380', 'PF373', 'PF381', 'PF108', 'PF001', 'PF002'];

const PATTERNS: Pattern[] = [
  {
    kind: 'restriction-ignored',
    re: /^restriction `([^']+)' after `([^']+)' is ignored$/,
    origin: 'configuration',
    codes: ['PF401'],
    subject: (m) => m[1],
    meaning: (m) => `smtpd never evaluates "${m[1]}": it comes after "${m[2]}" in the same list, and "${m[2]}" always ends the list. Move it before "${m[2]}", or remove it.`,
  },
  {
    kind: 'unknown-restriction',
    re: /^unknown smtpd restriction: "([^"]*)"$/,
    origin: 'configuration',
    codes: ['PF402', 'PF403', 'PF409', 'PF410', 'PF405'],
    subject: (m) => m[1],
    meaning: (m) => `"${m[1]}" is not a restriction this smtpd knows (a typo, a name this Postfix version dropped, or a restriction class missing from smtpd_restriction_classes). Every client whose mail reaches it gets 451 4.3.5 Server configuration error, so mail is deferred until the list is fixed.`,
  },
  {
    kind: 'restriction-class-undefined',
    re: /^restriction class `([^']+)' needs a definition$/,
    origin: 'configuration',
    codes: ['PF403'],
    subject: (m) => m[1],
    meaning: (m) => `"${m[1]}" is listed in smtpd_restriction_classes but has no value (no "${m[1]} = ..." line), so smtpd exits at start and the service accepts no mail.`,
  },
  {
    kind: 'sasl-restriction-ignored',
    re: /^restriction `([^']+)' ignored: no SASL support$/,
    origin: 'configuration',
    codes: ['PF411'],
    subject: (m) => m[1],
    meaning: (m) => `"${m[1]}" needs SASL, which this smtpd was built without or has turned off: the restriction never matches.`,
  },
  {
    kind: 'table-unavailable',
    re: /^([a-z0-9_]+):(\S+) is unavailable\. (.*)$/,
    origin: 'configuration',
    codes: TABLE_CODES,
    subject: (m) => m[2],
    meaning: (m) => `smtpd could not open the table ${m[1]}:${m[2]} (${m[3]}). Every lookup in it fails, and the restriction or setting that uses it answers 451 4.3.5 (mail is deferred, not lost) until the table is there.`,
  },
  {
    kind: 'table-open-failed',
    re: /^open database (\S+): (.*)$/,
    origin: 'configuration',
    codes: TABLE_CODES,
    subject: (m) => sourceOf(m[1]),
    meaning: (m) => `smtpd could not open ${m[1]} when it started (${m[2]}): the compiled table is missing (run postmap on its source) or unreadable. Lookups in it fail with 451 4.3.5.`,
  },
  {
    kind: 'table-lookup-error',
    re: /^([a-z0-9_]+):(\S+) lookup error for "(.*)"$/,
    origin: 'configuration',
    codes: TABLE_CODES,
    subject: (m) => m[2],
    meaning: (m) => `A lookup of "${m[3]}" in ${m[1]}:${m[2]} failed (the table could not be opened, or its database server did not answer), so smtpd answered with a temporary error (4xx) instead of a decision.`,
  },
  {
    kind: 'table-older-than-source',
    re: /^database (\S+) is older than source file (\S+)$/,
    origin: 'configuration',
    codes: ['PF309'],
    subject: (m) => m[2],
    meaning: (m) => `${m[2]} was edited after ${m[1]} was built, and Postfix reads only the compiled file: the edits are not in effect until postmap (or postalias) runs on it.`,
  },
  {
    kind: 'unsupported-table-type',
    re: /^unsupported dictionary type: ([^\s.(]+)/,
    origin: 'configuration',
    codes: ['PF373'],
    subject: (m) => m[1],
    meaning: (m) => `This Postfix has no "${m[1]}" table type (a typo, or the package that adds it is not installed).`,
  },
  {
    kind: 'hostname-address-mismatch',
    re: /^hostname (\S+) does not resolve to address (\S+?)(?:: (.*))?$/,
    origin: 'dns',
    subject: (m) => m[1],
    // smtpd logs such a client as unknown[address] on its other lines.
    client: (m) => `unknown[${m[2]}]`,
    meaning: (m) => `The client's address ${m[2]} has the reverse DNS name ${m[1]}, but ${m[1]} does not resolve back to ${m[2]}${m[3] ? ` (${m[3]})` : ''}. smtpd therefore names the client "unknown": checks on the client's name (reject_unknown_client_hostname, check_client_access by name) see no name. This is DNS, not the configuration.`,
  },
  {
    kind: 'illegal-address-syntax',
    re: /^Illegal address syntax from (\S+) in (\S+) command: (.*)$/,
    origin: 'client',
    subject: (m) => m[3],
    client: (m) => m[1],
    meaning: (m) => `The client sent an address smtpd cannot parse in its ${m[2]} command (${m[3]}), and got a 501 reply. The client made the mistake; the configuration did not decide it.`,
  },
  {
    kind: 'non-smtp-command',
    re: /^non-SMTP command from (\S+): (.*)$/,
    origin: 'client',
    client: (m) => m[1],
    meaning: () => 'The client sent something that is not SMTP (often an HTTP request or a proxy probe from a scanner), and smtpd hung up. Not decided by the configuration.',
  },
  {
    kind: 'improper-pipelining',
    re: /^improper command pipelining after (\S+) from (\S+?): (.*)$/,
    origin: 'client',
    client: (m) => m[2],
    meaning: (m) => `The client sent commands after ${m[1]} without waiting for the reply, which a real mail server does not do unless the server offers PIPELINING (typical of spam software). reject_unauth_pipelining refuses such clients; the line itself reports the client's behaviour.`,
  },
  {
    kind: 'sasl-authentication-failed',
    re: /^(\S+?): SASL (\S+) authentication failed: (.*?)(?:, sasl_username=(.*))?$/,
    origin: 'client',
    subject: (m) => m[4] ?? '',
    client: (m) => m[1],
    meaning: (m) => `A client tried to log in with ${m[2]}${m[4] ? ` as "${m[4]}"` : ''} and the SASL server refused (${m[3]}): a wrong user name or password, or someone guessing passwords when one client repeats it. Not decided by the configuration.`,
  },
  {
    kind: 'rate-limit-exceeded',
    re: /^(Connection rate|Connection concurrency|Message delivery request rate|Recipient address rate|AUTH command rate|New TLS session rate) limit exceeded: (\d+) from (\S+) for service (\S+)$/,
    origin: 'operational',
    client: (m) => m[3],
    meaning: (m) => {
      const param: Record<string, string> = {
        'Connection rate': 'smtpd_client_connection_rate_limit',
        'Connection concurrency': 'smtpd_client_connection_count_limit',
        'Message delivery request rate': 'smtpd_client_message_rate_limit',
        'Recipient address rate': 'smtpd_client_recipient_rate_limit',
        'AUTH command rate': 'smtpd_client_auth_rate_limit',
        'New TLS session rate': 'smtpd_client_new_tls_session_rate_limit',
      };
      return `${m[3]} reached ${m[2]} on service ${m[4]}, over the limit ${param[m[1]]} sets (anvil counts per client; clients in smtpd_client_event_limit_exceptions are exempt). The limit is configuration; reaching it is the client's doing.`;
    },
  },
  {
    kind: 'tls-handshake-failed',
    re: /^TLS library problem: (.*)$/,
    origin: 'operational',
    meaning: () => 'A TLS handshake failed inside the TLS library: most often a client offering only protocols or ciphers this server refuses, or a scanner; when every client fails, check the certificate and key settings.',
  },
  {
    kind: 'daemon-exit',
    re: /^process (\S+) pid (\d+) (exit status \d+|killed by signal \d+)$/,
    origin: 'operational',
    subject: (m) => m[1],
    meaning: (m) => `The master saw ${basename(m[1])} (pid ${m[2]}) end with ${m[3]}. Its own fatal or panic line just before this one says why; the configuration is often the cause (a fatal about a parameter or a restriction class).`,
  },
  {
    kind: 'daemon-throttled',
    re: /^(\S+): bad command startup -- throttling$/,
    origin: 'operational',
    subject: (m) => m[1],
    meaning: (m) => `${basename(m[1])} died before it could serve anyone, so the master waits (service_throttle_time) before starting it again; clients are not answered meanwhile. The daemon's fatal line says why.`,
  },
];

function findingOf(p: Problem): WarningFinding {
  return { code: p.code, severity: p.severity, file: p.file, line: p.range.start.line + 1, column: p.range.start.character + 1, message: p.message };
}

/**
 * Today's findings about `subject`: the codes of the mistake, naming it in the
 * message, or (for a table) being about that file. A log from a live server
 * names /etc/postfix/x where a repository copy has <copy>/x: file names match too.
 */
function related(findings: readonly Problem[], codes: string[], subject: string): Problem[] {
  if (!subject) return [];
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const name = basename(subject);
  // The name as a word of the message (quoted any way Postfix or we quote it, or bare).
  const word = new RegExp(`(^|[^\\w.-])${esc(subject)}($|[^\\w-])`);
  // A table: the same file name (a live server's log names /etc/postfix/x, a repository copy has <copy>/x).
  const file = new RegExp(`/${esc(name)}($|[^\\w-])`);
  const about = (f: Problem) => word.test(f.message) || (subject.includes('/') && (basename(f.file) === name || file.test(f.message)));
  return findings.filter((f) => codes.includes(f.code) && about(f));
}

/** What a warning line means, and the findings that point at its cause when the configuration caused it. */
export function explainWarning(w: LogWarning, findings: readonly Problem[] = []): WarningExplanation {
  for (const p of PATTERNS) {
    const m = p.re.exec(w.text);
    if (!m) continue;
    const subject = p.subject?.(m);
    const x: WarningExplanation = { warning: w, kind: p.kind, origin: p.origin, meaning: p.meaning(m, w), findings: [] };
    if (subject) x.subject = subject;
    const client = p.client?.(m);
    if (client) x.client = client;
    if (p.origin === 'configuration') {
      x.findings = related(findings, p.codes ?? [], subject ?? '').map(findingOf);
      if (x.findings.length === 0) {
        x.note = p.kind === 'table-lookup-error'
          ? 'today\'s configuration has no finding about this table: it was fixed since, or the table is a database client (ldap:, mysql:, proxy:, ...) whose server did not answer'
          : 'today\'s configuration has no finding for this: it was probably fixed since the line was logged';
      }
    }
    return x;
  }
  // Findings that quote Postfix's own words (fatal start-up errors above all) name the line's cause.
  const quoting = w.text.length >= 16 ? findings.filter((f) => f.message.includes(w.text)) : [];
  if (quoting.length) {
    return {
      warning: w,
      kind: 'quoted-by-finding',
      origin: 'configuration',
      meaning: `The configuration causes this ${w.severity}${w.severity === 'fatal' ? ` (${w.program} stops, and the service it runs accepts no mail)` : ''}: the finding below says where, and how to fix it.`,
      findings: quoting.map(findingOf),
    };
  }
  return {
    warning: w,
    kind: 'other',
    origin: 'unknown',
    meaning: `A ${w.severity} from ${w.program} that postfix-lint has no explanation for.${w.severity === 'fatal' || w.severity === 'panic' ? ' The program stopped; mail it was to handle waits until it starts again.' : ''}`,
    findings: [],
  };
}

/** Every warning, error and fatal line of a log, explained. */
export function explainWarnings(text: string, findings: readonly Problem[] = []): WarningExplanation[] {
  const out: WarningExplanation[] = [];
  const memo = new Map<string, WarningExplanation>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const w = parseLogWarning(lines[i].replace(/\r$/, ''), i);
    if (!w) continue;
    // A busy log repeats the same warning: explain each text once.
    const key = `${w.severity}\u0000${w.text}`;
    const seen = memo.get(key);
    if (seen) {
      out.push({ ...seen, warning: w });
      continue;
    }
    const x = explainWarning(w, findings);
    memo.set(key, x);
    out.push(x);
  }
  return out;
}

export interface WarningSummary {
  byKind: { kind: WarningKind; origin: WarningOrigin; count: number }[];
  /** Clients named by client-caused warnings (failed logins, bad syntax, limits). */
  byClient: { client: string; count: number }[];
}

export function summarizeWarnings(xs: WarningExplanation[]): WarningSummary {
  const kinds = new Map<WarningKind, { origin: WarningOrigin; count: number }>();
  const clients = new Map<string, number>();
  for (const x of xs) {
    const k = kinds.get(x.kind) ?? { origin: x.origin, count: 0 };
    k.count++;
    kinds.set(x.kind, k);
    if (x.client) clients.set(x.client, (clients.get(x.client) ?? 0) + 1);
  }
  return {
    byKind: [...kinds].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    byClient: [...clients].map(([client, count]) => ({ client, count })).sort((a, b) => b.count - a.count || a.client.localeCompare(b.client)),
  };
}

/** A finding in words: `main.cf:7:33: warning PF401`. */
export function warningFindingText(f: WarningFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code}`;
}

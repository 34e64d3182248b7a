// Reading smtpd's log lines: the access decisions it logs
// ("NOQUEUE: reject: RCPT from host[addr]: 554 5.7.1 ...; from=<a> to=<b>
// proto=ESMTP helo=<h>") and the queue-file lines that name the SASL login.
// Any log format works (syslog, RFC 5424 timestamps, maillog_file): only the
// `NAME/smtpd[PID]: ` part and what follows are read.

export type LoggedAction = 'reject' | 'reject_warning' | 'discard' | 'hold' | 'filter' | 'redirect' | 'warn' | 'info' | 'bcc' | 'prepend';

export interface SmtpdLogEvent {
  /** Zero-based line number in the log. */
  line: number;
  raw: string;
  /** The syslog name before `/smtpd` (`postfix`, `postfix/submission`). */
  syslogName: string;
  /** Queue ID, or `NOQUEUE`. */
  queueId: string;
  action: LoggedAction;
  /** SMTP command at which it happened: CONNECT, HELO, EHLO, MAIL, RCPT, DATA, END-OF-MESSAGE, ... */
  command: string;
  /** Verified client hostname; undefined when smtpd logged `unknown`. */
  clientName?: string;
  clientAddress: string;
  /** What smtpd logged as the reason: the reply for reject/reject_warning, the action's text otherwise. */
  detail: string;
  sender?: string;
  recipient?: string;
  proto?: string;
  helo?: string;
}

/** Every access action smtpd logs (the postfix-log grammar highlights each; test/grammar checks). */
export const LOGGED_ACTIONS: readonly LoggedAction[] = ['reject', 'reject_warning', 'discard', 'hold', 'filter', 'redirect', 'warn', 'info', 'bcc', 'prepend'];
const ACTIONS = new Set<LoggedAction>(LOGGED_ACTIONS);

const HEAD = /(?:^|\s)((?:[\w.-]+\/)*[\w.-]+)\/smtpd\[\d+\]: (\S+): ([a-z_]+): (\S+) from ([^\s[]*)\[([^\]]*)\](?::\d+)?: /;

/** An access decision smtpd logged, or undefined for any other line. */
export function parseSmtpdLogLine(raw: string, line = 0): SmtpdLogEvent | undefined {
  const m = HEAD.exec(raw);
  if (!m || !ACTIONS.has(m[3] as LoggedAction)) return undefined;
  const rest = raw.slice(m.index + m[0].length);
  // The reason may itself contain "; ": the envelope part is the last "; from=<".
  const cut = rest.lastIndexOf('; from=<');
  const detail = cut >= 0 ? rest.slice(0, cut) : rest;
  const tail = cut >= 0 ? rest.slice(cut + 2) : '';
  const field = (name: string) => {
    const f = new RegExp(`(?:^| )${name}=<([^>]*)>`).exec(tail);
    return f ? f[1] : undefined;
  };
  return {
    line,
    raw,
    syslogName: m[1],
    queueId: m[2],
    action: m[3] as LoggedAction,
    command: m[4],
    clientName: m[5] === 'unknown' || m[5] === '' ? undefined : m[5],
    clientAddress: m[6],
    detail,
    sender: field('from'),
    recipient: field('to'),
    proto: /(?:^| )proto=(\S+)/.exec(tail)?.[1],
    helo: field('helo'),
  };
}

const SASL = /\/smtpd\[\d+\]: (\S+): client=[^,]*, sasl_method=[^,]*, sasl_username=(.*?)(?:, sasl_sender=.*)?$/;

/** `QUEUEID: client=..., sasl_username=alice`: who was logged in for that queue ID. */
export function parseSaslLogin(raw: string): { queueId: string; user: string } | undefined {
  const m = SASL.exec(raw);
  return m ? { queueId: m[1], user: m[2] } : undefined;
}

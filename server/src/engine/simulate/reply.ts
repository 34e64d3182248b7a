// SMTP reply text the way smtpd builds it: enhanced status codes (RFC 3463)
// taken from access-table text or defaults, address-class fix-ups, and the
// final "code dsn text" line.

import type { Reply } from './types';

/** Length of a leading `d.ddd.ddd` status code followed by end or whitespace; 0 when there is none. */
export function dsnLength(text: string): number {
  const m = /^[245]\.(\d{1,3})\.(\d{1,3})(?=$|[ \t\r\n\v\f])/.exec(text);
  return m ? m[0].length : 0;
}

/** Splits an optional leading status code off `text`; `def` when there is none. */
export function dsnSplit(def: string, text: string): { dsn: string; text: string } {
  const t = text.replace(/^[ \t\r\n\v\f]+/, '');
  const len = dsnLength(t);
  if (len > 0) return { dsn: t.slice(0, len), text: t.slice(len + 1).replace(/^[ \t\r\n\v\f]+/, '') };
  return { dsn: def, text: t };
}

// X.1.Y address status codes: what a code means when it is applied to the
// other address (sender vs. recipient), as smtpd re-maps them.
const ADDRESS_DSN: Record<string, { sender: string; rcpt: string }> = {
  '1': { sender: '4.1.7', rcpt: '4.1.1' },
  '2': { sender: '4.1.8', rcpt: '4.1.2' },
  '3': { sender: '4.1.7', rcpt: '4.1.3' },
  '4': { sender: '4.1.7', rcpt: '4.1.4' },
  '5': { sender: '4.1.0', rcpt: '4.1.5' },
  '6': { sender: '4.1.7', rcpt: '4.1.6' },
  '7': { sender: '4.1.7', rcpt: '4.1.3' },
  '8': { sender: '4.1.8', rcpt: '4.1.2' },
};

/** smtpd's fix-up of address status codes (X.1.Y) for the kind of thing rejected. */
export function dsnFix(dsn: string, replyClass: string): string {
  if (!/^\d\.1\./.test(dsn)) return dsn;
  const micro = dsn.slice(4);
  const map = ADDRESS_DSN[micro];
  if (replyClass === 'Sender address') return map?.sender ?? '4.1.0';
  if (replyClass === 'Recipient address') return map?.rcpt ?? '4.1.0';
  return '4.0.0';
}

/** Replaces non-printable characters with spaces, as smtpd does before replying. */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ');
}

/** Parses a reply line `ddd d.d.d text` (the enhanced code is optional). */
export function parseReplyLine(line: string, disconnect = false): Reply {
  const m = /^(\d{3})(?:[ -](.*))?$/s.exec(line);
  if (!m) return { code: 0, enhanced: '', text: line, line };
  const rest = m[2] ?? '';
  const len = dsnLength(rest);
  return {
    code: Number(m[1]),
    enhanced: len ? rest.slice(0, len) : '',
    text: len ? rest.slice(len + 1) : rest,
    line,
    ...(disconnect ? { disconnect } : {}),
  };
}

// The string primitives Postfix uses on master.cf lines, with offsets so the
// editor can point at the exact text: word splitting that keeps `{...}` groups
// together (mystrtokq), brace extraction (extpar) and `name = value` splitting
// (split_nameval). Each mirrors the behaviour of the Postfix routine of the
// same role, including its quirks, because postconf and the master daemon
// disagree exactly where those quirks bite.

import type { Steps } from '../steps';

/** Field separators of master.cf: blank, tab, CR, LF (not VT or FF). */
export const MASTER_BLANKS = ' \t\r\n';

/** C isspace() in the C locale. */
export function isCSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

export interface Token {
  text: string;
  /** Offsets of the token inside the string it came from. */
  start: number;
  end: number;
}

/**
 * Splits on `sep`, keeping text inside `{...}` together: a `{` opens a group
 * anywhere in a word, a `}` only closes one that is open, and an unclosed
 * group runs to the end of the text.
 */
export function splitQuoted(text: string, sep: string = MASTER_BLANKS, base = 0): Token[] {
  const out: Token[] = [];
  splitQuotedFrom(text, sep, base, 0, out, Infinity, token);
  return out;
}

const token = (text: string, start: number, end: number): Token => ({ text, start, end });

/**
 * splitQuoted, yielding after every `wordsPerStep` words (a master.cf line can
 * hold 200,000), each word made by `make` (the caller's own word objects: no
 * Token for each kept alive meanwhile, which garbage collection copied).
 */
export function* splitQuotedSteps<T = Token>(text: string, wordsPerStep: number, make: (text: string, start: number, end: number) => T = token as never, sep: string = MASTER_BLANKS, base = 0): Steps<T[]> {
  const out: T[] = [];
  for (let i = splitQuotedFrom(text, sep, base, 0, out, wordsPerStep, make); i < text.length; i = splitQuotedFrom(text, sep, base, i, out, out.length + wordsPerStep, make)) yield 'master.cf: words';
  return out;
}

/** The words of text from offset i into `out` until it holds `max`; returns where to go on (text.length at the end). */
function splitQuotedFrom<T>(text: string, sep: string, base: number, i: number, out: T[], max: number, make: (text: string, start: number, end: number) => T): number {
  const n = text.length;
  while (out.length < max) {
    while (i < n && sep.includes(text[i])) i++;
    if (i >= n) break;
    const start = i;
    let level = 0;
    for (; i < n; i++) {
      const ch = text[i];
      if (ch === '{') level++;
      else if (level > 0 && ch === '}') level--;
      else if (level === 0 && sep.includes(ch)) break;
    }
    out.push(make(text.slice(start, i), base + start, base + i));
    if (i < n) i++; // the separator that ended the word
  }
  return Math.min(i, n);
}

/** Length of a balanced `{...}` group at the start of `s` (0 when unbalanced or not a group). */
export function balancedLength(s: string): number {
  if (s[0] !== '{') return 0;
  let level = 1;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '}') {
      if (--level === 0) return i + 1;
    } else if (s[i] === '{') level++;
  }
  return 0;
}

export interface Extracted {
  /** The text inside the braces (stripped of outer whitespace when asked). */
  text: string;
  /** Offsets of `text` inside the input. */
  start: number;
  end: number;
  /** Postfix's complaint, e.g. `missing '}' in "{x"`. */
  error?: string;
}

/**
 * Takes the text out of `{...}`, as extpar() does. With `strip`, surrounding
 * whitespace inside the braces goes too. On a missing `}` the rest after `{`
 * is used; with text after the `}` that text is dropped; both report an error.
 */
export function extractBraced(s: string, strip: boolean): Extracted {
  let start = 0;
  let end = s.length;
  let error: string | undefined;
  if (s[0] !== '{') {
    error = `no '{' at start of text in "${s}"`;
  } else {
    const len = balancedLength(s);
    if (len === 0) {
      error = `missing '}' in "${s}"`;
      start = 1;
    } else {
      if (len < s.length) error = `syntax error after '}' in "${s}"`;
      start = 1;
      end = len - 1;
    }
  }
  if (strip) {
    while (end > start && isCSpace(s[end - 1])) end--;
    while (start < end && isCSpace(s[start])) start++;
  }
  return { text: s.slice(start, end), start, end, error };
}

export interface NameValue {
  name: string;
  value: string;
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** `name = value` the way split_nameval() reads it; a string is the Postfix error text. */
export function splitNameValue(s: string): NameValue | string {
  let i = 0;
  while (i < s.length && isCSpace(s[i])) i++;
  if (i >= s.length || s[i] === '=') return 'missing attribute name';
  const nameStart = i;
  while (i < s.length && !isCSpace(s[i]) && s[i] !== '=') i++;
  const nameEnd = i;
  while (i < s.length && isCSpace(s[i])) i++;
  if (s[i] !== '=') return "missing '=' after attribute name";
  i++;
  while (i < s.length && isCSpace(s[i])) i++;
  let end = s.length;
  while (end > i && isCSpace(s[end - 1])) end--;
  return { name: s.slice(nameStart, nameEnd), value: s.slice(i, end), nameStart, nameEnd, valueStart: i, valueEnd: end };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** UTF-8 byte length: Postfix measures columns and truncations in bytes. */
export function byteLength(s: string): number {
  // ASCII fast path: most configuration text is ASCII.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return utf8.encode(s).length;
  return s.length;
}

/** printf("%.Ns", s) on the UTF-8 bytes of s. */
export function truncateBytes(s: string, max: number): string {
  const b = utf8.encode(s);
  return b.length <= max ? s : fromUtf8.decode(b.subarray(0, max));
}

/** strcmp() order on UTF-8 bytes. */
export function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// Where a new text of a table differs from the text it was last parsed from,
// widened to whole logical lines as Postfix's readllines() forms them, so a
// parser can re-read only that part and keep the rest of its earlier result.
// A keystroke in a 100,000-line map changes one line; re-reading the whole
// file for it costs more than everything else the editor does.

import { isSpaceCode } from './text';

/**
 * The changed part: old[start, oldEnd) became next[start, newEnd); before
 * `start` and from `oldEnd` (old) / `newEnd` (next) on, the texts are the
 * same. `start` is the start of a logical line, `oldEnd` the start of the
 * next one (or the end of the text), so the lines around it read the same.
 */
export interface Splice {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * Run lengths for comparing long common runs with native string equality (a
 * memcmp) rather than a character loop: big runs first, so the megabytes
 * before an edit of a big map take a hundred comparisons, not a thousand.
 */
const CHUNKS = [65536, 4096];

/** Length of the common prefix of a and b. */
export function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  for (const c of CHUNKS) while (i + c <= n && a.slice(i, i + c) === b.slice(i, i + c)) i += c;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of a and b, at most `max`. */
export function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  const la = a.length;
  const lb = b.length;
  for (const c of CHUNKS) while (i + c <= max && a.slice(la - i - c, la - i) === b.slice(lb - i - c, lb - i)) i += c;
  while (i < max && a.charCodeAt(la - i - 1) === b.charCodeAt(lb - i - 1)) i++;
  return i;
}

/**
 * Does the physical line at `pos` (a line start) begin a logical line? Blank
 * and comment lines do not, and neither does an indented line (it continues
 * the line before it), exactly as forEachTableLine classifies them.
 */
function startsLogicalLine(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  if (pos >= text.length || isSpaceCode(c) || c === 35 /* # */) return false;
  return true;
}

/** The first start of a logical line at or after `pos`, or text.length: where a parse may be cut without splitting a line. */
export function logicalLineStartFrom(text: string, pos: number): number {
  if (pos <= 0) return 0;
  if (pos >= text.length) return text.length;
  const lineEnd = (from: number) => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? text.length : nl + 1;
  };
  let at = text.charCodeAt(pos - 1) === 10 ? pos : lineEnd(pos);
  while (at < text.length && !startsLogicalLine(text, at)) at = lineEnd(at);
  return at;
}

/**
 * The common prefix and suffix of two texts (the suffix not overlapping the
 * prefix). The last pair is remembered: after an edit of a table, the check
 * for PEM blocks (table-secrets.ts) and the splice of its parse both ask for
 * the same pair, and each comparison of a 5 MB map reads it whole.
 */
export function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  // (Holds two texts, at most two table versions, until the next pair.)
  const m = lastEnds;
  if (m && m.a === a && m.b === b) return m;
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, Math.min(a.length, b.length) - prefix);
  lastEnds = { a, b, prefix, suffix };
  return lastEnds;
}
let lastEnds: { a: string; b: string; prefix: number; suffix: number } | undefined;

/** The splice from `old` to `next`, or undefined when they are equal. */
export function logicalSplice(old: string, next: string): Splice | undefined {
  if (old === next) return undefined;
  const { prefix: p, suffix: s } = commonEnds(old, next);
  // Back to the start of the line holding the change, then to the logical line
  // before it: the change may join that line or split from it.
  let start = p === 0 ? 0 : old.lastIndexOf('\n', p - 1) + 1;
  while (start > 0) {
    start = start === 1 ? 0 : old.lastIndexOf('\n', start - 2) + 1;
    if (startsLogicalLine(old, start)) break;
  }
  // On to the end of the changed line, then past the lines that continue it.
  const q = old.length - s;
  let nl = old.indexOf('\n', q);
  let oldEnd = nl < 0 ? old.length : nl + 1;
  while (oldEnd < old.length && !startsLogicalLine(old, oldEnd)) {
    nl = old.indexOf('\n', oldEnd);
    oldEnd = nl < 0 ? old.length : nl + 1;
  }
  return { start, oldEnd, newEnd: oldEnd + next.length - old.length };
}

/** Number of '\n' in s[from, to). */
export function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

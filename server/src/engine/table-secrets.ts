// A table path in a configuration can name any file: a private key, a .env
// with passwords. The engine reports what is wrong with a table's lines and
// quotes them, and those reports end up in CI logs (text, JSON, SARIF). So a
// file that is not a table at all gets one finding that quotes nothing, and
// text quoted from real tables is cut short.

import type { Problem } from './types';
import { commonEnds } from './tables/splice';

/** Longest quoted piece of a table line shown in a finding. */
export const MAX_QUOTED = 40;

const PEM_AT = /-----BEGIN [A-Z0-9 ]*-----/y;
// NAME=value (shell, dotenv): no table entry looks like this (a key and its value are separated by whitespace).
const ASSIGNMENT_AT = /(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/y;

/** JavaScript's line terminators, where the m flag's ^ matches after. */
function isTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * Is there a PEM header (-----BEGIN X-----) at the start of a line, starting
 * at or after `from` and at or before `last`? Found with indexOf, not a
 * regular-expression scan of every character.
 */
function hasPemBlock(text: string, from = 0, last = text.length): boolean {
  const HEADER = '-----BEGIN ';
  // indexOf over the part where a header may start (it would read on to the end of a 5 MB text).
  const part = from === 0 && last >= text.length ? text : text.slice(from, last + HEADER.length);
  for (let j = part.indexOf(HEADER); j >= 0; j = part.indexOf(HEADER, j + 1)) {
    const i = from + j;
    if (i > 0 && !isTerminator(text.charCodeAt(i - 1))) continue;
    PEM_AT.lastIndex = i;
    if (PEM_AT.test(text)) return true;
  }
  return false;
}

/**
 * Per table file, its last text and whether that has a PEM block. The check
 * runs on every lint of a configuration naming the table, which in the editor
 * is every keystroke; after an edit of a 100,000-line map, only the changed
 * part is looked at again (see pemAfterEdit). Bounded by the characters it
 * holds, least recently used first out: the texts are usually the workspace's
 * own strings, but one it has let go (an older version, a closed file) stays
 * alive here, and a few 100,000-line maps are megabytes each. The newest
 * text stays even when it alone is over the bound: the next keystroke is in it.
 */
const pemMemo = new Map<string, { text: string; pem: boolean }>();
const MAX_PEM_MEMO = 64;
export const MAX_PEM_MEMO_CHARS = 8 * 1024 * 1024;
let pemMemoChars = 0;

function hasPemBlockOf(text: string, file: string | undefined): boolean {
  if (file === undefined) return hasPemBlock(text);
  const m = pemMemo.get(file);
  const pem = m?.text === text ? m.pem : m && !m.pem ? pemAfterEdit(m.text, text) : hasPemBlock(text);
  if (m) {
    pemMemo.delete(file);
    pemMemoChars -= m.text.length;
  }
  pemMemo.set(file, { text, pem });
  pemMemoChars += text.length;
  for (const [f, old] of pemMemo) {
    if (f === file || (pemMemoChars <= MAX_PEM_MEMO_CHARS && pemMemo.size <= MAX_PEM_MEMO)) break;
    pemMemo.delete(f);
    pemMemoChars -= old.text.length;
  }
  return pem;
}

/** What the PEM memo holds (tests): files and characters. */
export function pemMemoHeld(): { files: number; chars: number } {
  return { files: pemMemo.size, chars: pemMemoChars };
}

/**
 * Whether `next` has a PEM header when `old` had none. The texts are the same
 * before `prefix` and after `next.length - suffix`; a header (one line, no
 * terminator inside) that is new must start at a line start from the start
 * of the line holding `prefix` up to the end of the changed part: anywhere
 * else it and the character before it are text `old` had too.
 */
function pemAfterEdit(old: string, next: string): boolean {
  const { prefix, suffix } = commonEnds(old, next);
  let from = prefix;
  while (from > 0 && !isTerminator(next.charCodeAt(from - 1))) from--;
  return hasPemBlock(next, from, next.length - suffix);
}

/**
 * Why a file read as a lookup table is not one, or undefined when it may
 * be: a PEM block (keys, certificates) or only NAME=value assignments.
 * A table whose every entry has an error is still a table (a cidr file of
 * host-bit mistakes): its findings are the point, so it is not hidden.
 * Runs on every lint of a configuration naming the table (each keystroke in
 * main.cf), so it reads a real table no further than its first entry, and
 * given the `file` the text is of, looks for PEM blocks again only where the
 * text changed since the last call for that file.
 */
export function notATable(text: string, file?: string): string | undefined {
  if (hasPemBlockOf(text, file)) return 'it holds a PEM block (a private key or certificate)';
  let entries = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    // Comments, blank lines and continuation lines are not entries of their own.
    const c = text.charCodeAt(start);
    if (c !== 32 && c !== 9 && !blankOrComment(text, start, end)) {
      entries++;
      ASSIGNMENT_AT.lastIndex = start;
      // The first entry that is no assignment: a table, or at least not a .env.
      if (!ASSIGNMENT_AT.test(text) || ASSIGNMENT_AT.lastIndex > end) return undefined;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  if (entries === 0) return undefined;
  return `its ${entries === 1 ? 'only line is' : `${entries} lines are`} NAME=value assignments, like a .env or shell file`;
}

/** /^\s*(#|$)/ on the line text[start, end): white space up to a '#' or the end of the line. */
function blankOrComment(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && /\s/.test(text[i])) i++;
  return i === end || text.charCodeAt(i) === 35;
}

/** Cuts every "quoted" piece of a message to MAX_QUOTED characters and an ellipsis. */
export function shortenQuotes(message: string): string {
  return message.replace(/"([^"\n]*)"/g, (whole, inside: string) => (inside.length > MAX_QUOTED ? `"${inside.slice(0, MAX_QUOTED)}…"` : whole));
}

/**
 * The findings of a lint run, with nothing from inside the files that are
 * not tables (`hidden`) and quotes from the other table files shortened.
 * main.cf and master.cf are the configuration under review: kept as they are.
 */
export function protectTableText(problems: Problem[], configFiles: ReadonlySet<string>, hidden: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  for (const p of problems) {
    if (hidden.has(p.file)) continue;
    if (configFiles.has(p.file)) {
      out.push(p);
      continue;
    }
    const message = shortenQuotes(p.message);
    const related = p.related?.filter((r) => !hidden.has(r.file)).map((r) => (configFiles.has(r.file) ? r : { ...r, message: shortenQuotes(r.message) }));
    out.push(message === p.message && related === undefined ? p : { ...p, message, ...(related ? { related } : {}) });
  }
  return out;
}

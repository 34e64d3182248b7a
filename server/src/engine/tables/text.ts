// Low-level text helpers shared by the table parsers: Postfix's character
// classes, its logical-line reader (readllines) working on source offsets, and
// lazy offset→position mapping so big tables need no Range objects up front.

import type { Position, Range } from '../types';
import { lastAtMost, upperBound } from '../arrays';

/** Postfix ISSPACE: ASCII space, \t, \n, \v, \f, \r. */
export function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Postfix ISALNUM (ASCII only). */
export function isAlnumCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Postfix alldig(): non-empty and only ASCII digits. */
export function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}

/** strncasecmp(s, word, len(word)) == 0 with ASCII-only case folding, as in the C locale. */
export function startsWithWordCI(s: string, word: string): boolean {
  if (s.length < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Index just past the last non-space character (Postfix trimblanks). */
export function trimEnd(s: string, end = s.length, start = 0): number {
  while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--;
  return end;
}

export function skipSpace(s: string, i: number, end = s.length): number {
  while (i < end && isSpaceCode(s.charCodeAt(i))) i++;
  return i;
}

/**
 * How Postfix prints text in its warnings (printable()): ASCII control
 * characters become `?`; valid UTF-8 is kept. Our text arrives decoded, so an
 * undecodable byte shows up as U+FFFD and is printed as `?` too.
 */
export function printable(s: string): string {
  let out: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 || c === 127 || c === 0xfffd) && out === undefined) out = s.slice(0, i);
    if (out !== undefined) out += c < 32 || c === 127 || c === 0xfffd ? '?' : s[i];
  }
  return out ?? s;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * File text as the table parsers want it: decoded characters. Readers that
 * map bytes 1:1 to characters (latin1, as the CLI does to see what Postfix
 * sees) hand us UTF-8 as byte sequences; each line that is valid UTF-8 read
 * that way is decoded. Text with characters above U+00FF is already decoded,
 * plain ASCII is the same either way, and a line that does not decode stays
 * as it is (it may be decoded text with Latin-1 letters, e.g. from an editor).
 */
export function asDecodedText(text: string): string {
  // Regex scans are far faster than a charCodeAt loop on big files.
  if (!/[^\x00-\x7f]/.test(text) || /[^\x00-\xff]/.test(text)) return text;
  return text
    .split('\n')
    .map((line) => {
      if (!/[^\x00-\x7f]/.test(line)) return line;
      const bytes = new Uint8Array(line.length);
      for (let i = 0; i < line.length; i++) bytes[i] = line.charCodeAt(i);
      try {
        return strictUtf8.decode(bytes);
      } catch {
        return line;
      }
    })
    .join('\n');
}

/** Postfix keeps reading a C string only up to its first NUL byte. */
export function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** Postfix's CHARS_COMMA_SP separator set: comma, space, tab, CR, LF. */
export function isCommaSpace(c: number): boolean {
  return c === 44 || c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * mystrtokq(): splits s[from, to) on commas and whitespace outside `{}`,
 * returning [start, end) offset pairs of the tokens.
 */
export function splitBraced(s: string, from = 0, to = s.length): [number, number][] {
  const out: [number, number][] = [];
  eachBraced(s, (start, end) => void out.push([start, end]), from, to);
  return out;
}

/** The tokens of splitBraced as strings. */
export function splitBracedWords(s: string): string[] {
  const out: string[] = [];
  eachBraced(s, (start, end) => void out.push(s.slice(start, end)));
  return out;
}

/**
 * The tokens of splitBraced, given to `visit` one by one without building a
 * list (a list value can hold a million words); stops early when visit
 * returns false. Returns whether it went through to the end.
 */
export function eachBraced(s: string, visit: (start: number, end: number) => boolean | void, from = 0, to = s.length): boolean {
  let i = from;
  while (i < to) {
    while (i < to && isCommaSpace(s.charCodeAt(i))) i++;
    if (i >= to) break;
    const start = i;
    i = bracedWordEnd(s, i, to);
    if (visit(start, i) === false) return false;
  }
  return true;
}

/**
 * The tokens of splitBraced in chunks of up to `perChunk`, each chunk a flat
 * array of offsets [start0, end0, start1, end1, ...]: a walk over a list of
 * 100,000 words in steps (engine/steps.ts) yields between two chunks, with
 * one generator for the whole walk rather than one per word.
 */
export function* bracedChunks(s: string, perChunk: number, from = 0, to = s.length): Generator<number[], void, unknown> {
  let chunk: number[] = [];
  let i = from;
  for (;;) {
    while (i < to && isCommaSpace(s.charCodeAt(i))) i++;
    if (i >= to) break;
    const start = i;
    i = bracedWordEnd(s, i, to);
    chunk.push(start, i);
    if (chunk.length === 2 * perChunk) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Where the mystrtokq() word that starts at s[start] ends (a comma or white space outside `{}`, or `to`). */
export function bracedWordEnd(s: string, start: number, to = s.length): number {
  let level = 0;
  let i = start;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 123) level++;
    else if (level > 0 && c === 125) level--;
    else if (level === 0 && isCommaSpace(c)) break;
  }
  return i;
}

/** balpar(): length of the balanced `{...}` group at s[from], or 0. */
export function balancedBraces(s: string, from = 0): number {
  if (s.charCodeAt(from) !== 123) return 0;
  let level = 1;
  for (let i = from + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 125) {
      if (--level === 0) return i - from + 1;
    } else if (c === 123) level++;
  }
  return 0;
}

/**
 * extpar() with EXTPAR_FLAG_STRIP on s (which starts with '{'): the stripped
 * inside as [start, end) offsets, and Postfix's error text if any.
 */
export function extractBraced(s: string): { start: number; end: number; error?: string } {
  if (s.charCodeAt(0) !== 123) return { start: 0, end: s.length, error: `no '{' at start of text in "${s}"` };
  const len = balancedBraces(s);
  let start: number;
  let end: number;
  let error: string | undefined;
  if (len === 0) {
    error = `missing '}' in "${s}"`;
    start = 1;
    end = s.length;
  } else {
    if (len !== s.length) error = `syntax error after '}' in "${s}"`;
    start = 1;
    end = len - 1;
  }
  end = trimEnd(s, end, start);
  start = skipSpace(s, start, end);
  return { start, end, error };
}

/** A source file's text with a lazily built line index. */
export class SourceText {
  private starts: Int32Array | undefined;
  constructor(readonly text: string) {}

  /**
   * The index of `text`, made from `old`'s (whose text differs from it only in
   * old.text[splice.start, splice.oldEnd), now text[splice.start, splice.newEnd)),
   * without scanning the unchanged parts again.
   */
  static spliced(old: SourceText, text: string, splice: { start: number; oldEnd: number; newEnd: number }): SourceText {
    const src = new SourceText(text);
    // Without an index of the old text, the new one is built when first asked, like any other.
    const was = old.starts;
    if (!was) return src;
    const delta = splice.newEnd - splice.oldEnd;
    // Line starts up to the splice's start, those inside it from the new text, the rest shifted.
    const before = upperBound(was, splice.start);
    const after = upperBound(was, splice.oldEnd);
    const inside: number[] = [];
    for (let i = text.indexOf('\n', splice.start); i >= 0 && i < splice.newEnd; i = text.indexOf('\n', i + 1)) inside.push(i + 1);
    const starts = new Int32Array(before + inside.length + was.length - after);
    starts.set(was.subarray(0, before));
    starts.set(inside, before);
    let k = before + inside.length;
    for (let i = after; i < was.length; i++) starts[k++] = was[i] + delta;
    src.starts = starts;
    return src;
  }

  /** Whether the line index is built (asking for a line or position builds it). */
  hasIndex(): boolean {
    return this.starts !== undefined;
  }

  private index(): Int32Array {
    if (this.starts) return this.starts;
    const t = this.text;
    let n = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    let k = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts[k++] = i + 1;
    this.starts = starts;
    return starts;
  }

  get lineCount(): number {
    return this.index().length;
  }

  lineStart(line: number): number {
    const s = this.index();
    return s[Math.max(0, Math.min(line, s.length - 1))];
  }

  /** Zero-based line holding `offset`. */
  lineOf(offset: number): number {
    return lastAtMost(this.index(), offset);
  }

  position(offset: number): Position {
    const lo = this.lineOf(offset);
    return { line: lo, character: offset - this.index()[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/**
 * One logical line as Postfix's readllines() builds it: physical pieces
 * joined with nothing in between (a continuation keeps its own leading
 * whitespace); blank and comment lines inside are dropped.
 */
export interface TableLine {
  /** The joined text, cut at a NUL byte as Postfix's C strings are. */
  text: string;
  /** Zero-based number of the first physical line (Postfix reports line + 1). */
  line: number;
  /** Source offset of text[0]. */
  base: number;
  /**
   * For lines made of several pieces: [textOffset, sourceOffset, physicalLine]
   * triples, one per piece; undefined for a single physical line.
   */
  pieces?: number[];
}

/** Source offset of an offset inside a logical line. */
export function sourceOffset(tl: TableLine, offset: number): number {
  const p = tl.pieces;
  if (!p) return tl.base + offset;
  let k = 0;
  for (let i = 0; i < p.length; i += 3) if (p[i] <= offset) k = i;
  return p[k + 1] + (offset - p[k]);
}

/** Document range of tl.text[start, end). An end on a piece boundary stays on the earlier piece. */
export function textRange(src: SourceText, tl: TableLine, start: number, end: number): Range {
  const s = src.position(sourceOffset(tl, start));
  if (end <= start) return { start: s, end: s };
  const e = src.position(sourceOffset(tl, end - 1) + 1);
  return { start: s, end: e };
}

/** Range of a whole logical line (all of its physical lines, trailing blanks excluded). */
export function wholeLineRange(src: SourceText, tl: TableLine): Range {
  return textRange(src, tl, 0, Math.max(trimEnd(tl.text), 1));
}

/**
 * Reads logical lines exactly as readllines() does. A logical line that is one
 * physical line (the common case) goes to `onSpan` as source offsets, without
 * allocating anything; `onSpan` may be omitted, and then every line goes to
 * `onLine`. Lines made of several pieces go to `onLine`. A logical line that
 * starts with whitespace (an indented line with no line before it to continue)
 * goes to `onOrphan`: Postfix warns and skips it. With `from`/`to`, reads
 * only text[from, to), which must start a line and end one (or the text).
 */
export function forEachTableLine(
  text: string,
  onLine: (tl: TableLine) => void,
  onOrphan?: (tl: TableLine) => void,
  onSpan?: (start: number, end: number, line: number) => void,
  from = 0,
  to = text.length,
  firstLine = 0,
): void {
  // text[from, to) alone (whole lines; firstLine is the number of the line at from).
  const n = to;
  const nul = text.indexOf('\0', from);
  const hasNul = nul >= 0 && nul < to;
  let pos = from;
  let line = firstLine;
  // Current logical line being built.
  let curStart = -1;
  let curEnd = -1;
  let curLine = 0;
  let pieces: number[] | undefined;
  let joined: string | undefined;

  const flush = () => {
    if (curStart < 0) return;
    const orphan = isSpaceCode(text.charCodeAt(curStart));
    if (!pieces && !orphan && onSpan) {
      let end = curEnd;
      if (hasNul) {
        const z = text.indexOf('\0', curStart);
        if (z >= 0 && z < end) end = z;
      }
      onSpan(curStart, end, curLine);
    } else {
      let t = joined ?? text.slice(curStart, curEnd);
      if (hasNul) {
        const z = t.indexOf('\0');
        if (z >= 0) t = t.slice(0, z);
      }
      const tl: TableLine = { text: t, line: curLine, base: curStart, pieces };
      if (orphan) onOrphan?.(tl);
      else onLine(tl);
    }
    curStart = -1;
    pieces = undefined;
    joined = undefined;
  };

  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0 || nl > n) nl = n;
    // Classify the physical line [pos, nl).
    let i = pos;
    while (i < nl && isSpaceCode(text.charCodeAt(i))) i++;
    if (i !== nl && text.charCodeAt(i) !== 35 /* # */) {
      if (curStart >= 0 && i > pos) {
        // Starts with whitespace: continues the current logical line.
        if (!pieces) {
          pieces = [0, curStart, curLine];
          joined = text.slice(curStart, curEnd);
        }
        pieces.push(joined!.length, pos, line);
        joined += text.slice(pos, nl);
        curEnd = nl;
      } else {
        flush();
        curStart = pos;
        curEnd = nl;
        curLine = line;
      }
    }
    pos = nl + 1;
    line++;
  }
  flush();
}

/** A TableLine for one physical line given as source offsets. */
export function spanLine(text: string, start: number, end: number, line: number): TableLine {
  return { text: text.slice(start, end), line, base: start };
}

// Where the cursor is, in Postfix's own terms: which logical line (readllines:
// indented lines continue the one above, comments and blank lines in between
// are skipped), which `name = value` part or master.cf field, and which word.
// Only the lines around the cursor are read, so an unfinished line elsewhere
// (which would stop Postfix's own parse) does not matter.

import { isSpace, LogicalLine, logicalRange, readLogicalLines } from '../lines';
import { splitQuoted } from '../mastercf/tokenize';
import type { Position, Range } from '../types';

/** Bounds the upward/downward scan on pathological files. */
const MAX_SCAN = 5000;

function isBlankOrComment(line: string): boolean {
  let i = 0;
  while (i < line.length && isSpace(line[i])) i++;
  return i === line.length || line[i] === '#';
}

/** One physical line without splitting the whole text (lookup tables can have a million lines). */
export function lineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let n = 0; n < line; n++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

export interface CursorLine {
  logical: LogicalLine;
  /** Offset of the cursor inside `logical.text`. */
  offset: number;
  /** The cursor's physical line holds no piece of the logical line (blank line inside a continuation). */
  onBlankLine: boolean;
}

/**
 * The logical line the cursor belongs to, or undefined on a comment, before
 * the first logical line, or on an empty first column of a fresh line.
 */
export function logicalLineAt(lines: readonly string[], position: Position): CursorLine | undefined {
  const here = lines[position.line];
  if (here === undefined) return undefined;
  const trimmed = here.replace(/\r$/, '');
  let first = 0;
  while (first < trimmed.length && isSpace(trimmed[first])) first++;
  if (first < trimmed.length && trimmed[first] === '#' && position.character > first) return undefined;
  let start = position.line;
  // A line that starts with text starts a logical line; anything else belongs to the one above.
  if (!(trimmed.length > 0 && !isSpace(trimmed[0]) && trimmed[0] !== '#')) {
    if (trimmed.length === 0) return undefined; // an empty line: a fresh logical line starts here
    start--;
    while (start >= 0 && position.line - start < MAX_SCAN) {
      const l = lines[start];
      if (l.length > 0 && !isSpace(l[0]) && l[0] !== '#') break;
      start--;
    }
    if (start < 0 || position.line - start >= MAX_SCAN) return undefined;
  }
  let end = position.line;
  while (end + 1 < lines.length && end - position.line < MAX_SCAN) {
    const l = lines[end + 1];
    if (l.length > 0 && !isSpace(l[0]) && l[0] !== '#') break;
    end++;
  }
  // Trailing blank and comment lines belong to nobody.
  while (end > position.line && isBlankOrComment(lines[end])) end--;
  const block = readLogicalLines(lines.slice(start, end + 1).join('\n'));
  const ll = block.lines[0];
  if (!ll) return undefined;
  const logical: LogicalLine = {
    text: ll.text,
    pieces: ll.pieces.map((p) => ({ ...p, line: p.line + start })),
    firstLine: ll.firstLine + start,
    lastLine: ll.lastLine + start,
  };
  const piece = logical.pieces.find((p) => p.line === position.line);
  if (piece) return { logical, offset: piece.offset + Math.min(position.character, piece.text.length), onBlankLine: false };
  let offset = 0;
  for (const p of logical.pieces) if (p.line < position.line) offset = p.offset + p.text.length;
  return { logical, offset, onBlankLine: true };
}

export function rangeIn(logical: LogicalLine, start: number, end: number): Range {
  return logicalRange(logical, start, end);
}

/** An empty range at the cursor. */
export function at(position: Position): Range {
  return { start: position, end: position };
}

// ---- main.cf ------------------------------------------------------------------

export type MainCursor =
  | { kind: 'name'; prefix: string; name: string; range: Range; hasEquals: boolean; line: CursorLine }
  | {
      kind: 'value';
      name: string;
      nameRange: Range;
      /** The whole value, trimmed at both ends as Postfix stores it. */
      value: string;
      /** Offset of the value inside the logical text. */
      valueOffset: number;
      /** Cursor offset inside the value (0 when before it). */
      offset: number;
      line: CursorLine;
    }
  | { kind: 'none' };


export function mainCfCursor(lines: readonly string[], position: Position): MainCursor {
  const here = lines[position.line];
  if (here === undefined) return { kind: 'none' };
  // An empty line: a new parameter name starts here.
  if (here.replace(/\r$/, '').length === 0) {
    const logical: LogicalLine = { text: '', pieces: [{ line: position.line, offset: 0, text: '' }], firstLine: position.line, lastLine: position.line };
    return { kind: 'name', prefix: '', name: '', range: at({ line: position.line, character: 0 }), hasEquals: false, line: { logical, offset: 0, onBlankLine: false } };
  }
  const cl = logicalLineAt(lines, position);
  if (!cl) return { kind: 'none' };
  const t = cl.logical.text;
  let i = 0;
  while (i < t.length && isSpace(t[i])) i++;
  const nameStart = i;
  while (i < t.length && !isSpace(t[i]) && t[i] !== '=') i++;
  const nameEnd = i;
  while (i < t.length && isSpace(t[i])) i++;
  const hasEquals = t[i] === '=';
  if (cl.offset <= nameEnd && cl.logical.firstLine === position.line && !cl.onBlankLine) {
    const prefix = t.slice(nameStart, cl.offset);
    if (!/^[A-Za-z0-9_]*$/.test(prefix)) return { kind: 'none' };
    return { kind: 'name', prefix, name: t.slice(nameStart, nameEnd), range: rangeIn(cl.logical, nameStart, nameEnd), hasEquals, line: cl };
  }
  if (!hasEquals || cl.offset <= i) return { kind: 'none' };
  i++;
  while (i < t.length && isSpace(t[i])) i++;
  let end = t.length;
  while (end > i && isSpace(t[end - 1])) end--;
  return {
    kind: 'value',
    name: t.slice(nameStart, nameEnd),
    nameRange: rangeIn(cl.logical, nameStart, nameEnd),
    value: t.slice(i, end),
    valueOffset: i,
    offset: Math.max(0, cl.offset - i),
    line: cl,
  };
}

// ---- master.cf ------------------------------------------------------------------

export interface MasterWordAt {
  text: string;
  start: number;
  end: number;
}

export interface MasterCursor {
  line: CursorLine;
  words: MasterWordAt[];
  /** Index of the word the cursor is in or at the end of; words.length-or-more when in the blank after the last one. */
  index: number;
  /** The word under the cursor, if any (cursor inside it or at its end). */
  word?: MasterWordAt;
}

export function masterCfCursor(lines: readonly string[], position: Position): MasterCursor | undefined {
  const here = lines[position.line];
  if (here === undefined) return undefined;
  if (here.replace(/\r$/, '').length === 0) {
    const logical: LogicalLine = { text: '', pieces: [{ line: position.line, offset: 0, text: '' }], firstLine: position.line, lastLine: position.line };
    return { line: { logical, offset: 0, onBlankLine: false }, words: [], index: 0 };
  }
  const cl = logicalLineAt(lines, position);
  if (!cl) return undefined;
  const words = splitQuoted(cl.logical.text);
  let index = words.length;
  let word: MasterWordAt | undefined;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (cl.offset >= w.start && cl.offset <= w.end && !cl.onBlankLine) {
      index = k;
      word = w;
      break;
    }
    if (cl.offset < w.start) {
      index = k;
      break;
    }
  }
  return { line: cl, words, index, word };
}

// ---- words inside a value ----------------------------------------------------------

/** Separators of Postfix lists: whitespace and commas. */
export function isListSeparator(ch: string | undefined): boolean {
  return ch === ',' || isSpace(ch);
}

/** [start, end) of the list word around `offset` (end of the word before it when offset sits on its end). */
export function wordAround(s: string, offset: number, isSep: (ch: string) => boolean = isListSeparator): { start: number; end: number } {
  let start = offset;
  while (start > 0 && !isSep(s[start - 1])) start--;
  let end = offset;
  while (end < s.length && !isSep(s[end])) end++;
  return { start, end };
}

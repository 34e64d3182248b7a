// Physical and logical lines, read the way Postfix's readllines() reads them:
// a line that starts with whitespace continues the logical line before it;
// blank lines and lines whose first non-blank character is `#` are skipped,
// even in the middle of a continued logical line; the pieces are joined with
// no separator (the continuation's own leading whitespace separates them).

import { drain, type Steps } from './steps';

export interface PhysicalLine {
  /** Zero-based line number. */
  line: number;
  /** The text without its `\n` (a trailing `\r` is kept: Postfix treats it as whitespace). */
  text: string;
}

export interface LogicalLinePiece {
  line: number;
  /** Offset of this piece inside the joined logical text. */
  offset: number;
  text: string;
}

export interface LogicalLine {
  /** Physical pieces joined exactly as Postfix joins them. */
  text: string;
  pieces: LogicalLinePiece[];
  firstLine: number;
  lastLine: number;
}

export interface CommentLine {
  line: number;
  /** Character where `#` stands. */
  character: number;
  text: string;
}

export interface LogicalLines {
  lines: LogicalLine[];
  comments: CommentLine[];
  /** Logical lines that start with whitespace (Postfix warns and ignores them). */
  orphans: LogicalLine[];
  lineCount: number;
}

const SPACE = /[ \t\n\r\v\f]/;

export function isSpace(ch: string | undefined): boolean {
  if (ch === undefined || ch === '') return false;
  // One character (every caller's case) without a regular expression: this runs for every character of main.cf.
  if (ch.length === 1) return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
  return SPACE.test(ch);
}

function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13); // space, \t \n \v \f \r
}

export function splitPhysicalLines(text: string): PhysicalLine[] {
  const out: PhysicalLine[] = [];
  let start = 0;
  let line = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) out.push({ line, text: text.slice(start) });
      break;
    }
    out.push({ line, text: text.slice(start, nl) });
    start = nl + 1;
    line++;
  }
  return out;
}

/** Physical lines readLogicalLinesSteps reads between two yields (a few ms). */
export const LINES_PER_STEP = 16_384;

/** Reads logical lines as Postfix does for main.cf and text lookup tables. */
export function readLogicalLines(text: string): LogicalLines {
  return drain(readLogicalLinesSteps(text, Infinity));
}

/** readLogicalLines, yielding after every `linesPerStep` physical lines (a master.cf can have 100,000). */
export function* readLogicalLinesSteps(text: string, linesPerStep = LINES_PER_STEP): Steps<LogicalLines> {
  const lines: LogicalLine[] = [];
  const orphans: LogicalLine[] = [];
  const comments: CommentLine[] = [];
  let current: LogicalLine | undefined;

  const finish = () => {
    if (!current) return;
    if (isSpace(current.text[0])) orphans.push(current);
    else lines.push(current);
    current = undefined;
  };

  // The physical lines are read in place (as splitPhysicalLines cuts them, without its array of objects).
  let start = 0;
  let line = 0;
  const n = text.length;
  while (start < n) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = n;
    let i = start;
    while (i < nl && isSpaceCode(text.charCodeAt(i))) i++;
    if (i < nl) {
      if (text.charCodeAt(i) === 35 /* # */) {
        comments.push({ line, character: i - start, text: text.slice(i, nl).replace(/\r$/, '') });
      } else {
        const pl = text.slice(start, nl);
        if (current && i > start) {
          current.pieces.push({ line, offset: current.text.length, text: pl });
          current.text += pl;
          current.lastLine = line;
        } else {
          finish();
          current = { text: pl, pieces: [{ line, offset: 0, text: pl }], firstLine: line, lastLine: line };
        }
      }
    }
    start = nl + 1;
    line++;
    if (line % linesPerStep === 0 && start < n) yield 'logical lines';
  }
  finish();
  // splitPhysicalLines counts a last line only when it has text.
  return { lines, comments, orphans, lineCount: line };
}

/** Maps an offset inside a logical line's text to a document position. */
export function logicalOffsetToPosition(ll: LogicalLine, offset: number): { line: number; character: number } {
  // The last piece that starts at or before offset; pieces are in offset order.
  // Binary search: callers map every token of a line, and a line can have
  // hundreds of thousands of pieces.
  const pieces = ll.pieces;
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const piece = pieces[lo];
  return { line: piece.line, character: Math.min(offset - piece.offset, piece.text.length) };
}

/** Document range of text[start, end) inside a logical line. */
export function logicalRange(ll: LogicalLine, start: number, end: number) {
  const pieces = ll.pieces;
  if (pieces.length === 1) {
    // One physical line (most logical lines): no search, the same positions.
    const p = pieces[0];
    const len = p.text.length;
    const s = { line: p.line, character: Math.min(start, len) };
    return { start: s, end: end > start ? { line: p.line, character: Math.min(end - 1, len) + 1 } : s };
  }
  const s = logicalOffsetToPosition(ll, start);
  // An end offset at a piece boundary belongs to the earlier piece's end.
  const e = end > start ? logicalOffsetToPosition(ll, end - 1) : s;
  return { start: s, end: end > start ? { line: e.line, character: e.character + 1 } : s };
}

// Physical and logical lines, read the way Postfix's readllines() reads them:
// a line that starts with whitespace continues the logical line before it;
// blank lines and lines whose first non-blank character is `#` are skipped,
// even in the middle of a continued logical line; the pieces are joined with
// no separator (the continuation's own leading whitespace separates them).

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
  return ch !== undefined && ch !== '' && SPACE.test(ch);
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

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return i;
}

/** Reads logical lines as Postfix does for main.cf and text lookup tables. */
export function readLogicalLines(text: string): LogicalLines {
  const physical = splitPhysicalLines(text);
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

  for (const pl of physical) {
    const i = firstNonSpace(pl.text);
    if (i === pl.text.length) continue; // blank
    if (pl.text[i] === '#') {
      comments.push({ line: pl.line, character: i, text: pl.text.slice(i).replace(/\r$/, '') });
      continue;
    }
    if (current && isSpace(pl.text[0])) {
      current.pieces.push({ line: pl.line, offset: current.text.length, text: pl.text });
      current.text += pl.text;
      current.lastLine = pl.line;
      continue;
    }
    finish();
    current = { text: pl.text, pieces: [{ line: pl.line, offset: 0, text: pl.text }], firstLine: pl.line, lastLine: pl.line };
  }
  finish();
  return { lines, comments, orphans, lineCount: physical.length };
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
  const s = logicalOffsetToPosition(ll, start);
  // An end offset at a piece boundary belongs to the earlier piece's end.
  const e = end > start ? logicalOffsetToPosition(ll, end - 1) : s;
  return { start: s, end: end > start ? { line: e.line, character: e.character + 1 } : s };
}

// Edits on the text of one file, for quick fixes: whole physical lines
// removed or added, in the file's own line ending. An edit never spans more
// than it names, so comments and unrelated bytes stay as they were.

import type { Position, TextEdit } from '../types';

export interface FileLines {
  file: string;
  /** Physical lines without `\n` (a `\r` stays on its line). */
  lines: string[];
  /** `\r\n` when the file uses it, else `\n`. */
  eol: string;
}

export function fileLines(file: string, text: string): FileLines {
  return { file, lines: text.split('\n'), eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function edit(file: string, start: Position, end: Position, newText: string): TextEdit {
  return { file, range: { start, end }, newText };
}

/** Length of a line without its `\r`. */
function contentLength(f: FileLines, line: number): number {
  return (f.lines[line] ?? '').replace(/\r$/, '').length;
}

/**
 * Removes the given physical lines with their line breaks (consecutive lines
 * as one edit). The last line of a file without a final newline takes the
 * break before it instead, so no empty line is left behind.
 */
export function removeLines(f: FileLines, lineNumbers: number[]): TextEdit[] {
  const sorted = [...new Set(lineNumbers)].filter((l) => l >= 0 && l < f.lines.length).sort((a, b) => a - b);
  const edits: TextEdit[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i];
    let last = first;
    while (i + 1 < sorted.length && sorted[i + 1] === last + 1) last = sorted[++i];
    i++;
    if (last + 1 < f.lines.length) edits.push(edit(f.file, { line: first, character: 0 }, { line: last + 1, character: 0 }, ''));
    else if (first > 0) edits.push(edit(f.file, { line: first - 1, character: contentLength(f, first - 1) }, { line: last, character: f.lines[last].length }, ''));
    else edits.push(edit(f.file, { line: first, character: 0 }, { line: last, character: f.lines[last].length }, ''));
  }
  return edits;
}

/** Inserts a whole line above `line`. */
export function insertLineAbove(f: FileLines, line: number, text: string): TextEdit {
  return edit(f.file, { line, character: 0 }, { line, character: 0 }, `${text}${f.eol}`);
}

/** The text of one physical line between two characters (undefined when out of range). */
export function lineSlice(f: FileLines, line: number, start: number, end: number): string | undefined {
  const l = f.lines[line];
  if (l === undefined || end > l.length || start > end) return undefined;
  return l.slice(start, end);
}

export { edit as textEdit };

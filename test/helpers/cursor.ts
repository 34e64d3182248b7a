// Fixture text with markers instead of hand-counted columns: `«` and `»`
// delimit a range, `|` marks a cursor. Markers are removed from the text.
import type { Position, Range } from '../../server/src/engine/types';

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** `a = «x»` → text `a = x` and the range of `x`; several pairs may nest, ranges are in order of their `«`. */
export function marked(fixture: string): { text: string; ranges: Range[] } {
  const ranges: Range[] = [];
  const open: number[] = [];
  let text = '';
  for (const ch of fixture) {
    if (ch === '«') {
      open.push(ranges.length);
      ranges.push({ start: positionAt(text, text.length), end: positionAt(text, text.length) });
    } else if (ch === '»') {
      const i = open.pop();
      if (i !== undefined) ranges[i].end = positionAt(text, text.length);
    } else text += ch;
  }
  return { text, ranges };
}

/** `a = x|y` → text `a = xy` and the cursor position. */
export function cursor(fixture: string): { text: string; position: Position } {
  const at = fixture.indexOf('|');
  const text = fixture.slice(0, at) + fixture.slice(at + 1);
  return { text, position: positionAt(text, at) };
}

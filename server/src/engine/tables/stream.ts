// Postfix 3.7's inline form of the file-based pattern tables (dict_stream.c):
// `pcre:{ {/a/ x}, {/b/ y} }`, `regexp:{...}`, `cidr:{...}`. The outer braces
// are removed, the rest is split on commas and whitespace outside braces, and
// each `{ rule }` (braces removed, blanks trimmed) becomes one line of an
// in-memory file, which the table's parser then reads like a file. Such a
// table names no file.

import { extractBraced, splitBraced } from './text';

export interface InlineStream {
  /** The rules joined with newlines, as the parser reads them. */
  text: string;
  /** For each line: where its text sits in the name (offsets into the `{...}` text). */
  lines: { start: number; end: number }[];
}

/** True for a name that Postfix reads as inline text rather than a file name. */
export function isInlineName(name: string): boolean {
  return name.charCodeAt(0) === 123;
}

/** dict_inline_to_multiline(): the in-memory file, or Postfix's error text (without the "type map: " prefix). */
export function inlineToText(name: string): InlineStream | { error: string } {
  const outer = extractBraced(name);
  if (outer.error) return { error: outer.error };
  // extpar() without EXTPAR_FLAG_STRIP: the text between the outer braces.
  const len = name.length;
  const lines: InlineStream['lines'] = [];
  for (const [a, b] of splitBraced(name, 1, len - 1)) {
    const token = name.slice(a, b);
    const inner = extractBraced(token);
    if (inner.error) return { error: inner.error };
    lines.push({ start: a + inner.start, end: a + inner.end });
  }
  return { text: lines.map((l) => `${name.slice(l.start, l.end)}\n`).join(''), lines };
}

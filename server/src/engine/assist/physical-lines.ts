// A document's physical lines for hover and completion, which ask again on
// every keystroke. Splitting a main.cf of 100,000 lines took 40-60 ms a
// keystroke; the last split is kept, and the split of an edited text is made
// from it: only the lines the edit touched are split again, the others are
// shared (an array copy).

import { lastAtMost } from '../arrays';

interface Split {
  readonly text: string;
  readonly lines: string[];
  /** Offset of each line's first character in `text`. */
  readonly starts: Int32Array;
}

let last: Split | undefined;

/** Splits made so far, whole or from the last one (tests count them). */
export const splits = { whole: 0, spliced: 0 };

/** Below this length a text is split whole: there is nothing worth saving. */
const SPLICE_FROM = 1 << 16;

/**
 * The text's lines (split on `\n`, as `text.split('\n')`). The result is
 * shared between calls: callers must not modify it.
 */
export function physicalLines(text: string): string[] {
  if (last?.text === text) return last.lines;
  const made = last && text.length >= SPLICE_FROM ? spliced(last, text) : undefined;
  if (made) splits.spliced++;
  else splits.whole++;
  last = made ?? whole(text);
  return last.lines;
}

function whole(text: string): Split {
  const lines = text.split('\n');
  return { text, lines, starts: startsOf(lines, 0, 0) };
}

/** Offsets of lines[from..] given the offset of lines[from]. */
function startsOf(lines: readonly string[], from: number, offset: number, into = new Int32Array(lines.length)): Int32Array {
  for (let n = from; n < lines.length; n++) {
    into[n] = offset;
    offset += lines[n].length + 1;
  }
  return into;
}

/**
 * The split of `text` made from the split of a text it shares most of its
 * beginning and end with (an edit), or undefined when it shares too little
 * (another document).
 */
function spliced(before: Split, text: string): Split | undefined {
  const a = before.text;
  const prefix = commonPrefix(a, text);
  const suffix = commonSuffix(a, text, Math.min(a.length, text.length) - prefix);
  if ((prefix + suffix) * 2 < text.length) return undefined;
  const { lines, starts } = before;
  // Old lines first..lastLine hold the change; they are split again from the new text.
  const first = lastAtMost(starts, prefix);
  const lastLine = lastAtMost(starts, a.length - suffix);
  const endBefore = lastLine + 1 < lines.length ? starts[lastLine + 1] - 1 : a.length;
  const delta = text.length - a.length;
  const middle = text.slice(starts[first], endBefore + delta).split('\n');
  const out = lines.slice(0, first);
  for (const l of middle) out.push(l);
  for (let n = lastLine + 1; n < lines.length; n++) out.push(lines[n]);
  const outStarts = new Int32Array(out.length);
  outStarts.set(starts.subarray(0, first));
  startsOf(out, first, starts[first], outStarts);
  return { text, lines: out, starts: outStarts };
}

/** Chunk lengths compared at once, largest first: string equality is native, a loop over characters is not. */
const CHUNKS = [1 << 16, 1 << 10, 1 << 4, 1];

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  for (const c of CHUNKS) while (i + c <= n && a.slice(i, i + c) === b.slice(i, i + c)) i += c;
  return i;
}

/** The length of the common end of a and b, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  for (const c of CHUNKS) while (i + c <= max && a.slice(a.length - i - c, a.length - i) === b.slice(b.length - i - c, b.length - i)) i += c;
  return i;
}

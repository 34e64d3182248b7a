// Reading the text source of an exact-match table into an AccessTable
// (access.ts): the whole text, or after an edit only the logical lines the
// edit touched (splice.ts), keeping the entries, warnings and duplicate
// verdicts of the rest from the previous parse of the same file.

import { AccessTable, FNV_OFFSET, FNV_PRIME, type AccessParseOptions } from './access';
import { drain, type Steps } from '../steps';
import { memoParseSteps } from './memo';
import { countNewlines, logicalLineStartFrom, logicalSplice } from './splice';
import { asDecodedText, forEachTableLine, isSpaceCode, SourceText, spanLine, TableLine, trimEnd } from './text';

/** A splice larger than this many entries is parsed from scratch (touched keys are found by a scan of all hashes). */
const MAX_SPLICE_ENTRIES = 256;

/**
 * About this many characters of a table are read between two yields of a
 * stepped parse: a few ms of work, so a request waits no longer than that
 * behind the parse of a 100,000-line map (5 MB, 50-100 ms in one piece).
 */
const CHARS_PER_STEP = 128 * 1024;

/** Parses the text source of an exact-match table. Never throws. */
/** Parsed once per text (tables/memo.ts); the result is shared and must not be changed. */
export function parseAccessTable(raw: string, file: string, opts: AccessParseOptions = {}): AccessTable {
  return drain(parseAccessTableSteps(raw, file, opts));
}

/**
 * parseAccessTable in steps: a whole parse yields about every `charsPerStep`
 * characters (tests make it small); a splice is small and runs in one.
 */
export function* parseAccessTableSteps(raw: string, file: string, opts: AccessParseOptions = {}, charsPerStep = CHARS_PER_STEP): Steps<AccessTable> {
  return yield* memoParseSteps<AccessTable>(`access|${file}|${opts.type ?? 'hash'}|${opts.fold ?? true}`, raw, function* (previous) {
    return (previous && reparseAccessTable(previous.value, raw)) || (yield* parseAccessTableUncached(raw, file, opts, charsPerStep));
  });
}

// Characters that make a text need decoding (asDecodedText), or make the
// parser cut lines (NUL) or skip them (U+FFFD): such texts are parsed whole.
const NOT_PLAIN = /[^\x01-\x7f]/;

function* parseAccessTableUncached(raw: string, file: string, opts: AccessParseOptions, charsPerStep: number): Steps<AccessTable> {
  // One scan: a plain text (the common case) needs no decoding.
  const plain = !NOT_PLAIN.test(raw);
  const text = plain ? raw : asDecodedText(raw);
  const table = new AccessTable(text, file, opts.type ?? 'hash', opts.fold ?? true);
  table.plain = plain;
  // Invalid UTF-8 arrives as U+FFFD from the decoder; Postfix skips such lines.
  const maybeBad = !table.plain && text.indexOf('\ufffd') >= 0;
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  table.reserve(lines + 1);
  // In pieces of whole logical lines (a piece ends where a line starts that
  // is no continuation, blank or comment line), read exactly as in one piece.
  for (let from = 0, line = 0; from < text.length; ) {
    const to = logicalLineStartFrom(text, from + charsPerStep);
    readLines(table, text, maybeBad, from, to, line);
    if (to >= text.length) break;
    line += countNewlines(text, from, to);
    from = to;
    yield () => `parse ${file}`;
  }
  table.finish();
  return table;
}

/** Every logical line of text[from, to) into the table. */
function readLines(table: AccessTable, text: string, maybeBad: boolean, from?: number, to?: number, firstLine?: number): void {
  forEachTableLine(
    text,
    (tl) => parseAccessLine(table, tl.text, 0, tl.text.length, tl, 0, tl.line, maybeBad),
    (tl) => table.note('leadingWhitespace', tl, 0, 0),
    (start, end, line) => parseAccessLine(table, text, start, end, undefined, start, line, maybeBad),
    from,
    to,
    firstLine,
  );
}

/**
 * `old` re-read where `raw` differs from its text: the logical lines the edit
 * touched are parsed again, the entries and warnings before and after them
 * are kept (shifted), and only the keys of removed and added entries are
 * checked for duplicates again. Undefined when the texts are not both plain
 * (no decoding, no NUL) or the edit is large; then the caller parses whole.
 */
export function reparseAccessTable(old: AccessTable, raw: string): AccessTable | undefined {
  if (!old.plain) return undefined;
  const splice = logicalSplice(old.text, raw);
  if (!splice) return old;
  const { start, oldEnd, newEnd } = splice;
  if (NOT_PLAIN.test(raw.slice(start, newEnd))) return undefined;
  const offDelta = newEnd - oldEnd;
  const i0 = old.firstEntryFrom(start);
  // The line at `start`: from the old text's line index when it has one, else
  // counted from the entry before (its line is stored), not from the top.
  const firstLine = old.src.hasIndex()
    ? old.src.lineOf(start)
    : i0 > 0
      ? old.line(i0 - 1) + countNewlines(old.text, old.startOf(i0 - 1), start)
      : countNewlines(old.text, 0, start);
  const oldLines = countNewlines(old.text, start, oldEnd);
  const lineDelta = countNewlines(raw, start, newEnd) - oldLines;
  // Entries and notes from the line at `oldEnd` on are after the splice; at the end of the text nothing is.
  const endLine = oldEnd >= old.text.length ? Infinity : firstLine + oldLines;
  const i1 = endLine === Infinity ? old.count : old.firstEntryFrom(oldEnd);
  if (i1 - i0 > MAX_SPLICE_ENTRIES) return undefined;

  const table = new AccessTable(raw, old.file, old.type, old.fold, SourceText.spliced(old.src, raw, splice));
  table.plain = true;
  // The entries before i0 and after i1 stay in the old table's chunks, shared (access-entries.ts).
  table.openSplice(old, i0, i1);
  table.copyNotes(old, 0, firstLine, 0, 0);
  readLines(table, raw, false, start, newEnd, firstLine);
  const added = table.addedInSplice();
  if (added > MAX_SPLICE_ENTRIES) return undefined;
  table.closeSplice(old, i1, offDelta, lineDelta);
  table.copyNotes(old, endLine, Infinity, offDelta, lineDelta);

  // Duplicates: the verdicts on untouched keys carry over (renumbered); the
  // groups of every key removed or added are formed again.
  const touched = new Set<number>();
  for (let i = i0; i < i1; i++) touched.add(old.hashOf(i));
  for (let i = i0; i < i0 + added; i++) touched.add(table.hashOf(i));
  const shift = added - (i1 - i0);
  const renumber = (i: number) => (i < i0 ? i : i >= i1 ? i + shift : -1);
  const known = new Map<number, number>();
  for (const [j, first] of old.duplicates) {
    const a = renumber(j);
    const b = renumber(first);
    if (a >= 0 && b >= 0) known.set(a, b);
  }
  table.finishSplice(known, touched);
  table.derive(old, { base: old.id, touched, firstLine, lineDelta });
  return table;
}

/** One logical line s[from, to); tl is given for multi-piece lines (then s = tl.text). */
function parseAccessLine(
  table: AccessTable,
  s: string,
  from: number,
  to: number,
  tl: TableLine | undefined,
  base: number,
  line: number,
  maybeBad: boolean,
): void {
  if (maybeBad) {
    const bad = s.indexOf('\ufffd', from);
    if (bad >= 0 && bad < to) {
      table.note('nonUtf8', tl ?? spanLine(s, from, to, line), 0, 0);
      return;
    }
  }
  // Key: up to the first whitespace outside double quotes; backslash escapes.
  // The same pass hashes the (ASCII-folded) key and notes non-ASCII and '/'.
  const fold = table.fold;
  let i = from;
  let inQuotes = false;
  let h = FNV_OFFSET;
  let high = false;
  let slash = -1;
  for (; i < to; i++) {
    let c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      h = Math.imul(h ^ c, FNV_PRIME);
      if (++i >= to) break;
      c = s.charCodeAt(i);
    } else if (c === 32 || (c >= 9 && c <= 13)) {
      if (!inQuotes) break;
    } else if (c === 34 /* " */) {
      inQuotes = !inQuotes;
    } else if (c === 47 /* / */) slash = i;
    if (c > 127) high = true;
    else if (fold && c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  if (inQuotes) {
    table.note('unbalancedQuote', tl ?? spanLine(s, from, to, line), 0, 0);
    return;
  }
  const k1 = i < to ? i : to;
  let v0 = k1 < to ? k1 + 1 : k1;
  while (v0 < to && isSpaceCode(s.charCodeAt(v0))) v0++;
  const v1 = trimEnd(s, to, v0);
  if (k1 === from || v1 <= v0) {
    table.note('expectedFormat', tl ?? spanLine(s, from, to, line), 0, 0);
    return;
  }
  if (s.charCodeAt(k1 - 1) === 58 /* : */) table.note('aliasFormat', tl ?? spanLine(s, from, to, line), 0, k1 - from, s.slice(from, k1));
  if (tl?.pieces) {
    const p = tl.pieces;
    if (v0 >= p[3]) table.note('keyOnlyContinued', tl, 0, k1, s.slice(0, k1));
    else
      for (let q = 3; q < p.length; q += 3) {
        const a = p[q];
        const e = q + 3 < p.length ? p[q + 3] : to;
        let b = a;
        while (b < e && isSpaceCode(s.charCodeAt(b))) b++;
        table.note('valueContinued', tl, b, trimEnd(s, e, b));
      }
  }
  if (slash > from && looksLikeCidr(s, from, k1)) table.note('cidrKeyInIndexed', tl ?? spanLine(s, from, to, line), 0, k1 - from, s.slice(from, k1));
  table.add(tl, tl ? 0 : base, 0, k1 - from, v0 - from, v1 - from, h, high, line);
}
// A key that is an address/prefix: 10.0.0.0/8, [2001:db8::]/32, 2001:db8::/32.
export function looksLikeCidr(s: string, a: number, b: number): boolean {
  let slash = -1;
  for (let i = b - 1; i > a; i--)
    if (s.charCodeAt(i) === 47) {
      slash = i;
      break;
    }
  if (slash < 0 || slash === b - 1) return false;
  for (let i = slash + 1; i < b; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return false;
  let addr = s.slice(a, slash);
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  return /^(\d{1,3}\.){1,3}\d{1,3}$/.test(addr) || (/^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(':'));
}

// parseAccessTable (access-parse.ts) for a table file given as bytes, when
// they are plain ASCII. On this machine kind most of a lint of a
// million-line map was memory touched for the first time: the file read into
// a buffer, then decoded into a string as large again. Read from the bytes,
// the table decodes its text only when something asks for it (a finding's
// range, a key or value shown); a clean lint never does.
//
// Only the simple form is read here: one entry per physical line, blank and
// comment lines. Whatever the text parser would note (a continued or
// indented line, a bad quote, a line without a value, an alias-style key, a
// network as a key) or any byte that is not ASCII, or a NUL, makes this give
// up, and the caller decodes and parses the text as always: the results are
// the text parser's, by construction or by its own hand.

import { AccessTable, FNV_OFFSET, FNV_PRIME, type AccessParseOptions } from './access';
import { looksLikeCidr } from './access-parse';

/** Bytes of the first lines, counted to size the entry arrays once (a wrong guess only regrows them). */
const SAMPLE = 1 << 16;

/**
 * The table of `bytes` (whose decoded text `text()` gives), or undefined when
 * they are not plain ASCII or hold a line the text parser must read.
 */
export function parseAccessBytes(data: Uint8Array, text: () => string, file: string, opts: AccessParseOptions = {}): AccessTable | undefined {
  // A plain Uint8Array view: element reads on a Buffer (a subclass) are slower in hot loops.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (!plainAscii(bytes)) return undefined;
  const n = bytes.length;
  const table = new AccessTable(text, file, opts.type ?? 'hash', opts.fold ?? true);
  table.plain = true;
  table.readFromBytes(bytes);
  const sampled = Math.min(n, SAMPLE);
  let sampleLines = 1;
  for (let i = 0; i < sampled; i++) if (bytes[i] === 10) sampleLines++;
  table.reserve(Math.ceil(((sampleLines * n) / Math.max(sampled, 1)) * 1.02) + 16);
  const fold = table.fold;
  let pos = 0;
  // Zero-based number of the physical line at pos (entries store it).
  let line = 0;
  while (pos < n) {
    // A physical line starts at pos; each byte is looked at once, by the key loop or the scan for the line's end.
    let i = pos;
    let c = bytes[i];
    while (c === 32 || c === 9 || c === 11 || c === 12 || c === 13) c = bytes[++i];
    if (i >= n || c === 10 || c === 35 /* # */) {
      // Blank or comment.
      while (i < n && bytes[i] !== 10) i++;
      pos = i + 1;
      line++;
      continue;
    }
    // An indented line continues the entry above it (or is an orphan): the text parser's case.
    if (i > pos) return undefined;
    // The key and its hash exactly as parseAccessLine computes them, stopping at the line's end.
    let inQuotes = false;
    let h = FNV_OFFSET;
    let slash = -1;
    for (; i < n; i++) {
      c = bytes[i];
      if (c === 92 /* \ */) {
        h = Math.imul(h ^ c, FNV_PRIME);
        if (++i >= n) break;
        c = bytes[i];
        if (c === 10) break;
      } else if (c === 32 || (c >= 9 && c <= 13)) {
        if (!inQuotes || c === 10) break;
      } else if (c === 34 /* " */) {
        inQuotes = !inQuotes;
      } else if (c === 47 /* / */) slash = i;
      if (fold && c >= 65 && c <= 90) c += 32;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    if (inQuotes) return undefined;
    const k1 = i;
    let nl = k1;
    while (nl < n && bytes[nl] !== 10) nl++;
    let v0 = k1 < nl ? k1 + 1 : k1;
    while (v0 < nl && isSpace(bytes[v0])) v0++;
    let v1 = nl;
    while (v1 > v0 && isSpace(bytes[v1 - 1])) v1--;
    if (k1 === pos || v1 <= v0 || bytes[k1 - 1] === 58 /* : */) return undefined;
    if (slash > pos && looksLikeCidr(ascii(bytes, pos, k1), 0, k1 - pos)) return undefined;
    table.add(undefined, pos, 0, k1 - pos, v0 - pos, v1 - pos, h, false, line);
    pos = nl + 1;
    line++;
  }
  table.finish();
  return table;
}

/** No byte above 0x7f and no NUL (read four at a time: a plain scan of 47 MB costs several times more). */
export function plainAscii(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n && (bytes.byteOffset + i) % 4 !== 0) {
    const c = bytes[i++];
    if (c === 0 || c > 127) return false;
  }
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >> 2);
  let high = 0;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    // A zero byte sets its top bit in (w - 0x01010101) & ~w; a high byte sets its own.
    high |= w | ((w - 0x01010101) & ~w);
    if ((k & 4095) === 4095 && (high & 0x80808080) !== 0) return false;
  }
  if ((high & 0x80808080) !== 0) return false;
  for (i += words.length << 2; i < n; i++) {
    const c = bytes[i];
    if (c === 0 || c > 127) return false;
  }
  return true;
}

/** Postfix ISSPACE without \n (lines are already split). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function ascii(bytes: Uint8Array, a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

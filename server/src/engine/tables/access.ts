// The text source of exact-match tables: what `postmap hash:file` (also btree,
// cdb, lmdb, dbm, sdbm) compiles and what `texthash:file` reads directly.
// One entry per logical line: the key ends at the first unquoted whitespace
// (backslash escapes the next character, double quotes group), the value is
// the rest with outer whitespace trimmed. Keys are kept in their quoted form.
//
// Built for big files (a million lines in well under a second): entries live
// in typed arrays of source offsets, duplicate detection and lookups use an
// open-addressing hash over the (folded) key characters in place, and keys,
// values and ranges are only materialised as strings when asked for.

import type { Problem, Range } from '../types';
import { TableCodeKey, tableProblem } from './codes';
import { foldKey, isAscii } from './fold';
import { textRange, SourceText, spanLine, TableLine, wholeLineRange } from './text';
import { tableUseRecorder, type SpliceStep } from './use-recorder';

/** Types whose source is this format. */
export const ACCESS_SOURCE_TYPES = ['hash', 'btree', 'cdb', 'lmdb', 'dbm', 'sdbm', 'texthash'] as const;

export function isAccessSourceType(type: string): boolean {
  return (ACCESS_SOURCE_TYPES as readonly string[]).includes(type);
}

export interface AccessParseOptions {
  /** Table type, for messages (default hash). */
  type?: string;
  /** Case-fold keys (postmap's default; `postmap -f` turns it off). */
  fold?: boolean;
}

export interface AccessEntry {
  index: number;
  /** The key as written (quotes kept). */
  key: string;
  /** The key as stored: folded unless folding is off. */
  storedKey: string;
  value: string;
  /** Zero-based first line. */
  line: number;
  keyRange: Range;
  valueRange: Range;
  /** The entry that wins for this key (the first one); equals index unless a duplicate. */
  winner: number;
}

/** A note recorded while parsing: enough to produce a Problem or Postfix's warning text. */
interface Note {
  key: TableCodeKey;
  tl: TableLine;
  start: number;
  end: number;
  /** Key text for duplicate/alias messages. */
  arg?: string;
}

export type AccessWarningMode = 'texthash' | 'build';

const INITIAL = 1024;

let nextTableId = 1;
/** How many edits a table remembers (older uses are simply not reused). */
const MAX_LINEAGE = 16;
/** FNV-1a over the stored key's characters (the parser hashes keys as it reads them). */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

export class AccessTable {
  readonly kind = 'access' as const;
  /** Number of accepted entries (duplicates included). */
  count = 0;
  // Where each entry's logical line starts; its key end, value start and
  // value end relative to that, so an edit before an entry moves one number.
  private keyStart = new Int32Array(INITIAL);
  private keyEnd = new Int32Array(INITIAL);
  private valStart = new Int32Array(INITIAL);
  private valEnd = new Int32Array(INITIAL);
  private hashes = new Int32Array(INITIAL);
  /**
   * Open-addressing slots for lookups: pairs of (entry index + 1, hash), 0 =
   * empty, first entries of a key only. Built on the first lookup: linting
   * needs none, and random access into a big table is what costs.
   */
  private slots: Int32Array | undefined;
  /** Entries from lines that span several physical lines. */
  private multi = new Map<number, { tl: TableLine; k0: number; k1: number; v0: number; v1: number }>();
  /** Stored (folded) key of entries whose key is not plain ASCII. */
  private foldedNonAscii = new Map<number, string>();
  /** Duplicate entry index → first entry index. */
  readonly duplicates = new Map<number, number>();
  private notes: Note[] = [];
  private problemCache: Problem[] | undefined;

  /**
   * The text has no character above U+007F and no NUL: then it needed no
   * decoding, and an edit of it can be re-parsed in place (access-splice.ts).
   */
  plain = false;
  /** Identity of this parse, for SpliceStep.base. */
  readonly id = nextTableId++;
  /** The edits that led from earlier parses to this one, oldest first (see SpliceStep). */
  lineage: SpliceStep[] = [];

  /** @internal Records that this table is `old` after an edit. */
  derive(old: AccessTable, step: SpliceStep): void {
    this.lineage = [...old.lineage.slice(1 - MAX_LINEAGE), step];
  }

  private textValue: string | undefined;
  private decodeText: (() => string) | undefined;
  private srcValue: SourceText | undefined;
  /**
   * The plain ASCII bytes the table was parsed from (access-bytes.ts), or
   * undefined when it was parsed from text. Then the text is decoded only
   * when something asks for it: a clean lint of a big map never does.
   */
  private bytes: Uint8Array | undefined;

  constructor(
    text: string | (() => string),
    readonly file: string,
    readonly type: string,
    readonly fold: boolean,
    src?: SourceText,
  ) {
    if (typeof text === 'string') this.textValue = text;
    else this.decodeText = text;
    this.srcValue = src;
  }

  /** The table's source text (decoded on first use when the table was parsed from bytes). */
  get text(): string {
    if (this.textValue === undefined) {
      this.textValue = this.decodeText!();
      this.decodeText = undefined;
    }
    return this.textValue;
  }

  get src(): SourceText {
    return (this.srcValue ??= new SourceText(this.text));
  }

  /** @internal The table is read from these bytes, which are its text in ASCII (access-bytes.ts). */
  readFromBytes(bytes: Uint8Array): void {
    this.bytes = bytes;
  }

  /** Entries i0..i1 of `old` appended here, `offDelta` characters and `lineDelta` lines further on. @internal */
  copyEntries(old: AccessTable, i0: number, i1: number, offDelta: number, lineDelta: number): void {
    const n = this.count;
    this.reserve(n + i1 - i0);
    const shift = (a: Int32Array, b: Int32Array, d: number) => {
      if (d === 0) a.set(b.subarray(i0, i1), n);
      else for (let i = i0; i < i1; i++) a[n + i - i0] = b[i] + d;
    };
    shift(this.keyStart, old.keyStart, offDelta);
    shift(this.keyEnd, old.keyEnd, 0);
    shift(this.valStart, old.valStart, 0);
    shift(this.valEnd, old.valEnd, 0);
    shift(this.hashes, old.hashes, 0);
    for (const [i, m] of old.multi) if (i >= i0 && i < i1) this.multi.set(n + i - i0, { ...m, tl: shiftLine(m.tl, offDelta, lineDelta) });
    for (const [i, k] of old.foldedNonAscii) if (i >= i0 && i < i1) this.foldedNonAscii.set(n + i - i0, k);
    this.count = n + i1 - i0;
  }

  /** The notes of `old` on lines [fromLine, toLine) but its duplicate warnings, appended here and shifted. @internal */
  copyNotes(old: AccessTable, fromLine: number, toLine: number, offDelta: number, lineDelta: number): void {
    for (const n of old.notes) {
      if (n.key === 'duplicateKey' || n.tl.line < fromLine || n.tl.line >= toLine) continue;
      this.notes.push(offDelta === 0 && lineDelta === 0 ? n : { ...n, tl: shiftLine(n.tl, offDelta, lineDelta) });
    }
    this.problemCache = undefined;
  }

  /** Hash of entry i's stored key. @internal */
  hashOf(i: number): number {
    return this.hashes[i];
  }

  /**
   * Duplicate detection after a splice (access-splice.ts): `known` are the
   * duplicates of keys the splice did not touch, in this table's indexes;
   * the groups of the `touched` key hashes are found again. Then the
   * warnings are put in line order as finish() does. @internal
   */
  finishSplice(known: Map<number, number>, touched: Set<number>): void {
    for (const [j, first] of known) this.duplicates.set(j, first);
    const groups = new Map<number, number[]>();
    const hashes = this.hashes;
    const list = [...touched];
    for (let i = 0; i < this.count; i++) {
      const h = hashes[i];
      if (list.length <= 4 ? !list.includes(h) : !touched.has(h)) continue;
      this.duplicates.delete(i);
      const reps = groups.get(h);
      if (!reps) {
        groups.set(h, [i]);
        continue;
      }
      const [s, a, b] = this.keyLoc(i);
      const folded = this.foldedNonAscii.get(i);
      const first = reps.find((r) => this.sameKey(r, s, a, b, folded));
      if (first !== undefined) this.duplicates.set(i, first);
      else reps.push(i);
    }
    this.duplicateNotes();
  }

  private grow(): void {
    this.resize(this.keyStart.length * 2);
  }

  /** @internal Sizes the arrays for about n entries up front (avoids regrowing big tables). */
  reserve(n: number): void {
    if (this.keyStart.length >= n) return;
    // One allocation to the final size, not a doubling per step.
    let size = this.keyStart.length;
    while (size < n) size *= 2;
    this.resize(size);
  }

  private resize(size: number): void {
    const g = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.keyStart = g(this.keyStart);
    this.keyEnd = g(this.keyEnd);
    this.valStart = g(this.valStart);
    this.valEnd = g(this.valEnd);
    this.hashes = g(this.hashes);
  }

  /** The lookup table over first entries (duplicates are known by then). */
  private lookupSlots(): Int32Array {
    if (this.slots) return this.slots;
    let size = 16;
    while (size < this.count * 4) size *= 2;
    const slots = new Int32Array(size);
    const mask = (size >> 1) - 1;
    for (let i = 0; i < this.count; i++) {
      if (this.duplicates.has(i)) continue;
      const h = this.hashes[i];
      let p = h & mask;
      while (slots[p << 1] !== 0) p = (p + 1) & mask;
      slots[p << 1] = i + 1;
      slots[(p << 1) + 1] = h;
    }
    this.slots = slots;
    return slots;
  }

  /** Where entry i's key characters are: [string, start, end]. */
  private keyLoc(i: number): [string, number, number] {
    const m = this.multi.get(i);
    return m ? [m.tl.text, m.k0, m.k1] : [this.text, this.keyStart[i], this.keyStart[i] + this.keyEnd[i]];
  }

  /** Hash of s[a, b) as stored; non-ASCII keys hash their folded string. */
  /** @internal */
  hashKey(s: string, a: number, b: number, nonAscii: string | undefined): number {
    let h = FNV_OFFSET;
    if (nonAscii !== undefined) {
      for (let i = 0; i < nonAscii.length; i++) h = Math.imul(h ^ nonAscii.charCodeAt(i), FNV_PRIME);
      return h;
    }
    const fold = this.fold;
    for (let i = a; i < b; i++) {
      let c = s.charCodeAt(i);
      if (fold && c >= 65 && c <= 90) c += 32;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    return h;
  }

  /** Does entry i's stored key equal the stored form s[a, b) (or `nonAscii`)? */
  private sameKey(i: number, s: string, a: number, b: number, nonAscii: string | undefined): boolean {
    const other = this.foldedNonAscii.get(i);
    if (nonAscii !== undefined || other !== undefined) {
      const mine = nonAscii ?? this.storedOf(s, a, b);
      return mine === (other ?? this.storedKey(i));
    }
    const [t, x, y] = this.keyLoc(i);
    if (y - x !== b - a) return false;
    const fold = this.fold;
    for (let k = 0; k < b - a; k++) if (!sameCode(s.charCodeAt(a + k), t.charCodeAt(x + k), fold)) return false;
    return true;
  }

  private sameEntryKey(i: number, j: number): boolean {
    const [s, a, c] = this.keyLoc(j);
    return this.sameKey(i, s, a, c, this.foldedNonAscii.get(j));
  }

  /** sameKey for two entries of a table read from ASCII bytes (one-line entries, no decoding needed). */
  private sameKeyBytes(b: Uint8Array, i: number, j: number): boolean {
    const len = this.keyEnd[i];
    if (this.keyEnd[j] !== len) return false;
    const x = this.keyStart[i];
    const y = this.keyStart[j];
    const fold = this.fold;
    for (let k = 0; k < len; k++) if (!sameCode(b[x + k], b[y + k], fold)) return false;
    return true;
  }

  private storedOf(s: string, a: number, b: number): string {
    const k = s.slice(a, b);
    return this.fold ? foldKey(k) : k;
  }

  /** Finds the first entry whose stored key equals s[a, b) in stored form. */
  private find(s: string, a: number, b: number, nonAscii: string | undefined, h: number): number {
    return this.findIn(this.lookupSlots(), s, a, b, nonAscii, h);
  }

  /**
   * @internal Records an entry: key s[k0, k1), value s[v0, v1), where s is
   * tl.text for a multi-piece line and the source text (offsets from `base`)
   * otherwise. `h` is the key's hash (hashKey), `nonAscii` set when the key has
   * non-ASCII characters.
   */
  add(tl: TableLine | undefined, base: number, k0: number, k1: number, v0: number, v1: number, h: number, nonAscii: boolean): void {
    const i = this.count;
    if (i === this.keyStart.length) this.grow();
    if (tl) {
      this.multi.set(i, { tl, k0, k1, v0, v1 });
      this.keyStart[i] = tl.base + k0;
    } else {
      this.keyStart[i] = base + k0;
      this.keyEnd[i] = k1 - k0;
      this.valStart[i] = v0 - k0;
      this.valEnd[i] = v1 - k0;
    }
    this.count = i + 1;
    if (nonAscii) {
      const s = tl ? tl.text : this.text;
      const folded = this.storedOf(s, base + k0, base + k1);
      this.foldedNonAscii.set(i, folded);
      h = this.hashKey(s, base + k0, base + k1, folded);
    }
    this.hashes[i] = h;
  }

  /**
   * @internal Finds duplicate keys once all entries are in. The entries are
   * scattered into buckets by the top bits of their key hash (a counting
   * sort, two passes over the hashes), so equal keys land in one small
   * bucket; inserting a million keys into a hash table one by one, or sorting
   * them, costs several times more. Then the notes are put back in line
   * order (a duplicate warning comes last on its line).
   */
  finish(): void {
    const n = this.count;
    const hashes = this.hashes;
    // About four to eight entries per bucket: fewer buckets than that miss the cache on counting; at least 2 bits so the shift stays under 32.
    let bits = 2;
    while (bits < 30 && 1 << bits < n >> 3) bits++;
    const shift = 32 - bits;
    const starts = new Int32Array((1 << bits) + 1);
    for (let i = 0; i < n; i++) starts[(hashes[i] >>> shift) + 1]++;
    for (let b = 1; b < starts.length; b++) starts[b] += starts[b - 1];
    const fill = starts.slice(0, 1 << bits);
    // Each entry's index and hash side by side in bucket order, so the pass over the buckets reads memory in order.
    const order = new Int32Array(n * 2);
    // In index order, so each bucket lists its entries first to last.
    for (let i = 0; i < n; i++) {
      const h = hashes[i];
      const p = fill[h >>> shift]++ << 1;
      order[p] = i;
      order[p + 1] = h;
    }
    const reps: number[] = [];
    for (let b = 0; b < 1 << bits; b++) {
      const e = starts[b + 1];
      if (e - starts[b] < 2) continue;
      reps.length = 0;
      for (let k = starts[b]; k < e; k++) {
        const j = order[k << 1];
        const h = order[(k << 1) + 1];
        let first = -1;
        // reps holds (index, hash) pairs of the bucket's first entries of their keys.
        for (let q = 0; q < reps.length; q += 2) {
          if (reps[q + 1] !== h) continue;
          if (this.bytes ? this.sameKeyBytes(this.bytes, reps[q], j) : this.sameEntryKey(reps[q], j)) {
            first = reps[q];
            break;
          }
        }
        if (first >= 0) this.duplicates.set(j, first);
        else reps.push(j, h);
      }
    }
    this.duplicateNotes();
  }

  /** A warning for each duplicate, the notes then in line order (a duplicate warning last on its line). */
  private duplicateNotes(): void {
    if (this.duplicates.size === 0) return;
    for (const j of [...this.duplicates.keys()].sort((x, y) => x - y)) {
      const m = this.multi.get(j);
      const tl = m ? m.tl : spanLine(this.text, this.keyStart[j], this.keyStart[j] + Math.max(this.valEnd[j], this.keyEnd[j]), this.line(j));
      const k0 = m ? m.k0 : 0;
      const k1 = m ? m.k1 : this.keyEnd[j];
      this.notes.push({ key: 'duplicateKey', tl, start: k0, end: k1, arg: this.keyAt(j) });
    }
    const last = (x: Note) => (x.key === 'duplicateKey' ? 1 : 0);
    this.notes.sort((x, y) => x.tl.line - y.tl.line || last(x) - last(y));
    this.problemCache = undefined;
  }

  private findIn(slots: Int32Array, s: string, a: number, b: number, nonAscii: string | undefined, h: number): number {
    const mask = (slots.length >> 1) - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const v = slots[p << 1];
      if (v === 0) return -1;
      if (slots[(p << 1) + 1] === h && this.sameKey(v - 1, s, a, b, nonAscii)) return v - 1;
    }
  }

  /** @internal */
  note(key: TableCodeKey, tl: TableLine, start: number, end: number, arg?: string): void {
    this.notes.push({ key, tl, start, end, arg });
    this.problemCache = undefined;
  }

  key(i: number): string {
    tableUseRecorder()?.scan(this);
    return this.keyAt(i);
  }

  private keyAt(i: number): string {
    const [s, a, b] = this.keyLoc(i);
    return s.slice(a, b);
  }

  storedKey(i: number): string {
    return this.foldedNonAscii.get(i) ?? (this.fold ? foldKey(this.keyAt(i)) : this.keyAt(i));
  }

  value(i: number): string {
    tableUseRecorder()?.scan(this);
    return this.valueAt(i);
  }

  private valueAt(i: number): string {
    const m = this.multi.get(i);
    return m ? m.tl.text.slice(m.v0, m.v1) : this.text.slice(this.keyStart[i] + this.valStart[i], this.keyStart[i] + this.valEnd[i]);
  }

  /** Source offset where entry i's logical line starts (entries are in text order). @internal */
  startOf(i: number): number {
    return this.keyStart[i];
  }

  /** Zero-based first line of entry i: from the source's line index (built when first asked), not stored per entry. */
  line(i: number): number {
    const m = this.multi.get(i);
    return m ? m.tl.line : this.src.lineOf(this.keyStart[i]);
  }

  entry(i: number): AccessEntry {
    tableUseRecorder()?.scan(this);
    const m = this.multi.get(i);
    const at = this.keyStart[i];
    const keyRange = m ? textRange(this.src, m.tl, m.k0, m.k1) : this.src.range(at, at + this.keyEnd[i]);
    const valueRange = m ? textRange(this.src, m.tl, m.v0, m.v1) : this.src.range(at + this.valStart[i], at + this.valEnd[i]);
    return {
      index: i,
      key: this.keyAt(i),
      storedKey: this.storedKey(i),
      value: this.valueAt(i),
      line: this.line(i),
      keyRange,
      valueRange,
      winner: this.duplicates.get(i) ?? i,
    };
  }

  *entries(): IterableIterator<AccessEntry> {
    for (let i = 0; i < this.count; i++) yield this.entry(i);
  }

  /** The entry on a zero-based line, if one starts there or continues over it. */
  entryAtLine(line: number): AccessEntry | undefined {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.line(mid) <= line) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const e = this.entry(found);
    return e.valueRange.end.line >= line ? e : undefined;
  }

  /** Exact-match lookup as Postfix does it: the query is folded like the keys. */
  lookup(query: string): { value: string; index: number } | undefined {
    const stored = this.fold ? foldKey(query) : query;
    const nonAscii = isAscii(stored) ? undefined : stored;
    const h = this.hashKey(stored, 0, stored.length, nonAscii);
    const i = this.find(stored, 0, stored.length, nonAscii, h);
    tableUseRecorder()?.lookup(this, h, i < 0 ? -1 : this.line(i));
    return i < 0 ? undefined : { value: this.valueAt(i), index: i };
  }

  /** Stored keys with their winning values, in file order (what `postmap -s` lists, unordered there). */
  *sequence(): IterableIterator<[string, string]> {
    tableUseRecorder()?.scan(this);
    for (let i = 0; i < this.count; i++) if (!this.duplicates.has(i)) yield [this.storedKey(i), this.valueAt(i)];
  }

  get problems(): Problem[] {
    tableUseRecorder()?.scan(this);
    if (!this.problemCache) this.problemCache = this.notes.map((n) => this.toProblem(n));
    return this.problemCache;
  }

  private toProblem(n: Note): Problem {
    const range = n.end > n.start ? textRange(this.src, n.tl, n.start, n.end) : wholeLineRange(this.src, n.tl);
    const short = (s: string) => (s.length > 30 ? `${s.slice(0, 30)}...` : s);
    let message: string;
    switch (n.key) {
      case 'leadingWhitespace':
        message = `logical line must not start with whitespace: "${short(n.tl.text)}". An indented line continues the line before it; here there is none, so Postfix ignores it.`;
        break;
      case 'nonUtf8':
        message = 'non-UTF-8 input -- ignoring this line.';
        break;
      case 'unbalancedQuote':
        message = `unbalanced '"' in '${n.tl.text}' -- ignoring this line.`;
        break;
      case 'expectedFormat':
        message = 'expected format: key whitespace value. Postfix ignores this line.';
        break;
      case 'aliasFormat':
        message = `record is in "key: value" format; is this an alias file? The key "${n.arg}" includes the colon.`;
        break;
      case 'duplicateKey':
        message = `duplicate entry: "${n.arg}". The first entry for this key wins; this one is never used.`;
        break;
      case 'cidrKeyInIndexed':
        message = `"${n.arg}" looks like a network/prefix, but ${this.type}: tables match keys exactly, so it never matches a client address. Use a cidr: table for networks.`;
        break;
      case 'keyOnlyContinued':
        message = `"${n.arg}" has no value on its own line, and the next line is indented, so Postfix reads that line as this key's value.`;
        break;
      case 'valueContinued':
        message = 'This indented line continues the value of the entry above it (a line that starts with whitespace is a continuation).';
        break;
      default:
        message = n.key;
    }
    return tableProblem(n.key, this.file, range, message);
  }

  /**
   * Warnings exactly as postmap prints them (without the `postmap: warning: `
   * prefix): `texthash` when the source is read at lookup time, `build` when
   * `postmap type:path` compiles it. `path` is the name as given to postmap.
   */
  postfixWarnings(mode: AccessWarningMode, path: string): string[] {
    tableUseRecorder()?.scan(this);
    const out: string[] = [];
    const suffix = mode === 'texthash' ? ' -- ignoring this line' : '';
    for (const n of this.notes) {
      const ln = n.tl.line + 1;
      switch (n.key) {
        case 'leadingWhitespace':
          out.push(`${path}: logical line must not start with whitespace: "${n.tl.text.slice(0, 30)}${n.tl.text.length > 30 ? '...' : ''}"`);
          break;
        case 'nonUtf8':
          out.push(`${path}, line ${ln}: non-UTF-8 input "${n.tl.text}" -- ignoring this line`);
          break;
        case 'unbalancedQuote':
          out.push(`${path}, line ${ln}: unbalanced '"' in '${n.tl.text}' -- ignoring this line`);
          break;
        case 'expectedFormat':
          out.push(`${path}, line ${ln}: expected format: key whitespace value${suffix}`);
          break;
        case 'aliasFormat':
          out.push(`${path}, line ${ln}: record is in "key: value" format; is this an alias file?`);
          break;
        case 'duplicateKey': {
          const stored = this.fold ? foldKey(n.arg!) : n.arg!;
          // Each database library names the table its own way.
          if (mode === 'texthash') out.push(`${path}, line ${ln}: duplicate entry: "${n.arg}"`);
          else if (this.type === 'lmdb') out.push(`lmdb:${path}: duplicate entry: "${stored}"`);
          else if (this.type === 'hash' || this.type === 'btree') out.push(`${path}.db: duplicate entry: "${stored}"`);
          else out.push(`${path}: duplicate entry: "${stored}"`);
          break;
        }
        default:
          break; // our own advice: Postfix says nothing
      }
    }
    return out;
  }
}

/** Two key characters are equal as stored: ASCII letters folded when `fold`. */
function sameCode(c1: number, c2: number, fold: boolean): boolean {
  if (c1 === c2) return true;
  if (!fold) return false;
  return (c1 >= 65 && c1 <= 90 ? c1 + 32 : c1) === (c2 >= 65 && c2 <= 90 ? c2 + 32 : c2);
}

/** The same logical line `offDelta` characters and `lineDelta` lines further on. */
function shiftLine(tl: TableLine, offDelta: number, lineDelta: number): TableLine {
  const pieces = tl.pieces?.map((v, k) => (k % 3 === 1 ? v + offDelta : k % 3 === 2 ? v + lineDelta : v));
  return { text: tl.text, line: tl.line + lineDelta, base: tl.base + offDelta, pieces };
}

/** Suffix of the file postmap builds for an indexed type. */
export function indexSuffix(type: string): string {
  switch (type) {
    case 'hash':
    case 'btree':
      return '.db';
    case 'cdb':
      return '.cdb';
    case 'lmdb':
      return '.lmdb';
    case 'dbm':
    case 'sdbm':
      return '.pag';
    default:
      return '';
  }
}

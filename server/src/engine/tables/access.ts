// The text source of exact-match tables: what `postmap hash:file` (also btree,
// cdb, lmdb, dbm, sdbm) compiles and what `texthash:file` reads directly.
// One entry per logical line: the key ends at the first unquoted whitespace
// (backslash escapes the next character, double quotes group), the value is
// the rest with outer whitespace trimmed. Keys are kept in their quoted form.
//
// Built for big files (a million lines in well under a second): entries live
// in typed arrays of source offsets, in chunks an edit shares between the
// parses before and after it (access-entries.ts), duplicate detection and lookups use an
// open-addressing hash over the (folded) key characters in place, and keys,
// values and ranges are only materialised as strings when asked for.

import type { Problem, Range } from '../types';
import { TableCodeKey, tableProblem } from './codes';
import { foldKey, isAscii } from './fold';
import { textRange, SourceText, spanLine, TableLine, wholeLineRange } from './text';
import { tableUseRecorder, type SpliceStep } from './use-recorder';
import { EntryBuilder, EntryStore, shiftLine, type Region } from './access-entries';

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
  /**
   * The entries (access-entries.ts): while parsing, `builder` collects them;
   * then `store` holds them, in chunks shared with the parses before and
   * after an edit.
   */
  private builder: EntryBuilder | undefined = new EntryBuilder();
  private store = new EntryStore([]);
  /** While re-parsing after an edit: the part of the old table's entries being rebuilt. */
  private region: Region | undefined;
  /**
   * Open-addressing slots for lookups: pairs of (entry index + 1, hash), 0 =
   * empty, first entries of a key only. Built on the first lookup: linting
   * needs none, and random access into a big table is what costs.
   */
  private slots: Int32Array | undefined;
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

  /** Number of accepted entries (duplicates included). */
  get count(): number {
    return this.builder ? this.builder.count : this.store.count;
  }

  /** The chunked entry storage (tests check what an edit shares). @internal */
  get entryStore(): EntryStore {
    return this.store;
  }

  /**
   * @internal Starts this table as `old` after an edit that removes old
   * entries [i0, i1): the entries before i0 are kept (shared where they are
   * in untouched chunks); add() then takes the new entries of the edited lines.
   */
  openSplice(old: AccessTable, i0: number, i1: number): void {
    this.region = old.store.open(i0, i1);
    this.builder = this.region.builder;
  }

  /** @internal How many entries add() took since openSplice(). */
  addedInSplice(): number {
    return this.builder!.count - this.region!.prefix;
  }

  /** @internal Ends the splice: old entries from i1 on follow, `offDelta` characters and `lineDelta` lines further on. */
  closeSplice(old: AccessTable, i1: number, offDelta: number, lineDelta: number): void {
    this.store = old.store.close(this.region!, i1, offDelta, lineDelta);
    this.builder = undefined;
    this.region = undefined;
  }

  /** Index of the first entry that starts at `offset` or later. @internal */
  firstEntryFrom(offset: number): number {
    return this.store.firstFrom(offset);
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
    return this.store.hash(i);
  }

  /**
   * Duplicate detection after a splice (access-parse.ts): `known` are the
   * duplicates of keys the splice did not touch, in this table's indexes;
   * the groups of the `touched` key hashes are found again. Then the
   * warnings are put in line order as finish() does. @internal
   */
  finishSplice(known: Map<number, number>, touched: Set<number>): void {
    for (const [j, first] of known) this.duplicates.set(j, first);
    const groups = new Map<number, number[]>();
    const store = this.store;
    for (const i of touched.size ? store.withHashes(touched) : []) {
      const h = store.hash(i);
      this.duplicates.delete(i);
      const reps = groups.get(h);
      if (!reps) {
        groups.set(h, [i]);
        continue;
      }
      const [s, a, b] = this.keyLoc(i);
      const folded = store.nonAscii(i);
      const first = reps.find((r) => this.sameKey(r, s, a, b, folded));
      if (first !== undefined) this.duplicates.set(i, first);
      else reps.push(i);
    }
    this.duplicateNotes();
  }

  /** @internal Sizes the entry arrays for about n entries up front (avoids regrowing big tables). */
  reserve(n: number): void {
    this.builder?.reserve(n);
  }

  /** The lookup table over first entries (duplicates are known by then). */
  private lookupSlots(): Int32Array {
    if (this.slots) return this.slots;
    let size = 16;
    while (size < this.count * 4) size *= 2;
    const slots = new Int32Array(size);
    const mask = (size >> 1) - 1;
    const dups = this.duplicates;
    this.store.forEachHash((i, h) => {
      if (dups.size && dups.has(i)) return;
      let p = h & mask;
      while (slots[p << 1] !== 0) p = (p + 1) & mask;
      slots[p << 1] = i + 1;
      slots[(p << 1) + 1] = h;
    });
    this.slots = slots;
    return slots;
  }

  /** Where entry i's key characters are: [string, start, end]. */
  private keyLoc(i: number): [string, number, number] {
    const m = this.store.multi(i);
    if (m) return [m.tl.text, m.k0, m.k1];
    const at = this.store.start(i);
    return [this.text, at, at + this.store.keyEnd(i)];
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
    const other = this.store.nonAscii(i);
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
    return this.sameKey(i, s, a, c, this.store.nonAscii(j));
  }

  /** sameKey for two entries of a table read from ASCII bytes (one-line entries, no decoding needed). */
  private sameKeyBytes(b: Uint8Array, i: number, j: number): boolean {
    const store = this.store;
    const len = store.keyEnd(i);
    if (store.keyEnd(j) !== len) return false;
    const x = store.start(i);
    const y = store.start(j);
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
   * @internal Records an entry on zero-based `line`: key s[k0, k1), value
   * s[v0, v1), where s is tl.text for a multi-piece line and the source text
   * (offsets from `base`) otherwise. `h` is the key's hash (hashKey),
   * `nonAscii` set when the key has non-ASCII characters.
   */
  add(tl: TableLine | undefined, base: number, k0: number, k1: number, v0: number, v1: number, h: number, nonAscii: boolean, line: number): void {
    let folded: string | undefined;
    if (nonAscii) {
      const s = tl ? tl.text : this.text;
      folded = this.storedOf(s, base + k0, base + k1);
      h = this.hashKey(s, base + k0, base + k1, folded);
    }
    if (tl) this.builder!.add(tl.base + k0, 0, 0, 0, h, tl.line, { tl, k0, k1, v0, v1 }, folded);
    else this.builder!.add(base + k0, k1 - k0, v0 - k0, v1 - k0, h, line, undefined, folded);
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
    const b = this.builder!;
    this.store = EntryStore.from(b);
    this.builder = undefined;
    const n = b.count;
    const hashes = b.h;
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
    const store = this.store;
    for (const j of [...this.duplicates.keys()].sort((x, y) => x - y)) {
      const m = store.multi(j);
      const at = store.start(j);
      const tl = m ? m.tl : spanLine(this.text, at, at + Math.max(store.valueEnd(j), store.keyEnd(j)), store.line(j));
      const k0 = m ? m.k0 : 0;
      const k1 = m ? m.k1 : store.keyEnd(j);
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
    return this.store.nonAscii(i) ?? (this.fold ? foldKey(this.keyAt(i)) : this.keyAt(i));
  }

  value(i: number): string {
    tableUseRecorder()?.scan(this);
    return this.valueAt(i);
  }

  private valueAt(i: number): string {
    const m = this.store.multi(i);
    if (m) return m.tl.text.slice(m.v0, m.v1);
    const at = this.store.start(i);
    return this.text.slice(at + this.store.valueStart(i), at + this.store.valueEnd(i));
  }

  /** Source offset where entry i's logical line starts (entries are in text order). @internal */
  startOf(i: number): number {
    return this.store.start(i);
  }

  /** Zero-based first line of entry i. */
  line(i: number): number {
    return this.store.line(i);
  }

  entry(i: number): AccessEntry {
    tableUseRecorder()?.scan(this);
    const store = this.store;
    const m = store.multi(i);
    const at = store.start(i);
    const keyRange = m ? textRange(this.src, m.tl, m.k0, m.k1) : this.src.range(at, at + store.keyEnd(i));
    const valueRange = m ? textRange(this.src, m.tl, m.v0, m.v1) : this.src.range(at + store.valueStart(i), at + store.valueEnd(i));
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

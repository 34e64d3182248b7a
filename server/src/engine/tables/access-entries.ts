// Where the entries of an exact-match table (access.ts) are stored: typed
// arrays of source offsets in chunks of about two thousand entries. A chunk
// never changes once made, so the parse after an edit (access-parse.ts)
// shares every chunk the edit did not touch with the parse before it; a chunk
// after the edit is shared too, under a small record that says how far its
// text and lines moved. A keystroke in a 100,000-line map then writes one
// chunk and some fifty such records, where copying five arrays of 100,000
// numbers cost more than everything else the keystroke did.

import { type TableLine } from './text';

/** An entry whose logical line is several physical lines: key and value are offsets into tl.text. */
export interface MultiEntry {
  tl: TableLine;
  k0: number;
  k1: number;
  v0: number;
  v1: number;
}

/** Entries as parsed, in the coordinates of the text they were parsed from. Never changed once sealed. */
interface ChunkData {
  n: number;
  /** Source offset where each entry's logical line starts. */
  ks: Int32Array;
  /** Key end, value start and value end, relative to ks (so they never move). */
  ke: Int32Array;
  vs: Int32Array;
  ve: Int32Array;
  /** Hash of the stored key. */
  h: Int32Array;
  /** Zero-based line of the entry's (first) physical line. */
  ln: Int32Array;
  multi: Map<number, MultiEntry> | undefined;
  /** Stored (folded) key of entries whose key is not plain ASCII. */
  nonAscii: Map<number, string> | undefined;
  /** Bloom filter of the hashes (two bits each), so a search for a few keys skips the chunks that lack them. */
  bloom: Int32Array;
}

/**
 * Bits of a chunk's bloom filter: 32 per entry at the full chunk size keeps
 * false hits near 0.4% (8 per entry gave about 5%: a keystroke's two keys
 * then scanned five of fifty chunks of a 100,000-line map for nothing).
 */
function bloomBits(n: number): number {
  let bits = 64;
  while (bits < n * 32) bits *= 2;
  return bits;
}

function bloomOf(h: Int32Array): Int32Array {
  const bits = bloomBits(h.length);
  const mask = bits - 1;
  const bloom = new Int32Array(bits >> 5);
  for (let k = 0; k < h.length; k++) {
    const a = h[k] & mask;
    const b = (h[k] >>> 16) & mask;
    bloom[a >> 5] |= 1 << (a & 31);
    bloom[b >> 5] |= 1 << (b & 31);
  }
  return bloom;
}

function mayHold(bloom: Int32Array, h: number): boolean {
  const mask = (bloom.length << 5) - 1;
  const a = h & mask;
  const b = (h >>> 16) & mask;
  return (bloom[a >> 5] & (1 << (a & 31))) !== 0 && (bloom[b >> 5] & (1 << (b & 31))) !== 0;
}

/** A chunk as one table sees it: its entries moved `off` characters and `lines` lines from where they were parsed. */
interface Chunk {
  d: ChunkData;
  off: number;
  lines: number;
}

/** Collects entries in text order, then seals them into chunks. */
export class EntryBuilder {
  count = 0;
  ks: Int32Array;
  ke: Int32Array;
  vs: Int32Array;
  ve: Int32Array;
  h: Int32Array;
  ln: Int32Array;
  multi: Map<number, MultiEntry> | undefined;
  nonAscii: Map<number, string> | undefined;

  constructor(size = 64) {
    this.ks = new Int32Array(size);
    this.ke = new Int32Array(size);
    this.vs = new Int32Array(size);
    this.ve = new Int32Array(size);
    this.h = new Int32Array(size);
    this.ln = new Int32Array(size);
  }

  /** Room for about n entries up front (one allocation to the final size, not a doubling per step). */
  reserve(n: number): void {
    if (this.ks.length >= n) return;
    let size = Math.max(this.ks.length, 16);
    while (size < n) size *= 2;
    const g = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.ks = g(this.ks);
    this.ke = g(this.ke);
    this.vs = g(this.vs);
    this.ve = g(this.ve);
    this.h = g(this.h);
    this.ln = g(this.ln);
  }

  /** Appends an entry; ks is absolute, ke/vs/ve relative to it. Returns its index here. */
  add(ks: number, ke: number, vs: number, ve: number, h: number, ln: number, multi?: MultiEntry, nonAscii?: string): number {
    const i = this.count;
    if (i === this.ks.length) this.reserve(i * 2);
    this.ks[i] = ks;
    this.ke[i] = ke;
    this.vs[i] = vs;
    this.ve[i] = ve;
    this.h[i] = h;
    this.ln[i] = ln;
    if (multi) (this.multi ??= new Map()).set(i, multi);
    if (nonAscii !== undefined) (this.nonAscii ??= new Map()).set(i, nonAscii);
    this.count = i + 1;
    return i;
  }

  /** The entries as chunks of at most `size` (views of these arrays, no copy). */
  seal(size: number): Chunk[] {
    const out: Chunk[] = [];
    for (let a = 0; a < this.count; a += size) {
      const b = Math.min(this.count, a + size);
      const sub = <T>(m: Map<number, T> | undefined): Map<number, T> | undefined => {
        if (!m) return undefined;
        let r: Map<number, T> | undefined;
        for (const [i, v] of m) if (i >= a && i < b) (r ??= new Map()).set(i - a, v);
        return r;
      };
      const h = this.h.subarray(a, b);
      const d: ChunkData = {
        n: b - a,
        ks: this.ks.subarray(a, b),
        ke: this.ke.subarray(a, b),
        vs: this.vs.subarray(a, b),
        ve: this.ve.subarray(a, b),
        h,
        ln: this.ln.subarray(a, b),
        multi: sub(this.multi),
        nonAscii: sub(this.nonAscii),
        bloom: bloomOf(h),
      };
      out.push({ d, off: 0, lines: 0 });
    }
    return out;
  }
}

/** The part of an old store an edit replaces: chunks ca..cb, the entries of which before the edit are already in `builder`. */
export interface Region {
  ca: number;
  cb: number;
  builder: EntryBuilder;
  /** Entries of the old chunks kept before the edit. */
  prefix: number;
}

/** The entries of one parse, chunked; chunks are shared with the parses before and after an edit. */
export class EntryStore {
  /** Entries per chunk (tests make it small to cross chunk boundaries with small texts). @internal */
  static chunkSize = 2048;

  readonly count: number;
  /** Index of each chunk's first entry; one more element, the count. */
  private readonly starts: Int32Array;
  /** Chunk of the last access: entries are mostly read in order. */
  private last = 0;

  constructor(private readonly chunks: Chunk[]) {
    const starts = new Int32Array(chunks.length + 1);
    for (let c = 0; c < chunks.length; c++) starts[c + 1] = starts[c] + chunks[c].d.n;
    this.starts = starts;
    this.count = starts[chunks.length];
  }

  static from(b: EntryBuilder): EntryStore {
    return new EntryStore(b.seal(EntryStore.chunkSize));
  }

  /** Number of chunks (tests check that an edit replaced one). @internal */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** How many chunks this store shares with `other` (the same entries, maybe moved). @internal */
  sharedWith(other: EntryStore): number {
    const theirs = new Set(other.chunks.map((c) => c.d));
    return this.chunks.filter((c) => theirs.has(c.d)).length;
  }

  /** The chunk holding entry i (0 <= i < count). */
  private chunkOf(i: number): number {
    const s = this.starts;
    let c = this.last;
    if (c < this.chunks.length && s[c] <= i && i < s[c + 1]) return c;
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    c = lo;
    this.last = c;
    return c;
  }

  /** Source offset where entry i's logical line starts. */
  start(i: number): number {
    const c = this.chunkOf(i);
    const ch = this.chunks[c];
    return ch.d.ks[i - this.starts[c]] + ch.off;
  }

  /** Key end, value start, value end of entry i, relative to start(i) (single-line entries). */
  keyEnd(i: number): number {
    const c = this.chunkOf(i);
    return this.chunks[c].d.ke[i - this.starts[c]];
  }

  valueStart(i: number): number {
    const c = this.chunkOf(i);
    return this.chunks[c].d.vs[i - this.starts[c]];
  }

  valueEnd(i: number): number {
    const c = this.chunkOf(i);
    return this.chunks[c].d.ve[i - this.starts[c]];
  }

  hash(i: number): number {
    const c = this.chunkOf(i);
    return this.chunks[c].d.h[i - this.starts[c]];
  }

  line(i: number): number {
    const c = this.chunkOf(i);
    const ch = this.chunks[c];
    return ch.d.ln[i - this.starts[c]] + ch.lines;
  }

  /** Entry i's logical line if it spans several physical lines, in this text's coordinates. */
  multi(i: number): MultiEntry | undefined {
    const c = this.chunkOf(i);
    const ch = this.chunks[c];
    const m = ch.d.multi?.get(i - this.starts[c]);
    if (!m || (ch.off === 0 && ch.lines === 0)) return m;
    return { ...m, tl: shiftLine(m.tl, ch.off, ch.lines) };
  }

  nonAscii(i: number): string | undefined {
    const c = this.chunkOf(i);
    return this.chunks[c].d.nonAscii?.get(i - this.starts[c]);
  }

  /** Index of the first entry that starts at `offset` or later. */
  firstFrom(offset: number): number {
    // The first chunk whose last entry starts at `offset` or later, then inside it.
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = this.chunks[mid];
      if (ch.d.ks[ch.d.n - 1] + ch.off < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return this.count;
    const ch = this.chunks[lo];
    let a = 0;
    let b = ch.d.n;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (ch.d.ks[mid] + ch.off < offset) a = mid + 1;
      else b = mid;
    }
    return this.starts[lo] + a;
  }

  /** Calls visit(i, hash) for every entry, in order. */
  forEachHash(visit: (i: number, h: number) => void): void {
    for (let c = 0; c < this.chunks.length; c++) {
      const h = this.chunks[c].d.h;
      const s = this.starts[c];
      for (let k = 0; k < h.length; k++) visit(s + k, h[k]);
    }
  }

  /** Indexes of the entries whose hash is in `hashes`, in order; chunks whose bloom filter lacks them all are skipped. */
  withHashes(hashes: Set<number>): number[] {
    const out: number[] = [];
    const list = [...hashes];
    // A keystroke touches one or two keys: compared directly, not through the set.
    const x = list[0];
    const y = list.length > 1 ? list[1] : x;
    const few = list.length <= 2;
    for (let c = 0; c < this.chunks.length; c++) {
      const d = this.chunks[c].d;
      if (!(few ? mayHold(d.bloom, x) || mayHold(d.bloom, y) : list.some((v) => mayHold(d.bloom, v)))) continue;
      const h = d.h;
      const s = this.starts[c];
      if (few) {
        for (let k = 0; k < h.length; k++) if (h[k] === x || h[k] === y) out.push(s + k);
      } else for (let k = 0; k < h.length; k++) if (hashes.has(h[k])) out.push(s + k);
    }
    return out;
  }

  /**
   * Opens the part an edit replaces: old entries [i0, i1) go, the chunks
   * holding them (or, for an insertion, the chunk at i0) are rebuilt; their
   * entries before i0 are copied into the region's builder. The caller adds
   * the new entries, then calls close().
   */
  open(i0: number, i1: number): Region {
    const builder = new EntryBuilder(EntryStore.chunkSize + 64);
    if (this.chunks.length === 0) return { ca: 0, cb: -1, builder, prefix: 0 };
    let ca = this.chunkOf(Math.min(i0, this.count - 1));
    const cb = i1 > i0 ? this.chunkOf(i1 - 1) : ca;
    // Small chunks (left by deletions) are merged into the one before.
    if (ca > 0 && this.starts[cb + 1] - this.starts[ca] < EntryStore.chunkSize >> 1) ca--;
    this.copyRange(builder, this.starts[ca], i0, 0, 0);
    return { ca, cb, builder, prefix: i0 - this.starts[ca] };
  }

  /** The store after the edit: the region's entries, then old [i1, …) moved by offDelta characters and lineDelta lines. */
  close(r: Region, i1: number, offDelta: number, lineDelta: number): EntryStore {
    const end = r.cb >= 0 ? this.starts[r.cb + 1] : 0;
    this.copyRange(r.builder, i1, end, offDelta, lineDelta);
    const size = EntryStore.chunkSize;
    // One chunk unless the region grew past two chunks' worth.
    const made = r.builder.seal(r.builder.count > 2 * size ? size : Math.max(r.builder.count, 1));
    const after = this.chunks.slice(r.cb + 1);
    const moved = offDelta === 0 && lineDelta === 0 ? after : after.map((c) => ({ d: c.d, off: c.off + offDelta, lines: c.lines + lineDelta }));
    return new EntryStore([...this.chunks.slice(0, r.ca), ...made, ...moved]);
  }


  /** Appends entries [from, to) to `b`, moved `offDelta` characters and `lineDelta` lines: a chunk's run at a time, no call per entry. */
  private copyRange(b: EntryBuilder, from: number, to: number, offDelta: number, lineDelta: number): void {
    if (to <= from) return;
    b.reserve(b.count + (to - from));
    for (let i = from; i < to; ) {
      const c = this.chunkOf(i);
      const ch = this.chunks[c];
      const d = ch.d;
      const k0 = i - this.starts[c];
      const k1 = Math.min(d.n, to - this.starts[c]);
      const at = b.count;
      const off = ch.off + offDelta;
      const lines = ch.lines + lineDelta;
      for (let k = k0; k < k1; k++) {
        b.ks[at + k - k0] = d.ks[k] + off;
        b.ln[at + k - k0] = d.ln[k] + lines;
      }
      b.ke.set(d.ke.subarray(k0, k1), at);
      b.vs.set(d.vs.subarray(k0, k1), at);
      b.ve.set(d.ve.subarray(k0, k1), at);
      b.h.set(d.h.subarray(k0, k1), at);
      if (d.multi)
        for (const [k, m] of d.multi) if (k >= k0 && k < k1) (b.multi ??= new Map()).set(at + k - k0, off || lines ? { ...m, tl: shiftLine(m.tl, off, lines) } : m);
      if (d.nonAscii) for (const [k, v] of d.nonAscii) if (k >= k0 && k < k1) (b.nonAscii ??= new Map()).set(at + k - k0, v);
      b.count = at + (k1 - k0);
      i += k1 - k0;
    }
  }
}

/** The same logical line `offDelta` characters and `lineDelta` lines further on. */
export function shiftLine(tl: TableLine, offDelta: number, lineDelta: number): TableLine {
  const pieces = tl.pieces?.map((v, k) => (k % 3 === 1 ? v + offDelta : k % 3 === 2 ? v + lineDelta : v));
  return { text: tl.text, line: tl.line + lineDelta, base: tl.base + offDelta, pieces };
}

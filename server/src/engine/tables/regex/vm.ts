// Our own backtracking matcher for the translated patterns (ast.ts), with
// JavaScript's matching rules (the translators make those equal PCRE2's and
// glibc's results). Unlike V8's RegExp it can be bounded:
//
// - every run counts its backtracking points ("frames", the unit PCRE2's
//   match limit counts) and its work, and stops at a budget;
// - a second mode remembers which (instruction, position) states failed and
//   how many frames their exploration cost, so a pattern like (a|a)*X is
//   decided in polynomial time *and* we still know how many frames a plain
//   backtracker such as PCRE2 would have spent (tables/regex/limits.ts).
//
// Capture groups inside a repetition are cleared at each iteration and an
// optional iteration may not match empty, as in JavaScript.

import { AstError, Node, widthOf, wordSet } from './ast';

const enum Op {
  Set,
  Split,
  Jmp,
  Save,
  Clear,
  Mark,
  Check,
  Assert,
  Backref,
  Look1,
  Look,
  Atomic,
  Match,
}

const enum AssertKind {
  Start,
  End,
  WordB,
  NWordB,
}

interface Inst {
  op: Op;
  a: number;
  b: number;
  set?: Uint8Array;
  /** Look/Look1: lookbehind; Look: the body's possible lengths. */
  behind?: boolean;
  neg?: boolean;
  lens?: number[];
  /** Look/Atomic: the body sets captures (its result cannot be memoized without them). */
  caps?: boolean;
}

export interface Program {
  code: Inst[];
  /** Capture slots (2 per group, group 0 included). */
  slots: number;
  regs: number;
  /** Back references make a state's future depend on captures: no memoization. */
  memoOk: boolean;
}

/** Upper bound on instructions (bounded repetitions are unrolled, as PCRE2 does). */
const MAX_CODE = 50_000;

const WORD = wordSet();

function captureRange(n: Node, acc: { lo: number; hi: number }): void {
  switch (n.t) {
    case 'cap':
      acc.lo = Math.min(acc.lo, n.n);
      acc.hi = Math.max(acc.hi, n.n);
      return captureRange(n.body, acc);
    case 'seq':
      return n.items.forEach((x) => captureRange(x, acc));
    case 'alt':
      return n.alts.forEach((x) => captureRange(x, acc));
    case 'group':
    case 'atomic':
    case 'look':
    case 'rep':
      return captureRange(n.body, acc);
    default:
      return;
  }
}

function altLengths(n: Node): number[] | undefined {
  const alts = n.t === 'alt' ? n.alts : [n];
  const out: number[] = [];
  for (const a of alts) {
    const [lo, hi] = widthOf(a);
    if (lo !== hi) return undefined;
    if (!out.includes(lo)) out.push(lo);
  }
  return out;
}

class Compiler {
  readonly code: Inst[] = [];
  regs = 0;
  maxCap = 0;

  emit(i: Inst): number {
    if (this.code.length >= MAX_CODE) throw new AstError('pattern too large to simulate');
    this.code.push(i);
    return this.code.length - 1;
  }

  node(n: Node): void {
    switch (n.t) {
      case 'set':
        this.emit({ op: Op.Set, a: 0, b: 0, set: n.bits });
        return;
      case 'seq':
        for (const it of n.items) this.node(it);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.alts.length; k++) {
          if (k < n.alts.length - 1) {
            const split = this.emit({ op: Op.Split, a: 0, b: 0 });
            this.code[split].a = this.code.length;
            this.node(n.alts[k]);
            jumps.push(this.emit({ op: Op.Jmp, a: 0, b: 0 }));
            this.code[split].b = this.code.length;
          } else this.node(n.alts[k]);
        }
        for (const j of jumps) this.code[j].a = this.code.length;
        return;
      }
      case 'cap':
        this.maxCap = Math.max(this.maxCap, n.n);
        this.emit({ op: Op.Save, a: 2 * n.n, b: 0 });
        this.node(n.body);
        this.emit({ op: Op.Save, a: 2 * n.n + 1, b: 0 });
        return;
      case 'group':
        this.node(n.body);
        return;
      case 'assert': {
        const kind = n.kind === 'start' ? AssertKind.Start : n.kind === 'end' ? AssertKind.End : n.kind === 'wordb' ? AssertKind.WordB : AssertKind.NWordB;
        this.emit({ op: Op.Assert, a: kind, b: 0 });
        return;
      }
      case 'backref':
        this.emit({ op: Op.Backref, a: n.n, b: 0 });
        return;
      case 'look': {
        if (n.body.t === 'set') {
          this.emit({ op: Op.Look1, a: 0, b: 0, set: n.body.bits, behind: n.behind, neg: n.neg });
          return;
        }
        const lens = n.behind ? altLengths(n.body) : undefined;
        if (n.behind && !lens) throw new AstError('lookbehind of varying length');
        this.sub(n.body, { op: Op.Look, a: 0, b: 0, behind: n.behind, neg: n.neg, lens });
        return;
      }
      case 'atomic':
        this.sub(n.body, { op: Op.Atomic, a: 0, b: 0 });
        return;
      case 'rep':
        this.rep(n);
        return;
    }
  }

  /** A body run on its own (lookaround, atomic group): the instruction, the body, Match, then on. */
  private sub(body: Node, inst: Inst): void {
    const r = { lo: Infinity, hi: -Infinity };
    captureRange(body, r);
    inst.caps = r.hi >= r.lo;
    const at = this.emit(inst);
    this.node(body);
    // A lookbehind body must end exactly where the lookbehind stands.
    this.emit({ op: Op.Match, a: inst.behind ? 2 : 1, b: 0 });
    this.code[at].b = this.code.length;
  }

  private rep(n: Extract<Node, { t: 'rep' }>): void {
    const r = { lo: Infinity, hi: -Infinity };
    captureRange(n.body, r);
    const clear = () => {
      if (r.hi >= r.lo) this.emit({ op: Op.Clear, a: 2 * r.lo, b: 2 * r.hi + 1 });
    };
    for (let k = 0; k < n.min; k++) {
      clear();
      this.node(n.body);
    }
    if (n.max === n.min) return;
    const nullable = widthOf(n.body)[0] === 0;
    const reg = nullable ? this.regs++ : -1;
    const iteration = () => {
      clear();
      if (reg >= 0) this.emit({ op: Op.Mark, a: reg, b: 0 });
      this.node(n.body);
      if (reg >= 0) this.emit({ op: Op.Check, a: reg, b: 0 });
    };
    if (n.max === Infinity) {
      const split = this.emit({ op: Op.Split, a: 0, b: 0 });
      iteration();
      this.emit({ op: Op.Jmp, a: split, b: 0 });
      this.setSplit(split, split + 1, this.code.length, n.greedy);
      return;
    }
    const splits: number[] = [];
    for (let k = n.min; k < n.max; k++) {
      splits.push(this.emit({ op: Op.Split, a: 0, b: 0 }));
      iteration();
    }
    for (const s of splits) this.setSplit(s, s + 1, this.code.length, n.greedy);
  }

  private setSplit(at: number, into: number, out: number, greedy: boolean): void {
    this.code[at].a = greedy ? into : out;
    this.code[at].b = greedy ? out : into;
  }
}

export function compileProgram(node: Node, hasBackref: boolean): Program {
  const c = new Compiler();
  c.emit({ op: Op.Save, a: 0, b: 0 });
  c.node(node);
  c.emit({ op: Op.Save, a: 1, b: 0 });
  c.emit({ op: Op.Match, a: 0, b: 0 });
  return { code: c.code, slots: 2 * (c.maxCap + 1), regs: c.regs, memoOk: !hasBackref };
}

/** Why a run stopped early. */
export class Abort {
  constructor(readonly reason: 'work' | 'frames') {}
}

export interface Budget {
  /** Instructions executed, all runs of this machine together. */
  work: number;
  /** Frames from one start position (checked as they grow). */
  frames: number;
}

const BRANCH = 0;
const UNDO_CAP = 1;
const UNDO_REG = 2;
const MARKER = 3;

/**
 * One subject, one program. `frames` counts the backtracking points of the
 * current start position; the caller resets it between start positions.
 */
export class Machine {
  readonly caps: Int32Array;
  private readonly regs: Int32Array;
  frames = 0;
  work = 0;
  private readonly failMemo?: Map<number | string, number>;
  private readonly lookMemo?: Map<number, { end: number; frames: number }>;
  private noMemoDepth = 0;
  private memoEnd = -1;

  constructor(
    private readonly prog: Program,
    private readonly s: string,
    private readonly budget: Budget,
    memo: boolean,
  ) {
    this.caps = new Int32Array(prog.slots).fill(-1);
    this.regs = new Int32Array(prog.regs).fill(-1);
    if (memo && prog.memoOk) {
      this.failMemo = new Map();
      this.lookMemo = new Map();
    }
  }

  get memoized(): boolean {
    return this.failMemo !== undefined;
  }

  /** Matches from `start`; the end position, or -1. Captures are left in `caps` on success. */
  exec(start: number, endReq = -1): number {
    this.caps.fill(-1);
    // What failed depends on the required end: forget it when that changes.
    if (endReq !== this.memoEnd) {
      this.failMemo?.clear();
      this.lookMemo?.clear();
      this.memoEnd = endReq;
    }
    return this.run(0, start, endReq);
  }

  private key(pc: number, pos: number): number | string {
    const base = pc * (this.s.length + 2) + pos;
    if (this.prog.regs === 0) return base;
    let k = `${base}`;
    for (let r = 0; r < this.regs.length; r++) k += `,${this.regs[r]}`;
    return k;
  }

  private isWord(pos: number): boolean {
    return pos >= 0 && pos < this.s.length && WORD[this.s.charCodeAt(pos)] === 1;
  }

  private run(entry: number, startPos: number, endReq: number): number {
    const code = this.prog.code;
    const s = this.s;
    const n = s.length;
    const caps = this.caps;
    const regs = this.regs;
    const kinds: number[] = [];
    const xs: number[] = [];
    const ys: number[] = [];
    const keys: (number | string)[] = [];
    const memo = this.noMemoDepth === 0 ? this.failMemo : undefined;
    let pc = entry;
    let pos = startPos;
    for (;;) {
      if (++this.work > this.budget.work) throw new Abort('work');
      const inst = code[pc];
      let ok = true;
      switch (inst.op) {
        case Op.Set:
          if (pos < n && inst.set![s.charCodeAt(pos)] === 1) {
            pos++;
            pc++;
          } else ok = false;
          break;
        case Op.Split: {
          if (memo) {
            const k = this.key(pc, pos);
            const known = memo.get(k);
            if (known !== undefined) {
              this.frames += known;
              if (this.frames > this.budget.frames) throw new Abort('frames');
              ok = false;
              break;
            }
            kinds.push(MARKER);
            xs.push(keys.length);
            ys.push(this.frames);
            keys.push(k);
          }
          if (++this.frames > this.budget.frames) throw new Abort('frames');
          kinds.push(BRANCH);
          xs.push(inst.b);
          ys.push(pos);
          pc = inst.a;
          break;
        }
        case Op.Jmp:
          pc = inst.a;
          break;
        case Op.Save:
          kinds.push(UNDO_CAP);
          xs.push(inst.a);
          ys.push(caps[inst.a]);
          caps[inst.a] = pos;
          pc++;
          break;
        case Op.Clear:
          for (let k = inst.a; k <= inst.b; k++) {
            if (caps[k] === -1) continue;
            kinds.push(UNDO_CAP);
            xs.push(k);
            ys.push(caps[k]);
            caps[k] = -1;
          }
          pc++;
          break;
        case Op.Mark:
          kinds.push(UNDO_REG);
          xs.push(inst.a);
          ys.push(regs[inst.a]);
          regs[inst.a] = pos;
          pc++;
          break;
        case Op.Check:
          if (regs[inst.a] === pos) ok = false;
          else {
            kinds.push(UNDO_REG);
            xs.push(inst.a);
            ys.push(regs[inst.a]);
            regs[inst.a] = -1;
            pc++;
          }
          break;
        case Op.Assert: {
          switch (inst.a) {
            case AssertKind.Start:
              ok = pos === 0;
              break;
            case AssertKind.End:
              ok = pos === n;
              break;
            default: {
              const b = this.isWord(pos - 1) !== this.isWord(pos);
              ok = inst.a === AssertKind.WordB ? b : !b;
            }
          }
          if (ok) pc++;
          break;
        }
        case Op.Backref: {
          const a = caps[2 * inst.a];
          const e = caps[2 * inst.a + 1];
          if (a < 0 || e < 0) pc++;
          else {
            const len = e - a;
            if (pos + len <= n && s.substr(pos, len) === s.substr(a, len)) {
              pos += len;
              pc++;
            } else ok = false;
          }
          break;
        }
        case Op.Look1: {
          const at = inst.behind ? pos - 1 : pos;
          const hit = at >= 0 && at < n && inst.set![s.charCodeAt(at)] === 1;
          ok = hit !== inst.neg;
          if (ok) pc++;
          break;
        }
        case Op.Look:
        case Op.Atomic: {
          const end = this.subRun(pc, inst, pos, kinds, xs, ys);
          if (inst.op === Op.Atomic) {
            if (end < 0) ok = false;
            else {
              pos = end;
              pc = inst.b;
            }
          } else {
            ok = (end >= 0) !== inst.neg!;
            if (ok) pc = inst.b;
          }
          break;
        }
        case Op.Match:
          // a: 0 the pattern's end (endReq: required end, -1 any), 1 a lookahead or atomic body, 2 a lookbehind body.
          if (inst.a === 1 || endReq < 0 || pos === endReq) return pos;
          ok = false;
          break;
      }
      if (ok) continue;
      // Backtrack.
      for (;;) {
        const top = kinds.length - 1;
        if (top < 0) return -1;
        const kind = kinds.pop()!;
        const x = xs.pop()!;
        const y = ys.pop()!;
        if (kind === BRANCH) {
          pc = x;
          pos = y;
          break;
        }
        if (kind === UNDO_CAP) caps[x] = y;
        else if (kind === UNDO_REG) regs[x] = y;
        else memo!.set(keys[x], this.frames - y);
      }
    }
  }

  /**
   * Runs a lookaround or atomic body at `pos`; returns where it ended (-1: no
   * match). Captures it set stay set, with undo entries on the caller's stack.
   */
  private subRun(pc: number, inst: Inst, pos: number, kinds: number[], xs: number[], ys: number[]): number {
    const memoKey = pc * (this.s.length + 2) + pos;
    const memoable = this.lookMemo && this.noMemoDepth === 0 && !inst.caps && !inst.behind;
    if (memoable) {
      const hit = this.lookMemo!.get(memoKey);
      if (hit) {
        this.frames += hit.frames;
        if (this.frames > this.budget.frames) throw new Abort('frames');
        if (hit.end >= 0) return hit.end;
        return -1;
      }
    }
    const before = this.caps.slice();
    const frames0 = this.frames;
    // PCRE2 records a frame on entering an assertion or atomic group.
    if (++this.frames > this.budget.frames) throw new Abort('frames');
    let end = -1;
    if (inst.behind) {
      // Fixed-length alternatives: try each length ending exactly here.
      this.noMemoDepth++;
      try {
        for (const len of inst.lens!) {
          if (pos - len < 0) continue;
          if (this.run(pc + 1, pos - len, pos) >= 0) {
            end = pos;
            break;
          }
        }
      } finally {
        this.noMemoDepth--;
      }
    } else end = this.run(pc + 1, pos, -1);
    if (memoable) this.lookMemo!.set(memoKey, { end, frames: this.frames - frames0 });
    if (end >= 0) {
      for (let k = 0; k < before.length; k++) {
        if (this.caps[k] === before[k]) continue;
        kinds.push(UNDO_CAP);
        xs.push(k);
        ys.push(before[k]);
      }
    }
    return end;
  }
}

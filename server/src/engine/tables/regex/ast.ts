// The JavaScript regex source that pcre.ts and posix.ts produce, read back
// into a tree for our own matcher (vm.ts). Only that subset is accepted: named
// groups g<n> (captures) and a<n> (the `(?:(?=(?<aN>X))\k<aN>)` idiom that
// emulates an atomic group, which becomes an `atomic` node again), lookarounds,
// byte classes, \k back references and greedy/lazy quantifiers. Anything else
// throws: the caller then treats the pattern as one we cannot simulate.

export type Node =
  | { t: 'set'; bits: Uint8Array }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  /** A capture; negative n: a helper group of the atomic idiom (removed by the parser). */
  | { t: 'cap'; n: number; body: Node }
  | { t: 'group'; body: Node }
  | { t: 'atomic'; body: Node }
  | { t: 'look'; behind: boolean; neg: boolean; body: Node }
  | { t: 'assert'; kind: 'start' | 'end' | 'wordb' | 'nwordb' }
  | { t: 'backref'; n: number }
  | { t: 'rep'; body: Node; min: number; max: number; greedy: boolean };

export class AstError extends Error {}

function setOf(...codes: number[]): Uint8Array {
  const b = new Uint8Array(256);
  for (const c of codes) b[c] = 1;
  return b;
}

function rangeSet(lo: number, hi: number, into: Uint8Array = new Uint8Array(256)): Uint8Array {
  for (let c = lo; c <= Math.min(hi, 255); c++) into[c] = 1;
  return into;
}

/** JavaScript's non-Unicode class escapes restricted to bytes. */
function classEscape(ch: string): Uint8Array | undefined {
  switch (ch) {
    case 'd':
      return rangeSet(48, 57);
    case 'D':
      return invert(rangeSet(48, 57));
    case 'w':
      return wordSet();
    case 'W':
      return invert(wordSet());
    case 's':
      return spaceSet();
    case 'S':
      return invert(spaceSet());
    default:
      return undefined;
  }
}

export function wordSet(): Uint8Array {
  const b = rangeSet(48, 57);
  rangeSet(65, 90, b);
  rangeSet(97, 122, b);
  b[95] = 1;
  return b;
}

function spaceSet(): Uint8Array {
  return setOf(9, 10, 11, 12, 13, 32, 0xa0);
}

function invert(b: Uint8Array): Uint8Array {
  const o = new Uint8Array(256);
  for (let c = 0; c < 256; c++) o[c] = b[c] ? 0 : 1;
  return o;
}

function isFull(b: Uint8Array): boolean {
  for (let c = 0; c < 256; c++) if (!b[c]) return false;
  return true;
}

class Parser {
  private i = 0;
  hasBackref = false;

  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.s.length) throw new AstError(`unexpected ")" at ${this.i}`);
    return n;
  }

  private alternation(): Node {
    const alts = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') items.push(this.quantified(this.atom()));
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.s[this.i];
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : Infinity;
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i, this.i + 30));
        if (!m) throw new AstError(`bare "{" at ${this.i}`);
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      } else return node;
      let greedy = true;
      if (this.s[this.i] === '?') {
        greedy = false;
        this.i++;
      }
      node = { t: 'rep', body: node, min, max, greedy };
    }
  }

  private atom(): Node {
    const c = this.s[this.i];
    if (c === '(') return this.group();
    if (c === '[') return { t: 'set', bits: this.charClass() };
    if (c === '\\') return this.escape();
    this.i++;
    if (c === '.') return { t: 'set', bits: invert(setOf(10, 13)) };
    if (c === '^') return { t: 'assert', kind: 'start' };
    if (c === '$') return { t: 'assert', kind: 'end' };
    if (c === '*' || c === '+' || c === '?' || c === '{' || c === '}' || c === ']') throw new AstError(`unexpected "${c}"`);
    return { t: 'set', bits: setOf(c.charCodeAt(0)) };
  }

  private group(): Node {
    const s = this.s;
    this.i++;
    let make: (body: Node) => Node;
    if (s.startsWith('?:', this.i)) {
      this.i += 2;
      make = (body) => ({ t: 'group', body });
    } else if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i)) {
      const neg = s[this.i + 1] === '!';
      this.i += 2;
      make = (body) => ({ t: 'look', behind: false, neg, body });
    } else if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) {
      const neg = s[this.i + 2] === '!';
      this.i += 3;
      make = (body) => ({ t: 'look', behind: true, neg, body });
    } else if (s.startsWith('?<', this.i)) {
      const m = /^\?<([ga])(\d+)>/.exec(s.slice(this.i, this.i + 16));
      if (!m) throw new AstError('unknown group name');
      this.i += m[0].length;
      const n = m[1] === 'g' ? Number(m[2]) : -Number(m[2]);
      make = (body) => ({ t: 'cap', n, body });
    } else make = (body) => ({ t: 'cap', n: 0, body });
    const body = this.alternation();
    if (s[this.i] !== ')') throw new AstError('missing ")"');
    this.i++;
    const node = make(body);
    if (node.t === 'cap' && node.n === 0) throw new AstError('unnamed capture');
    return simplify(node);
  }

  private escape(): Node {
    const s = this.s;
    const ch = s[this.i + 1];
    if (ch === undefined) throw new AstError('trailing backslash');
    this.i += 2;
    if (ch === 'b') return { t: 'assert', kind: 'wordb' };
    if (ch === 'B') return { t: 'assert', kind: 'nwordb' };
    if (ch === 'k') {
      const m = /^<([ga])(\d+)>/.exec(s.slice(this.i, this.i + 16));
      if (!m) throw new AstError('bad \\k');
      this.i += m[0].length;
      const n = m[1] === 'g' ? Number(m[2]) : -Number(m[2]);
      if (n > 0) this.hasBackref = true;
      return { t: 'backref', n };
    }
    const cls = classEscape(ch);
    if (cls) return { t: 'set', bits: cls };
    return { t: 'set', bits: setOf(this.charEscape(ch)) };
  }

  /** After `\` and ch (consumed): the byte it stands for. */
  private charEscape(ch: string): number {
    switch (ch) {
      case 'x': {
        const h = this.s.slice(this.i, this.i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new AstError('bad \\x');
        this.i += 2;
        return parseInt(h, 16);
      }
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        return 0;
      default:
        if (/[A-Za-z0-9]/.test(ch)) throw new AstError(`unexpected escape \\${ch}`);
        return ch.charCodeAt(0);
    }
  }

  private charClass(): Uint8Array {
    const s = this.s;
    this.i++;
    let neg = false;
    if (s[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const bits = new Uint8Array(256);
    let first = true;
    for (;;) {
      if (this.i >= s.length) throw new AstError('unterminated class');
      if (s[this.i] === ']' && !first) break;
      if (s[this.i] === ']') throw new AstError('empty class');
      first = false;
      const lo = this.classAtom();
      if (typeof lo !== 'number') {
        for (let c = 0; c < 256; c++) if (lo[c]) bits[c] = 1;
        continue;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number' || hi < lo) throw new AstError('bad range');
        rangeSet(lo, hi, bits);
      } else if (lo <= 255) bits[lo] = 1;
    }
    this.i++;
    return neg ? invert(bits) : bits;
  }

  private classAtom(): number | Uint8Array {
    const c = this.s[this.i];
    if (c !== '\\') {
      this.i++;
      return c.charCodeAt(0);
    }
    const ch = this.s[this.i + 1];
    this.i += 2;
    if (ch === 'b') return 8;
    return classEscape(ch) ?? this.charEscape(ch);
  }
}

/** Recognises the forms the translators use for anchors and atomic groups. */
function simplify(node: Node): Node {
  if (node.t === 'look' && node.body.t === 'set' && isFull(node.body.bits) && node.neg)
    return { t: 'assert', kind: node.behind ? 'start' : 'end' };
  if (node.t === 'group' && node.body.t === 'seq' && node.body.items.length === 2) {
    const [look, ref] = node.body.items;
    if (look.t === 'look' && !look.behind && !look.neg && look.body.t === 'cap' && look.body.n < 0 && ref.t === 'backref' && ref.n === look.body.n)
      return { t: 'atomic', body: look.body.body };
  }
  return node;
}

function checkNoHelpers(n: Node): void {
  switch (n.t) {
    case 'cap':
      if (n.n < 0) throw new AstError('stray helper group');
      return checkNoHelpers(n.body);
    case 'backref':
      if (n.n < 0) throw new AstError('stray helper reference');
      return;
    case 'seq':
      return n.items.forEach(checkNoHelpers);
    case 'alt':
      return n.alts.forEach(checkNoHelpers);
    case 'group':
    case 'atomic':
    case 'look':
    case 'rep':
      return checkNoHelpers(n.body);
    default:
      return;
  }
}

/** Parses translator output; throws AstError on anything outside the subset. */
export function parseJsRegex(source: string): { node: Node; hasBackref: boolean } {
  const p = new Parser(source);
  const node = p.parse();
  checkNoHelpers(node);
  return { node, hasBackref: p.hasBackref };
}

/** Smallest and largest number of bytes a node can match (Infinity: unbounded). */
export function widthOf(n: Node): [number, number] {
  switch (n.t) {
    case 'set':
      return [1, 1];
    case 'seq': {
      let lo = 0;
      let hi = 0;
      for (const it of n.items) {
        const [a, b] = widthOf(it);
        lo += a;
        hi += b;
      }
      return [lo, hi];
    }
    case 'alt': {
      let lo = Infinity;
      let hi = 0;
      for (const a of n.alts) {
        const [x, y] = widthOf(a);
        lo = Math.min(lo, x);
        hi = Math.max(hi, y);
      }
      return [lo, hi];
    }
    case 'cap':
    case 'group':
    case 'atomic':
      return widthOf(n.body);
    case 'rep': {
      const [a, b] = widthOf(n.body);
      return [a * n.min, n.max === 0 ? 0 : b === 0 ? 0 : b * n.max];
    }
    case 'backref':
      return [0, Infinity];
    default:
      return [0, 0];
  }
}

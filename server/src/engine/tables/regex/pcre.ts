// PCRE2 (10.42, as Debian 12's Postfix 3.7 uses it: 8-bit, no UTF mode, C
// locale tables) → JavaScript RegExp source that matches the same byte
// strings, plus PCRE2's own message and offset for the syntax errors we can
// recognise. Constructs JavaScript cannot reproduce exactly (recursion,
// conditionals, \K, Unicode properties, caseless back references, …) make the
// translation `unsupported`: the rule is then checked for syntax only and
// lookups through it are reported as undecidable instead of guessed.
//
// Every capture becomes a named JS group `g<n>` so that the extra groups used
// to emulate atomic groups and possessive quantifiers do not shift numbers.

import { ByteSet, DIGIT, HSPACE, POSIX_CLASSES, SPACE, VSPACE, WORD, hex, literalSource } from './charset';

export interface PcreOptions {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  anchored: boolean;
  dollarEndOnly: boolean;
  ungreedy: boolean;
}

/** Postfix's defaults for a pcre: pattern: caseless and dotall, the rest off. */
export function defaultPcreOptions(): PcreOptions {
  return { caseless: true, multiline: false, dotall: true, extended: false, anchored: false, dollarEndOnly: false, ungreedy: false };
}

export type RegexTranslation =
  | {
      kind: 'ok';
      source: string;
      captureCount: number;
      /**
       * Groups whose captured text JavaScript may report differently: groups
       * inside a repeated group (JS clears them on each iteration, the C
       * engines keep older values) or repeated groups that can match empty.
       */
      inexactGroups?: number[];
    }
  | { kind: 'error'; offset?: number; message: string }
  | {
      kind: 'unsupported';
      reason: string;
      captureCount: number;
      /** False when we could not even tell whether the engine accepts the pattern. */
      syntaxChecked?: boolean;
    };

const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';

class PcreError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}
class Unsupported {
  constructor(readonly reason: string) {}
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  U: boolean;
}

const MSG = {
  missingParen: 'missing closing parenthesis',
  unmatchedParen: 'unmatched closing parenthesis',
  notRepeatable: 'quantifier does not follow a repeatable item',
  missingBracket: 'missing terminating ] for character class',
  rangeOrder: 'range out of order in character class',
  invalidRange: 'invalid range in character class',
  numbersOrder: 'numbers out of order in {} quantifier',
  numberTooBig: 'number too big in {} quantifier',
  badPosix: 'unknown POSIX class name',
  posixCollating: 'POSIX collating elements are not supported',
  backslashEnd: '\\ at end of pattern',
  cEnd: '\\c at end of pattern',
  unknownEscape: 'unrecognized character follows \\',
  badOption: 'unrecognized character after (? or (?-',
  commentEnd: 'missing ) after (?# comment',
  noSubpattern: 'reference to non-existent subpattern',
  dupName: 'two named subpatterns have the same name (PCRE2_DUPNAMES not set)',
  codeTooLarge: 'character code point value in \\x{} or \\o{} is too large',
  lookbehind: 'lookbehind assertion is not fixed length',
  unsupportedEscape: 'PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u',
  nUnicode: '\\N{U+dddd} is supported only in Unicode (UTF) mode',
};

const ALPHA_ASSERTIONS = new Set([
  'pla', 'plb', 'nla', 'nlb', 'napla', 'naplb', 'atomic', 'sr', 'asr',
  'positive_lookahead', 'positive_lookbehind', 'negative_lookahead', 'negative_lookbehind',
  'non_atomic_positive_lookahead', 'non_atomic_positive_lookbehind', 'script_run', 'atomic_script_run',
]);
const VERBS = new Set(['ACCEPT', 'FAIL', 'F', 'COMMIT', 'PRUNE', 'SKIP', 'THEN', 'MARK']);
const START_OPTIONS = new Set([
  'UTF', 'UTF8', 'UCP', 'NOTEMPTY', 'NOTEMPTY_ATSTART', 'NO_AUTO_POSSESS', 'NO_DOTSTAR_ANCHOR', 'NO_JIT', 'NO_START_OPT',
  'CR', 'LF', 'CRLF', 'ANYCRLF', 'ANY', 'NUL', 'BSR_ANYCRLF', 'BSR_UNICODE',
]);

/** Counts capturing groups, for PCRE2's backreference-or-octal decision. */
function countCaptures(p: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (p[i + 1] === 'Q') {
        const e = p.indexOf('\\E', i + 2);
        i = e < 0 ? p.length : e + 1;
      } else i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++;
      continue;
    }
    if (c !== '(') continue;
    if (p[i + 1] !== '?') {
      if (p[i + 1] !== '*') n++;
    } else if ((p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') || p[i + 2] === "'" || (p[i + 2] === 'P' && p[i + 3] === '<')) n++;
  }
  return n;
}

type Atom = { src: string; repeatable: boolean; lookbehind?: boolean; nullable?: boolean; capture?: number; loopsBefore?: number };

class PcreTranslator {
  private i = 0;
  private readonly inexact = new Set<number>();
  /** Repetitions of items that can match empty; inside atomic groups or possessive quantifiers PCRE2 and JS then differ. */
  private nullableLoops = 0;
  /** Whether the last alternation/group body parsed can match the empty string. */
  private lastNullable = false;
  private captures = 0;
  private jsExtra = 0;
  private readonly names = new Map<string, number>();
  private readonly pendingRefs: { n: number; offset: number }[] = [];
  private readonly pendingNames: { name: string; offset: number }[] = [];
  private readonly total: number;
  private unsupported: string | undefined;
  /** End of the leading (*OPTION) items; start options are only valid there. */
  private optionPrefixEnd = 0;

  constructor(
    private readonly p: string,
    private readonly opts: PcreOptions,
  ) {
    this.total = countCaptures(p);
  }

  run(): RegexTranslation {
    try {
      const flags: Flags = { i: this.opts.caseless, m: this.opts.multiline, s: this.opts.dotall, x: this.opts.extended, U: this.opts.ungreedy };
      let src = this.alternation(flags, 0);
      if (this.i < this.p.length) throw new PcreError(this.i, MSG.unmatchedParen);
      for (const r of this.pendingRefs) if (r.n > this.captures) throw new PcreError(r.offset, MSG.noSubpattern);
      for (const r of this.pendingNames) if (!this.names.has(r.name)) throw new PcreError(r.offset, MSG.noSubpattern);
      if (this.opts.anchored) src = `${START}(?:${src})`;
      // A repetition of something that can match empty ends differently in
      // PCRE2 and JS, which shifts every capture.
      if (this.nullableLoops > 0) for (let g = 1; g <= this.captures; g++) this.inexact.add(g);
      if (this.unsupported) return { kind: 'unsupported', reason: this.unsupported, captureCount: this.captures };
      try {
        new RegExp(src);
      } catch (e) {
        return { kind: 'unsupported', reason: `no JavaScript equivalent (${(e as Error).message})`, captureCount: this.captures };
      }
      return { kind: 'ok', source: src, captureCount: this.captures, inexactGroups: [...this.inexact].sort((a, b) => a - b) };
    } catch (e) {
      if (e instanceof PcreError) return { kind: 'error', offset: e.offset, message: e.message };
      if (e instanceof Unsupported) return { kind: 'unsupported', reason: e.reason, captureCount: this.captures, syntaxChecked: false };
      throw e;
    }
  }

  private unsup(reason: string): void {
    this.unsupported ??= reason;
  }

  private peek(k = 0): number {
    return this.i + k < this.p.length ? this.p.charCodeAt(this.i + k) : -1;
  }

  private skipExtended(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === 32 || (c >= 9 && c <= 13)) this.i++;
      else if (c === 35 /* # */) {
        while (this.i < this.p.length && this.p.charCodeAt(this.i) !== 10) this.i++;
      } else return;
    }
  }

  /** Skips what stands between an item and its quantifier without being an item: \E, \Q\E, (?#...), and with x whitespace and # comments. */
  private skipTransparent(flags: Flags): void {
    for (;;) {
      this.skipExtended(flags);
      if (this.p.startsWith('\\E', this.i)) this.i += 2;
      else if (this.p.startsWith('\\Q\\E', this.i)) this.i += 4;
      else if (this.p.startsWith('(?#', this.i)) {
        const close = this.p.indexOf(')', this.i);
        if (close < 0) throw new PcreError(this.p.length, MSG.commentEnd);
        this.i = close + 1;
      } else return;
    }
  }

  /** Alternatives up to ')' or the end; flag changes persist across '|' in the same group. */
  private alternation(flags: Flags, depth: number): string {
    const alts: string[] = [this.sequence(flags, depth)];
    let nullable = this.lastNullable;
    while (this.peek() === 124 /* | */) {
      this.i++;
      alts.push(this.sequence(flags, depth));
      nullable ||= this.lastNullable;
    }
    this.lastNullable = nullable;
    return alts.join('|');
  }

  private sequence(flags: Flags, depth: number): string {
    let out = '';
    let nullable = true;
    for (;;) {
      this.skipExtended(flags);
      const c = this.peek();
      if (c < 0 || c === 124 || (c === 41 && depth > 0)) {
        this.lastNullable = nullable;
        return out;
      }
      if (c === 41 /* ) */) throw new PcreError(this.i, MSG.unmatchedParen);
      const g0 = this.captures;
      const loopsBefore = this.nullableLoops;
      const atom = this.atom(flags, depth);
      if (atom === null) continue; // option setting, comment, \E, …
      atom.loopsBefore = loopsBefore;
      const q = this.quantified(atom, flags, g0);
      out += q.src;
      nullable &&= q.nullable;
    }
  }

  /** A quantifier following `atom` (whose repeatability is in atom.repeatable); g0: captures before it. */
  private quantified(atom: Atom, flags: Flags, g0: number): { src: string; nullable: boolean } {
    const nullable = atom.nullable ?? !atom.repeatable;
    this.skipTransparent(flags);
    const q = this.readQuantifier();
    if (!q) return { src: atom.src, nullable };
    if (!atom.repeatable) throw new PcreError(q.end - 1, MSG.notRepeatable);
    if (atom.lookbehind) this.unsup('a quantified lookbehind');
    // JS clears a repeated group's captures on each iteration (PCRE2 keeps
    // older ones), and rejects an iteration that matches empty once the
    // minimum is reached (PCRE2 accepts it and stops).
    if (q.max > 1) for (let g = g0 + 1; g <= this.captures; g++) if (!(g === atom.capture && !nullable)) this.inexact.add(g);
    // Repetitions that backtrack exponentially are simulated with a bounded
    // matcher that also models PCRE2's match limit (regex/exec.ts).
    if (nullable && q.max > q.min) {
      for (let g = g0 + 1; g <= this.captures; g++) this.inexact.add(g);
      this.nullableLoops++;
    }
    let lazy = flags.U;
    let possessive = false;
    if (this.peek() === 63 /* ? */) {
      lazy = !lazy;
      this.i++;
    } else if (this.peek() === 43 /* + */) {
      possessive = true;
      this.i++;
    }
    const base = `${atom.src}${q.text}${lazy && !possessive ? '?' : ''}`;
    let src = base;
    if (possessive) {
      if (this.nullableLoops > atom.loopsBefore!) this.unsup('a possessive repetition of something that can match empty');
      const name = `a${++this.jsExtra}`;
      src = `(?:(?=(?<${name}>${base}))\\k<${name}>)`;
    }
    // A quantifier may not follow another one (PCRE2 error), except the lazy/possessive marks read above.
    this.skipTransparent(flags);
    const next = this.peekQuantifier();
    if (next) throw new PcreError(next.end - 1, MSG.notRepeatable);
    return { src, nullable: nullable || q.min === 0 };
  }

  private peekQuantifier(): { end: number } | undefined {
    const save = this.i;
    try {
      const q = this.readQuantifier();
      return q ? { end: q.end } : undefined;
    } finally {
      this.i = save;
    }
  }

  /** Reads *, +, ?, {n}, {n,}, {n,m} (PCRE2 10.42 syntax); returns JS text and the end offset. */
  private readQuantifier(): { text: string; end: number; min: number; max: number } | undefined {
    const c = this.peek();
    if (c === 42 || c === 43 || c === 63) {
      this.i++;
      return { text: String.fromCharCode(c), end: this.i, min: c === 43 ? 1 : 0, max: c === 63 ? 1 : Infinity };
    }
    if (c !== 123 /* { */) return undefined;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i, this.i + 40));
    if (!m) return undefined;
    const start = this.i;
    const closeAt = start + m[0].length - 1;
    const min = Number(m[1]);
    const max = m[3] === undefined || m[3] === '' ? undefined : Number(m[3]);
    if (min > 65535) throw new PcreError(start + 1 + m[1].length, MSG.numberTooBig);
    if (max !== undefined && max > 65535) throw new PcreError(closeAt, MSG.numberTooBig);
    if (max !== undefined && max < min) throw new PcreError(closeAt, MSG.numbersOrder);
    this.i = closeAt + 1;
    return { text: m[2] === undefined ? `{${min}}` : `{${min},${max ?? ''}}`, end: this.i, min, max: m[2] === undefined ? min : (max ?? Infinity) };
  }

  private atom(flags: Flags, depth: number): Atom | null {
    const c = this.peek();
    const at = this.i;
    switch (c) {
      case 40 /* ( */:
        return this.group(flags, depth);
      case 91 /* [ */: {
        // A POSIX [:name:] or [.x.] outside a class is an error in PCRE2.
        const k = this.peek(1);
        if ((k === 58 || k === 46 || k === 61) && this.posixItemEnd(this.i) >= 0)
          throw new PcreError(this.i, k === 58 ? 'POSIX named classes are supported only within a class' : MSG.posixCollating);
        return { src: this.charClass(flags).toSource(), repeatable: true };
      }
      case 92 /* \ */:
        return this.escape(flags);
      case 94 /* ^ */:
        this.i++;
        return { src: flags.m ? `(?:${START}|(?<=\\n)(?=[\\s\\S]))` : START, repeatable: false };
      case 36 /* $ */:
        this.i++;
        return { src: flags.m ? `(?=\\n|${END})` : this.opts.dollarEndOnly ? END : `(?=\\n?${END})`, repeatable: false };
      case 46 /* . */:
        this.i++;
        return { src: flags.s ? '[\\s\\S]' : '[^\\n]', repeatable: true };
      case 42:
      case 43:
      case 63:
        throw new PcreError(at, MSG.notRepeatable);
      case 123 /* { */: {
        const q = this.peekQuantifier();
        if (q) throw new PcreError(q.end - 1, MSG.notRepeatable);
        this.i++;
        return { src: hex(123), repeatable: true };
      }
      default:
        this.i++;
        return { src: this.literal(c, flags), repeatable: true };
    }
  }

  private literal(c: number, flags: Flags): string {
    if (flags.i && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return ByteSet.of(c).caseClose().toSource();
    return literalSource(c);
  }

  private group(flags: Flags, depth: number): Atom | null {
    const open = this.i;
    this.i++;
    if (this.peek() === 42 /* ( * */) return this.verb(open);
    if (this.peek() !== 63 /* ? */) {
      const n = ++this.captures;
      const body = this.groupBody({ ...flags }, depth);
      return { src: `(?<g${n}>${body})`, repeatable: true, nullable: this.lastNullable, capture: n };
    }
    this.i++;
    const k = this.peek();
    const ch = k < 0 ? '' : String.fromCharCode(k);
    if (k < 0) throw new PcreError(this.p.length, MSG.missingParen);
    if (ch === ':') {
      this.i++;
      const body = this.groupBody({ ...flags }, depth);
      return { src: `(?:${body})`, repeatable: true, nullable: this.lastNullable };
    }
    if (ch === '*' || (ch === '<' && this.peek(1) === 42)) {
      // (?* and (?<*: non-atomic lookaround.
      this.i += ch === '*' ? 1 : 2;
      this.groupBody({ ...flags }, depth);
      this.unsup('a non-atomic lookaround (?*...)');
      return { src: '', repeatable: true, nullable: true };
    }
    if (ch === '=' || ch === '!') {
      // PCRE2 10.42 takes the first character of a leading lookahead as the
      // match's first character and then mis-handles the required character
      // (/(?=a)b?a/ does not match "a"); such patterns are not simulated.
      if (ch === '=' && this.atPatternStart(open)) this.unsup('a lookahead at the start of the pattern (PCRE2 10.42 optimises it wrongly)');
      this.i++;
      return { src: `(?${ch}${this.groupBody({ ...flags }, depth)})`, repeatable: true, nullable: true };
    }
    if (ch === '<' && (this.peek(1) === 61 || this.peek(1) === 33)) {
      const kind = String.fromCharCode(this.peek(1));
      this.i += 2;
      const bodyStart = this.i;
      const body = this.groupBody({ ...flags }, depth);
      if (!fixedLengthAlternatives(this.p.slice(bodyStart, this.i - 1))) throw new PcreError(open, MSG.lookbehind);
      return { src: `(?<${kind}${body})`, repeatable: true, lookbehind: true, nullable: true };
    }
    if (ch === '>') {
      this.i++;
      const name = `a${++this.jsExtra}`;
      const loops = this.nullableLoops;
      const body = this.groupBody({ ...flags }, depth);
      if (this.nullableLoops > loops) this.unsup('an atomic group around a repetition of something that can match empty');
      return { src: `(?:(?=(?<${name}>${body}))\\k<${name}>)`, repeatable: true, nullable: this.lastNullable };
    }
    if (ch === '#') {
      const close = this.p.indexOf(')', this.i);
      if (close < 0) throw new PcreError(this.p.length, MSG.commentEnd);
      this.i = close + 1;
      return null;
    }
    if (ch === 'P' && this.peek(1) < 0) throw new PcreError(this.p.length, MSG.missingParen);
    if (ch === 'P' && this.peek(1) !== 60 && this.peek(1) !== 61 && this.peek(1) !== 62) throw new PcreError(this.i + 1, 'unrecognized character after (?P');
    if (ch === '<' || ch === "'" || (ch === 'P' && this.peek(1) === 60)) {
      if (ch === 'P') this.i++;
      const term = this.peek() === 60 ? '>' : "'";
      this.i++;
      const name = this.readName(term);
      if (this.names.has(name)) throw new PcreError(this.i, MSG.dupName);
      const n = ++this.captures;
      this.names.set(name, n);
      const body = this.groupBody({ ...flags }, depth);
      return { src: `(?<g${n}>${body})`, repeatable: true, nullable: this.lastNullable, capture: n };
    }
    if (ch === 'P' && this.peek(1) === 61 /* = */) {
      this.i += 2;
      const nameAt = this.i;
      const name = this.readName(')');
      return { src: this.namedBackref(name, nameAt, flags), repeatable: true, nullable: true };
    }
    if (ch === '|') this.unsup('a branch-reset group (?|...)');
    // Conditional groups have a grammar of their own that we do not check.
    else if (ch === '(') throw new Unsupported('a conditional group (?(...)...)');
    else if (ch === 'R' || ch === '+' || (k >= 48 && k <= 57) || (ch === '-' && this.peek(1) >= 48 && this.peek(1) <= 57)) {
      // (?R), (?n), (?+n), (?-n): the number must be followed by ')'.
      if (ch === '+' && !(this.peek(1) >= 48 && this.peek(1) <= 57)) throw new PcreError(this.i, 'digit expected after (?+ or (?-');
      this.i++;
      if (ch !== 'R') while (this.peek() >= 48 && this.peek() <= 57) this.i++;
      if (this.peek() !== 41) throw new PcreError(this.i, ch === 'R' ? '(?R (recursive pattern call) must be followed by a closing parenthesis' : MSG.missingParen);
      this.unsup('recursion or a subroutine call');
      this.i++;
      return { src: '', repeatable: true, nullable: true };
    } else if (ch === '&' || (ch === 'P' && this.peek(1) === 62)) {
      this.i += ch === '&' ? 1 : 2;
      this.readName(')');
      this.unsup('recursion or a subroutine call');
      return { src: '', repeatable: true, nullable: true };
    }
    else if (ch === 'C') this.unsup('a callout');
    if (this.unsupported && (ch === '|' || ch === '(' || ch === 'R' || ch === '&' || ch === '+' || ch === 'C' || ch === 'P' || (k >= 48 && k <= 57))) {
      // Skip to the balancing parenthesis so the rest can still be checked.
      let level = 1;
      while (this.i < this.p.length && level > 0) {
        const x = this.p.charCodeAt(this.i++);
        if (x === 92) this.i++;
        else if (x === 40) level++;
        else if (x === 41) level--;
      }
      if (level > 0) throw new PcreError(this.p.length, MSG.missingParen);
      return { src: '', repeatable: true, nullable: true };
    }
    // Option settings: (?imnsxJU-imnsx) or (?imsx:...).
    const nf = { ...flags };
    let on = true;
    for (;;) {
      const o = this.peek();
      if (o < 0) throw new PcreError(this.p.length, MSG.missingParen);
      const oc = String.fromCharCode(o);
      if (oc === ')' || oc === ':') break;
      if (oc === '-' && on) on = false;
      else if (oc === '^' && on && this.i === open + 2) {
        nf.i = nf.m = nf.s = nf.x = false;
      } else if (oc === 'i') nf.i = on;
      else if (oc === 'm') nf.m = on;
      else if (oc === 's') nf.s = on;
      else if (oc === 'x') {
        if (this.peek(1) === 120) this.unsup('the xx option');
        nf.x = on;
      } else if (oc === 'U') nf.U = on;
      else if (oc === 'J') {
        /* duplicate names allowed: irrelevant to matching */
      } else if (oc === 'n') this.unsup('the n (no auto capture) option');
      else throw new PcreError(this.i, MSG.badOption);
      this.i++;
    }
    if (this.peek() === 41) {
      this.i++;
      Object.assign(flags, nf); // applies to the rest of the enclosing group
      return null;
    }
    this.i++;
    const body = this.groupBody(nf, depth);
    return { src: `(?:${body})`, repeatable: true, nullable: this.lastNullable };
  }

  /** (*VERB), (*OPTION) and (*alpha_assertion:...) items: recognised for syntax, not simulated. */
  private verb(open: number): Atom {
    const j = open + 2;
    if (j >= this.p.length || this.p[j] === ')') throw new PcreError(open + 1, MSG.notRepeatable);
    const m = /^[A-Za-z0-9_]+/.exec(this.p.slice(j));
    const c = this.p[j];
    const argument = (at: number) => {
      // (*VERB:NAME): the argument runs to the next ')' and may not be empty for MARK.
      const close = this.p.indexOf(')', at);
      if (close < 0) throw new PcreError(this.p.length, '(*VERB) not recognized or malformed');
      this.i = close + 1;
      return close;
    };
    if (!m) {
      if (c !== ':') throw new PcreError(j, '(*VERB) not recognized or malformed');
      const close = argument(j + 1);
      if (close === j + 1) throw new PcreError(close, '(*MARK) must have an argument');
      this.unsup('a (*MARK) item');
      return { src: '', repeatable: false, nullable: true };
    } else {
      const name = m[0];
      const end = j + name.length;
      const next = this.p[end];
      if (/^[a-z]/.test(name)) {
        if (!ALPHA_ASSERTIONS.has(name) || next !== ':') throw new PcreError(end, '(*alpha_assertion) not recognized');
        this.unsup(`(*${name}:...)`);
      } else {
        const verb = VERBS.has(name) && (next === ')' || next === ':');
        if (verb && name === 'MARK' && next === ')') throw new PcreError(end, '(*MARK) must have an argument');
        if (verb && next === ':') {
          const close = argument(end + 1);
          if (close === end + 1 && name === 'MARK') throw new PcreError(close, '(*MARK) must have an argument');
          this.unsup(`(*${name})`);
          return { src: '', repeatable: false, nullable: true };
        }
        const option = open === this.optionPrefixEnd && (START_OPTIONS.has(name) ? next === ')' : /^LIMIT_(HEAP|MATCH|DEPTH|RECURSION)$/.test(name) && next === '=');
        if (!verb && !option) throw new PcreError(end, '(*VERB) not recognized or malformed');
        if (option && name !== 'UTF' && name !== 'UTF8' && name !== 'UCP') {
          // Start-of-pattern settings that change no match here.
          const close = this.p.indexOf(')', end);
          if (close < 0) throw new PcreError(this.p.length, MSG.missingParen);
          this.i = close + 1;
          this.optionPrefixEnd = this.i;
          return { src: '', repeatable: false, nullable: true };
        }
        this.unsup(`(*${name})`);
        if (option) this.optionPrefixEnd = this.p.indexOf(')', end) + 1;
      }
    }
    // Skip to the balancing parenthesis.
    let level = 1;
    this.i = j;
    while (this.i < this.p.length && level > 0) {
      const x = this.p.charCodeAt(this.i++);
      if (x === 92) this.i++;
      else if (x === 40) level++;
      else if (x === 41) level--;
    }
    if (level > 0) throw new PcreError(this.p.length, MSG.missingParen);
    return { src: '', repeatable: false, nullable: true };
  }

  /** Nothing but '^', group openings and option settings before `at`. */
  private atPatternStart(at: number): boolean {
    return /^(?:\^|\((?:\?:|\?<\w+>|\?'\w+'|\?P<\w+>)?|\(\?[imsxnJU-]*\))*$/.test(this.p.slice(0, at));
  }

  private groupBody(flags: Flags, depth: number): string {
    const body = this.alternation(flags, depth + 1);
    if (this.peek() !== 41) throw new PcreError(this.p.length, MSG.missingParen);
    this.i++;
    return body;
  }

  private readName(term: string): string {
    const start = this.i;
    if (start >= this.p.length) throw new PcreError(start, 'subpattern name expected');
    if (/\d/.test(this.p[start])) throw new PcreError(start, 'subpattern name must start with a non-digit');
    while (this.i < this.p.length && /\w/.test(this.p[this.i])) this.i++;
    const name = this.p.slice(start, this.i);
    if (name === '') throw new PcreError(start, 'subpattern name expected');
    if (this.p[this.i] !== term) throw new PcreError(this.i, 'syntax error in subpattern name (missing terminator?)');
    this.i++;
    return name;
  }

  private numberedBackref(n: number, offset: number, flags: Flags): string {
    if (flags.i) this.unsup('a back reference in caseless mode');
    this.pendingRefs.push({ n, offset });
    if (n > this.captures) this.unsup('a forward back reference');
    return `(?:\\k<g${n}>)`;
  }

  private namedBackref(name: string, offset: number, flags: Flags): string {
    if (flags.i) this.unsup('a back reference in caseless mode');
    const n = this.names.get(name);
    if (n === undefined) {
      this.pendingNames.push({ name, offset });
      this.unsup('a forward back reference');
      return '';
    }
    return `(?:\\k<g${n}>)`;
  }

  /** Outside a class. */
  private escape(flags: Flags): Atom | null {
    const start = this.i;
    this.i++;
    const c = this.peek();
    if (c < 0) throw new PcreError(this.p.length, MSG.backslashEnd);
    const ch = String.fromCharCode(c);
    this.i++;
    const cls = classEscape(ch);
    if (cls) return { src: (flags.i ? cls.caseClose() : cls).toSource(), repeatable: true };
    switch (ch) {
      case 'b':
        return { src: '\\b', repeatable: false };
      case 'B':
        return { src: '\\B', repeatable: false };
      case 'A':
      case 'G':
        return { src: START, repeatable: false };
      case 'z':
        return { src: END, repeatable: false };
      case 'Z':
        return { src: `(?=\\n?${END})`, repeatable: false };
      case 'R':
        return { src: '(?:\\r\\n|[\\n\\x0b\\x0c\\r\\x85])', repeatable: true };
      case 'N':
        // \N{n,m} is a quantified \N; other braces name a character, which 8-bit PCRE2 refuses.
        if (this.peek() === 123 && !this.peekQuantifier())
          throw new PcreError(this.i, this.p.startsWith('U+', this.i + 1) ? MSG.nUnicode : MSG.unsupportedEscape);
        return { src: '[^\\n]', repeatable: true };
      case 'Q': {
        const e = this.p.indexOf('\\E', this.i);
        const lit = this.p.slice(this.i, e < 0 ? this.p.length : e);
        this.i = e < 0 ? this.p.length : e + 2;
        if (lit === '') return null;
        // Each character is its own atom: a following quantifier binds to the last one.
        const parts = [...lit].map((x) => this.literal(x.charCodeAt(0), flags));
        const last = parts.pop()!;
        return { src: parts.join('') + last, repeatable: true };
      }
      case 'E':
        return null;
      case 'K':
        this.unsup('\\K');
        return { src: '', repeatable: false };
      case 'X':
      case 'p':
      case 'P':
      case 'C':
        if (ch === 'p' || ch === 'P') this.checkProperty();
        this.unsup(`\\${ch}`);
        if ((ch === 'p' || ch === 'P') && this.peek() === 123) {
          const close = this.p.indexOf('}', this.i);
          this.i = close < 0 ? this.p.length : close + 1;
        } else if (ch === 'p' || ch === 'P') this.i++;
        return { src: '[\\s\\S]', repeatable: true };
      case 'g':
      case 'k':
        return { src: this.referenceEscape(ch, start, flags), repeatable: true, nullable: true };
      case 'u':
      case 'U':
      case 'l':
      case 'L':
        throw new PcreError(this.i, MSG.unsupportedEscape);
      default:
        break;
    }
    if (c >= 49 && c <= 57) {
      // \1-\9…: a back reference unless it reads as octal (PCRE2's rule).
      let j = this.i;
      while (j < this.p.length && this.p.charCodeAt(j) >= 48 && this.p.charCodeAt(j) <= 57) j++;
      const num = Number(this.p.slice(this.i - 1, j));
      if (num < 10 || c === 56 || c === 57 || num <= this.total) {
        this.i = j;
        return { src: this.numberedBackref(num, j - 1, flags), repeatable: true, nullable: true };
      }
    }
    const code = this.charEscape(ch, start, false);
    return { src: this.literal(code, flags), repeatable: true };
  }

  private referenceEscape(ch: string, start: number, flags: Flags): string {
    const rest = this.p.slice(this.i);
    let m: RegExpExecArray | null;
    if (ch === 'g') {
      if ((m = /^\{([-+]?)(\d+)\}/.exec(rest)) || (m = /^([-+]?)(\d+)/.exec(rest))) {
        // Offsets as PCRE2 reports them: errors found at once point after the
        // reference (a braced relative one: at its '{'); references checked
        // at the end of the pattern point at its last character.
        const braced = rest[0] === '{';
        const brace = this.i;
        this.i += m[0].length;
        const num = Number(m[2]);
        const sign = m[1];
        if (sign && num === 0) throw new PcreError(braced ? brace : this.i, 'a relative value of zero is not allowed');
        if (!sign && num === 0) throw new PcreError(this.i, MSG.noSubpattern);
        if (sign === '-') {
          const n = this.captures + 1 - num;
          if (n <= 0) throw new PcreError(braced ? brace : this.i, MSG.noSubpattern);
          return this.numberedBackref(n, this.i - 1, flags);
        }
        return this.numberedBackref(sign === '+' ? this.captures + num : num, this.i - 1, flags);
      }
      if ((m = /^\{([A-Za-z_]\w*)\}/.exec(rest))) {
        this.i += m[0].length;
        return this.namedBackref(m[1], this.i - m[0].length + 1, flags);
      }
      const notFollowed = '\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number';
      if (rest[0] === '{') {
        if (/^\{[-+]?\d/.test(rest)) throw new PcreError(this.i, notFollowed);
        this.i++;
        return this.namedBackref(this.readName('}'), this.i, flags);
      }
      if (rest[0] !== '<' && rest[0] !== "'") throw new PcreError(this.i, notFollowed);
      const open = this.i;
      const term = rest[0] === '<' ? '>' : "'";
      const num = /^.([-+]?)(\d+)/.exec(rest);
      this.unsup('a subroutine call (\\g<...>)');
      if (num) {
        const value = Number(num[2]);
        if (num[1] && value === 0) throw new PcreError(open, 'a relative value of zero is not allowed');
        if (num[1] === '-' && this.captures + 1 - value <= 0) throw new PcreError(open, MSG.noSubpattern);
        if (rest[num[0].length] !== term) throw new PcreError(open, notFollowed);
        this.i += num[0].length + 1;
        if (num[1] !== '-' && value > 0) this.pendingRefs.push({ n: num[1] === '+' ? this.captures + value : value, offset: this.i - 1 });
        return '';
      }
      this.i++;
      this.readName(term);
      return '';
    }
    if (rest[0] === '<' || rest[0] === "'" || rest[0] === '{') {
      this.i++;
      const name = this.readName(rest[0] === '<' ? '>' : rest[0] === '{' ? '}' : "'");
      return this.namedBackref(name, start + 3, flags);
    }
    throw new PcreError(this.i, '\\k is not followed by a braced, angle-bracketed, or quoted name');
  }

  /** After \p or \P: a one-letter general category or a {name}; PCRE2's errors for malformed ones. */
  private checkProperty(): void {
    const c = this.peek();
    if (c < 0) throw new PcreError(this.i, 'malformed \\P or \\p sequence');
    if (c === 123) {
      const close = this.p.indexOf('}', this.i);
      if (close < 0) throw new PcreError(this.p.length, 'malformed \\P or \\p sequence');
      return;
    }
    this.i++;
    const letter = String.fromCharCode(c);
    if (!/[A-Za-z]/.test(letter)) throw new PcreError(this.i, 'malformed \\P or \\p sequence');
    if (!'CLMNPSZ'.includes(letter.toUpperCase())) throw new PcreError(this.i, 'unknown property after \\P or \\p');
    this.i--;
  }

  /** A character escape (after `\` and `ch`) → byte value; also used inside classes. */
  private charEscape(ch: string, start: number, inClass: boolean): number {
    switch (ch) {
      case 'a':
        return 7;
      case 'e':
        return 27;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'b':
        if (inClass) return 8;
        break;
      case '0': {
        let v = 0;
        let k = 0;
        while (k < 2 && this.peek() >= 48 && this.peek() <= 55) {
          v = v * 8 + (this.peek() - 48);
          this.i++;
          k++;
        }
        return v;
      }
      case 'o': {
        if (this.peek() !== 123) throw new PcreError(Math.min(this.i, this.p.length - 1), 'missing opening brace after \\o');
        if (this.peek(1) < 0 || this.peek(1) === 125) throw new PcreError(this.i + 1, 'digits missing in \\x{} or \\o{} or \\N{U+}');
        const m = /^\{([0-7]+)\}/.exec(this.p.slice(this.i));
        if (!m) {
          const bad = this.i + /^\{[0-7]*/.exec(this.p.slice(this.i))![0].length;
          throw new PcreError(Math.min(bad, this.p.length - 1), 'non-octal character in \\o{} (closing brace missing?)');
        }
        const v = parseInt(m[1], 8);
        if (v > 255) throw new PcreError(this.i + m[0].length - 1, MSG.codeTooLarge);
        this.i += m[0].length;
        return v;
      }
      case 'x': {
        if (this.peek() === 123) {
          if (this.peek(1) < 0 || this.peek(1) === 125) throw new PcreError(this.i + 1, 'digits missing in \\x{} or \\o{} or \\N{U+}');
          const m = /^\{([0-9A-Fa-f]+)\}/.exec(this.p.slice(this.i));
          if (!m) {
            const bad = this.i + /^\{[0-9A-Fa-f]*/.exec(this.p.slice(this.i))![0].length;
            throw new PcreError(Math.min(bad, this.p.length - 1), 'non-hex character in \\x{} (closing brace missing?)');
          }
          const v = parseInt(m[1], 16);
          if (v > 255) throw new PcreError(this.i + m[0].length - 1, MSG.codeTooLarge);
          this.i += m[0].length;
          return v;
        }
        let v = 0;
        let k = 0;
        while (k < 2 && /[0-9A-Fa-f]/.test(this.p[this.i] ?? '')) {
          v = v * 16 + parseInt(this.p[this.i], 16);
          this.i++;
          k++;
        }
        return v;
      }
      case 'c': {
        const x = this.peek();
        if (x < 0) throw new PcreError(this.p.length, MSG.cEnd);
        if (x < 32 || x > 126) {
          this.unsup('an unusual \\c escape');
          this.i++;
          return 0;
        }
        this.i++;
        const up = x >= 97 && x <= 122 ? x - 32 : x;
        return up ^ 0x40;
      }
      default:
        break;
    }
    const c = ch.charCodeAt(0);
    if (c >= 49 && c <= 55) {
      // Octal: up to three digits in total.
      let v = c - 48;
      let k = 1;
      while (k < 3 && this.peek() >= 48 && this.peek() <= 55) {
        v = v * 8 + (this.peek() - 48);
        this.i++;
        k++;
      }
      if (v > 255) throw new PcreError(this.i, 'octal value is greater than \\377 in 8-bit non-UTF-8 mode');
      return v;
    }
    if ('FLluU'.includes(ch)) throw new PcreError(this.i, MSG.unsupportedEscape);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      throw new PcreError(this.i - 1, MSG.unknownEscape);
      return c;
    }
    void start;
    return c; // an escaped non-alphanumeric is itself
  }

  /**
   * PCRE2's check_posix_syntax() for '[' at `at` followed by ':', '.' or '=':
   * index of the closing "X]" or -1 when this is not a POSIX item.
   */
  private posixItemEnd(at: number): number {
    const p = this.p;
    if (p.length - (at + 1) < 3) return -1;
    const term = p[at + 1];
    for (let i = at + 2; p.length - i >= 2; i++) {
      if (p[i] === '\\' && (p[i + 1] === ']' || p[i + 1] === '\\')) i++;
      else if ((p[i] === '[' && p[i + 1] === term) || p[i] === ']') return -1;
      else if (p[i] === term && p[i + 1] === ']') return i;
    }
    return -1;
  }

  private charClass(flags: Flags): ByteSet {
    const open = this.i;
    this.i++;
    let negate = false;
    if (this.peek() === 94) {
      negate = true;
      this.i++;
    }
    // PCRE2 skips \E and empty \Q\E at the start of a class.
    for (;;) {
      if (this.p.startsWith('\\E', this.i)) this.i += 2;
      else if (this.p.startsWith('\\Q\\E', this.i)) this.i += 4;
      else break;
    }
    if (this.i >= this.p.length && this.p.charCodeAt(this.i - 1) === 69 && this.p.charCodeAt(this.i - 2) === 92) throw new PcreError(this.p.length, MSG.backslashEnd);
    const set = new ByteSet();
    let first = true;
    // prev: the last single character added (range start candidate), or -1 after a class item.
    let prev = -1;
    let prevWasClass = false;
    for (;;) {
      const c = this.peek();
      if (c < 0) throw new PcreError(this.p.length, MSG.missingBracket);
      if (c === 93 /* ] */ && !first) {
        this.i++;
        break;
      }
      first = false;
      const itemStart = this.i;
      // POSIX class [:name:]
      if (c === 91 && (this.peek(1) === 58 || this.peek(1) === 46 || this.peek(1) === 61)) {
        const kind = this.p[this.i + 1];
        const close = this.posixItemEnd(this.i);
        if (close >= 0) {
          if (kind !== ':') throw new PcreError(this.i, MSG.posixCollating);
          let name = this.p.slice(this.i + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const base = name === 'word' ? WORD : name === 'ascii' ? ByteSet.range(0, 127) : POSIX_CLASSES[name];
          if (!base) throw new PcreError(this.i + 2, MSG.badPosix);
          set.addSet(neg ? base.negate() : base);
          this.i = close + 2;
          if (this.peek() === 45 && this.peek(1) !== 93 && this.peek(1) >= 0) throw new PcreError(this.i, MSG.invalidRange);
          prev = -1;
          prevWasClass = true;
          continue;
        }
      }
      let code: number;
      let clsItem: ByteSet | undefined;
      if (c === 92) {
        this.i++;
        const e = this.peek();
        if (e < 0) throw new PcreError(this.p.length, MSG.missingBracket);
        const ech = String.fromCharCode(e);
        this.i++;
        if (ech === 'Q') {
          const end = this.p.indexOf('\\E', this.i);
          const lit = this.p.slice(this.i, end < 0 ? this.p.length : end);
          this.i = end < 0 ? this.p.length : end + 2;
          for (const x of lit) set.add(x.charCodeAt(0));
          prev = lit.length ? lit.charCodeAt(lit.length - 1) : prev;
          continue;
        }
        if (ech === 'E') continue;
        clsItem = classEscape(ech);
        if (!clsItem) {
          if (ech === 'N') throw new PcreError(this.i, '\\N is not supported in a class');
          if ('BRXAzZGkK'.includes(ech)) throw new PcreError(this.i - 1, 'escape sequence is invalid in character class');
          if ('pP'.includes(ech)) this.checkProperty();
          if (ech === 'g' || ech === '8' || ech === '9') {
            // A literal letter or digit in a class.
            code = ech.charCodeAt(0);
          } else if ('pP'.includes(ech)) {
            this.unsup(`\\${ech} in a character class`);
            clsItem = new ByteSet();
          } else code = this.charEscape(ech, itemStart, true);
        }
      } else {
        this.i++;
        code = c;
      }
      if (clsItem) {
        set.addSet(clsItem);
        if (this.peek() === 45 && this.peek(1) !== 93 && this.peek(1) >= 0) throw new PcreError(this.i, MSG.invalidRange);
        prev = -1;
        prevWasClass = true;
        continue;
      }
      // A range?
      if (this.peek() === 45 /* - */ && this.peek(1) !== 93 && this.peek(1) >= 0) {
        const dash = this.i;
        this.i++;
        let hi: number;
        const h = this.peek();
        if (h === 92) {
          this.i++;
          const e = String.fromCharCode(this.peek());
          this.i++;
          if ('BRXAzZGk'.includes(e)) throw new PcreError(this.i - 1, 'escape sequence is invalid in character class');
          if (classEscape(e) || 'NpPK'.includes(e)) throw new PcreError(this.i, MSG.invalidRange);
          if (e === 'Q') {
            const end = this.p.indexOf('\\E', this.i);
            const lit = this.p.slice(this.i, end < 0 ? this.p.length : end);
            this.i = end < 0 ? this.p.length : end + 2;
            if (lit === '') {
              this.unsup('an empty \\Q\\E range end');
              continue;
            }
            hi = lit.charCodeAt(0);
            for (const x of lit.slice(1)) set.add(x.charCodeAt(0));
          } else hi = this.charEscape(e, dash + 1, true);
        } else if (h === 91 && this.peek(1) === 58) {
          throw new PcreError(this.i + 1, MSG.invalidRange);
        } else {
          this.i++;
          hi = h;
        }
        if (hi < code!) throw new PcreError(this.i - 1, MSG.rangeOrder);
        set.addRange(code!, hi);
        prev = -1;
        prevWasClass = false;
        continue;
      }
      set.add(code!);
      prev = code!;
      prevWasClass = false;
    }
    void open;
    if (flags.i) set.caseClose();
    return negate ? set.negate() : set;
  }
}

/** PCRE2 class escapes with the C locale tables. */
function classEscape(ch: string): ByteSet | undefined {
  switch (ch) {
    case 'd':
      return DIGIT;
    case 'D':
      return DIGIT.negate();
    case 's':
      return SPACE;
    case 'S':
      return SPACE.negate();
    case 'w':
      return WORD;
    case 'W':
      return WORD.negate();
    case 'h':
      return HSPACE;
    case 'H':
      return HSPACE.negate();
    case 'v':
      return VSPACE;
    case 'V':
      return VSPACE.negate();
    default:
      return undefined;
  }
}

/**
 * Rough check that each top-level alternative of a lookbehind has a fixed
 * length (PCRE2 requires it): no *, +, ?, or {n,m} with n≠m outside classes.
 */
function fixedLengthAlternatives(body: string): boolean {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (body[i + 1] === '^') i++;
      if (body[i + 1] === ']') i++;
      continue;
    }
    if (c === '*' || c === '+' || (c === '?' && body[i - 1] !== '(')) return false;
    if (c === '{') {
      const m = /^\{(\d+),(\d*)\}/.exec(body.slice(i));
      if (m && m[1] !== m[2]) return false;
    }
  }
  return true;
}

/** Translates a PCRE pattern (binary string of bytes) into JS RegExp source. Never throws. */
export function translatePcre(pattern: string, opts: PcreOptions): RegexTranslation {
  try {
    return new PcreTranslator(pattern, opts).run();
  } catch (e) {
    return { kind: 'unsupported', reason: `internal translator error: ${(e as Error).message}`, captureCount: 0, syntaxChecked: false };
  }
}

// POSIX regular expressions as glibc's regcomp() compiles them in the C
// locale (what Postfix's regexp: tables use): extended (ERE, the default) or
// basic (BRE, when the `x` flag turns REG_EXTENDED off), REG_ICASE (default on)
// and REG_NEWLINE (the `m` flag). Produces JS RegExp source matching the same
// byte strings, or glibc's regerror() text.
//
// REG_ICASE is emulated the way glibc implements it: pattern and subject are
// upper-cased before matching (except the character right after a backslash
// and class names), which reproduces its quirks, e.g. `[_-a]` being an invalid
// range and `\a` matching neither `a` nor `A`.
//
// Matching differs from JavaScript only in which submatch POSIX picks
// (leftmost-longest); whether a key matches is the same.

import { ByteSet, POSIX_CLASSES, SPACE, WORD, literalSource } from './charset';
import type { RegexTranslation } from './pcre';

export interface PosixOptions {
  extended: boolean;
  icase: boolean;
  newline: boolean;
}

export const POSIX_ERRORS = {
  BADPAT: 'Invalid regular expression',
  ECOLLATE: 'Invalid collation character',
  ECTYPE: 'Invalid character class name',
  EESCAPE: 'Trailing backslash',
  ESUBREG: 'Invalid back reference',
  EBRACK: 'Unmatched [, [^, [:, [., or [=',
  EPAREN: 'Unmatched ( or \\(',
  EBRACE: 'Unmatched \\{',
  BADBR: 'Invalid content of \\{\\}',
  ERANGE: 'Invalid range end',
  BADRPT: 'Invalid preceding regular expression',
  ESIZE: 'Regular expression too big',
  ERPAREN: 'Unmatched ) or \\)',
} as const;

const RE_DUP_MAX = 0x7fff;
const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';

class PosixError {
  constructor(readonly message: string) {}
}

type TokType =
  | 'char'
  | 'alt'
  | 'star'
  | 'plus'
  | 'question'
  | 'openDup'
  | 'closeDup'
  | 'open'
  | 'close'
  | 'bracket'
  | 'period'
  | 'anchorStart'
  | 'anchorEnd'
  | 'backref'
  | 'wordOp'
  | 'backslash'
  | 'end';

interface Token {
  type: TokType;
  /** Character code for 'char'; digit for 'backref'; op letter for 'wordOp'. */
  c: number;
  len: number;
}

function upper(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

class PosixTranslator {
  private i = 0;
  private readonly p: string;
  private nsub = 0;
  private completed = 0;
  private unsupported: string | undefined;
  private tok: Token = { type: 'end', c: 0, len: 0 };
  private readonly inexact = new Set<number>();
  private topWordOps = false;
  private nullableLoop = false;
  /** Whether the last regExp()/branch() parsed can match the empty string. */
  private lastNullable = false;

  constructor(
    private readonly raw: string,
    private readonly o: PosixOptions,
  ) {
    // glibc upper-cases the whole pattern for REG_ICASE; raw bytes stay available.
    let s = raw;
    if (o.icase) {
      s = '';
      for (let k = 0; k < raw.length; k++) s += String.fromCharCode(upper(raw.charCodeAt(k)));
    }
    this.p = s;
  }

  run(): RegexTranslation {
    try {
      this.fetch(true);
      const src = this.regExp(0);
      if (this.tok.type !== 'end') throw new PosixError(POSIX_ERRORS.ERPAREN);
      if (this.topWordOps && this.topAlternation) this.unsupported ??= 'a word-boundary operator next to an alternation';
      if (this.nullableLoop) for (let g = 1; g <= this.nsub; g++) this.inexact.add(g);
      if (this.unsupported) return { kind: 'unsupported', reason: this.unsupported, captureCount: this.nsub };
      try {
        new RegExp(src);
      } catch (e) {
        return { kind: 'unsupported', reason: `no JavaScript equivalent (${(e as Error).message})`, captureCount: this.nsub };
      }
      return { kind: 'ok', source: src, captureCount: this.nsub, inexactGroups: [...this.inexact].sort((a, b) => a - b) };
    } catch (e) {
      if (e instanceof PosixError) return { kind: 'error', message: e.message };
      return { kind: 'unsupported', reason: `internal translator error: ${(e as Error).message}`, captureCount: this.nsub, syntaxChecked: false };
    }
  }

  private byte(k: number): number {
    return k < this.p.length ? this.p.charCodeAt(k) : -1;
  }

  private rawByte(k: number): number {
    return k < this.raw.length ? this.raw.charCodeAt(k) : -1;
  }

  /** peek_token(): the token at this.i (not consumed). `caretHere`: '^' is an anchor here even in BRE. */
  private peek(caretHere: boolean): Token {
    const ere = this.o.extended;
    const c = this.byte(this.i);
    if (c < 0) return { type: 'end', c: 0, len: 0 };
    if (c === 92 /* \ */) {
      if (this.i + 1 >= this.p.length) return { type: 'backslash', c, len: 1 };
      const c2 = this.rawByte(this.i + 1);
      const ch = String.fromCharCode(c2);
      let type: TokType = 'char';
      if (ch === '|' && !ere) type = 'alt';
      else if (c2 >= 49 && c2 <= 57) type = 'backref';
      else if ('<>bBwWsS`\''.includes(ch)) type = 'wordOp';
      else if (ch === '(' && !ere) type = 'open';
      else if (ch === ')' && !ere) type = 'close';
      else if (ch === '+' && !ere) type = 'plus';
      else if (ch === '?' && !ere) type = 'question';
      else if (ch === '{' && !ere) type = 'openDup';
      else if (ch === '}' && !ere) type = 'closeDup';
      return { type, c: c2, len: 2 };
    }
    let type: TokType = 'char';
    switch (c) {
      case 124:
        if (ere) type = 'alt';
        break;
      case 42:
        type = 'star';
        break;
      case 43:
        if (ere) type = 'plus';
        break;
      case 63:
        if (ere) type = 'question';
        break;
      case 123:
        if (ere) type = 'openDup';
        break;
      case 125:
        if (ere) type = 'closeDup';
        break;
      case 40:
        if (ere) type = 'open';
        break;
      case 41:
        if (ere) type = 'close';
        break;
      case 91:
        type = 'bracket';
        break;
      case 46:
        type = 'period';
        break;
      case 94:
        if (ere || caretHere || this.i === 0) type = 'anchorStart';
        break;
      case 36:
        if (ere || this.i + 1 === this.p.length) type = 'anchorEnd';
        else {
          const save = this.i;
          this.i++;
          const next = this.peek(false);
          this.i = save;
          if (next.type === 'alt' || next.type === 'close') type = 'anchorEnd';
        }
        break;
      default:
        break;
    }
    return { type, c, len: 1 };
  }

  private fetch(caretHere = false): void {
    this.tok = this.peek(caretHere);
    this.i += this.tok.len;
  }

  private topAlternation = false;

  private regExp(nest: number): string {
    // glibc: a group closed in one alternative cannot be referenced in a later one.
    const initial = this.completed;
    const alts = [this.branch(nest)];
    let nullable = this.lastNullable;
    while (this.tok.type === 'alt') {
      this.fetch(true);
      if (this.tok.type !== 'alt' && this.tok.type !== 'end' && !(nest > 0 && this.tok.type === 'close')) {
        const accumulated = this.completed;
        this.completed = initial;
        alts.push(this.branch(nest));
        this.completed |= accumulated;
        nullable ||= this.lastNullable;
      } else {
        alts.push('');
        nullable = true;
      }
    }
    this.lastNullable = nullable;
    if (nest === 0 && alts.length > 1) this.topAlternation = true;
    return alts.length > 1 ? alts.join('|') : alts[0];
  }

  private branch(nest: number): string {
    let out = '';
    let nullable = true;
    while (this.tok.type !== 'alt' && this.tok.type !== 'end' && (nest === 0 || this.tok.type !== 'close')) {
      const e = this.expression(nest);
      out += e.src;
      nullable &&= e.nullable;
    }
    this.lastNullable = nullable;
    return out;
  }

  private expression(nest: number): { src: string; nullable: boolean } {
    const ere = this.o.extended;
    const t = this.tok;
    const g0 = this.nsub;
    let tree: string;
    let nullable = false;
    let capture: number | undefined;
    switch (t.type) {
      case 'char':
        tree = literalSource(t.c);
        break;
      case 'open':
        capture = this.nsub + 1;
        tree = this.subExp(nest + 1);
        nullable = this.lastNullable;
        break;
      case 'bracket':
        tree = this.bracket();
        break;
      case 'backref': {
        const n = t.c - 48;
        if (!(this.completed & (1 << n))) throw new PosixError(POSIX_ERRORS.ESUBREG);
        this.unsupported ??= 'a back reference';
        tree = `\\k<g${n}>`;
        nullable = true;
        break;
      }
      case 'openDup':
      case 'star':
      case 'plus':
      case 'question':
        // BRE: an interval at the start is an error, '*' and '\\+' are literal there.
        if (ere || t.type === 'openDup') throw new PosixError(POSIX_ERRORS.BADRPT);
        tree = literalSource(t.c);
        break;
      case 'close':
        if (!ere) throw new PosixError(POSIX_ERRORS.ERPAREN);
        tree = literalSource(t.c);
        break;
      case 'closeDup':
        tree = literalSource(t.c);
        break;
      case 'anchorStart':
        this.fetch();
        return { src: this.o.newline ? `(?:${START}|(?<=\\n))` : START, nullable: true };
      case 'anchorEnd':
        this.fetch();
        return { src: this.o.newline ? `(?=\\n|${END})` : END, nullable: true };
      case 'wordOp': {
        const ch = String.fromCharCode(t.c);
        const anchor: Record<string, string> = {
          '<': '(?<![A-Za-z0-9_])(?=[A-Za-z0-9_])',
          '>': '(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])',
          b: '\\b',
          B: '\\B',
          '`': START,
          "'": END,
        };
        if (anchor[ch]) {
          // glibc evaluates these context operators inside groups and
          // alternatives in ways JavaScript cannot reproduce (it matches
          // /(\\b[^a]|a)+a/ against "aca"); only plain top-level use is simulated.
          if (nest > 0) this.unsupported ??= `the ${String.fromCharCode(92)}${ch} operator inside a group`;
          else this.topWordOps = true;
          this.fetch();
          return { src: anchor[ch], nullable: true };
        }
        const set = ch === 'w' ? WORD : ch === 'W' ? WORD.negate() : ch === 's' ? SPACE : SPACE.negate();
        tree = set.toSource();
        break;
      }
      case 'period':
        tree = this.o.newline ? '[^\\n]' : '[\\s\\S]';
        break;
      case 'backslash':
        throw new PosixError(POSIX_ERRORS.EESCAPE);
      default:
        return { src: '', nullable: true };
    }
    this.fetch();
    let quantified = false;
    while (this.tok.type === 'star' || this.tok.type === 'plus' || this.tok.type === 'question' || this.tok.type === 'openDup') {
      const q = this.dupOp();
      // Which iteration a repeated group reports differs between glibc and JS;
      // a repetition of something that can match empty shifts every group.
      if (q.max > 1) for (let g = g0 + 1; g <= this.nsub; g++) this.inexact.add(g);
      if (nullable && q.max > q.min) this.nullableLoop = true;
      tree = `${quantified ? `(?:${tree})` : tree}${q.text}`;
      quantified = true;
      nullable ||= q.min === 0;
      if (!ere && (this.tok.type === 'star' || this.tok.type === 'openDup')) throw new PosixError(POSIX_ERRORS.BADRPT);
    }
    return { src: tree, nullable };
  }

  private subExp(nest: number): string {
    const n = ++this.nsub;
    this.fetch(true);
    let body = '';
    this.lastNullable = true;
    if (this.tok.type !== 'close') {
      body = this.regExp(nest);
      if ((this.tok as Token).type !== 'close') throw new PosixError(POSIX_ERRORS.EPAREN);
    }
    if (n <= 9) this.completed |= 1 << n;
    return `(?<g${n}>${body})`;
  }

  /** fetch_number(): digits up to '}' or ','; -1 none, -2 invalid/END. */
  private fetchNumber(): number {
    let num = -1;
    for (;;) {
      this.fetch();
      const t = this.tok;
      if (t.type === 'end') return -2;
      if (t.type === 'closeDup' || t.c === 44) break;
      num = t.type !== 'char' || t.c < 48 || t.c > 57 || num === -2 ? -2 : num === -1 ? t.c - 48 : Math.min(RE_DUP_MAX + 1, num * 10 + t.c - 48);
    }
    return num;
  }

  /** parse_dup_op(): consumes the operator, returns the JS quantifier and its bounds. */
  private dupOp(): { text: string; min: number; max: number } {
    const t = this.tok;
    if (t.type === 'openDup') {
      let start = this.fetchNumber();
      let end = 0;
      if (start === -1) {
        if (this.tok.type === 'char' && this.tok.c === 44) start = 0;
        else throw new PosixError(POSIX_ERRORS.BADBR);
      }
      if (start !== -2) end = this.tok.type === 'closeDup' ? start : this.tok.type === 'char' && this.tok.c === 44 ? this.fetchNumber() : -2;
      if (start === -2 || end === -2) throw new PosixError(this.tok.type === 'end' ? POSIX_ERRORS.EBRACE : POSIX_ERRORS.BADBR);
      if ((end !== -1 && start > end) || this.tok.type !== 'closeDup') throw new PosixError(POSIX_ERRORS.BADBR);
      if (RE_DUP_MAX < (end === -1 ? start : end)) throw new PosixError(POSIX_ERRORS.ESIZE);
      this.fetch();
      return { text: end === -1 ? `{${start},}` : start === end ? `{${start}}` : `{${start},${end}}`, min: start, max: end === -1 ? Infinity : end };
    }
    this.fetch();
    return t.type === 'star' ? { text: '*', min: 0, max: Infinity } : t.type === 'plus' ? { text: '+', min: 1, max: Infinity } : { text: '?', min: 0, max: 1 };
  }

  /** parse_bracket_exp(): this.i is just after '['. */
  private bracket(): string {
    const set = new ByteSet();
    let neg = false;
    if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.BADPAT);
    if (this.byte(this.i) === 94) {
      neg = true;
      this.i++;
      if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.BADPAT);
    }
    let first = true;
    for (;;) {
      if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
      const c = this.byte(this.i);
      if (c === 93 && !first) {
        this.i++;
        break;
      }
      const start = this.element(first);
      first = false;
      if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
      let isRange = false;
      if (start.kind !== 'class' && start.kind !== 'equiv' && this.byte(this.i) === 45) {
        if (this.i + 1 >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
        if (this.byte(this.i + 1) !== 93) {
          this.i++;
          isRange = true;
        }
      }
      if (isRange) {
        const end = this.element(true);
        if (end.kind === 'class' || end.kind === 'equiv') throw new PosixError(POSIX_ERRORS.ERANGE);
        if ((start.kind === 'coll' && start.name.length !== 1) || (end.kind === 'coll' && end.name.length !== 1)) throw new PosixError(POSIX_ERRORS.ECOLLATE);
        const a = start.kind === 'char' ? start.c : start.name.charCodeAt(0);
        const b = end.kind === 'char' ? end.c : end.name.charCodeAt(0);
        if (a > 127 || b > 127) throw new PosixError(POSIX_ERRORS.ECOLLATE);
        if (a > b) throw new PosixError(POSIX_ERRORS.ERANGE);
        set.addRange(a, b);
      } else if (start.kind === 'char') set.add(start.c);
      else if (start.kind === 'class') {
        let name = start.name;
        if (this.o.icase && (name === 'upper' || name === 'lower')) name = 'alpha';
        const cls = POSIX_CLASSES[name];
        if (!cls) throw new PosixError(POSIX_ERRORS.ECTYPE);
        set.addSet(cls);
      } else {
        if (start.name.length !== 1) throw new PosixError(POSIX_ERRORS.ECOLLATE);
        set.add(start.name.charCodeAt(0));
      }
      if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
    }
    const out = neg ? set.negate() : set;
    if (neg && this.o.newline) out.bits[10] = 0;
    return out.toSource();
  }

  private element(acceptHyphen: boolean): { kind: 'char'; c: number } | { kind: 'class' | 'equiv' | 'coll'; name: string } {
    const c = this.byte(this.i);
    if (c === 91 && this.i + 1 < this.p.length) {
      const d = this.byte(this.i + 1);
      if (d === 46 || d === 61 || d === 58) {
        this.i += 2;
        const delim = d;
        let name = '';
        if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
        for (let n = 0; ; n++) {
          if (n >= 32) throw new PosixError(POSIX_ERRORS.EBRACK);
          const ch = d === 58 ? this.rawByte(this.i) : this.byte(this.i);
          this.i++;
          if (this.i >= this.p.length) throw new PosixError(POSIX_ERRORS.EBRACK);
          if (ch === delim && this.byte(this.i) === 93) break;
          name += String.fromCharCode(ch);
        }
        this.i++;
        return { kind: delim === 46 ? 'coll' : delim === 61 ? 'equiv' : 'class', name };
      }
    }
    this.i++;
    if (c === 45 && !acceptHyphen && this.byte(this.i) !== 93) throw new PosixError(POSIX_ERRORS.ERANGE);
    return { kind: 'char', c };
  }
}

/** Translates a POSIX regex (binary string) into JS RegExp source. Never throws. */
export function translatePosix(pattern: string, opts: PosixOptions): RegexTranslation {
  try {
    return new PosixTranslator(pattern, opts).run();
  } catch (e) {
    return { kind: 'unsupported', reason: `internal translator error: ${(e as Error).message}`, captureCount: 0, syntaxChecked: false };
  }
}

/** The subject as glibc matches it under REG_ICASE (upper-cased, same length). */
export function posixSubject(s: string, icase: boolean): string {
  if (!icase) return s;
  let out = '';
  for (let k = 0; k < s.length; k++) out += String.fromCharCode(upper(s.charCodeAt(k)));
  return out;
}

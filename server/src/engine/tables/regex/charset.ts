// Sets of byte values (0–255), used to translate character classes and
// class escapes of byte-oriented regex engines into explicit JS classes.

export class ByteSet {
  readonly bits = new Uint8Array(256);

  static of(...codes: number[]): ByteSet {
    const s = new ByteSet();
    for (const c of codes) s.bits[c] = 1;
    return s;
  }

  static range(lo: number, hi: number): ByteSet {
    return new ByteSet().addRange(lo, hi);
  }

  add(c: number): this {
    if (c >= 0 && c <= 255) this.bits[c] = 1;
    return this;
  }

  addRange(lo: number, hi: number): this {
    for (let c = Math.max(0, lo); c <= Math.min(255, hi); c++) this.bits[c] = 1;
    return this;
  }

  addSet(o: ByteSet): this {
    for (let c = 0; c < 256; c++) if (o.bits[c]) this.bits[c] = 1;
    return this;
  }

  has(c: number): boolean {
    return this.bits[c] === 1;
  }

  negate(): ByteSet {
    const s = new ByteSet();
    for (let c = 0; c < 256; c++) s.bits[c] = this.bits[c] ? 0 : 1;
    return s;
  }

  /** Adds the other case of every ASCII letter (C-locale case folding). */
  caseClose(): this {
    for (let c = 65; c <= 90; c++) {
      if (this.bits[c] || this.bits[c + 32]) this.bits[c] = this.bits[c + 32] = 1;
    }
    return this;
  }

  isEmpty(): boolean {
    return !this.bits.includes(1);
  }

  /** JS class source, e.g. `[\x41-\x5a\x61]`; never empty-set ambiguous (`[]` is written `(?!)`). */
  toSource(): string {
    let out = '';
    let count = 0;
    for (let c = 0; c < 256; c++) {
      if (!this.bits[c]) continue;
      let e = c;
      while (e + 1 < 256 && this.bits[e + 1]) e++;
      out += e === c ? hex(c) : e === c + 1 ? hex(c) + hex(e) : `${hex(c)}-${hex(e)}`;
      count += e - c + 1;
      c = e;
    }
    if (count === 0) return '(?!)';
    if (count === 256) return '[\\s\\S]';
    return `[${out}]`;
  }
}

export function hex(c: number): string {
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

/** A single byte as JS regex source (letters and digits as is, all else escaped). */
export function literalSource(c: number): string {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return String.fromCharCode(c);
  return hex(c);
}

export const DIGIT = ByteSet.range(48, 57);
export const WORD = ByteSet.range(48, 57).addRange(65, 90).addRange(97, 122).add(95);
/** PCRE2 \s and POSIX [:space:] in the C locale: \t \n \v \f \r and space. */
export const SPACE = ByteSet.range(9, 13).add(32);
/** PCRE2 \h without UTF: tab, space, NBSP (0xa0). */
export const HSPACE = ByteSet.of(9, 32, 0xa0);
/** PCRE2 \v without UTF: \n \v \f \r and NEL (0x85). */
export const VSPACE = ByteSet.range(10, 13).add(0x85);

/** POSIX bracket classes in the C locale. */
export const POSIX_CLASSES: Record<string, ByteSet> = {
  alpha: ByteSet.range(65, 90).addRange(97, 122),
  digit: DIGIT,
  alnum: ByteSet.range(48, 57).addRange(65, 90).addRange(97, 122),
  upper: ByteSet.range(65, 90),
  lower: ByteSet.range(97, 122),
  space: SPACE,
  blank: ByteSet.of(9, 32),
  cntrl: ByteSet.range(0, 31).add(127),
  graph: ByteSet.range(33, 126),
  print: ByteSet.range(32, 126),
  punct: ByteSet.range(33, 47).addRange(58, 64).addRange(91, 96).addRange(123, 126),
  xdigit: ByteSet.range(48, 57).addRange(65, 70).addRange(97, 102),
};

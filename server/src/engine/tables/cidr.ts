// cidr: tables, read as Postfix 3.7's dict_cidr.c/cidr_match.c read them:
// `[!]pattern result`, `IF [!]pattern` … `ENDIF`, first match wins. Every rule
// Postfix skips is reported with Postfix's own words, and lookups return what
// `postmap -q` prints.

import type { Problem, Range } from '../types';
import { drain, type Steps } from '../steps';
import { memoParseSteps } from './memo';
import { TableCodeKey, tableProblem } from './codes';
import { Family, familyOf, maskBytes, ntopFamily, ptonFamily } from './inet';
import { countNewlines, logicalLineStartFrom } from './splice';
import { SourceText, TableLine, allDigits, startsWithWordCI, forEachTableLine, isAlnumCode, isSpaceCode, sourceOffset, textRange, trimEnd, wholeLineRange, asDecodedText } from './text';

export interface CidrRule {
  op: 'match' | 'if' | 'endif';
  /** Zero-based first line. */
  line: number;
  /** False for a `!pattern` (matches addresses outside the network). */
  match: boolean;
  family: Family;
  net: Uint8Array;
  prefix: number;
  /** Lookup result (empty for IF/ENDIF). */
  value: string;
  /** For IF: index of its ENDIF in `rules`, or -1 when there is none. */
  blockEnd: number;
  patternRange: Range;
  valueRange?: Range;
}

export interface CidrTable {
  kind: 'cidr';
  file: string;
  rules: CidrRule[];
  problems: Problem[];
  /** Warnings exactly as Postfix prints them when it opens the table (no `postmap: warning: ` prefix). */
  warnings: string[];
}

/** Emulates C atoi() on a digit string, then storage in an unsigned char (Postfix's mask_shift). */
function maskShiftOf(digits: string): number {
  let v: bigint = BigInt(digits);
  const LONG_MAX = (1n << 63n) - 1n;
  if (v > LONG_MAX) v = LONG_MAX;
  return Number(v & 0xffn);
}

/**
 * A rule as parsed, its ranges made from source offsets when first asked: a
 * table can hold 100,000 rules, and the ranges of most are never read (only
 * problems and a few rules' findings show them).
 */
class ParsedRule implements CidrRule {
  readonly #src: SourceText;
  /** Source offsets of the pattern and the value (-1: none), as textRange maps them. */
  readonly #pattern: number;
  readonly #patternEnd: number;
  readonly #value: number;
  readonly #valueEnd: number;
  blockEnd = -1;
  constructor(
    readonly op: CidrRule['op'],
    readonly line: number,
    readonly match: boolean,
    readonly family: Family,
    readonly net: Uint8Array,
    readonly prefix: number,
    readonly value: string,
    src: SourceText,
    tl: TableLine,
    patternStart: number,
    patternEnd: number,
    valueStart = -1,
    valueEnd = -1,
  ) {
    this.#src = src;
    this.#pattern = sourceOffset(tl, patternStart);
    this.#patternEnd = spanEnd(tl, patternStart, patternEnd);
    this.#value = valueStart < 0 ? -1 : sourceOffset(tl, valueStart);
    this.#valueEnd = valueStart < 0 ? -1 : spanEnd(tl, valueStart, valueEnd);
  }
  get patternRange(): Range {
    return this.#src.range(this.#pattern, this.#patternEnd);
  }
  get valueRange(): Range | undefined {
    return this.#value < 0 ? undefined : this.#src.range(this.#value, this.#valueEnd);
  }
}

/** Source offset where textRange ends tl.text[start, end) (an end on a piece boundary stays on the earlier piece). */
function spanEnd(tl: TableLine, start: number, end: number): number {
  return end > start ? sourceOffset(tl, end - 1) + 1 : sourceOffset(tl, start);
}

interface ParsedPattern {
  family: Family;
  net: Uint8Array;
  prefix: number;
}

/** cidr_match_parse(): a pattern → network, or Postfix's reason for skipping it. */
export function parseCidrPattern(pattern: string): ParsedPattern | string {
  let maskSearchInPattern = true;
  let afterBracket = '';
  if (pattern.startsWith('[')) {
    pattern = pattern.slice(1);
    const close = pattern.indexOf(']');
    if (close < 0) return `missing ']' character after "[${pattern}"`;
    afterBracket = pattern.slice(close + 1);
    pattern = pattern.slice(0, close);
    if (!afterBracket.startsWith('/')) {
      if (afterBracket !== '') return `garbage after "[${pattern}]"`;
    } else maskSearchInPattern = false;
  }
  let mask: string | undefined;
  if (maskSearchInPattern) {
    const slash = pattern.indexOf('/');
    if (slash >= 0) {
      mask = pattern.slice(slash + 1);
      pattern = pattern.slice(0, slash);
    }
  } else mask = afterBracket.slice(1);

  const family = familyOf(pattern);
  const bits = family === 4 ? 32 : 128;
  if (mask !== undefined) {
    let err: string | undefined;
    let prefix = 0;
    let net: Uint8Array | undefined;
    if (!allDigits(mask)) err = 'bad mask value';
    else if ((prefix = maskShiftOf(mask)) > bits) err = 'bad mask length';
    else if (!(net = ptonFamily(family, pattern))) err = 'bad network value';
    if (err) return `${err} in "${pattern}/${mask}"`;
    // (A full-length prefix has no host bits: no copy to compare.)
    const masked = prefix >= bits ? net! : maskBytes(net!, prefix);
    if (masked !== net && masked.some((b, i) => b !== net![i]))
      return `non-null host address bits in "${pattern}/${mask}", perhaps you should use "${ntopFamily(family, masked)}/${prefix}" instead`;
    return { family, net: net!, prefix };
  }
  const net = ptonFamily(family, pattern);
  if (!net) return `bad address pattern: "${pattern}"`;
  return { family, net, prefix: bits };
}

/**
 * A pattern with host bits set (`192.168.1.7/24`), written as the network
 * Postfix suggests (`192.168.1.0/24`, brackets kept); undefined for any other pattern.
 */
export function cidrNetworkPattern(pattern: string): string | undefined {
  const why = parseCidrPattern(pattern);
  if (typeof why !== 'string' || !why.startsWith('non-null host')) return undefined;
  const m = /^(\[?)([^\]/]*)(\]?)\/(\d+)$/.exec(pattern);
  if (!m) return undefined;
  const family = familyOf(m[2]);
  const net = ptonFamily(family, m[2]);
  if (!net) return undefined;
  return `${m[1]}${ntopFamily(family, maskBytes(net, maskShiftOf(m[4])))}${m[3]}/${m[4]}`;
}

function codeForReason(why: string): TableCodeKey {
  if (why.startsWith('non-null host')) return 'cidrHostBits';
  if (why.startsWith('bad network value')) return 'cidrBadNetwork';
  if (why.startsWith('bad mask length')) return 'cidrBadMaskLength';
  if (why.startsWith('bad mask value')) return 'cidrBadMaskValue';
  if (why.startsWith('bad address pattern')) return 'cidrBadAddress';
  if (why.startsWith('no lookup result')) return 'cidrNoResult';
  if (why.startsWith('no address pattern')) return 'cidrNoPattern';
  if (why.startsWith('missing') || why.startsWith('garbage after "')) return 'cidrBrackets';
  return 'cidrEndif';
}

const EXPLAIN: Partial<Record<TableCodeKey, string>> = {
  cidrHostBits: 'The address has bits set beyond the prefix length.',
  cidrBadMaskLength: 'IPv4 prefixes go up to /32, IPv6 up to /128.',
  cidrBadAddress: 'A cidr: key must be an IPv4 or IPv6 address or network.',
  cidrNoResult: 'Each rule needs a result after the address pattern.',
};

/** How much of a table's text one step of parseCidrTableSteps reads (about 1,200 rules of 27 characters, 10-20 ms on a loaded machine). */
const CHARS_PER_STEP = 32 * 1024;

/** Parses a cidr: table. `mapName` is the name as Postfix shows it (the path given after `cidr:`). */
/** Parsed once per text (tables/memo.ts); the result is shared and must not be changed. */
export function parseCidrTable(raw: string, file: string, mapName = file): CidrTable {
  return drain(parseCidrTableSteps(raw, file, mapName));
}

/**
 * parseCidrTable in steps of whole logical lines (a 100,000-line table was
 * one piece of half a second in the language server's analysis); the same
 * result, shared with parseCidrTable's callers through the same memo.
 */
export function* parseCidrTableSteps(raw: string, file: string, mapName = file, charsPerStep = CHARS_PER_STEP): Steps<CidrTable> {
  return yield* memoParseSteps<CidrTable>(`cidr|${file}|${mapName}`, raw, () => parseCidrTableUncached(raw, file, mapName, charsPerStep));
}

function* parseCidrTableUncached(raw: string, file: string, mapName: string, charsPerStep: number): Steps<CidrTable> {
  const text = asDecodedText(raw);
  const src = new SourceText(text);
  const rules: CidrRule[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const stack: number[] = [];

  const skip = (tl: TableLine, why: string, start: number, end: number) => {
    warnings.push(`cidr map ${mapName}, line ${tl.line + 1}: ${why}: skipping this rule`);
    const key = codeForReason(why);
    const range = end > start ? textRange(src, tl, start, end) : wholeLineRange(src, tl);
    const extra = EXPLAIN[key];
    problems.push(tableProblem(key, file, range, `${why}: skipping this rule.${extra ? ` ${extra}` : ''}`));
  };

  const onLine = (tl: TableLine) => {
    const p = tl.text;
    const n = p.length;
    if (startsWithWordCI(p, 'IF') && !isAlnumCode(p.charCodeAt(2))) {
      let i = 2;
      let match = true;
      for (; i < n; i++) {
        const c = p.charCodeAt(i);
        if (c === 33) match = !match;
        else if (!isSpaceCode(c)) break;
      }
      if (i >= n) return skip(tl, 'no address pattern', 0, n);
      const end = trimEnd(p, n, i);
      const parsed = parseCidrPattern(p.slice(i, end));
      if (typeof parsed === 'string') return skip(tl, parsed, i, end);
      stack.push(rules.length);
      rules.push(new ParsedRule('if', tl.line, match, parsed.family, parsed.net, parsed.prefix, '', src, tl, i, end));
      return;
    }
    if (startsWithWordCI(p, 'ENDIF') && !isAlnumCode(p.charCodeAt(5))) {
      let i = 5;
      while (i < n && isSpaceCode(p.charCodeAt(i))) i++;
      if (i < n) return skip(tl, 'garbage after ENDIF', i, trimEnd(p, n, i));
      if (stack.length === 0) return skip(tl, 'ENDIF without IF', 0, 5);
      rules[stack.pop()!].blockEnd = rules.length;
      rules.push(new ParsedRule('endif', tl.line, true, 4, new Uint8Array(4), 0, '', src, tl, 0, 5));
      return;
    }
    let i = 0;
    let match = true;
    for (; i < n; i++) {
      const c = p.charCodeAt(i);
      if (c === 33) match = !match;
      else if (!isSpaceCode(c)) break;
    }
    const ps = i;
    while (i < n && !isSpaceCode(p.charCodeAt(i))) i++;
    const pe = i;
    if (i < n) i++;
    while (i < n && isSpaceCode(p.charCodeAt(i))) i++;
    const vs = i;
    const ve = trimEnd(p, n, vs);
    if (pe === ps) return skip(tl, 'no address pattern', 0, n);
    const parsed = parseCidrPattern(p.slice(ps, pe));
    if (typeof parsed === 'string') return skip(tl, parsed, ps, pe);
    if (ve <= vs) return skip(tl, 'no lookup result', ps, pe);
    rules.push(new ParsedRule('match', tl.line, match, parsed.family, parsed.net, parsed.prefix, p.slice(vs, ve), src, tl, ps, pe, vs, ve));
  };
  const onOrphan = (tl: TableLine) => {
    warnings.push(`${mapName}: logical line must not start with whitespace: "${tl.text.slice(0, 30)}${tl.text.length > 30 ? '...' : ''}"`);
    problems.push(
      tableProblem('leadingWhitespace', file, wholeLineRange(src, tl), 'logical line must not start with whitespace. An indented line continues the line before it; here there is none, so Postfix ignores it.'),
    );
  };
  // In pieces of whole logical lines, read exactly as in one piece (IF blocks may span pieces: the stack stays).
  for (let from = 0, line = 0; from < text.length; ) {
    const to = logicalLineStartFrom(text, from + charsPerStep);
    forEachTableLine(text, onLine, onOrphan, undefined, from, to, line);
    if (to >= text.length) break;
    line += countNewlines(text, from, to);
    from = to;
    yield () => `parse ${file}`;
  }
  for (let k = stack.length - 1; k >= 0; k--) {
    const r = rules[stack[k]];
    warnings.push(`cidr map ${mapName}, line ${r.line + 1}: IF has no matching ENDIF`);
    problems.push(tableProblem('ifWithoutEndif', file, r.patternRange, 'IF has no matching ENDIF. When the IF does not match, the rest of the table is skipped.'));
  }
  return { kind: 'cidr', file, rules, problems, warnings };
}

function entryMatches(r: CidrRule, addr: Uint8Array): boolean {
  const full = r.prefix >> 3;
  let same = true;
  for (let i = 0; i < full && same; i++) if (addr[i] !== r.net[i]) same = false;
  if (same && r.prefix & 7) {
    const m = (0xff << (8 - (r.prefix & 7))) & 0xff;
    if ((addr[full] & m) !== r.net[full]) same = false;
  }
  return same ? r.match : !r.match;
}

/** First matching rule for an address (as postmap -q / smtpd look it up), or undefined. */
export function lookupCidr(table: CidrTable, key: string): { value: string; rule: CidrRule } | undefined {
  const family = familyOf(key);
  const addr = ptonFamily(family, key);
  if (!addr) return undefined;
  const rules = table.rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.op === 'match') {
      if (r.family === family && entryMatches(r, addr)) return { value: r.value, rule: r };
    } else if (r.op === 'if') {
      if (r.family === family && entryMatches(r, addr)) continue;
      if (r.blockEnd < 0) return undefined;
      i = r.blockEnd;
    }
  }
  return undefined;
}

// pcre: and regexp: tables as Postfix 3.7 reads them (dict_pcre.c,
// dict_regexp.c): `[!]/pattern/flags result`, `IF [!]/pattern/flags` …
// `ENDIF`, first match wins, `$n`/`${n}` in the result. The two types share
// this parser; they differ in a few words of their warnings, in their flags,
// in regexp:'s optional second pattern (`/a/!/b/`), and in the regex engine
// (PCRE2 vs glibc POSIX), which regex/pcre.ts and regex/posix.ts translate.
//
// Postfix handles these lines as bytes; so do we (see regex/bytes.ts), and
// convert back to text only for messages, ranges and results.

import type { Problem, Range } from '../types';
import { memoParse } from './memo';
import { TableCodeKey, tableProblem } from './codes';
import { fromBytes, toBytes } from './regex/bytes';
import { defaultPcreOptions, PcreOptions, RegexTranslation, translatePcre } from './regex/pcre';
import { posixSubject, translatePosix } from './regex/posix';
import { CompiledPattern, compilePattern as compileForMatching, longestMatch, matchPattern } from './regex/exec';
import { SourceText, TableLine, allDigits, forEachTableLine, isAlnumCode, isSpaceCode, textRange, startsWithWordCI, trimEnd, wholeLineRange, asDecodedText } from './text';

export type RegexTableType = 'pcre' | 'regexp';

export interface RegexPattern {
  /** The pattern between the delimiters, as written (text). */
  source: string;
  flags: string;
  /** False for `!/pattern/` (the rule applies when the pattern does not match). */
  match: boolean;
  /** Case-insensitive matching in effect (Postfix's default; each `i` flips it). */
  caseless: boolean;
  translation: RegexTranslation;
  range: Range;
  /** For regexp: glibc REG_ICASE (the subject is upper-cased like glibc does). */
  posixIcase?: boolean;
  compiled?: CompiledPattern | { error: string };
}

export interface RegexRule {
  op: 'match' | 'if' | 'endif';
  /** Zero-based first line. */
  line: number;
  patterns: RegexPattern[];
  /** Result text with `$$` already turned into `$` when it has no `$n` (as Postfix stores it). */
  replacement: string;
  /** Largest `$n` in the result (0: a constant result). */
  maxSub: number;
  /** For IF: index of the matching ENDIF in `rules`, or -1. */
  blockEnd: number;
  range: Range;
  replacementRange?: Range;
  /** The result uses a `$n` whose text JavaScript may capture differently from Postfix's engine. */
  inexactSubst?: boolean;
}

export interface RegexTable {
  kind: RegexTableType;
  file: string;
  /** The map name Postfix shows in its messages (the file, or the inline `{...}` text). */
  mapName: string;
  rules: RegexRule[];
  problems: Problem[];
  /**
   * Some pattern's syntax could not be checked: Postfix may skip that rule
   * with a warning we do not know, so `warnings` may be incomplete.
   */
  uncertain?: boolean;
  /** Warnings exactly as Postfix prints them when it opens the table (no `postmap: warning: ` prefix). */
  warnings: string[];
}

/** Offset in text of a byte offset in its UTF-8 encoding. */
function charOffset(text: string, bytes: string, byteOff: number): number {
  if (text.length === bytes.length) return byteOff;
  let b = 0;
  let i = 0;
  while (i < text.length && b < byteOff) {
    const cp = text.codePointAt(i)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

// ---------------------------------------------------------------- mac_parse

type MacEvent = { kind: 'literal'; text: string } | { kind: 'expr'; name: string };

/** Postfix mac_parse(): `$name`, `${name}`, `$(name)`, `$$`; stops at a truncated/empty reference. */
export function macParse(value: string): { events: MacEvent[]; error?: string } {
  const events: MacEvent[] = [];
  let buf = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c !== '$') {
      buf += c;
      i++;
    } else if (value[i + 1] === '$') {
      buf += '$';
      i += 2;
    } else {
      if (buf) events.push({ kind: 'literal', text: buf });
      buf = '';
      i++;
      const open = value[i];
      if (open === '(' || open === '{') {
        const close = open === '(' ? ')' : '}';
        let level = 1;
        let e = i + 1;
        for (; level > 0; e++) {
          if (e >= value.length) return { events, error: `truncated macro reference: "${value}"` };
          if (value[e] === open) level++;
          if (value[e] === close) level--;
        }
        buf = value.slice(i + 1, e - 1);
        i = e;
      } else {
        let e = i;
        while (e < value.length && (isAlnumCode(value.charCodeAt(e)) || value[e] === '_')) e++;
        buf = value.slice(i, e);
        i = e;
      }
      if (buf === '') return { events, error: `empty macro name: "${value}"` };
      events.push({ kind: 'expr', name: buf });
      buf = '';
    }
  }
  if (buf) events.push({ kind: 'literal', text: buf });
  return { events };
}

/** C atoi() of a digit string, as the int Postfix gets (saturating strtol, then truncated to int). */
function atoi(s: string): number {
  let v = BigInt(s);
  const LONG_MAX = (1n << 63n) - 1n;
  if (v > LONG_MAX) v = LONG_MAX;
  return Number(BigInt.asIntN(32, v));
}

// ---------------------------------------------------------------- parsing

interface Ctx {
  uncertain?: boolean;
  type: RegexTableType;
  file: string;
  mapName: string;
  src: SourceText;
  problems: Problem[];
  warnings: string[];
}

interface LineCtx {
  ctx: Ctx;
  tl: TableLine;
  /** Logical line (trailing blanks trimmed) as text and as bytes. */
  text: string;
  bytes: string;
}

function rangeOf(lc: LineCtx, byteStart: number, byteEnd: number): Range {
  const s = charOffset(lc.text, lc.bytes, byteStart);
  const e = charOffset(lc.text, lc.bytes, byteEnd);
  return e > s ? textRange(lc.ctx.src, lc.tl, s, e) : wholeLineRange(lc.ctx.src, lc.tl);
}

/** Records Postfix's warning (`what` follows "<type> map <name>, line <n>: ") and a problem. */
function warn(lc: LineCtx, key: TableCodeKey, what: string, start: number, end: number, advice?: string): void {
  const { ctx, tl } = lc;
  ctx.warnings.push(`${ctx.type} map ${ctx.mapName}, line ${tl.line + 1}: ${what}`);
  ctx.problems.push(tableProblem(key, ctx.file, rangeOf(lc, start, end), advice ? `${what}. ${advice}` : what));
}

function advise(lc: LineCtx, key: TableCodeKey, message: string, start: number, end: number): void {
  lc.ctx.problems.push(tableProblem(key, lc.ctx.file, rangeOf(lc, start, end), message));
}

interface RawPattern {
  match: boolean;
  start: number;
  end: number;
  flagsEnd: number;
  body: string;
  flags: string;
}

/** dict_pcre_get_pattern()/dict_regexp_get_pat(): reads [!]/pattern/flags at byte offset i. */
function getPattern(lc: LineCtx, i: number): RawPattern | undefined {
  const { ctx } = lc;
  const p = lc.bytes;
  let match = true;
  const begin = i;
  for (; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 33) match = !match;
    else if (!isSpaceCode(c)) break;
  }
  if (i >= p.length) {
    warn(lc, 'reNoRegexp', 'no regexp: skipping this rule', begin, p.length);
    return undefined;
  }
  const delim = p[i++];
  const start = i;
  while (i < p.length) {
    if (p[i] === '\\') {
      if (i + 1 < p.length) i++;
      else break;
    } else if (p[i] === delim) break;
    i++;
  }
  if (i >= p.length || p[i] !== delim) {
    const shown = fromBytes(delim);
    warn(
      lc,
      'reNoClosingDelimiter',
      `no closing regexp delimiter "${shown}": ${ctx.type === 'pcre' ? 'ignoring' : 'skipping'} this rule`,
      start - 1,
      p.length,
    );
    return undefined;
  }
  const end = i;
  i++;
  const flagsStart = i;
  while (i < p.length && !isSpaceCode(p.charCodeAt(i)) && !(ctx.type === 'regexp' && p[i] === '!')) {
    const f = p[i];
    const known = ctx.type === 'pcre' ? 'imsxAEUX' : 'imx';
    if (!known.includes(f)) {
      warn(lc, 'reUnknownOption', `unknown regexp option "${fromBytes(f)}": skipping this rule`, i, i + 1);
      return undefined;
    }
    if (f === 'X') warn(lc, 'reObsoleteOption', `ignoring obsolete regexp option "X"`, i, i + 1);
    i++;
  }
  return { match, start, end, flagsEnd: i, body: p.slice(start, end), flags: p.slice(flagsStart, i) };
}

function compilePattern(lc: LineCtx, raw: RawPattern): RegexPattern | undefined {
  const { ctx } = lc;
  let caseless: boolean;
  let translation: RegexTranslation;
  let posixIcase: boolean | undefined;
  if (ctx.type === 'pcre') {
    const o: PcreOptions = defaultPcreOptions();
    for (const f of raw.flags) {
      if (f === 'i') o.caseless = !o.caseless;
      else if (f === 'm') o.multiline = !o.multiline;
      else if (f === 's') o.dotall = !o.dotall;
      else if (f === 'x') o.extended = !o.extended;
      else if (f === 'A') o.anchored = !o.anchored;
      else if (f === 'E') o.dollarEndOnly = !o.dollarEndOnly;
      else if (f === 'U') o.ungreedy = !o.ungreedy;
    }
    caseless = o.caseless;
    translation = translatePcre(raw.body, o);
    if (translation.kind === 'error')
      warn(lc, 'reSyntax', `error in regex at offset ${translation.offset ?? 0}: ${translation.message}`, raw.start, raw.end);
  } else {
    let icase = true;
    let newline = false;
    let extended = true;
    for (const f of raw.flags) {
      if (f === 'i') icase = !icase;
      else if (f === 'm') newline = !newline;
      else if (f === 'x') extended = !extended;
    }
    caseless = icase;
    posixIcase = icase;
    translation = translatePosix(raw.body, { extended, icase, newline });
    if (translation.kind === 'error') warn(lc, 'reSyntax', translation.message, raw.start, raw.end);
  }
  if (translation.kind === 'error') return undefined;
  const range = rangeOf(lc, raw.start - 1, raw.flagsEnd);
  if (translation.kind === 'unsupported') {
    const checked = translation.syntaxChecked !== false;
    if (!checked) ctx.uncertain = true;
    advise(
      lc,
      'reUnsupported',
      checked
        ? `This pattern uses ${translation.reason}; the linter checks its syntax but cannot tell which keys it matches.`
        : `This pattern uses ${translation.reason}; the linter can neither check its syntax nor tell which keys it matches.`,
      raw.start,
      raw.end,
    );
  }
  if (!caseless && raw.flags.includes('i'))
    advise(
      lc,
      'reCaseFlagTrap',
      `The "i" flag makes this pattern case-SENSITIVE: ${ctx.type}: patterns are case-insensitive by default, and each "i" flips that.`,
      raw.end + 1,
      raw.flagsEnd,
    );
  return {
    source: fromBytes(raw.body),
    flags: raw.flags,
    match: raw.match,
    caseless,
    translation,
    range,
    posixIcase,
  };
}

/** Prescan of the result text: largest $n, or undefined when Postfix rejects it (warnings already given). */
function prescan(lc: LineCtx, text: string, start: number): { maxSub: number; literal?: string } | undefined {
  const { ctx } = lc;
  const parsed = macParse(text);
  let maxSub = 0;
  let literal: string | undefined;
  let bad = false;
  for (const ev of parsed.events) {
    if (ev.kind === 'expr') {
      literal = undefined;
      if (!allDigits(ev.name)) {
        warn(lc, 'reBadReplacement', `non-numeric replacement index "${fromBytes(ev.name)}"`, start, lc.bytes.length);
        bad = true;
        continue;
      }
      const n = atoi(ev.name);
      // Postfix keeps n in a size_t: a negative int (overflow) becomes huge.
      const size = n < 0 ? Number.MAX_SAFE_INTEGER : n;
      if (size < 1) {
        warn(lc, 'reBadReplacement', `${ctx.type === 'pcre' ? 'out of range' : 'out-of-range'} replacement index "${fromBytes(ev.name)}"`, start, lc.bytes.length);
        bad = true;
        continue;
      }
      if (size > maxSub) maxSub = size;
    } else if (maxSub === 0) literal = ev.text;
  }
  if (parsed.error) {
    ctx.warnings.push(fromBytes(parsed.error));
    bad = true;
  }
  if (bad) {
    warn(lc, 'reBadReplacement', 'bad replacement syntax: skipping this rule', start, lc.bytes.length);
    return undefined;
  }
  return { maxSub, literal };
}

function parseRule(lc: LineCtx, rules: RegexRule[], stack: number[]): void {
  const { ctx, tl } = lc;
  const p = lc.bytes;
  const whole = rangeOf(lc, 0, p.length);
  if (!isAlnumCode(p.charCodeAt(0))) {
    const first = getPattern(lc, 0);
    if (!first) return;
    let i = first.flagsEnd;
    let second: RawPattern | undefined;
    if (ctx.type === 'regexp' && p[i] === '!') {
      second = getPattern(lc, i);
      if (!second) return;
      i = second.flagsEnd;
    }
    while (i < p.length && isSpaceCode(p.charCodeAt(i))) i++;
    const repStart = i;
    if (i >= p.length) warn(lc, 'reNoReplacement', 'no replacement text: using empty string', 0, p.length, 'Lookups that match this rule return an empty result, which Postfix does not allow.');
    const repText = p.slice(repStart);
    const pre = prescan(lc, repText, repStart);
    if (!pre) return;
    if (pre.maxSub > 0 && !first.match) {
      warn(lc, 'reNegativeSubst', '$number found in negative match replacement text: skipping this rule', repStart, p.length);
      return;
    }
    const c1 = compilePattern(lc, first);
    if (!c1) return;
    const captures = c1.translation.kind === 'error' ? 0 : c1.translation.captureCount;
    if (pre.maxSub > captures) {
      const shown = pre.maxSub > 0x7fffffff ? -1 : pre.maxSub;
      warn(lc, 'reSubstOutOfRange', `out of range replacement index "${shown}": skipping this rule`, repStart, p.length);
      return;
    }
    const patterns = [c1];
    if (second) {
      const c2 = compilePattern(lc, second);
      if (!c2) return;
      patterns.push(c2);
    }
    const inexact = c1.translation.kind === 'ok' ? c1.translation.inexactGroups ?? [] : [];
    const used = pre.maxSub > 0 ? macParse(repText).events.flatMap((e) => (e.kind === 'expr' ? [Number(e.name)] : [])) : [];
    rules.push({
      op: 'match',
      line: tl.line,
      patterns,
      replacement: pre.literal ?? repText,
      maxSub: pre.maxSub,
      blockEnd: -1,
      range: whole,
      replacementRange: repStart < p.length ? rangeOf(lc, repStart, p.length) : undefined,
      inexactSubst: used.some((n) => inexact.includes(n)),
    });
    return;
  }
  if (startsWithWordCI(p, 'IF') && !isAlnumCode(p.charCodeAt(2))) {
    let i = 2;
    while (i < p.length && isSpaceCode(p.charCodeAt(i))) i++;
    const pat = getPattern(lc, i);
    if (!pat) return;
    i = pat.flagsEnd;
    while (i < p.length && isSpaceCode(p.charCodeAt(i))) i++;
    if (i < p.length) {
      warn(lc, 'reIfExtraText', `ignoring extra text after IF statement: "${fromBytes(p.slice(i))}"`, i, p.length);
      warn(lc, 'reIfExtraText', 'do not prepend whitespace to statements between IF and ENDIF', i, p.length);
    }
    const c = compilePattern(lc, pat);
    if (!c) return;
    stack.push(rules.length);
    rules.push({ op: 'if', line: tl.line, patterns: [c], replacement: '', maxSub: 0, blockEnd: -1, range: whole });
    return;
  }
  if (startsWithWordCI(p, 'ENDIF') && !isAlnumCode(p.charCodeAt(5))) {
    if (stack.length === 0) {
      warn(lc, 'reEndifWithoutIf', 'ignoring ENDIF without matching IF', 0, 5);
      return;
    }
    let i = 5;
    while (i < p.length && isSpaceCode(p.charCodeAt(i))) i++;
    if (i < p.length) warn(lc, 'reEndifExtraText', 'ignoring extra text after ENDIF', i, p.length);
    rules[stack.pop()!].blockEnd = rules.length;
    rules.push({ op: 'endif', line: tl.line, patterns: [], replacement: '', maxSub: 0, blockEnd: -1, range: whole });
    return;
  }
  warn(lc, 'reUnrecognized', 'ignoring unrecognized request', 0, p.length, 'A rule starts with a pattern delimiter such as "/", or is IF or ENDIF.');
}

/** Parses a pcre: or regexp: table. `mapName` is the name Postfix shows (the path given after the type). */
/** Parsed once per text (tables/memo.ts); the result is shared and must not be changed. */
export function parseRegexTable(type: RegexTableType, raw: string, file: string, mapName = file): RegexTable {
  return memoParse(`${type}|${file}|${mapName}`, raw, () => parseRegexTableUncached(type, raw, file, mapName));
}

function parseRegexTableUncached(type: RegexTableType, raw: string, file: string, mapName = file): RegexTable {
  const text = asDecodedText(raw);
  const ctx: Ctx = { type, file, mapName, src: new SourceText(text), problems: [], warnings: [] };
  const rules: RegexRule[] = [];
  const stack: number[] = [];
  forEachTableLine(
    text,
    (tl) => {
      const t = tl.text.slice(0, trimEnd(tl.text));
      if (t === '') return;
      parseRule({ ctx, tl, text: t, bytes: toBytes(t) }, rules, stack);
    },
    (tl) => {
      ctx.warnings.push(`${mapName}: logical line must not start with whitespace: "${tl.text.slice(0, 30)}${tl.text.length > 30 ? '...' : ''}"`);
      ctx.problems.push(
        tableProblem('leadingWhitespace', file, wholeLineRange(ctx.src, tl), 'logical line must not start with whitespace. An indented line continues the line before it; here there is none, so Postfix ignores it.'),
      );
    },
  );
  for (let k = stack.length - 1; k >= 0; k--) {
    const r = rules[stack[k]];
    ctx.warnings.push(`${type} map ${mapName}, line ${r.line + 1}: IF has no matching ENDIF`);
    ctx.problems.push(tableProblem('ifWithoutEndif', file, r.range, 'IF has no matching ENDIF. When the IF does not match, the rest of the table is skipped.'));
  }
  return { kind: type, file, mapName, rules, problems: ctx.problems, warnings: ctx.warnings, uncertain: ctx.uncertain };
}

// ---------------------------------------------------------------- lookup

/** What Postfix logs during a lookup: a match that hit PCRE2's limit (`certain`), or one that may have. */
export interface LookupWarnings {
  warnings?: string[];
  /** Warnings Postfix may or may not print: the result is the same either way. */
  possible?: string[];
}

export type RegexLookup = (
  | { status: 'found'; value: string; rule: RegexRule }
  | { status: 'notfound' }
  /** A rule we cannot evaluate stood in the way: the answer depends on it. */
  | { status: 'unknown'; rule: RegexRule; reason: string }
) &
  LookupWarnings;

function compiled(p: RegexPattern): CompiledPattern | undefined {
  if (p.translation.kind !== 'ok') return undefined;
  p.compiled ??= compileForMatching(p.translation.source);
  return 'error' in p.compiled ? undefined : p.compiled;
}

type Test =
  /** m: capture offsets of a match (2n, 2n+1), or null. */
  | { kind: 'done'; holds: boolean; m: Int32Array | null }
  /** PCRE2 stopped at its match limit: Postfix warns and the rule does not apply. */
  | { kind: 'limit' }
  /** Whether PCRE2 stops at its limit is unclear; `holdsWithoutLimit` when the key's answer is known. */
  | { kind: 'maybe-limit'; holdsWithoutLimit?: boolean }
  | { kind: 'unknown'; reason: string };

/** Runs one pattern: does the rule's condition hold, plus the match for $n. */
function test(p: RegexPattern, bytes: string, type: RegexTableType): Test {
  const c = compiled(p);
  if (!c) {
    const reason = p.translation.kind === 'unsupported' ? p.translation.reason : p.compiled && 'error' in p.compiled ? `a pattern our matcher cannot run (${p.compiled.error})` : 'untranslatable pattern';
    return { kind: 'unknown', reason };
  }
  const subject = p.posixIcase !== undefined ? posixSubject(bytes, p.posixIcase) : bytes;
  const r = matchPattern(c, subject, { pcre: type === 'pcre' });
  switch (r.kind) {
    case 'match':
      return { kind: 'done', holds: p.match, m: r.caps };
    case 'nomatch':
      return { kind: 'done', holds: !p.match, m: null };
    case 'limit':
      return { kind: 'limit' };
    case 'unknown':
      if (r.truth === undefined) return { kind: 'unknown', reason: r.reason };
      if (type === 'pcre') return { kind: 'maybe-limit', holdsWithoutLimit: (r.truth === 'match') === p.match };
      return { kind: 'unknown', reason: r.reason };
  }
}

/**
 * glibc's submatches: the overall match is the leftmost-longest one, and
 * within it the first path in pattern order (see exec.ts longestMatch).
 */
function posixMatch(p: RegexPattern, bytes: string, first: Int32Array): Int32Array | undefined {
  const c = compiled(p);
  if (!c) return undefined;
  return longestMatch(c, posixSubject(bytes, p.posixIcase ?? false), first);
}

function expand(rule: RegexRule, m: Int32Array | null, bytes: string): string {
  if (rule.maxSub === 0 || !m) return fromBytes(rule.replacement);
  let out = '';
  for (const ev of macParse(rule.replacement).events) {
    if (ev.kind === 'literal') out += ev.text;
    else {
      const n = Number(ev.name);
      // Take the text from the original subject: glibc's REG_ICASE subject is upper-cased.
      const a = m[2 * n] ?? -1;
      const b = m[2 * n + 1] ?? -1;
      if (a >= 0 && b > a) out += bytes.slice(a, b);
    }
  }
  return fromBytes(out);
}

/** Looks a key up as Postfix does: first matching rule wins, IF/ENDIF blocks skip when false. */
export function lookupRegex(table: RegexTable, key: string): RegexLookup {
  const bytes = toBytes(key);
  const rules = table.rules;
  const warnings: string[] = [];
  const possible: string[] = [];
  const limitWarning = (r: RegexRule) => `${table.kind} map ${table.mapName}, line ${r.line + 1}: match limit exceeded`;
  // Present only when there is something to say.
  const done = (r: RegexLookup): RegexLookup => {
    if (warnings.length) r.warnings = warnings;
    if (possible.length) r.possible = possible;
    return r;
  };
  const unknown = (rule: RegexRule, reason: string): RegexLookup => done({ status: 'unknown', rule, reason });
  /** Whether the rule's (first) pattern holds; undefined when the lookup cannot go on. */
  const holds = (r: RegexRule, t: Test): boolean | RegexLookup => {
    switch (t.kind) {
      case 'done':
        return t.holds;
      case 'limit':
        // DICT_PCRE_EXEC: a match error counts as "rule does not apply", even for !/pattern/.
        warnings.push(limitWarning(r));
        return false;
      case 'maybe-limit':
        if (t.holdsWithoutLimit === false) {
          possible.push(limitWarning(r));
          return false;
        }
        return unknown(r, 'a pattern that may reach PCRE2\'s match limit on this key');
      case 'unknown':
        return unknown(r, t.reason);
    }
  };
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.op === 'endif') continue;
    const t1 = test(r.patterns[0], bytes, table.kind);
    const h1 = holds(r, t1);
    if (typeof h1 !== 'boolean') return h1;
    if (r.op === 'if') {
      if (h1) continue;
      if (r.blockEnd < 0) return done({ status: 'notfound' });
      i = r.blockEnd;
      continue;
    }
    if (!h1) continue;
    if (r.patterns[1]) {
      const h2 = holds(r, test(r.patterns[1], bytes, table.kind));
      if (typeof h2 !== 'boolean') return h2;
      if (!h2) continue;
    }
    if (r.inexactSubst) return unknown(r, 'a $number whose group is repeated (its text depends on the regex engine)');
    let m = t1.kind === 'done' ? t1.m : null;
    if (m && r.maxSub > 0 && table.kind === 'regexp') {
      const longest = posixMatch(r.patterns[0], bytes, m);
      if (!longest) return unknown(r, 'a pattern too costly to simulate on this key');
      m = longest;
    }
    return done({ status: 'found', value: expand(r, m, bytes), rule: r });
  }
  return done({ status: 'notfound' });
}

// Semantic tokens: what the TextMate grammar cannot know because it takes the
// whole configuration (and the target Postfix version) to decide.
//   unknownParameter      a main.cf name or -o name postconf would call "unused parameter"
//   variable              a parameter the user defined and something uses
//   class                 a restriction class (its definition and each use in a list)
//   property+deprecated   a deprecated parameter name, set or referenced
//   undefinedReference    a $name that has no value anywhere (postconf: "undefined parameter")
//   overriddenSetting     a main.cf line or -o a later one of the same name replaces
//   unreachableRestriction  a restriction after an unconditional permit/reject/defer in the same list
// Built-in parameters in good standing get no token: the grammar colours them.

import { analyzeRestrictionList } from '../assist/restriction-list';
import { restrictionClasses } from '../assist/model';
import { isDeprecatedIn, parameterInfo, restrictionStageOf } from '../catalog/docs';
import type { PostfixConfig } from '../config';
import { logicalRange, type LogicalLine } from '../lines';
import { clientFileReader } from '../lint';
import { lastOverride, serviceParametersSteps } from '../mastercf';
import { occurrencesSteps } from '../navigation/occurrences';
import { keptParameterAnalysis, mainDictionarySteps, parameterAnalysisSteps, registerParametersSteps, type ParameterAnalysis } from '../postconf';
import { drain, SETTINGS_PER_STEP, type Steps } from '../steps';
import type { Range } from '../types';

export const TOKEN_TYPES = ['variable', 'class', 'property', 'unknownParameter', 'undefinedReference', 'overriddenSetting', 'unreachableRestriction'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'deprecated'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
  modifiers: TokenModifier[];
}

/** postconf's view, once per loaded configuration (semantic tokens are asked for after every edit). */
const analyses = new WeakMap<PostfixConfig, ParameterAnalysis>();

/**
 * postconf's view of the configuration: the lint's when it has registered
 * these parses (kept in postconf/index.ts: 100,000 services took a second to
 * register again), else registered here, in steps.
 */
function* parameterAnalysis(config: PostfixConfig): Steps<ParameterAnalysis | undefined> {
  const main = config.main;
  if (!main || main.fatal) return undefined;
  let a = analyses.get(config) ?? keptParameterAnalysis({ configDir: config.dir, main, master: config.master, version: config.version });
  if (!a) {
    const registry = yield* registerParametersSteps({
      configDir: config.dir,
      main: yield* mainDictionarySteps(config.dir, main.entries),
      master: config.master,
      version: config.version,
      readFile: clientFileReader(config),
      keepGoing: true,
    });
    a = yield* parameterAnalysisSteps(registry);
  }
  analyses.set(config, a);
  return a;
}

export function semanticTokens(config: PostfixConfig, file: string): SemanticToken[] {
  return drain(semanticTokensSteps(config, file));
}

/**
 * semanticTokens in steps (engine/steps.ts): postconf's view, then the
 * settings and the references of the file, SETTINGS_PER_STEP at a time, so the
 * language server answers hovers while a master.cf of 100,000 services is coloured.
 */
export function* semanticTokensSteps(config: PostfixConfig, file: string): Steps<SemanticToken[]> {
  const out: SemanticToken[] = [];
  const push = (range: Range, type: TokenType, modifiers: TokenModifier[] = []) => {
    // One physical line per token (clients without multiline token support).
    if (range.start.line !== range.end.line || range.end.character <= range.start.character) return;
    out.push({ line: range.start.line, character: range.start.character, length: range.end.character - range.start.character, type, modifiers });
  };
  const analysis = yield* parameterAnalysis(config);
  yield 'semantic tokens: postconf registration';
  const classes = restrictionClasses(config);
  const derived = config.master ? yield* serviceParametersSteps(config.master) : [];
  let done = 0;
  const label = () => `semantic tokens of ${file}`;
  const undefinedNames = new Set((analysis?.findings ?? []).filter((f) => f.kind === 'undefined' && f.name).map((f) => f.name!));
  const deprecated = (name: string) => {
    const info = parameterInfo(name, derived);
    return info !== undefined && isDeprecatedIn(info, config.version);
  };
  // Tokens by name, and a list's by its value: 100,000 services set the same few
  // names to the same few values, and each catalog lookup makes objects.
  const byName = new Map<string, Token | undefined>();
  const byReference = new Map<string, Token | undefined>();
  const byList = new Map<string, ListToken[]>();
  const listNames = new Map<string, boolean>();
  const isList = (name: string) => {
    let is = listNames.get(name);
    if (is === undefined) listNames.set(name, (is = isRestrictionList(name, classes)));
    return is;
  };
  /** The token a parameter name gets where it is set, or undefined (the grammar's colour is right). */
  const nameToken = (name: string): Token | undefined => {
    if (byName.has(name)) return byName.get(name);
    let t: Token | undefined;
    if (classes.has(name)) t = ['class', ['declaration']];
    else if (parameterInfo(name, derived) !== undefined) t = deprecated(name) ? ['property', ['declaration', 'deprecated']] : undefined;
    else if (analysis && !analysis.isKnown(name)) t = ['unknownParameter', []];
    else t = ['variable', ['declaration']];
    byName.set(name, t);
    return t;
  };
  /** The token a `$name` gets, or undefined. */
  const referenceToken = (name: string): Token | undefined => {
    if (byReference.has(name)) return byReference.get(name);
    let t: Token | undefined;
    if (undefinedNames.has(name)) t = ['undefinedReference', []];
    else if (classes.has(name)) t = ['class', []];
    else if (parameterInfo(name, derived) === undefined) t = ['variable', []];
    else if (deprecated(name)) t = ['property', ['deprecated']];
    byReference.set(name, t);
    return t;
  };
  const listTokens = (value: string, toRange: (a: number, b: number) => Range) => {
    let words = byList.get(value);
    if (!words) byList.set(value, (words = restrictionListTokens(value, classes, config.version)));
    for (const w of words) push(toRange(w.start, w.end), w.token[0], w.token[1]);
  };

  if (file === config.mainPath) {
    for (const e of config.main?.entries ?? []) {
      if (++done % SETTINGS_PER_STEP === 0) yield label;
      if (config.main!.byName.get(e.name) !== e) {
        push(e.nameRange, 'overriddenSetting');
        for (const r of valuePieces(e.logical, e.valueOffset)) push(r, 'overriddenSetting');
        continue;
      }
      const t = nameToken(e.name);
      if (t) push(e.nameRange, t[0], t[1]);
      if (isList(e.name)) listTokens(e.value, (a, b) => logicalRange(e.logical, e.valueOffset + a, e.valueOffset + b));
    }
  }
  if (file === config.masterPath) {
    for (const s of config.master?.services ?? []) {
      for (const o of s.overrides) {
        if (++done % SETTINGS_PER_STEP === 0) yield label;
        if (lastOverride(s, o.name) !== o) {
          push(o.range, 'overriddenSetting');
          continue;
        }
        const t = nameToken(o.name);
        if (t) push(o.nameRange, t[0], t[1]);
        if (isList(o.name)) listTokens(o.value, (a, b) => logicalRange(s.logical, o.valueStart + a, o.valueStart + b));
      }
    }
  }
  for (const o of (yield* occurrencesSteps(config)).parameters) {
    if (++done % SETTINGS_PER_STEP === 0) yield label;
    if (o.file !== file) continue;
    if (o.role === 'class') push(o.range, 'class');
    else if (o.role === 'reference') {
      const t = referenceToken(o.name);
      if (t) push(o.range, t[0], t[1]);
    }
  }
  return withoutOverlaps(out);
}

function isRestrictionList(name: string, classes: Set<string>): boolean {
  return restrictionStageOf(name) !== undefined || classes.has(name);
}

type Token = [TokenType, TokenModifier[]];
/** A token of a restriction list, at offsets in its value. */
interface ListToken {
  start: number;
  end: number;
  token: Token;
}

/** Words that never run, and deprecated restriction names, in a restriction list. */
function restrictionListTokens(value: string, classes: Set<string>, version: string): ListToken[] {
  const out: ListToken[] = [];
  for (const w of analyzeRestrictionList(value, classes)) {
    if (w.unreachableAfter) out.push({ start: w.start, end: w.end, token: ['unreachableRestriction', []] });
    else if (w.role === 'restriction' && w.info && isDeprecatedIn(w.info, version)) out.push({ start: w.start, end: w.end, token: ['property', ['deprecated']] });
  }
  return out;
}

/** The value of a logical line, one range per physical line (without leading whitespace). */
function valuePieces(logical: LogicalLine, valueOffset: number): Range[] {
  const out: Range[] = [];
  for (const p of logical.pieces) {
    const from = Math.max(valueOffset, p.offset);
    const to = p.offset + p.text.length;
    let a = from;
    while (a < to && /\s/.test(logical.text[a])) a++;
    let b = to;
    while (b > a && /\s/.test(logical.text[b - 1])) b--;
    if (b > a) out.push(logicalRange(logical, a, b));
  }
  return out;
}

/**
 * Sorted, one token per span: a dead setting stays dead as a whole; otherwise
 * the narrower token wins ($name inside an unreachable word).
 */
function withoutOverlaps(tokens: SemanticToken[]): SemanticToken[] {
  tokens.sort((a, b) => a.line - b.line || a.character - b.character || a.length - b.length);
  const out: SemanticToken[] = [];
  const wins = (t: SemanticToken, over: SemanticToken) =>
    t.type === 'overriddenSetting' ? over.type !== 'overriddenSetting' : over.type !== 'overriddenSetting' && t.length < over.length;
  for (const t of tokens) {
    // Drop every kept token this one overlaps and beats; give up if one of them beats it.
    let beaten = false;
    while (out.length > 0) {
      const last = out[out.length - 1];
      if (last.line !== t.line || t.character >= last.character + last.length) break;
      if (!wins(t, last)) {
        beaten = true;
        break;
      }
      out.pop();
    }
    if (!beaten) out.push(t);
  }
  return out;
}

/** LSP's relative encoding: five integers per token. */
export function encodeTokens(tokens: SemanticToken[]): number[] {
  // Filled in place, types and modifiers looked up once each: 190,000 tokens took 17-75 ms with push and indexOf.
  const data: number[] = new Array(tokens.length * 5);
  let line = 0;
  let character = 0;
  for (let i = 0, j = 0; i < tokens.length; i++, j += 5) {
    const t = tokens[i];
    const dl = t.line - line;
    data[j] = dl;
    data[j + 1] = dl === 0 ? t.character - character : t.character;
    data[j + 2] = t.length;
    data[j + 3] = TYPE_INDEX.get(t.type)!;
    let m = 0;
    for (const x of t.modifiers) m |= MODIFIER_BIT.get(x)!;
    data[j + 4] = m;
    line = t.line;
    character = t.character;
  }
  return data;
}

const TYPE_INDEX = new Map<TokenType, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<TokenModifier, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

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
import { lastOverride, serviceParameters } from '../mastercf';
import { occurrences } from '../navigation/occurrences';
import { analyzeParameters, type ParameterAnalysis } from '../postconf';
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

function parameterAnalysis(config: PostfixConfig): ParameterAnalysis | undefined {
  if (!config.main || config.main.fatal) return undefined;
  let a = analyses.get(config);
  if (!a) {
    a = analyzeParameters({ configDir: config.dir, main: config.main, master: config.master, version: config.version, readFile: clientFileReader(config) });
    analyses.set(config, a);
  }
  return a;
}

export function semanticTokens(config: PostfixConfig, file: string): SemanticToken[] {
  const out: SemanticToken[] = [];
  const push = (range: Range, type: TokenType, modifiers: TokenModifier[] = []) => {
    // One physical line per token (clients without multiline token support).
    if (range.start.line !== range.end.line || range.end.character <= range.start.character) return;
    out.push({ line: range.start.line, character: range.start.character, length: range.end.character - range.start.character, type, modifiers });
  };
  const analysis = parameterAnalysis(config);
  const classes = restrictionClasses(config);
  const derived = config.master ? serviceParameters(config.master) : [];
  const undefinedNames = new Set((analysis?.findings ?? []).filter((f) => f.kind === 'undefined' && f.name).map((f) => f.name!));
  const deprecated = (name: string) => {
    const info = parameterInfo(name, derived);
    return info !== undefined && isDeprecatedIn(info, config.version);
  };
  /** The token a parameter name gets where it is set, or undefined (the grammar's colour is right). */
  const nameToken = (name: string): [TokenType, TokenModifier[]] | undefined => {
    if (classes.has(name)) return ['class', ['declaration']];
    const builtIn = parameterInfo(name, derived) !== undefined;
    if (builtIn) return deprecated(name) ? ['property', ['declaration', 'deprecated']] : undefined;
    if (analysis && !analysis.isKnown(name)) return ['unknownParameter', []];
    return ['variable', ['declaration']];
  };

  if (file === config.mainPath) {
    for (const e of config.main?.entries ?? []) {
      if (config.main!.byName.get(e.name) !== e) {
        push(e.nameRange, 'overriddenSetting');
        for (const r of valuePieces(e.logical, e.valueOffset)) push(r, 'overriddenSetting');
        continue;
      }
      const t = nameToken(e.name);
      if (t) push(e.nameRange, t[0], t[1]);
      if (isRestrictionList(e.name, classes)) listTokens(e.value, (a, b) => logicalRange(e.logical, e.valueOffset + a, e.valueOffset + b), classes, config.version, push);
    }
  }
  if (file === config.masterPath) {
    for (const s of config.master?.services ?? []) {
      for (const o of s.overrides) {
        if (lastOverride(s, o.name) !== o) {
          push(o.range, 'overriddenSetting');
          continue;
        }
        const t = nameToken(o.name);
        if (t) push(o.nameRange, t[0], t[1]);
        if (isRestrictionList(o.name, classes)) listTokens(o.value, (a, b) => logicalRange(s.logical, o.valueStart + a, o.valueStart + b), classes, config.version, push);
      }
    }
  }
  for (const o of occurrences(config).parameters) {
    if (o.file !== file) continue;
    if (o.role === 'class') push(o.range, 'class');
    else if (o.role === 'reference') {
      if (undefinedNames.has(o.name)) push(o.range, 'undefinedReference');
      else if (classes.has(o.name)) push(o.range, 'class');
      else if (parameterInfo(o.name, derived) === undefined) push(o.range, 'variable');
      else if (deprecated(o.name)) push(o.range, 'property', ['deprecated']);
    }
  }
  return withoutOverlaps(out);
}

function isRestrictionList(name: string, classes: Set<string>): boolean {
  return restrictionStageOf(name) !== undefined || classes.has(name);
}

/** Words that never run, and deprecated restriction names, in a restriction list. */
function listTokens(value: string, toRange: (a: number, b: number) => Range, classes: Set<string>, version: string, push: (r: Range, t: TokenType, m?: TokenModifier[]) => void): void {
  for (const w of analyzeRestrictionList(value, classes)) {
    if (w.unreachableAfter) push(toRange(w.start, w.end), 'unreachableRestriction');
    else if (w.role === 'restriction' && w.info && isDeprecatedIn(w.info, version)) push(toRange(w.start, w.end), 'property', ['deprecated']);
  }
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
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const dl = t.line - line;
    data.push(dl, dl === 0 ? t.character - character : t.character, t.length, TOKEN_TYPES.indexOf(t.type), t.modifiers.reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0));
    line = t.line;
    character = t.character;
  }
  return data;
}

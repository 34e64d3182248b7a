// Per-rule and per-category severity, or "off": the editor's `postfix.rules`
// and `postfix.categories` settings and the `.postfix-lint.json` file the CLI
// (and the server) find upward from the linted directory, so the editor and
// CI judge alike. A rule's own entry wins over its category's.
//
//   { "rules": { "PF519": "off", "PF507": "hint" }, "categories": { "style": "off" } }

import { dirname } from './paths';
import type { FileReader, Problem, ProblemCategory, Severity } from './types';

export type RuleLevel = Severity | 'off';

export interface RuleSettings {
  rules: Record<string, RuleLevel>;
  categories: Partial<Record<ProblemCategory, RuleLevel>>;
}

export const CONFIG_FILE_NAME = '.postfix-lint.json';

const LEVELS = new Set<RuleLevel>(['error', 'warning', 'info', 'hint', 'off']);
const CATEGORIES = new Set<ProblemCategory>(['postfix', 'security', 'correctness', 'style']);

export function emptyRuleSettings(): RuleSettings {
  return { rules: {}, categories: {} };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Reads `{ rules, categories }` from untrusted data (a settings object, a
 * parsed file). What is wrong is left out and described in `errors`; the rest applies.
 */
export function parseRuleSettings(raw: unknown, where: string): { settings: RuleSettings; errors: string[] } {
  const settings = emptyRuleSettings();
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { settings, errors };
  if (!isObject(raw)) return { settings, errors: [`${where}: expected an object with "rules" and "categories"`] };
  const level = (v: unknown, what: string): RuleLevel | undefined => {
    const l = typeof v === 'string' ? (v.trim().toLowerCase() as RuleLevel) : undefined;
    if (l && LEVELS.has(l)) return l;
    errors.push(`${where}: ${what}: "${String(v)}" is not error, warning, info, hint or off`);
    return undefined;
  };
  if (raw.rules !== undefined && raw.rules !== null) {
    if (!isObject(raw.rules)) errors.push(`${where}: "rules" must map codes such as PF519 to a severity or "off"`);
    else
      for (const [code, v] of Object.entries(raw.rules)) {
        const c = code.trim().toUpperCase();
        if (!/^PF\d{3}$/.test(c)) {
          errors.push(`${where}: "${code}" is not a rule code like PF519`);
          continue;
        }
        const l = level(v, c);
        if (l) settings.rules[c] = l;
      }
  }
  if (raw.categories !== undefined && raw.categories !== null) {
    if (!isObject(raw.categories)) errors.push(`${where}: "categories" must map postfix, security, correctness or style to a severity or "off"`);
    else
      for (const [name, v] of Object.entries(raw.categories)) {
        const c = name.trim().toLowerCase() as ProblemCategory;
        if (!CATEGORIES.has(c)) {
          errors.push(`${where}: "${name}" is not a category (postfix, security, correctness, style)`);
          continue;
        }
        const l = level(v, c);
        if (l) settings.categories[c] = l;
      }
  }
  return { settings, errors };
}

/** `over` on top of `base`: its rules and categories win. */
export function mergeRuleSettings(base: RuleSettings, over: RuleSettings): RuleSettings {
  return { rules: { ...base.rules, ...over.rules }, categories: { ...base.categories, ...over.categories } };
}

/** The problems with the settings applied: "off" ones left out, others at their configured severity. */
export function applyRuleSettings(problems: readonly Problem[], settings: RuleSettings): Problem[] {
  const empty = Object.keys(settings.rules).length === 0 && Object.keys(settings.categories).length === 0;
  if (empty) return [...problems];
  const out: Problem[] = [];
  for (const p of problems) {
    const l = settings.rules[p.code.toUpperCase()] ?? settings.categories[p.category];
    if (l === 'off') continue;
    out.push(l && l !== p.severity ? { ...p, severity: l } : p);
  }
  return out;
}

export interface FoundRuleSettings {
  /** The file read, or undefined when there is none up to the root. */
  path?: string;
  settings: RuleSettings;
  errors: string[];
}

/** Reads a `.postfix-lint.json` (or a file given by name). */
export function readRuleSettingsFile(path: string, reader: FileReader): FoundRuleSettings {
  const text = reader.readText(path);
  if (text === undefined) return { path, settings: emptyRuleSettings(), errors: [`${path}: cannot be read`] };
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (e) {
    return { path, settings: emptyRuleSettings(), errors: [`${path}: not valid JSON (${(e as Error).message})`] };
  }
  return { path, ...parseRuleSettings(raw, path) };
}

/** The nearest `.postfix-lint.json` in `dir` or a directory above it. */
export function findRuleSettings(dir: string, reader: FileReader): FoundRuleSettings {
  let d = dir;
  for (let i = 0; i < 64; i++) {
    const candidate = `${d === '/' ? '' : d}/${CONFIG_FILE_NAME}`;
    if (reader.readText(candidate) !== undefined) return readRuleSettingsFile(candidate, reader);
    const up = dirname(d);
    if (up === d || up === '') break;
    d = up;
  }
  return { settings: emptyRuleSettings(), errors: [] };
}

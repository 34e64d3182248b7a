// "Harden this configuration": every quick fix marked `hardening`, merged
// into one fix whose edits never overlap. Fixes are taken most severe first;
// a fix that would touch text another accepted fix already changes is left
// out whole (its problem stays, to be fixed on its own after a re-lint).

import { SEVERITY_RANK as RANK, type Fix, type Problem, type TextEdit } from '../types';
import { rangesOverlap } from './edits';

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return (
    a.file === b.file &&
    a.newText === b.newText &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}

function samePoint(a: TextEdit, b: TextEdit): boolean {
  const empty = (e: TextEdit) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character;
  return a.file === b.file && empty(a) && empty(b) && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

/** Names a main.cf edit assigns (`name = value` lines it inserts or a value it replaces). */
function assignedNames(e: TextEdit): string[] {
  return [...e.newText.matchAll(/^([A-Za-z0-9_]+) = /gm)].map((m) => m[1]);
}

/** One accepted fix inside a merged hardening fix: the editor shows each for confirmation. */
export interface HardeningPart {
  title: string;
  /** The problem it fixes (for hardening advice without a finding, the code of the rule it would be). */
  code: string;
  /** The recipe it applies, when it is one (not a plain safe fix). */
  recipe?: string;
  /** Indexes into the merged fix's `edits`; an insertion shared with an earlier part counts for that one. */
  edits: number[];
  /** Paths of the files it creates. */
  newFiles: string[];
}

export interface HardeningFix extends Fix {
  parts: HardeningPart[];
}

export interface MergeOptions {
  /**
   * Also take the recipe an intent finding calls for (its first fix with a
   * recipe): the editor's harden, shown as a preview to confirm part by
   * part. The CLI's --fix stays with safe fixes.
   */
  recipes?: boolean;
  /** Which fix of a problem to take instead (by default its hardening fix): "Fix all" takes the safe ones. */
  pick?: (p: Problem) => Fix | undefined;
}

/**
 * The fix a problem contributes to hardening, if any. With recipes, a
 * finding's recipe comes before its narrower safe fix: the recipe keeps the
 * whole promise (PF541's submission recipe also binds senders to logins,
 * which the one-word fix would leave to a second run, as PF543).
 */
function hardeningFixOf(p: Problem, options: MergeOptions): Fix | undefined {
  if (options.pick) return options.pick(p);
  const safe = p.fixes?.find((f) => f.hardening);
  return options.recipes ? (p.fixes?.find((f) => f.recipe) ?? safe) : safe;
}

/** Merges the hardening fixes of the given problems into one fix. */
export function mergeHardeningFixes(problems: Problem[], options: MergeOptions = {}): HardeningFix {
  const candidates = problems
    .filter((p) => hardeningFixOf(p, options))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code))
    .map((p) => ({ code: p.code, fix: hardeningFixOf(p, options)! }));
  const accepted: { edit: TextEdit; part: number }[] = [];
  const parts: HardeningPart[] = [];
  const assigned = new Set<string>();
  const newFiles = new Map<string, string>();
  for (const { code, fix } of candidates) {
    const fresh = fix.edits.filter((e) => !accepted.some((a) => sameEdit(a.edit, e)));
    const files = (fix.newFiles ?? []).filter((f) => !newFiles.has(f.file));
    if (fresh.length === 0 && files.length === 0) continue;
    if (fix.newFiles?.some((f) => newFiles.has(f.file) && newFiles.get(f.file) !== f.text)) continue;
    const clash = fresh.some((e) => accepted.some((a) => a.edit.file === e.file && rangesOverlap(a.edit.range, e.range)));
    const names = fresh.flatMap(assignedNames);
    if (clash || names.some((n) => assigned.has(n))) continue;
    for (const n of names) assigned.add(n);
    const part = parts.length;
    accepted.push(...fresh.map((edit) => ({ edit, part })));
    for (const f of files) newFiles.set(f.file, f.text);
    parts.push({ title: fix.title, code, recipe: fix.recipe, edits: [], newFiles: files.map((f) => f.file) });
  }
  // Insertions at one point become one edit, in the order they were accepted.
  const merged: TextEdit[] = [];
  for (const { edit: e, part } of accepted) {
    const at = merged.findIndex((m) => samePoint(m, e));
    if (at >= 0) merged[at].newText += e.newText;
    else {
      parts[part].edits.push(merged.length);
      merged.push({ ...e, range: { start: { ...e.range.start }, end: { ...e.range.end } } });
    }
  }
  const titles = parts.map((p) => p.title);
  const fix: HardeningFix = {
    title: titles.length ? `Harden this configuration (${titles.length} change${titles.length > 1 ? 's' : ''}): ${titles.join('; ')}` : 'Harden this configuration (nothing to change)',
    edits: merged,
    hardening: true,
    parts,
  };
  if (newFiles.size) fix.newFiles = [...newFiles].map(([file, text]) => ({ file, text }));
  return fix;
}

/** "Fix all": the first safe fix of each problem, merged into one fix without overlapping edits. */
export function mergeSafeFixes(problems: Problem[]): Fix {
  const merged = mergeHardeningFixes(problems, { pick: (p) => p.fixes?.find((f) => f.safe) });
  const titles = merged.parts.map((p) => p.title);
  return { title: titles.length ? `Fix all (${titles.length} change${titles.length > 1 ? 's' : ''}): ${titles.join('; ')}` : 'Fix all (nothing to change)', edits: merged.edits, safe: true };
}

// "Harden this configuration": every quick fix marked `hardening`, merged
// into one fix whose edits never overlap. Fixes are taken most severe first;
// a fix that would touch text another accepted fix already changes is left
// out whole (its problem stays, to be fixed on its own after a re-lint).

import type { Fix, Problem, TextEdit } from '../types';
import { rangesOverlap } from './edits';

const RANK: Record<Problem['severity'], number> = { error: 0, warning: 1, info: 2, hint: 3 };

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

/** Merges the hardening fixes of the given problems into one fix. */
export function mergeHardeningFixes(problems: Problem[]): Fix {
  const candidates = problems
    .filter((p) => p.fixes?.some((f) => f.hardening))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code))
    .flatMap((p) => p.fixes!.filter((f) => f.hardening).slice(0, 1));
  const accepted: TextEdit[] = [];
  const titles: string[] = [];
  const assigned = new Set<string>();
  const newFiles = new Map<string, string>();
  for (const fix of candidates) {
    const fresh = fix.edits.filter((e) => !accepted.some((a) => sameEdit(a, e)));
    if (fresh.length === 0) continue;
    if (fix.newFiles?.some((f) => newFiles.has(f.file) && newFiles.get(f.file) !== f.text)) continue;
    const clash = fresh.some((e) => accepted.some((a) => a.file === e.file && rangesOverlap(a.range, e.range)));
    const names = fresh.flatMap(assignedNames);
    if (clash || names.some((n) => assigned.has(n))) continue;
    for (const n of names) assigned.add(n);
    accepted.push(...fresh);
    for (const f of fix.newFiles ?? []) newFiles.set(f.file, f.text);
    titles.push(fix.title);
  }
  // Insertions at one point become one edit, in the order they were accepted.
  const merged: TextEdit[] = [];
  for (const e of accepted) {
    const at = merged.find((m) => samePoint(m, e));
    if (at) at.newText += e.newText;
    else merged.push({ ...e, range: { start: { ...e.range.start }, end: { ...e.range.end } } });
  }
  const fix: Fix = {
    title: titles.length ? `Harden this configuration (${titles.length} change${titles.length > 1 ? 's' : ''}): ${titles.join('; ')}` : 'Harden this configuration (nothing to change)',
    edits: merged,
    hardening: true,
  };
  if (newFiles.size) fix.newFiles = [...newFiles].map(([file, text]) => ({ file, text }));
  return fix;
}

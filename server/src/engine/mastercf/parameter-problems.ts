// Editor diagnostics for postconf's parameter checks on master.cf -o settings
// (unused, undefined, read-only, bad `$` syntax), placed on the exact text:
// the setting's name, or the `$name` inside its value.

import { analyzeParameterUsage, postfix37Names } from './parameter-usage';
import type { ParameterUsage, PostconfEntry, PostconfSetting, UsageContext, UsageWarning } from './parameter-usage';
import { logicalRange } from '../lines';
import type { Problem, Range } from '../types';
import { masterProblem } from './codes';
import type { MasterCf, MasterService } from './parse';

function settingRanges(
  entry: PostconfEntry,
  name: string,
  known?: PostconfSetting,
): { service: MasterService; name: Range; value: Range; valueText?: { start: number; text: string } } | undefined {
  const setting = known ?? entry.settings?.get(name);
  if (!setting) return undefined;
  const s = setting.service;
  const o = [...s.overrides].reverse().find((x) => x.name === name);
  if (o) return { service: s, name: o.nameRange, value: o.valueRange, valueText: { start: o.valueStart, text: s.text.slice(o.valueStart, o.valueEnd) } };
  const word = [...s.fields, ...s.args][setting.word];
  return word ? { service: s, name: word.range, value: word.range } : undefined;
}

/** Range of `$name`, `${name...}` or `$(name...)` inside a setting's value, else the whole value. */
function referenceRange(entry: PostconfEntry, setting: string | undefined, ref: string): Range | undefined {
  if (!setting) return undefined;
  const r = settingRanges(entry, setting);
  if (!r) return undefined;
  if (r.valueText) {
    const m = new RegExp(`\\$[{(]?[ \\t]*${ref}(?![A-Za-z0-9_])`).exec(r.valueText.text);
    if (m) return logicalRange(r.service.logical, r.valueText.start + m.index, r.valueText.start + m.index + m[0].length);
  }
  return r.value;
}

function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

let knownNames: string[] | undefined;

/** The closest Postfix parameter name, for "did you mean". */
export function closestParameter(name: string): string | undefined {
  knownNames ??= postfix37Names();
  const max = Math.max(1, Math.min(3, Math.floor(name.length / 5)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const k of knownNames) {
    const d = editDistance(name, k, max);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** Problems for master.cf from a ParameterUsage (main.cf findings are left to the main.cf checks). */
export function masterParameterProblems(usage: ParameterUsage, file: string): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const push = (p: Problem) => {
    const key = `${p.code} ${p.range.start.line}:${p.range.start.character} ${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  const forWarning = (w: UsageWarning) => {
    if (!('entry' in w) || !w.entry) return;
    const e = w.entry;
    switch (w.kind) {
      case 'undefined': {
        if (w.file !== 'master.cf') return;
        const range = referenceRange(e, w.setting, w.name) ?? e.service.name.range;
        push(
          masterProblem(
            'undefinedParameter',
            file,
            range,
            `undefined parameter: ${w.name} ($${w.name} has no value: not in this service's -o settings, not in main.cf, and not a Postfix parameter)`,
          ),
        );
        return;
      }
      case 'read-only': {
        const r = settingRanges(e, w.name, w.setting);
        push(masterProblem('readOnlyParameter', file, r?.name ?? e.service.name.range, `read-only parameter assignment: ${w.name}=${w.value} (Postfix sets ${w.name} itself and ignores this)`));
        return;
      }
      case 'macro': {
        const r = w.name ? settingRanges(e, w.name) : undefined;
        push(masterProblem('macroSyntax', file, r?.value ?? e.service.range, w.text));
        return;
      }
      case 'braces': {
        const r = w.name ? settingRanges(e, w.name) : undefined;
        push(masterProblem('valueBraces', file, r?.value ?? e.service.range, w.text.replace(/^master\.cf:[^:]*: /, '')));
        return;
      }
    }
  };
  for (const w of usage.warnings) forWarning(w);
  for (const u of usage.unusedMaster()) {
    const r = settingRanges(u.entry, u.name);
    const near = closestParameter(u.name);
    const hint = near && near !== u.name ? `; did you mean ${near}?` : '; a name you define yourself needs a $reference somewhere';
    push(
      masterProblem('unusedParameter', file, r?.name ?? u.entry.service.name.range, `unused parameter: ${u.name}=${u.value} (not a Postfix parameter, and nothing refers to it${hint})`),
    );
  }
  return out;
}

/**
 * Every master.cf problem: syntax and start-up checks from the parser plus
 * postconf's parameter checks (which need main.cf, given in `ctx`).
 */
export function masterCfProblems(master: MasterCf, ctx: UsageContext): Problem[] {
  return [...master.problems, ...masterParameterProblems(analyzeParameterUsage(master, { pastFatal: true, ...ctx }), master.file)];
}

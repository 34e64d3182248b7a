// Editor diagnostics for postconf's parameter checks on master.cf -o settings
// (unused, undefined, read-only, bad `$` syntax, braces), placed on the exact
// text: the setting's name, or the `$name` inside its value. The checks
// themselves are postconf's registration (postconf/parameters.ts).

import { builtinParameterNames, LEGACY_NAMES, ORACLE_VERSION } from '../catalog/parameters';
import { editDistance } from '../edit-distance';
import { logicalRange } from '../lines';
import type { ReadFile } from '../postconf/dbms';
import { Finding, ParameterRegistry, PostconfEntry, PostconfSetting, registerParameters } from '../postconf/parameters';
import type { Problem, Range } from '../types';
import { masterProblem } from './codes';
import type { MasterCf, MasterService } from './parse';
import { lastOverride, serviceWord } from './overrides';

/** What the master.cf checks need besides master.cf itself. */
export interface MasterParameterContext {
  /** The configuration directory, as it appears in postconf's messages. */
  configDir: string;
  /** postconf's main.cf dictionary: config_directory, then main.cf's settings (last one wins). */
  main: ReadonlyMap<string, string>;
  /** Reads database client files (`mysql:/etc/postfix/x.cf`). */
  readFile?: ReadFile;
  /** Target Postfix version (default 3.7.11, the one proven against real postconf). */
  version?: string;
}

function settingRanges(
  entry: PostconfEntry,
  name: string,
  known?: PostconfSetting,
): { service: MasterService; name: Range; value: Range; valueText?: { start: number; text: string } } | undefined {
  const setting = known ?? entry.settings?.get(name);
  if (!setting) return undefined;
  const s = setting.service;
  const o = lastOverride(s, name);
  if (o) return { service: s, name: o.nameRange, value: o.valueRange, valueText: { start: o.valueStart, text: s.text.slice(o.valueStart, o.valueEnd) } };
  const word = serviceWord(s, setting.word);
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

const knownNames = new Map<string, string[]>();

/** Known names by version and length (see closestParameter). */
const knownNamesByLength = new Map<string, string[]>();

/** Known names near a name, by version and name (see closestParameter); bounded. */
const nearNames = new Map<string, { name: string; distance: number }[]>();
const MAX_NEAR_NAMES = 65536;

/**
 * The closest parameter name the target Postfix version knows, for "did you
 * mean" (message and quick fix alike); `exclude` leaves out names that are
 * no answer (already set, so a rename would only make a duplicate).
 */
export function closestParameter(name: string, version: string = ORACLE_VERSION, exclude?: (candidate: string) => boolean): string | undefined {
  let names = knownNames.get(version);
  if (!names) {
    names = [...builtinParameterNames(version), ...LEGACY_NAMES];
    knownNames.set(version, names);
  }
  const max = Math.max(1, Math.min(3, Math.floor(name.length / 5)));
  // The known names within max edits of this name, in order, with their distances: the lint and the
  // quick fixes ask for the same unknown names again (thousands of them in a hostile main.cf).
  const key = `${version}\0${name}`;
  let near = nearNames.get(key);
  if (!near) {
    near = [];
    // Only names whose length is within max can be within max edits (editDistance returns max + 1 for the
    // others); kept in order, so ties go to the same name. Lengths past 256 share one (empty) list.
    const length = Math.min(name.length, 256);
    const byLength = `${version}\0${length}`;
    let candidates = knownNamesByLength.get(byLength);
    if (!candidates) {
      candidates = names.filter((k) => Math.abs(k.length - length) <= max);
      knownNamesByLength.set(byLength, candidates);
    }
    for (const k of candidates) {
      const d = editDistance(name, k, max);
      if (d <= max) near.push({ name: k, distance: d });
    }
    if (nearNames.size >= MAX_NEAR_NAMES) nearNames.clear();
    if (name.length <= 256) nearNames.set(key, near); // a longer name has no near names to keep
  }
  // As over every known name: a name further than max never beats bestD, so exclude is asked the same questions.
  let best: string | undefined;
  let bestD = max + 1;
  for (const { name: k, distance: d } of near) {
    if (d < bestD && !exclude?.(k)) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** Problems for master.cf from a registration (main.cf findings are left to the main.cf checks). */
export function masterParameterProblems(registry: ParameterRegistry, file: string, version?: string): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const push = (p: Problem) => {
    const key = `${p.code} ${p.range.start.line}:${p.range.start.character} ${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  const forFinding = (f: Finding) => {
    const e = f.entry;
    if (!e || f.file !== 'master.cf') return;
    switch (f.kind) {
      case 'undefined': {
        const range = referenceRange(e, f.parameter, f.name) ?? e.service.name.range;
        push(
          masterProblem(
            'undefinedParameter',
            file,
            range,
            `undefined parameter: ${f.name} ($${f.name} has no value: not in this service's -o settings, not in main.cf, and not a Postfix parameter)`,
          ),
        );
        return;
      }
      case 'read-only': {
        const r = settingRanges(e, f.name, f.setting);
        push(masterProblem('readOnlyParameter', file, r?.name ?? e.service.name.range, `read-only parameter assignment: ${f.name}=${f.value} (Postfix sets ${f.name} itself and ignores this)`));
        return;
      }
      case 'scan':
      case 'macro': {
        const r = f.parameter ? settingRanges(e, f.parameter) : undefined;
        push(masterProblem('macroSyntax', file, r?.value ?? e.service.range, f.text));
        return;
      }
      case 'dbms': {
        if (!/^master\.cf:[^:]*: (missing '\}'|syntax error after '\}')/.test(f.text)) return;
        const r = f.parameter ? settingRanges(e, f.parameter) : undefined;
        push(masterProblem('valueBraces', file, r?.value ?? e.service.range, f.text.replace(/^master\.cf:[^:]*: /, '')));
        return;
      }
      case 'unused': {
        const r = settingRanges(e, f.name, f.setting);
        const near = closestParameter(f.name, version);
        const hint = near && near !== f.name ? `; did you mean ${near}?` : '; a name you define yourself needs a $reference somewhere';
        push(
          masterProblem('unusedParameter', file, r?.name ?? e.service.name.range, `unused parameter: ${f.name}=${f.value} (not a Postfix parameter, and nothing refers to it${hint})`),
        );
        return;
      }
    }
  };
  for (const f of registry.findings) forFinding(f);
  for (const f of registry.unusedMaster()) forFinding(f);
  return out;
}

/**
 * Every master.cf problem: syntax and start-up checks from the parser plus
 * postconf's parameter checks (which need main.cf, given in `ctx`), for every
 * valid service line, also past a line postconf rejects.
 */
export function masterCfProblems(master: MasterCf, ctx: MasterParameterContext): Problem[] {
  const registry = registerParameters({ configDir: ctx.configDir, main: ctx.main, master, readFile: ctx.readFile, version: ctx.version, keepGoing: true });
  return [...master.problems, ...masterParameterProblems(registry, master.file, ctx.version)];
}

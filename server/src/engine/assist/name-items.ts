// Parameter names as completion items (main.cf names, `-o name=`, `$name`),
// and the cut that keeps a list of names a configuration makes readable. The
// catalog's ~950 names are always offered whole; the names a configuration
// adds (per-service names of master.cf, names set in main.cf, transports) can
// run to hundreds of thousands: 100,000 services, half of them delivery
// agents, make 800,000 per-service names, and every one was offered on an
// empty main.cf line. Past LISTED_NAMES such names, a list offers only those
// that start with what is typed and says it is incomplete, so the client
// asks again as the user types.

import { isDeprecatedIn, parameterInfo, type ServiceParameterLike } from '../catalog/docs';
import { builtinParameterNames } from '../catalog/parameters';
import { serviceParameters } from '../mastercf';
import type { Range } from '../types';
import type { AssistCompletion, CompletionEnv } from './completion';

/**
 * The most names of a configuration's own (not the catalog's) one list
 * offers: more than any hand-written configuration makes (a few dozen
 * transports make a few hundred per-service names), few enough that a list
 * stays a few hundred kilobytes of JSON.
 */
export const LISTED_NAMES = 1000;

/** Whether a list was cut to what is typed (the client should ask again as the user types). */
export interface ListCut {
  incomplete: boolean;
}

/** ASCII letters lower-cased: names are ASCII, and clients filter without regard to case. */
function fold(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** `name` starts with `folded` (already folded), ASCII case aside; no string made. */
function startsWithFolded(name: string, folded: string): boolean {
  if (name.length < folded.length) return false;
  for (let i = 0; i < folded.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== folded.charCodeAt(i)) return false;
  }
  return true;
}

function foldedCode(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Bucket keys: the first folded letter, and the first two (distinct numbers). */
const key1 = (c0: number) => c0;
const key2 = (c0: number, c1: number) => (c0 + 1) * 0x10000 + c1;

/**
 * A list's items by the first one and the first two letters of their names
 * (ASCII case aside), each bucket in list order; made once per list (the
 * lists are kept per parse: serviceParameters, main.cf's entries, master.cf's
 * services). Without it, each keystroke read all 800,000 per-service names
 * to find the few that start with what is typed (10-15 ms).
 */
const prefixIndexes = new WeakMap<object, Map<number, unknown[]>>();

function prefixIndex<T>(list: readonly T[], nameOf: (t: T) => string): Map<number, T[]> {
  let index = prefixIndexes.get(list) as Map<number, T[]> | undefined;
  if (!index) {
    const made = new Map<number, T[]>();
    const add = (k: number, t: T) => {
      const bucket = made.get(k);
      if (bucket) bucket.push(t);
      else made.set(k, [t]);
    };
    for (const t of list) {
      const name = nameOf(t);
      if (name.length === 0) continue;
      const c0 = foldedCode(name, 0);
      add(key1(c0), t);
      if (name.length > 1) add(key2(c0, foldedCode(name, 1)), t);
    }
    prefixIndexes.set(list, (index = made));
  }
  return index;
}

/**
 * Chooses which of `candidates` names a list offers: all of them when there
 * are at most LISTED_NAMES; else those starting with `typed`, as long as
 * `full()` is false, and the list is marked incomplete.
 */
export class NameCut {
  private readonly folded: string | undefined;
  private taken = 0;
  constructor(candidates: number, typed: string, cut: ListCut | undefined) {
    if (candidates <= LISTED_NAMES) return;
    this.folded = fold(typed);
    if (cut) cut.incomplete = true;
  }
  /** The items of `list` worth looking at: all of them, or when cutting those whose first letters fit (in list order). */
  over<T>(list: readonly T[], nameOf: (t: T) => string): readonly T[] {
    const f = this.folded;
    if (f === undefined || f.length === 0) return list;
    const index = prefixIndex(list, nameOf);
    const c0 = f.charCodeAt(0);
    return index.get(f.length === 1 ? key1(c0) : key2(c0, f.charCodeAt(1))) ?? [];
  }
  /** Whether `name` may be offered (call `took` when it is). */
  fits(name: string): boolean {
    return this.folded === undefined || startsWithFolded(name, this.folded);
  }
  took(): void {
    this.taken++;
  }
  /** No more names once LISTED_NAMES are offered (only when cutting). */
  full(): boolean {
    return this.folded !== undefined && this.taken >= LISTED_NAMES;
  }
}

/** The name of a per-service parameter or a main.cf entry. */
export const nameOfItem = (t: { name: string }) => t.name;

/** Sort keys: a group digit, then the label. */
export function sortKey(group: number, label: string): string {
  return `${group}_${label}`;
}

export function serviceParams(env: CompletionEnv): readonly ServiceParameterLike[] {
  return env.config?.master ? serviceParameters(env.config.master) : [];
}

const nameItemCache = new Map<string, { name: string; detail: string; deprecated: boolean }[]>();
const builtinSets = new Map<string, ReadonlySet<string>>();

/** The detail of a parameter-name item: its value type, without an enum's values (`enumlist:SSLv2|SSLv3|…` is too long for a detail column; the values are in the docs). */
export function parameterDetail(name: string): string | undefined {
  const info = parameterInfo(name);
  if (!info) return undefined;
  return info.typeText.length > 24 ? info.typeText.slice(0, info.typeText.indexOf(':')) : info.typeText;
}

function builtinNameData(version: string): { name: string; detail: string; deprecated: boolean }[] {
  let data = nameItemCache.get(version);
  if (!data) {
    data = [];
    for (const name of builtinParameterNames(version)) {
      const info = parameterInfo(name);
      if (!info) continue;
      data.push({ name, detail: parameterDetail(name)!, deprecated: isDeprecatedIn(info, version) });
    }
    nameItemCache.set(version, data);
  }
  return data;
}

/** The names builtinNameData offers, as a set. */
function builtinSet(version: string): ReadonlySet<string> {
  let set = builtinSets.get(version);
  if (!set) builtinSets.set(version, (set = new Set(builtinNameData(version).map((d) => d.name))));
  return set;
}

/**
 * Parameter names for a version (names it does not know are left out), the
 * per-service names master.cf creates (cut to `typed` when there are too
 * many), and for `-o` the ones that belong to the service's program first.
 */
export function parameterNameItems(env: CompletionEnv, range: Range, suffix: string, program: string | undefined, typed: string): AssistCompletion[] {
  const out: AssistCompletion[] = [];
  const prefix = program ? `${program === 'postscreen' ? 'postscreen' : program}_` : undefined;
  for (const d of builtinNameData(env.version)) {
    const relevant = prefix !== undefined && d.name.startsWith(prefix);
    out.push({
      label: d.name,
      kind: 'parameter',
      detail: d.detail,
      insertText: d.name + suffix,
      range,
      sortText: sortKey(d.deprecated ? 3 : relevant ? 0 : 1, d.name),
      deprecated: d.deprecated || undefined,
      doc: { t: 'parameter', name: d.name },
    });
  }
  const builtin = builtinSet(env.version);
  const derived = serviceParams(env);
  const cut = new NameCut(derived.length, typed, env.cut);
  // serviceParameters has no repeats.
  for (const sp of cut.over(derived, nameOfItem)) {
    if (cut.full()) break;
    if (!cut.fits(sp.name) || builtin.has(sp.name)) continue;
    cut.took();
    out.push({
      label: sp.name,
      kind: 'parameter',
      detail: `per-service (${sp.service})`,
      insertText: sp.name + suffix,
      range,
      sortText: sortKey(2, sp.name),
      doc: { t: 'parameter', name: sp.name, service: sp },
    });
  }
  return out;
}

/** Names `$` can refer to: built-in names, names set in main.cf, per-service names (the last two cut to `typed` when there are too many). */
export function referenceNames(env: CompletionEnv, typed: string): { name: string; builtin: boolean; service?: ServiceParameterLike }[] {
  const out: { name: string; builtin: boolean; service?: ServiceParameterLike }[] = [];
  const seen = new Set<string>();
  for (const d of builtinNameData(env.version)) {
    seen.add(d.name);
    out.push({ name: d.name, builtin: true });
  }
  const entries = env.config?.main?.entries ?? [];
  const derived = serviceParams(env);
  const cut = new NameCut(entries.length + derived.length, typed, env.cut);
  for (const e of cut.over(entries, nameOfItem)) {
    if (cut.full()) return out;
    if (seen.has(e.name) || !cut.fits(e.name)) continue;
    seen.add(e.name);
    cut.took();
    out.push({ name: e.name, builtin: false });
  }
  for (const sp of cut.over(derived, nameOfItem)) {
    if (cut.full()) return out;
    if (seen.has(sp.name) || !cut.fits(sp.name)) continue;
    seen.add(sp.name);
    cut.took();
    out.push({ name: sp.name, builtin: false, service: sp });
  }
  return out;
}

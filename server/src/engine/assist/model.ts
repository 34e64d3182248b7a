// Questions completion and hover ask of a loaded configuration: which
// restriction classes exist, which lists use a class, what a lookup table is
// used for, and the restriction in front of a table reference.

import { parameterInfo, restrictionInfo, RESTRICTION_STAGES, RestrictionStage, restrictionStageOf } from '../catalog/docs';
import { effectiveValue, PostfixConfig, TableUse } from '../config';
import { valueRange } from '../maincf/parse';
import { parseReferences } from '../maincf/references';
import { findTableReferences, flattenReferences } from '../tables/references';
import { splitBraced } from '../tables/text';
import type { Position, Range } from '../types';

function words(value: string): string[] {
  return splitBraced(value).map(([a, b]) => value.slice(a, b));
}

/** Names listed in smtpd_restriction_classes (main.cf, expanded). */
export function restrictionClasses(config: PostfixConfig): Set<string> {
  const v = effectiveValue(config, 'smtpd_restriction_classes').expanded ?? '';
  return new Set(words(v));
}

/** A restriction list setting: main.cf entry or master.cf -o, with its stage when it is a smtpd_*_restrictions list. */
interface ListSetting {
  name: string;
  value: string;
  stage?: RestrictionStage;
}

function listSettings(config: PostfixConfig): ListSetting[] {
  const out: ListSetting[] = [];
  for (const e of config.main?.entries ?? []) out.push({ name: e.name, value: e.value, stage: restrictionStageOf(e.name) });
  for (const s of config.master?.services ?? []) for (const o of s.overrides) out.push({ name: o.name, value: o.value, stage: restrictionStageOf(o.name) });
  return out;
}

const stageCache = new WeakMap<PostfixConfig, Map<string, Set<RestrictionStage>>>();

/**
 * For every name that ends up inside a smtpd_*_restrictions list, the stages
 * of those lists: restriction classes named in a list, and parameters pulled
 * in as `$name` (docker-mailserver's `smtpd_sender_restrictions =
 * $dms_smtpd_sender_restrictions`), through any number of such steps.
 */
function listStageMap(config: PostfixConfig): Map<string, Set<RestrictionStage>> {
  const cached = stageCache.get(config);
  if (cached) return cached;
  const classes = restrictionClasses(config);
  const settings = listSettings(config);
  const stagesOf = new Map<string, Set<RestrictionStage>>();
  const get = (n: string) => {
    let set = stagesOf.get(n);
    if (!set) stagesOf.set(n, (set = new Set()));
    return set;
  };
  for (const c of classes) get(c);
  const members = settings.map((st) => ({
    st,
    names: [...words(st.value).filter((w) => classes.has(w)), ...parseReferences(st.value).flatMap((r) => (r.name ? [r.name] : []))],
  }));
  for (let round = 0; round < 10; round++) {
    let changed = false;
    for (const { st, names } of members) {
      const from = st.stage ? new Set([st.stage]) : stagesOf.get(st.name);
      if (!from || from.size === 0) continue;
      for (const n of names) {
        const target = get(n);
        for (const s of from) {
          if (!target.has(s)) {
            target.add(s);
            changed = true;
          }
        }
      }
    }
    if (!changed) break;
  }
  stageCache.set(config, stagesOf);
  return stagesOf;
}

/** Stages of the lists that use a restriction class, directly or through other classes; empty when none does. */
export function stagesUsingClass(config: PostfixConfig, className: string): RestrictionStage[] {
  return [...(listStageMap(config).get(className) ?? [])];
}

/**
 * The stages a parameter's value is evaluated in as a restriction list:
 * its own stage for smtpd_<stage>_restrictions, the stages of the lists that
 * use it for classes and `$`-included names (every stage for a class no list
 * uses yet); undefined when the value is not a restriction list.
 */
export function restrictionListStages(config: PostfixConfig | undefined, name: string): readonly RestrictionStage[] | undefined {
  const own = restrictionStageOf(name);
  if (own) return [own];
  if (!config) return undefined;
  const used = [...(listStageMap(config).get(name) ?? [])];
  if (used.length) return used;
  if (restrictionClasses(config).has(name)) return RESTRICTION_STAGES;
  return undefined;
}

function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

/** The setting's value and the offset of the reference inside it, for a table use. */
export function useInValue(config: PostfixConfig, use: TableUse): { value: string; start: number } | undefined {
  if (use.service) {
    const s = config.master?.services.find((x) => x.key === use.service);
    const o = s?.overrides.find((x) => x.name === use.parameter && contains(x.valueRange, use.range.start));
    if (!o) return undefined;
    return { value: o.value, start: use.range.start.character - o.valueRange.start.character };
  }
  for (const e of config.main?.entries ?? []) {
    if (e.name !== use.parameter || !contains(e.range, use.range.start)) continue;
    for (const r of flattenReferences(findTableReferences(e.value, { expectTables: true }))) {
      const rr = valueRange(e, r.start, r.end);
      if (rr.start.line === use.range.start.line && rr.start.character === use.range.start.character) return { value: e.value, start: r.start };
    }
  }
  return undefined;
}

/** The word before offset `start` in a list value (the restriction a table belongs to). */
export function wordBefore(value: string, start: number): string | undefined {
  const ws = splitBraced(value, 0, start);
  const last = ws[ws.length - 1];
  return last ? value.slice(last[0], last[1]) : undefined;
}

/** check_*_{mx,ns,a}_access and check_reverse_client_hostname_*access refuse OK for security reasons. */
export function refusesOk(restriction: string): boolean {
  const r = restriction.toLowerCase();
  return /_(mx|ns|a)_access$/.test(r) || r === 'check_reverse_client_hostname_access';
}

export type AccessTableKind =
  | { kind: 'access'; okRefused: boolean; tableType?: string; uses: TableUse[]; restrictions: string[] }
  | { kind: 'postscreen'; tableType?: string }
  | { kind: 'transport'; tableType?: string }
  | { kind: 'other'; tableType?: string };

const NOT_ACCESS_NAME = /virtual|canonical|generic|relocated|transport|sasl_passwd|alias|tls_polic|relay_recipients|relay_domains|login_map|relayhost|_checks|header|body|reply_filter|dsn_filter|command_filter|recipient_bcc|sender_bcc/i;

function typeFromName(path: string): string | undefined {
  const m = /\.(cidr|pcre|regexp)$/.exec(path);
  return m ? m[1] : undefined;
}

/** What a lookup table file is used for, from the settings that name it (or, unreferenced, its file name). */
export function accessTableKind(config: PostfixConfig | undefined, path: string): AccessTableKind {
  const uses = config ? config.tables.filter((t) => t.files.source === path) : [];
  const concrete = uses.find((u) => u.ref.type !== 'proxy');
  const tableType = concrete?.ref.type ?? typeFromName(path);
  if (uses.length === 0) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (/postscreen/i.test(base)) return { kind: 'postscreen', tableType };
    if (/^transport/i.test(base)) return { kind: 'transport', tableType };
    if (NOT_ACCESS_NAME.test(base) && !/access/i.test(base)) return { kind: 'other', tableType };
    return { kind: 'access', okRefused: false, tableType, uses, restrictions: [] };
  }
  if (uses.some((u) => u.parameter === 'postscreen_access_list')) return { kind: 'postscreen', tableType };
  if (uses.some((u) => u.parameter === 'transport_maps')) return { kind: 'transport', tableType };
  const classes = config ? restrictionClasses(config) : new Set<string>();
  const restrictions: string[] = [];
  let access = false;
  for (const u of uses) {
    const inList = restrictionStageOf(u.parameter) !== undefined || classes.has(u.parameter) || /_restrictions$/.test(u.parameter);
    const at = config ? useInValue(config, u) : undefined;
    const before = at ? wordBefore(at.value, at.start) : undefined;
    const info = before ? restrictionInfo(before) : undefined;
    if (info?.takes === 'table') {
      access = true;
      restrictions.push(info.name);
    } else if (inList || parameterInfo(u.parameter)?.typeText.startsWith('restrictions')) {
      access = true;
    }
  }
  if (!access) return { kind: 'other', tableType };
  return { kind: 'access', okRefused: restrictions.some(refusesOk), tableType, uses, restrictions };
}

// A whole Postfix configuration directory as the engine sees it: main.cf,
// master.cf, the lookup tables their settings name, and the effective value of
// any parameter for any service (master.cf -o, then main.cf, then default).

import { parseMainCfSteps, valueRange, MainCf } from './maincf/parse';
import { parseMasterCfSteps, MasterCf, MasterService, lastOverride } from './mastercf';
import { drain, ITEMS_PER_STEP, PieceClock, SETTINGS_PER_STEP, type Steps } from './steps';
import { findTableReferences, flattenReferences, tableFilePath, TableReference, TableFiles } from './tables';
import { defaultValue, LEGACY_NAMES, NEWEST_VERSION } from './catalog/parameters';
import { expandValue, memoFor, type ExpansionMemo, Lookup } from './expand';
import { serviceMemoKey, serviceMemoKeysSteps } from './service-memo';
import { parameterInfo, parameterType } from './catalog/docs';
import type { FileReader, Range } from './types';
import { configFiles, ConfigFiles, ConfigMode, installedConfigDirs } from './config-files';
import { isWritableTableParameter } from './catalog/writable-tables';

export interface TableUse {
  /** The reference after `$name` expansion (`hash:/etc/postfix/access`). */
  spec: string;
  ref: TableReference;
  /** Files the engine reads for it (see ConfigFiles); a path is missing when it is not part of this configuration. */
  files: TableFiles;
  /** The same files at the paths Postfix opens, for messages and commands. */
  installed: TableFiles;
  /** How the source file is written: aliases(5) for alias_maps/alias_database, else postmap's table format. */
  format: 'table' | 'aliases';
  /** Postfix creates and updates this table itself (a cache): there is nothing to read or build. */
  writable: boolean;
  /** Where it is named: the parameter, the file and the range of the `type:name` text. */
  parameter: string;
  service?: string;
  file: string;
  range: Range;
}

export interface PostfixConfig {
  dir: string;
  mainPath: string;
  masterPath: string;
  main?: MainCf;
  master?: MasterCf;
  /** Postfix version the checks target (completion, deprecations, unknown names). */
  version: string;
  /** Live configuration of this machine, or a repository copy (see config-files.ts). */
  mode: ConfigMode;
  /** Reads the files the configuration names where they are for this mode. */
  files: ConfigFiles;
  tables: TableUse[];
}

export interface LoadOptions {
  version?: string;
  /** Default: detectMode(dir). */
  mode?: ConfigMode;
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

const TABLE_KINDS = new Set(['tables', 'domains', 'networks', 'hosts', 'restrictions', 'list']);

/**
 * Parameters whose values can name lookup tables (maps, domain and network
 * lists, restriction lists), by their type in our catalog; names we do not
 * know (restriction classes, user-defined lists) may too. Others, such as
 * milter lists (`unix:/path`, `inet:host:port`), never do.
 */
function mayHoldTables(name: string): boolean {
  let v = mayHoldCache.get(name);
  if (v === undefined) {
    const info = parameterInfo(name);
    v = !info || TABLE_KINDS.has(parameterType(name).kind);
    if (mayHoldCache.size < 10_000) mayHoldCache.set(name, v);
  }
  return v;
}
/** The catalog does not change: answer each name once (a master.cf can repeat -o names a hundred thousand times). */
const mayHoldCache = new Map<string, boolean>();

/** Parameters whose values are lists of tables even when a type is unknown to us. */
function holdsTables(name: string): boolean {
  return /_maps$|_checks$|^smtpd_.*_restrictions$|_restriction_classes$|_access$|_filter_maps$/.test(name);
}

/** aliases(5) files, built with postalias (newaliases), not postmap. */
const ALIAS_PARAMETERS = new Set(['alias_maps', 'alias_database']);

export function loadConfig(dir: string, reader: FileReader, options: LoadOptions = {}): PostfixConfig {
  return drain(loadConfigSteps(dir, reader, options));
}

/**
 * loadConfig in steps: master.cf is parsed in steps and its -o settings are
 * searched for tables a few thousand at a time (a service can carry 100,000),
 * so the language server answers requests while a big configuration loads.
 */
export function* loadConfigSteps(dir: string, reader: FileReader, options: LoadOptions = {}): Steps<PostfixConfig> {
  const files = configFiles(dir, reader, options.mode);
  const mainPath = joinPath(dir, 'main.cf');
  const masterPath = joinPath(dir, 'master.cf');
  const mainText = files.readText(mainPath);
  const masterText = files.readText(masterPath);
  const main = mainText === undefined ? undefined : yield* parseMainCfSteps(mainText, mainPath);
  const master = masterText === undefined ? undefined : yield* parseMasterCfSteps(masterText, masterPath);
  const config: PostfixConfig = { dir, mainPath, masterPath, main, master, version: options.version ?? NEWEST_VERSION, mode: files.mode, files, tables: [] };
  config.tables = yield* collectTables(config);
  if (config.mode === 'repository') {
    // Which installed directories the copy stands for depends on the paths it names.
    const named = config.tables.filter((u) => !u.writable).flatMap((u) => [u.installed.source, u.installed.config].filter((p): p is string => p !== undefined));
    config.files = configFiles(dir, files, config.mode, installedConfigDirs(main?.byName.get('config_directory')?.value, named));
  }
  for (const use of config.tables) use.files = localFiles(config.files, use.installed);
  return config;
}

function localFiles(files: ConfigFiles, installed: TableFiles): TableFiles {
  const local = (p: string | undefined) => (p === undefined ? undefined : files.resolve(p).local);
  const out: TableFiles = { source: local(installed.source), config: local(installed.config) };
  if (installed.indexed) out.indexed = installed.indexed.map((p) => local(p) ?? p);
  return out;
}

/** A table use with its installed paths; the local ones are filled in once the resolver is known. */
function tableUse(ref: TableReference, parameter: string): Omit<TableUse, 'parameter' | 'service' | 'file' | 'range'> {
  const installed = tableFilePath(ref);
  return { spec: ref.text, ref, files: {}, installed, format: ALIAS_PARAMETERS.has(parameter) ? 'aliases' : 'table', writable: isWritableTableParameter(parameter) };
}

/**
 * The table uses main.cf names, per parse: they depend on main.cf alone (its
 * values expand through main.cf and the defaults), so a keystroke in master.cf
 * or a table beside a main.cf of 100,000 settings does not search it again
 * (about 300 ms). Kept as made; each configuration gets copies, whose files
 * and format it fills in.
 */
const mainCfTableUses = new WeakMap<MainCf, readonly TableUse[]>();

function* mainCfTables(config: PostfixConfig, main: MainCf): Steps<TableUse[]> {
  let uses = mainCfTableUses.get(main);
  if (!uses) {
    const made: TableUse[] = [];
    const entries = main.entries;
    const lookup = effectiveLookup(config);
    const memo = memoFor(config);
    const expand = (token: string) => expandValue(token, lookup, { memo }).value;
    for (let i = 0; i < entries.length; i++) {
      // 100,000 settings of names of one's own (which may hold tables) were one piece of 300-400 ms.
      if (i > 0 && i % SETTINGS_PER_STEP === 0) yield 'table references of main.cf';
      const e = entries[i];
      if (!mayHoldTables(e.name)) continue;
      for (const ref of flattenReferences(findTableReferences(e.value, { expectTables: holdsTables(e.name), expand }))) {
        made.push({ ...tableUse(ref, e.name), parameter: e.name, file: config.mainPath, range: valueRange(e, ref.start, ref.end) });
      }
    }
    mainCfTableUses.set(main, (uses = made));
  }
  return uses.map((u) => ({ ...u, files: {} }));
}

function* collectTables(config: PostfixConfig): Steps<TableUse[]> {
  const out: TableUse[] = config.main ? yield* mainCfTables(config, config.main) : [];
  let read = 0;
  const clock = new PieceClock();
  // The memo keys an -o value with a `$name` needs, found here in steps rather than by the first such value.
  yield* serviceMemoKeysSteps(config);
  for (const s of config.master?.services ?? []) {
    // Once per service, not per -o (a service can carry 100,000).
    let expand: ((token: string) => string) | undefined;
    for (const o of s.overrides) {
      // Each -o of 100,000 services expands and is searched (ITEMS_PER_STEP of them took 150 ms): the clock too.
      if (++read % ITEMS_PER_STEP === 0 || (read % 64 === 0 && clock.due())) {
        yield 'table references of master.cf';
        clock.restart();
      }
      if (!mayHoldTables(o.name)) continue;
      if (!expand) {
        // This service's own settings: a second entry of the same name/type has its own (looked up by key, the first one's).
        const service = s;
        const lookup: Lookup = (name) => lastOverride(service, name)?.value ?? valueSource(config, name).raw;
        // The memo only for a token that expands something: finding it indexes every service (200 ms on 50,000).
        let memo: ExpansionMemo | undefined;
        expand = (token: string) => expandValue(token, lookup, { memo: token.includes('$') ? (memo ??= memoFor(config, serviceMemoKey(config, service))) : false }).value;
      }
      for (const ref of flattenReferences(findTableReferences(o.value, { expectTables: holdsTables(o.name), expand }))) {
        const start = o.valueRange.start;
        out.push({
          ...tableUse(ref, o.name),
          parameter: o.name,
          service: s.key,
          file: config.masterPath,
          range: { start: { line: start.line, character: start.character + ref.start }, end: { line: start.line, character: start.character + ref.end } },
        });
      }
    }
  }
  // A file alias_maps names is an aliases(5) file however else it is reached
  // (proxy_read_maps = $local_recipient_maps ... often comes first).
  const aliasFiles = new Set(out.filter((u) => u.format === 'aliases').map((u) => u.installed.source));
  for (const u of out) if (u.installed.source && aliasFiles.has(u.installed.source)) u.format = 'aliases';
  return out;
}

/** Services by key and by name (the first of each), built once per parsed master.cf. */
const serviceIndex = new WeakMap<MasterCf, { byKey: Map<string, MasterService>; byName: Map<string, MasterService> }>();

/** The services of master.cf with a given key (`smtp/inet`) or name (`submission`). */
export function findService(config: PostfixConfig, keyOrName: string): MasterService | undefined {
  const master = config.master;
  if (!master) return undefined;
  let index = serviceIndex.get(master);
  if (!index) {
    index = { byKey: new Map(), byName: new Map() };
    for (const s of master.services) {
      if (!index.byKey.has(s.key)) index.byKey.set(s.key, s);
      if (!index.byName.has(s.name.text)) index.byName.set(s.name.text, s);
    }
    serviceIndex.set(master, index);
  }
  return index.byKey.get(keyOrName) ?? index.byName.get(keyOrName);
}

export type ValueSource =
  | { kind: 'master'; service: string; file: string; range: Range }
  | { kind: 'main'; file: string; range: Range }
  | { kind: 'default' };

/** Where the value of `name` comes from for a service (or globally). */
export function valueSource(config: PostfixConfig, name: string, serviceKey?: string): { raw: string | undefined; source: ValueSource } {
  const service = serviceKey ? findService(config, serviceKey) : undefined;
  const o = service && lastOverride(service, name);
  if (o) return { raw: o.value, source: { kind: 'master', service: service.key, file: config.masterPath, range: o.range } };
  const e = config.main?.byName.get(name);
  if (e) return { raw: e.value, source: { kind: 'main', file: config.mainPath, range: e.range } };
  // Legacy names (postscreen_dnsbl_ttl, ...) only matter when set: their default is empty.
  if (LEGACY_NAMES.has(name)) return { raw: '', source: { kind: 'default' } };
  return { raw: defaultValue(name), source: { kind: 'default' } };
}

/** Raw-value lookup for a service: its -o settings, then main.cf, then the default. */
export function effectiveLookup(config: PostfixConfig, serviceKey?: string): Lookup {
  return (name) => valueSource(config, name, serviceKey).raw;
}

/** The expansion memo for effectiveLookup(config, serviceKey), shared by services whose settings expand alike (service-memo.ts). */
export function effectiveMemo(config: PostfixConfig, serviceKey?: string): ExpansionMemo {
  return memoFor(config, serviceMemoKey(config, serviceKey ? findService(config, serviceKey) : undefined));
}

/** The value of a parameter after `$name` expansion, for a service or globally. */
export function effectiveValue(config: PostfixConfig, name: string, serviceKey?: string): { raw?: string; expanded?: string; errors: string[]; source: ValueSource } {
  const { raw, source } = valueSource(config, name, serviceKey);
  if (raw === undefined) return { errors: [], source };
  const r = expandValue(raw, effectiveLookup(config, serviceKey), { memo: effectiveMemo(config, serviceKey) });
  return { raw, expanded: r.value, errors: r.errors, source };
}

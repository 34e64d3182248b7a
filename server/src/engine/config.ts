// A whole Postfix configuration directory as the engine sees it: main.cf,
// master.cf, the lookup tables their settings name, and the effective value of
// any parameter for any service (master.cf -o, then main.cf, then default).

import { parseMainCf, valueRange, MainCf } from './maincf/parse';
import { parseMasterCf, MasterCf, MasterService } from './mastercf';
import { findTableReferences, flattenReferences, tableFilePath, TableReference, TableFiles } from './tables';
import { defaultValue, LEGACY_NAMES, NEWEST_VERSION } from './catalog/parameters';
import { expandValue, Lookup } from './expand';
import { parameterInfo, parameterType } from './catalog/docs';
import type { FileReader, Range } from './types';

export interface TableUse {
  /** The reference as written (`hash:/etc/postfix/access`). */
  spec: string;
  ref: TableReference;
  files: TableFiles;
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
  tables: TableUse[];
}

export interface LoadOptions {
  version?: string;
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
  const info = parameterInfo(name);
  return !info || TABLE_KINDS.has(parameterType(name).kind);
}

/** Parameters whose values are lists of tables even when a type is unknown to us. */
function holdsTables(name: string): boolean {
  return /_maps$|_checks$|^smtpd_.*_restrictions$|_restriction_classes$|_access$|_filter_maps$/.test(name);
}

export function loadConfig(dir: string, reader: FileReader, options: LoadOptions = {}): PostfixConfig {
  const mainPath = joinPath(dir, 'main.cf');
  const masterPath = joinPath(dir, 'master.cf');
  const mainText = reader.readText(mainPath);
  const masterText = reader.readText(masterPath);
  const main = mainText === undefined ? undefined : parseMainCf(mainText, mainPath);
  const master = masterText === undefined ? undefined : parseMasterCf(masterText, masterPath);
  const config: PostfixConfig = { dir, mainPath, masterPath, main, master, version: options.version ?? NEWEST_VERSION, tables: [] };
  config.tables = collectTables(config, reader);
  return config;
}

const DEFAULT_CONFIG_DIR = '/etc/postfix/';

/**
 * Configurations kept in a repository name their tables by their installed
 * path (/etc/postfix/access). When the file is not there but sits beside this
 * main.cf, use that copy.
 */
function localFiles(files: TableFiles, config: PostfixConfig, reader: FileReader): TableFiles {
  const source = files.source;
  if (!source || !source.startsWith(DEFAULT_CONFIG_DIR) || config.dir === DEFAULT_CONFIG_DIR.slice(0, -1)) return files;
  if (reader.readText(source) !== undefined) return files;
  const local = joinPath(config.dir, source.slice(DEFAULT_CONFIG_DIR.length));
  if (reader.readText(local) === undefined) return files;
  const swap = (p: string) => (p.startsWith(DEFAULT_CONFIG_DIR) ? joinPath(config.dir, p.slice(DEFAULT_CONFIG_DIR.length)) : p);
  return { ...files, source: local, indexed: files.indexed?.map(swap), config: files.config && swap(files.config) };
}

function collectTables(config: PostfixConfig, reader: FileReader): TableUse[] {
  const out: TableUse[] = [];
  for (const e of config.main?.entries ?? []) {
    if (!mayHoldTables(e.name)) continue;
    for (const ref of flattenReferences(findTableReferences(e.value, { expectTables: holdsTables(e.name) }))) {
      out.push({
        spec: e.value.slice(ref.start, ref.end),
        ref,
        files: localFiles(tableFilePath(ref), config, reader),
        parameter: e.name,
        file: config.mainPath,
        range: valueRange(e, ref.start, ref.end),
      });
    }
  }
  for (const s of config.master?.services ?? []) {
    for (const o of s.overrides) {
      if (!mayHoldTables(o.name)) continue;
      for (const ref of flattenReferences(findTableReferences(o.value, { expectTables: holdsTables(o.name) }))) {
        const start = o.valueRange.start;
        out.push({
          spec: o.value.slice(ref.start, ref.end),
          ref,
          files: localFiles(tableFilePath(ref), config, reader),
          parameter: o.name,
          service: s.key,
          file: config.masterPath,
          range: { start: { line: start.line, character: start.character + ref.start }, end: { line: start.line, character: start.character + ref.end } },
        });
      }
    }
  }
  return out;
}

/** The services of master.cf with a given key (`smtp/inet`) or name (`submission`). */
export function findService(config: PostfixConfig, keyOrName: string): MasterService | undefined {
  const services = config.master?.services ?? [];
  return services.find((s) => s.key === keyOrName) ?? services.find((s) => s.name.text === keyOrName);
}

export type ValueSource =
  | { kind: 'master'; service: string; file: string; range: Range }
  | { kind: 'main'; file: string; range: Range }
  | { kind: 'default' };

/** Where the value of `name` comes from for a service (or globally). */
export function valueSource(config: PostfixConfig, name: string, serviceKey?: string): { raw: string | undefined; source: ValueSource } {
  const service = serviceKey ? findService(config, serviceKey) : undefined;
  if (service) {
    for (let i = service.overrides.length - 1; i >= 0; i--) {
      const o = service.overrides[i];
      if (o.name === name) return { raw: o.value, source: { kind: 'master', service: service.key, file: config.masterPath, range: o.range } };
    }
  }
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

/** The value of a parameter after `$name` expansion, for a service or globally. */
export function effectiveValue(config: PostfixConfig, name: string, serviceKey?: string): { raw?: string; expanded?: string; errors: string[]; source: ValueSource } {
  const { raw, source } = valueSource(config, name, serviceKey);
  if (raw === undefined) return { errors: [], source };
  const r = expandValue(raw, effectiveLookup(config, serviceKey));
  return { raw, expanded: r.value, errors: r.errors, source };
}

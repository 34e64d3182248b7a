// Which parameter names are "used", "defined" and "unused" — postconf's
// bookkeeping (postconf_user.c, postconf_unused.c, postconf_dbms.c), replayed.
//
// postconf gives each master.cf service its own name space: the `-o name=value`
// settings of that service (services with the same name/type share one). A
// `-o` name is fine when it is a known parameter (built-in, legacy, read-only,
// or derived from a service name), or when something refers to it: `$name` in
// the same service's -o values, `$name` in any main.cf value, a name listed in
// smtpd_restriction_classes, or a legacy `ldap:name`-style table. Otherwise:
// "unused parameter". A `$name` that has no value anywhere it could come from:
// "undefined parameter". The same pass registers main.cf user-defined names,
// so main.cf's own unused check comes out of it too.
//
// The pass also fully expands the values of built-in parameters (postconf does,
// looking for those legacy tables), which is why a bad `$` expression in one
// of them stops even `postconf -M` with "macro processing error".

import { expandValue, Lookup, scanNames } from '../expand';
import { builtinParameterNames, defaultValue, isBuiltinParameter, isRawParameter, LEGACY_NAMES, READ_ONLY_NAMES } from '../catalog/parameters';
import { readLogicalLines } from '../lines';
import { DBMS_SETTINGS, scanDbmsReferences } from './dbms';
import type { MasterCf, MasterService } from './parse';
import { postconfTakesValue } from './postconf-view';
import { serviceParameters } from './service-params';
import { splitNameValue } from './tokenize';

/** What postconf knows about parameters without reading any file. */
export interface ParameterFacts {
  /** Registered by postconf itself: built-in, legacy or read-only. */
  isKnown(name: string): boolean;
  /** Default value as `postconf -d` shows it (unexpanded). */
  defaultValue(name: string): string | undefined;
  /** Never `$`-expanded (postconf does not scan these values). */
  isRaw(name: string): boolean;
  /** process_id, process_name, service_name. */
  isReadOnly(name: string): boolean;
}

const ORACLE = '3.7.11';

/** Facts of Postfix 3.7.11 from the parameter catalog. */
export const postfix37Facts: ParameterFacts = {
  isKnown: (n) => isBuiltinParameter(n, ORACLE) || LEGACY_NAMES.has(n) || READ_ONLY_NAMES.has(n),
  defaultValue: (n) => {
    if (LEGACY_NAMES.has(n)) return '';
    if (n === 'process_name') return 'postconf';
    if (n === 'service_name') return '';
    return isBuiltinParameter(n, ORACLE) || READ_ONLY_NAMES.has(n) ? defaultValue(n) : undefined;
  },
  isRaw: (n) => isRawParameter(n),
  isReadOnly: (n) => READ_ONLY_NAMES.has(n),
};

/** Names the catalog registers for 3.7.11 (for callers listing every known name). */
export function postfix37Names(): string[] {
  return [...builtinParameterNames(ORACLE), ...LEGACY_NAMES];
}

export interface UsageContext {
  /** As given to postconf -c; used in warning texts (`DIR/master.cf: ...`). */
  configDir: string;
  /**
   * postconf's main.cf dictionary: `config_directory` (postconf sets it when
   * -c is given) followed by every main.cf setting in file order, the last
   * setting of a name winning.
   */
  main: ReadonlyMap<string, string>;
  facts?: ParameterFacts;
  /** More names to treat as known (for the editor: names it knows by other means). */
  extraKnown?: (name: string) => boolean;
  /** Reads legacy database client files (`mysql:/etc/postfix/x.cf`); without it they are not checked. */
  readFile?: (path: string) => string | undefined;
  /**
   * Check every valid service even after a line postconf rejects (postconf
   * itself stops there). For the editor, which shows everything at once.
   */
  pastFatal?: boolean;
}

/** One -o setting in postconf's name space of a service. */
export interface PostconfSetting {
  value: string;
  /** The service line and word (index in fields + args) it came from; duplicates share settings. */
  service: MasterService;
  word: number;
}

/** A service as postconf holds it while checking names. */
export interface PostconfEntry {
  service: MasterService;
  /** `name/type`. */
  namespace: string;
  /** -o settings (shared by services with the same name/type); undefined when there are none yet. */
  settings?: Map<string, PostconfSetting>;
  /** process_name and service_name, which postconf fixes per service. */
  readOnly: Map<string, string>;
  /** -o names something refers to. */
  used: Set<string>;
}

export type UsageWarning =
  /** `setting`: the name whose value holds the reference (or that lists it in smtpd_restriction_classes). */
  | { kind: 'undefined'; name: string; file: 'main.cf' | 'master.cf'; entry?: PostconfEntry; setting?: string; text: string }
  | { kind: 'read-only'; name: string; value: string; file: 'main.cf' | 'master.cf'; entry?: PostconfEntry; setting?: PostconfSetting; text: string }
  | { kind: 'macro'; name: string; entry?: PostconfEntry; text: string }
  | { kind: 'braces'; name: string; entry?: PostconfEntry; text: string }
  | { kind: 'dbms'; text: string };

export interface ParameterUsage {
  entries: PostconfEntry[];
  /** Warnings while registering names, in postconf's order, without the `postconf: warning: ` prefix. */
  warnings: UsageWarning[];
  /** Set when registration stops postconf (`macro processing error` and its variants). */
  fatal?: string;
  /**
   * Warnings that real postconf may or may not print before that fatal error:
   * it visits one service's settings in a randomized hash order.
   */
  uncertain: string[];
  /** Is the name in postconf's global parameter table (built-in, service-derived, or used user-defined)? */
  isKnown(name: string): boolean;
  /** main.cf user-defined names that something refers to. */
  userNames: Set<string>;
  /** Value lookup for `-x`: the service's read-only and -o settings, then main.cf, then defaults. */
  lookup(entry?: PostconfEntry): Lookup;
  /** `-o` settings nobody uses: postconf's `DIR/master.cf: unused parameter: name=value`. */
  unusedMaster(): { entry: PostconfEntry; name: string; value: string; text: string }[];
  /** main.cf settings nobody uses: postconf's `DIR/main.cf: unused parameter: name=value`. */
  unusedMain(): { name: string; value: string; text: string }[];
}

class Fatal extends Error {}

/**
 * Replays postconf's name registration for a parsed master.cf and a main.cf
 * dictionary. For a master.cf that postconf rejects, only the services before
 * the fatal line are considered (postconf itself would stop there).
 */
export function analyzeParameterUsage(master: MasterCf, ctx: UsageContext): ParameterUsage {
  const facts = ctx.facts ?? postfix37Facts;
  const dir = ctx.configDir;
  // postconf deletes read-only settings from its main.cf dictionary as it goes.
  const main = new Map<string, string>(ctx.main);
  const fatalLine = ctx.pastFatal ? undefined : master.postconfFatal?.line;
  const services = master.services.filter((s) => s.valid && (fatalLine === undefined || s.line + 1 < fatalLine));

  // Service-derived names, with their defaults.
  const serviceDefaults = new Map<string, string>();
  for (const p of serviceParameters({ ...master, services })) {
    if (!facts.isKnown(p.name)) serviceDefaults.set(p.name, `$${p.defaultFrom}`);
  }
  const userNames = new Set<string>();
  const inTable = (n: string) => facts.isKnown(n) || serviceDefaults.has(n) || userNames.has(n) || (ctx.extraKnown?.(n) ?? false);
  const builtinOrService = (n: string) => (facts.isKnown(n) && !LEGACY_NAMES.has(n)) || serviceDefaults.has(n);

  // Name spaces from -o settings, as postconf reads them from its own argument list.
  const spaces = new Map<string, Map<string, PostconfSetting>>();
  const entries: PostconfEntry[] = [];
  for (const s of services) {
    const argv = s.postconf.argv;
    const namespace = `${argv[0].text}/${argv[1].text}`;
    for (let f = 8; f < argv.length; f++) {
      const arg = argv[f].text;
      if (arg[0] !== '-' || arg === '--') break;
      if (!postconfTakesValue(arg) || f + 1 >= argv.length) continue;
      if (arg === '-o') {
        const nv = splitNameValue(argv[f + 1].text);
        if (typeof nv !== 'string') {
          let space = spaces.get(namespace);
          if (!space) spaces.set(namespace, (space = new Map()));
          space.set(nv.name, { value: nv.value, service: s, word: argv[f + 1].word });
        }
      }
      f += 1;
    }
    const command = argv[7].text;
    const processName = command.slice(command.lastIndexOf('/') + 1);
    entries.push({
      service: s,
      namespace,
      settings: spaces.get(namespace),
      readOnly: new Map([
        ['process_name', processName],
        ['service_name', argv[0].text],
      ]),
      used: new Set(),
    });
  }

  const warnings: UsageWarning[] = [];
  const uncertain: string[] = [];
  // Where warnings go right now (per-setting buffers while scanning a name space).
  let sink: UsageWarning[] = warnings;
  let currentSetting: string | undefined;
  const lookupFor =
    (entry?: PostconfEntry): Lookup =>
    (name) => {
      if (entry) {
        const ro = entry.readOnly.get(name);
        if (ro !== undefined) return ro;
        const s = entry.settings?.get(name);
        if (s !== undefined) return s.value;
      }
      const m = main.get(name);
      if (m !== undefined) return m;
      if (facts.isKnown(name)) return facts.defaultValue(name) ?? '';
      const sd = serviceDefaults.get(name);
      if (sd !== undefined) return sd;
      if (userNames.has(name)) return '';
      return undefined;
    };

  // pcf_flag_user_parameter: a reference to `name` from a value in `entry`'s
  // name space (or main.cf when entry is undefined).
  const flag = (name: string, dbms: boolean, entry?: PostconfEntry) => {
    let supplied = false;
    if (entry && entry.settings?.has(name)) {
      supplied = true;
      entry.used.add(name);
    } else if (main.has(name)) {
      supplied = true;
      if (!inTable(name)) userNames.add(name);
    }
    if (!entry) {
      for (const e of entries) {
        if (e.settings?.has(name)) {
          supplied = true;
          e.used.add(name);
        }
      }
    }
    if (!supplied && !dbms && !inTable(name)) {
      const file = entry ? 'master.cf' : 'main.cf';
      sink.push({ kind: 'undefined', name, file, entry, setting: currentSetting, text: `${dir}/${file}: undefined parameter: ${name}` });
    }
  };

  const checkedClientFiles = new Set<string>();
  const dbms = (value: string, entry?: PostconfEntry) => {
    const r = expandValue(value, lookupFor(entry));
    if (r.errors.length > 0) {
      for (const e of r.errors) sink.push({ kind: 'macro', name: currentSetting ?? '', entry, text: e });
      throw new Fatal('macro processing error');
    }
    for (const ev of scanDbmsReferences(r.value)) {
      if (ev.kind === 'parameter') flag(ev.name, true, entry);
      else if (ev.kind === 'braces') sink.push({ kind: 'braces', name: currentSetting ?? '', entry, text: entry ? `master.cf:${entry.namespace}: ${ev.message}` : `main.cf: ${ev.message}` });
      else checkClientFile(ev.type, ev.path);
    }
  };
  const checkClientFile = (type: string, path: string) => {
    const spec = `${type}:${path}`;
    if (!ctx.readFile || checkedClientFiles.has(spec)) return;
    checkedClientFiles.add(spec);
    const text = ctx.readFile(path);
    if (text === undefined) {
      sink.push({ kind: 'dbms', text: `open "${type}" configuration "${path}": No such file or directory` });
      return;
    }
    const settings = new Map<string, string>();
    for (const l of readLogicalLines(text).lines) {
      const nv = splitNameValue(l.text);
      if (typeof nv !== 'string') settings.set(nv.name, nv.value);
    }
    for (const known of DBMS_SETTINGS[type]) settings.delete(known);
    for (const [n, v] of settings) sink.push({ kind: 'dbms', text: `${spec}: unused parameter: ${n}=${v}` });
  };

  // pcf_scan_user_parameter_namespace
  const scanSpace = (settings: Map<string, PostconfSetting | string>, entry?: PostconfEntry, evalClasses?: (v: string) => string) => {
    const file = entry ? 'master.cf' : 'main.cf';
    const classes = settings.get('smtpd_restriction_classes');
    if (classes !== undefined && evalClasses) {
      currentSetting = 'smtpd_restriction_classes';
      const list = evalClasses(typeof classes === 'string' ? classes : classes.value);
      for (const name of list.split(/[, \t\r\n]+/)) if (name) flag(name, false, entry);
    }
    // postconf visits the settings in hash order, which it randomizes per run:
    // when one setting stops it, which other warnings came first is chance.
    const visits: { warnings: UsageWarning[]; fatal?: string }[] = [];
    for (const [name, s] of [...settings]) {
      const visit: { warnings: UsageWarning[]; fatal?: string } = { warnings: [] };
      visits.push(visit);
      sink = visit.warnings;
      currentSetting = name;
      try {
        const value = typeof s === 'string' ? s : s.value;
        if (inTable(name) && facts.isReadOnly(name)) {
          const setting = typeof s === 'string' ? undefined : s;
          sink.push({ kind: 'read-only', name, value, file, entry, setting, text: `${dir}/${file}: read-only parameter assignment: ${name}=${value}` });
          settings.delete(name);
          continue;
        }
        if (inTable(name) && facts.isRaw(name)) continue;
        const scan = scanNames(value);
        for (const n of scan.names) flag(n, false, entry);
        for (const e of scan.errors) sink.push({ kind: 'macro', name, entry, text: e });
        if (builtinOrService(name)) dbms(value, entry);
      } catch (err) {
        if (!(err instanceof Fatal)) throw err;
        visit.fatal = err.message;
      } finally {
        sink = warnings;
      }
    }
    const failed = visits.filter((v) => v.fatal !== undefined);
    if (failed.length === 0) {
      for (const v of visits) warnings.push(...v.warnings);
      return;
    }
    // Ours: file order up to the first failure.
    const first = visits.findIndex((v) => v.fatal !== undefined);
    for (const v of visits.slice(0, first + 1)) warnings.push(...v.warnings);
    for (const v of visits) if (failed.length > 1 || v.fatal === undefined) uncertain.push(...v.warnings.map((w) => w.text));
    throw new Fatal(visits[first].fatal!);
  };

  // smtpd_restriction_classes is expanded within its own name space only.
  const evalIn = (space: ReadonlyMap<string, PostconfSetting | string>, dictName: string) => (v: string) => {
    const r = expandValue(v, (n) => {
      const s = space.get(n);
      return s === undefined ? undefined : typeof s === 'string' ? s : s.value;
    });
    if (r.errors.length > 0) {
      for (const e of r.errors) sink.push({ kind: 'macro', name: 'smtpd_restriction_classes', text: e });
      throw new Fatal(`dictionary ${dictName}: macro processing error`);
    }
    return r.value;
  };

  let fatal: string | undefined;
  try {
    for (const e of entries) if (e.settings) scanSpace(e.settings, e, evalIn(e.settings, e.namespace));
    // Defaults of built-in parameters only refer to built-in or legacy names
    // (checked against postconf -d of 3.7.11), so scanning them changes nothing here.
    scanSpace(main, undefined, evalIn(main, 'mail_dict'));
  } catch (err) {
    if (!(err instanceof Fatal)) throw err;
    fatal = err.message;
  }

  return {
    entries,
    warnings,
    uncertain,
    fatal,
    isKnown: inTable,
    userNames,
    lookup: lookupFor,
    unusedMaster() {
      const out: { entry: PostconfEntry; name: string; value: string; text: string }[] = [];
      for (const e of entries) {
        if (!e.settings) continue;
        for (const [name, s] of e.settings) {
          if (inTable(name) || e.used.has(name)) continue;
          out.push({ entry: e, name, value: s.value, text: `${dir}/master.cf: unused parameter: ${name}=${s.value}` });
        }
      }
      return out;
    },
    unusedMain() {
      const out: { name: string; value: string; text: string }[] = [];
      for (const [name, value] of main) {
        if (inTable(name)) continue;
        out.push({ name, value, text: `${dir}/main.cf: unused parameter: ${name}=${value}` });
      }
      return out;
    },
  };
}

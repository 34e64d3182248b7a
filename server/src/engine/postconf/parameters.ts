// postconf's parameter registration, replayed (postconf_builtin.c,
// postconf_service.c, postconf_user.c, postconf_dbms.c, postconf_unused.c):
// which names are valid and what their values and defaults are. Every
// postconf mode and the editor use this one implementation.
//
// The global table holds built-in names (of the target version), names
// derived from master.cf services (`relay_destination_concurrency_limit`),
// legacy names, the read-only process_id/process_name/service_name, and
// user-defined names: a main.cf `name = value` that some value refers to as
// $name (or that smtpd_restriction_classes lists, or that a legacy
// `ldap:name` table implies). Each master.cf service line has its own -o name
// space (lines with the same name/type share one) and its own read-only
// process_name and service_name. Registration scans, in this order: every
// service's -o settings, the defaults main.cf leaves in place, then main.cf.
// It warns about undefined `$name`s, `$` syntax, read-only assignments and
// braces, and fully expands every built-in or per-service setting (to find
// those legacy tables), which is where postconf dies with "macro processing
// error". What is left unused afterwards gets "unused parameter".
//
// postconf walks each name space, and the defaults, in a hash order it
// randomizes per run. When one item stops it, which of the others it visited
// first is chance: such a stop carries every possible ending, and the
// warnings that may or may not come before it (PostconfFatal).

import { builtinParameterNames, defaultValue, isRawParameter, LEGACY_NAMES, ORACLE_VERSION, READ_ONLY_NAMES } from '../catalog/parameters';
import { expandValue, Lookup, scanNames } from '../expand';
import type { MasterCf, MasterService } from '../mastercf/parse';
import { postconfTakesValue } from '../mastercf/postconf-view';
import { computeServiceParameters, serviceParametersSteps } from '../mastercf/service-params';
import { splitNameValue } from '../mastercf/tokenize';
import { checkClientFile, dbmsSuffixes, ReadFile, walkTables } from './dbms';
import { computeMynetworks, HostModel, mydomainOf } from './host-defaults';
import { pushAll } from '../arrays';
import { drain, ITEMS_PER_STEP, Steps } from '../steps';

export type ParamClass = 'builtin' | 'service' | 'user' | 'legacy' | 'readonly';

/** One -o setting in a service's name space. */
export interface PostconfSetting {
  value: string;
  /** The service line it came from (services with the same name/type share settings). */
  service: MasterService;
  /** Index of its master.cf word (fields, then arguments). */
  word: number;
}

/** A master.cf service line as postconf holds it. */
export interface PostconfEntry {
  service: MasterService;
  /** `name/type`. */
  namespace: string;
  /** -o settings of the name space, as far as postconf had read them at this line; undefined when there were none. */
  settings?: Map<string, PostconfSetting>;
  /** process_name and service_name, which postconf sets per service. */
  readOnly: Map<string, string>;
  /** -o names something refers to from this line's point of view. */
  used: Set<string>;
}

/** A warning of registration, in postconf's words (`text`, without `postconf: warning: `). */
export interface Finding {
  kind: 'undefined' | 'unused' | 'read-only' | 'scan' | 'dbms' | 'macro';
  /** Where the setting concerned is. */
  file: 'main.cf' | 'master.cf';
  /** undefined: the name referred to; otherwise the setting concerned. */
  name: string;
  /** The setting whose value holds the problem (for undefined: the one that refers to the name). */
  parameter?: string;
  /** unused and read-only: the setting's value. */
  value?: string;
  /** master.cf: the service line. */
  entry?: PostconfEntry;
  /** master.cf read-only and unused: the setting. */
  setting?: PostconfSetting;
  text: string;
}

/** One way a postconf run can end: these warnings, then `postconf: fatal: ${fatal}`. */
export interface FatalOutcome {
  warnings: Finding[];
  fatal: string;
}

/** postconf dies. outcomes[0] is what we print; the others are what it may print instead (hash order). */
export class PostconfFatal extends Error {
  constructor(
    readonly outcomes: FatalOutcome[],
    /** Warnings postconf may or may not print before dying. */
    readonly optional: Finding[] = [],
  ) {
    super(outcomes[0]?.fatal ?? 'fatal');
  }
}

export interface RegistrationInput {
  /** As given to -c: it appears in warnings (`DIR/main.cf: unused parameter: ...`). */
  configDir: string;
  /** postconf's main.cf dictionary (see readMainForPostconf). Not modified. */
  main: ReadonlyMap<string, string>;
  /** Parsed master.cf; undefined when there is none. */
  master?: MasterCf;
  /** Target Postfix version for built-in names and defaults (default: the oracle's 3.7.11). */
  version?: string;
  /** Host facts for myhostname, mydomain, mynetworks and process_id; without them the catalog's values are used. */
  host?: HostModel;
  /** Reads database client files (`mysql:/etc/postfix/x.cf`); without it they are not checked. */
  readFile?: ReadFile;
  /** postconf -d: no main.cf, no -o name spaces, no user-defined names; values are defaults only. */
  defaultsOnly?: boolean;
  /**
   * For the editor: consider every valid service line even past one postconf
   * rejects, and never die: record what the fatal error would say and go on.
   */
  keepGoing?: boolean;
}

export interface ParameterRegistry {
  /** master.cf service lines postconf considers, in file order. */
  entries: PostconfEntry[];
  /** Warnings of registration in our (file) order, up to a fatal error. */
  findings: Finding[];
  /** Set when registration stops postconf (never with keepGoing). */
  fatal?: PostconfFatal;
  /** Class of a name in the global table, or undefined when postconf does not know it. */
  classOf(name: string): ParamClass | undefined;
  isKnown(name: string): boolean;
  /** main.cf after registration (read-only assignments dropped). */
  main: ReadonlyMap<string, string>;
  /** Default value as postconf -d shows it, unexpanded ('' for user-defined and legacy names). May throw PostconfFatal (host defaults). */
  defaultOf(name: string): string | undefined;
  /** Value lookup for expansion in a scope: the service's read-only and -o settings, main.cf, defaults. May throw PostconfFatal. */
  lookup(entry?: PostconfEntry): Lookup;
  /** Every name in the global table. */
  names(): string[];
  /** `DIR/main.cf: unused parameter: name=value` for each main.cf setting nobody uses. */
  unusedMain(): Finding[];
  /** `DIR/master.cf: unused parameter: name=value` per service line (duplicates repeat, as in postconf). */
  unusedMaster(): Finding[];
}

const builtinCache = new Map<string, Set<string>>();
function builtinNames(version: string): Set<string> {
  let v = builtinCache.get(version);
  if (!v) builtinCache.set(version, (v = new Set(builtinParameterNames(version))));
  return v;
}

const scanCache = new Map<string, ReturnType<typeof scanNames>>();
function scanDefault(value: string): ReturnType<typeof scanNames> {
  let v = scanCache.get(value);
  if (!v) {
    v = scanNames(value);
    if (scanCache.size < 5000) scanCache.set(value, v);
  }
  return v;
}

const HOST_NAMES = new Set(['myhostname', 'mydomain', 'mynetworks', 'process_id']);

/**
 * What scanning a setting or a default counts for against ITEMS_PER_STEP:
 * it reads the value's `$names` and may expand it in full (built-in and
 * per-service names), several times the cost of registering a name.
 */
const SCAN_COST = 8;

/** Replays postconf's registration. Never throws (a fatal error is returned in `fatal`). */
export function registerParameters(input: RegistrationInput): ParameterRegistry {
  return drain(registerParametersSteps(input));
}

/**
 * registerParameters in steps (engine/steps.ts): it yields after every
 * ITEMS_PER_STEP service lines or per-service names it has registered, and
 * every ITEMS_PER_STEP / SCAN_COST -o settings, defaults or main.cf settings
 * it has scanned, so the language server
 * answers a hover while 100,000 services or parameters are registered.
 */
export function* registerParametersSteps(input: RegistrationInput): Steps<ParameterRegistry> {
  // Items handled since the last yield, whichever loop handled them.
  let sinceYield = 0;
  const dir = input.configDir;
  const version = input.version ?? ORACLE_VERSION;
  const builtin = builtinNames(version);
  const keepGoing = input.keepGoing === true;
  const defaultsOnly = input.defaultsOnly === true;
  // postconf deletes read-only settings from its main.cf dictionary as it goes:
  // the caller's map until the first such deletion, then a copy of our own
  // (copying 100,000 settings took 30-50 ms; main.cf seldom sets one).
  let main: ReadonlyMap<string, string> = input.main;
  let ownMain: Map<string, string> | undefined;
  const deleteFromMain = (name: string) => {
    if (!ownMain) main = ownMain = new Map(main);
    ownMain.delete(name);
  };
  const table = new Map<string, 'service' | 'user'>();
  const serviceDefaults = new Map<string, string>();
  // `$default_...` once per global name, not once per service-derived name.
  const defaultText = new Map<string, string>();

  const classOf = (n: string): ParamClass | undefined => {
    const t = table.get(n);
    if (t) return t;
    if (READ_ONLY_NAMES.has(n)) return 'readonly';
    if (builtin.has(n)) return 'builtin';
    if (LEGACY_NAMES.has(n)) return 'legacy';
    return undefined;
  };

  // Service lines and their -o name spaces (pcf_parse_master_entry, pcf_register_user_parameters).
  const master = input.master;
  const fatalLine = keepGoing ? undefined : master?.postconfFatal?.line;
  const services = (master?.services ?? []).filter((s) => s.valid && (fatalLine === undefined || s.line + 1 < fatalLine));
  const spaces = new Map<string, Map<string, PostconfSetting>>();
  const entries: PostconfEntry[] = [];
  for (const s of services) {
    if (++sinceYield >= ITEMS_PER_STEP) {
      sinceYield = 0;
      yield 'postconf: service lines';
    }
    const argv = s.postconf.argv;
    const namespace = `${argv[0].text}/${argv[1].text}`;
    if (!defaultsOnly) {
      for (let f = 8; f < argv.length; f++) {
        // One service line can carry 100,000 -o options (one piece of 100 ms).
        if (++sinceYield >= ITEMS_PER_STEP) {
          sinceYield = 0;
          yield 'postconf: service options';
        }
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
    }
    const command = argv[7].text;
    entries.push({
      service: s,
      namespace,
      settings: spaces.get(namespace),
      readOnly: new Map([
        ['process_name', command.slice(command.lastIndexOf('/') + 1)],
        ['service_name', argv[0].text],
      ]),
      used: new Set<string>(),
    });
  }
  if (master) {
    // The same service lines as the parsed file's unless postconf stops at a fatal one.
    const derived = fatalLine === undefined ? yield* serviceParametersSteps(master) : computeServiceParameters(services);
    for (const p of derived) {
      if (++sinceYield >= ITEMS_PER_STEP) {
        sinceYield = 0;
        yield 'postconf: per-service names';
      }
      if (classOf(p.name)) continue;
      table.set(p.name, 'service');
      let d = defaultText.get(p.defaultFrom);
      if (d === undefined) defaultText.set(p.defaultFrom, (d = `$${p.defaultFrom}`));
      serviceDefaults.set(p.name, d);
    }
  }

  const findings: Finding[] = [];
  let sink = findings;
  const emit = (f: Finding) => sink.push(f);
  /** Stops postconf, or (editor) records what it would have said and goes on. */
  const fail = (outcome: FatalOutcome, recordAs?: Finding['kind'], about?: Partial<Finding>): void => {
    if (!keepGoing) throw new PostconfFatal([outcome]);
    for (const w of outcome.warnings) emit(w);
    if (recordAs) emit({ kind: recordAs, file: about?.file ?? 'main.cf', name: about?.name ?? '', ...about, text: outcome.fatal });
  };

  // Host-dependent defaults, computed when first needed like postconf's
  // pcf_check_myhostname/pcf_check_mydomainname/pcf_mynetworks, each of
  // which can die evaluating other main.cf settings.
  const hostCache = new Map<string, { value: string } | { fatal: FatalOutcome } | 'computing'>();
  const hostDefault = (name: string): string | undefined => {
    const h = input.host;
    if (!h || !HOST_NAMES.has(name)) return undefined;
    let c = hostCache.get(name);
    if (c === 'computing') return undefined;
    if (!c) {
      hostCache.set(name, 'computing');
      c = computeHostDefault(name, h);
      hostCache.set(name, c);
    }
    if ('value' in c) return c.value;
    if (keepGoing) return undefined;
    throw new PostconfFatal([c.fatal]);
  };
  class HostFailure {
    constructor(readonly outcome: FatalOutcome) {}
  }
  const macroFindings = (name: string, errors: string[]): Finding[] =>
    errors.map((text) => ({ kind: 'macro' as const, file: 'main.cf' as const, name, parameter: name, text }));
  /** mail_conf_lookup_eval: a main.cf setting expanded with main.cf alone. */
  const mainOnly = (n: string): string | undefined => {
    const v = defaultsOnly ? undefined : main.get(n);
    if (v === undefined) return undefined;
    const r = expandValue(v, (m) => main.get(m));
    if (r.errors.length > 0) throw new HostFailure({ warnings: macroFindings(n, r.errors), fatal: 'dictionary mail_dict: macro processing error' });
    return r.value;
  };
  const computeHostDefault = (name: string, h: HostModel): { value: string } | { fatal: FatalOutcome } => {
    const checkMyhostname = () => (h.hostname.includes('.') ? h.hostname : `${h.hostname}.${mainOnly('mydomain') ?? 'localdomain'}`);
    try {
      switch (name) {
        case 'myhostname':
          return { value: checkMyhostname() };
        case 'mydomain':
          return { value: mydomainOf(mainOnly('myhostname') ?? checkMyhostname()) };
        case 'process_id':
          return { value: h.processId ?? defaultValue('process_id') ?? '' };
        default: {
          const setting = (n: string): string => {
            const v = mainOnly(n);
            if (v !== undefined) return v;
            const r = expandValue(defaultOf(n) ?? '', defaultsOnly ? defaultOf : lookup());
            if (r.errors.length > 0) throw new HostFailure({ warnings: macroFindings(n, r.errors), fatal: 'macro processing error' });
            return r.value;
          };
          const interfaces = setting('inet_interfaces');
          const style = setting('mynetworks_style');
          const protocols = setting('inet_protocols');
          const r = computeMynetworks(h, style, interfaces, protocols);
          return 'value' in r ? r : { fatal: { warnings: [], fatal: r.fatal } };
        }
      }
    } catch (e) {
      if (e instanceof HostFailure) return { fatal: e.outcome };
      throw e;
    }
  };

  const defaultOf = (n: string): string | undefined => {
    const c = classOf(n);
    if (!c) return undefined;
    if (c === 'user' || c === 'legacy') return '';
    const host = hostDefault(n);
    if (host !== undefined) return host;
    if (c === 'service') return serviceDefaults.get(n) ?? '';
    return defaultValue(n) ?? '';
  };

  const lookup =
    (entry?: PostconfEntry): Lookup =>
    (name) => {
      if (defaultsOnly) return defaultOf(name);
      if (entry) {
        const ro = entry.readOnly.get(name);
        if (ro !== undefined) return ro;
        const s = entry.settings?.get(name);
        if (s !== undefined) return s.value;
      }
      const m = main.get(name);
      if (m !== undefined) return m;
      return defaultOf(name);
    };

  // Which service lines set a name, so that a main.cf reference need not visit
  // every line. Built at the first main.cf-scope flag: by then the -o name
  // spaces are scanned and no longer change (flag() checks membership again).
  let setters: Map<string, PostconfEntry[]> | undefined;
  const entriesSetting = (name: string): PostconfEntry[] => {
    if (!setters) {
      setters = new Map();
      for (const e of entries) {
        for (const n of e.settings?.keys() ?? []) {
          const list = setters.get(n);
          if (list) list.push(e);
          else setters.set(n, [e]);
        }
      }
    }
    return setters.get(name) ?? [];
  };

  // pcf_flag_user_parameter: `name` is referred to from a value in entry's name
  // space (main.cf without entry). `quiet`: no "undefined" warning (legacy database names).
  const flag = (name: string, entry: PostconfEntry | undefined, parameter: string, quiet: boolean) => {
    let supplied = false;
    if (entry?.settings?.has(name)) {
      supplied = true;
      entry.used.add(name);
    } else if (main.has(name)) {
      supplied = true;
      if (!classOf(name)) table.set(name, 'user');
    }
    if (!entry) {
      for (const e of entriesSetting(name)) {
        if (e.settings?.has(name)) {
          supplied = true;
          e.used.add(name);
        }
      }
    }
    if (!supplied && !quiet && !classOf(name)) {
      const file = entry ? 'master.cf' : 'main.cf';
      emit({ kind: 'undefined', file, name, parameter, entry, text: `${dir}/${file}: undefined parameter: ${name}` });
    }
  };

  // pcf_register_dbms_parameters: expand in full, then look for legacy tables.
  const checkedClientFiles = new Set<string>();
  const scanDatabaseClients = (value: string, entry: PostconfEntry | undefined, parameter: string) => {
    const file = entry ? 'master.cf' : 'main.cf';
    const about = { file, name: parameter, parameter, entry } as const;
    const r = expandValue(value, lookup(entry));
    if (r.errors.length > 0) {
      fail({ warnings: r.errors.map((text) => ({ kind: 'macro', ...about, text })), fatal: 'macro processing error' });
      return;
    }
    const where = entry ? `master.cf:${entry.namespace}` : 'main.cf';
    walkTables(
      r.value,
      (text) => emit({ kind: 'dbms', ...about, text: `${where}: ${text}` }),
      (type, prefix) => {
        const suffixes = dbmsSuffixes(type);
        if (!suffixes) return;
        if (prefix.startsWith('/')) {
          const spec = `${type}:${prefix}`;
          if (!input.readFile || checkedClientFiles.has(spec)) return;
          checkedClientFiles.add(spec);
          const res = checkClientFile(type, prefix, input.readFile);
          for (const text of res.warnings) emit({ kind: 'dbms', ...about, text });
          if (res.fatal !== undefined) fail({ warnings: [], fatal: res.fatal }, 'dbms', about);
        } else if (!prefix.startsWith('.')) {
          for (const suffix of suffixes) flag(`${prefix}_${suffix}`, entry, parameter, true);
        }
      },
    );
  };

  /**
   * Runs items postconf visits in hash order. When some die: our output is
   * file order up to the first, and the fatal error lists them all.
   */
  function* inHashOrder(visits: Iterable<() => void>, label: string): Steps<void> {
    const outer = sink;
    const results: { warnings: Finding[]; fatal?: PostconfFatal }[] = [];
    for (const visit of visits) {
      if ((sinceYield += SCAN_COST) >= ITEMS_PER_STEP) {
        sinceYield = 0;
        yield label;
      }
      const r: { warnings: Finding[]; fatal?: PostconfFatal } = { warnings: [] };
      sink = r.warnings;
      try {
        visit();
      } catch (e) {
        if (!(e instanceof PostconfFatal)) throw e;
        r.fatal = e;
      } finally {
        sink = outer;
      }
      // A visit that said nothing and lived changes no outcome: not kept (800,000 per-service defaults).
      if (r.warnings.length > 0 || r.fatal) results.push(r);
    }
    const first = results.findIndex((r) => r.fatal);
    if (first < 0) {
      for (const r of results) pushAll(outer, r.warnings);
      return;
    }
    for (const r of results.slice(0, first)) pushAll(outer, r.warnings);
    const outcomes = results.flatMap((r) => (r.fatal ? r.fatal.outcomes.map((o) => ({ warnings: [...r.warnings, ...o.warnings], fatal: o.fatal })) : []));
    throw new PostconfFatal(
      outcomes,
      results.filter((r) => !r.fatal).flatMap((r) => r.warnings),
    );
  }

  // pcf_scan_user_parameter_namespace
  const restrictionClasses = new Set<string>();
  function* scanNamespace(space: ReadonlyMap<string, PostconfSetting | string>, remove: (name: string) => void, entry?: PostconfEntry): Steps<void> {
    const file = entry ? 'master.cf' : 'main.cf';
    const valueOf = (s: PostconfSetting | string) => (typeof s === 'string' ? s : s.value);
    const get = (n: string) => {
      const s = space.get(n);
      return s === undefined ? undefined : valueOf(s);
    };
    const classes = get('smtpd_restriction_classes');
    if (classes !== undefined) {
      // Expanded within this name space alone (dict_eval).
      const r = expandValue(classes, get);
      const about = { file, name: 'smtpd_restriction_classes', parameter: 'smtpd_restriction_classes', entry } as const;
      if (r.errors.length > 0) {
        fail({ warnings: r.errors.map((text) => ({ kind: 'macro', ...about, text })), fatal: `dictionary ${entry ? entry.namespace : 'mail_dict'}: macro processing error` });
      } else {
        for (const c of r.value.split(/[, \t\r\n]+/)) {
          if (!c) continue;
          if (!entry) restrictionClasses.add(c);
          flag(c, entry, 'smtpd_restriction_classes', false);
        }
      }
    }
    // One visit at a time, made as it is reached (100,000 closures at once were a piece of 20 ms); a visit deletes only its own entry.
    function* visits(): Iterable<() => void> {
      for (const [name, s] of space) yield () => visit(name, s);
    }
    const visit = (name: string, s: PostconfSetting | string): void => {
      const value = valueOf(s);
      if (entry && restrictionClasses.has(name)) entry.used.add(name);
      const c = classOf(name);
      if (c === 'readonly') {
        const setting = typeof s === 'string' ? undefined : s;
        emit({ kind: 'read-only', file, name, parameter: name, value, entry, setting, text: `${dir}/${file}: read-only parameter assignment: ${name}=${value}` });
        remove(name);
        return;
      }
      // A legacy name someone sets becomes user-defined (so -n shows it).
      if (c === 'legacy') table.set(name, 'user');
      if (c && isRawParameter(name)) return;
      const scan = scanNames(value);
      for (const n of scan.names) flag(n, entry, name, false);
      for (const text of scan.errors) emit({ kind: 'scan', file, name, parameter: name, entry, text });
      if (c === 'builtin' || c === 'service') scanDatabaseClients(value, entry, name);
    };
    yield* inHashOrder(visits(), entry ? 'postconf: -o settings' : 'postconf: main.cf settings');
  }

  // pcf_scan_default_parameter_values: defaults may name old parameters
  // (setting those is not "unused"), and host-derived ones can be malformed.
  // The catalog's defaults are 3.7.11's: for another target version they may
  // name parameters that version lacks, which its postconf would never report.
  const catalogDefaultsExact = version.startsWith('3.7');
  function* scanDefaults(): Steps<void> {
    // Flagging a name postconf knows, from main.cf's scope, does the same
    // every time: done once per name (100,000 services' defaults all name
    // the same seventeen).
    const flaggedKnown = new Set<string>();
    // One visit at a time, made as it is reached (not 800,000 closures at once).
    function* visits(): Iterable<() => void> {
      for (const names of [builtin, READ_ONLY_NAMES, serviceDefaults.keys()]) {
        for (const n of names) {
          if (main.has(n) || isRawParameter(n)) continue;
          yield () => {
            const d = defaultOf(n) ?? '';
            if (!d.includes('$')) return;
            const scan = scanDefault(d);
            const quiet = !catalogDefaultsExact && !HOST_NAMES.has(n);
            for (const m of scan.names) {
              if (flaggedKnown.has(m)) continue;
              flag(m, undefined, n, quiet);
              if (classOf(m)) flaggedKnown.add(m);
            }
            for (const text of scan.errors) emit({ kind: 'scan', file: 'main.cf', name: n, parameter: n, text });
          };
        }
      }
    }
    yield* inHashOrder(visits(), 'postconf: defaults');
  }

  let fatal: PostconfFatal | undefined;
  if (!defaultsOnly) {
    try {
      for (const e of entries) {
        const settings = e.settings;
        if (settings) yield* scanNamespace(settings, (n) => settings.delete(n), e);
      }
      yield* scanDefaults();
      yield* scanNamespace(main, deleteFromMain);
    } catch (e) {
      if (!(e instanceof PostconfFatal)) throw e;
      fatal = e;
    }
  }

  const isKnown = (n: string) => classOf(n) !== undefined;
  return {
    entries,
    findings,
    fatal,
    classOf,
    isKnown,
    main,
    defaultOf,
    lookup,
    names: () => [...new Set([...builtin, ...READ_ONLY_NAMES, ...LEGACY_NAMES, ...table.keys()])],
    unusedMain() {
      const out: Finding[] = [];
      for (const [name, value] of main) {
        if (isKnown(name)) continue;
        out.push({ kind: 'unused', file: 'main.cf', name, parameter: name, value, text: `${dir}/main.cf: unused parameter: ${name}=${value}` });
      }
      return out;
    },
    unusedMaster() {
      const out: Finding[] = [];
      for (const entry of entries) {
        if (!entry.settings) continue;
        for (const [name, setting] of entry.settings) {
          if (isKnown(name) || entry.used.has(name)) continue;
          const value = setting.value;
          out.push({ kind: 'unused', file: 'master.cf', name, parameter: name, value, entry, setting, text: `${dir}/master.cf: unused parameter: ${name}=${value}` });
        }
      }
      return out;
    },
  };
}

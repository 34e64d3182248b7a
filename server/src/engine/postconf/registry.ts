// Which parameter names are valid, the way postconf decides it: built-in
// names, per-service names derived from master.cf, legacy names, and
// user-defined names (a name=value that some value refers to as $name, or that
// smtpd_restriction_classes lists). Produces postconf's "undefined parameter",
// "unused parameter" and "read-only parameter assignment" findings.

import { builtinParameterNames, defaultValue, isBuiltinParameter, isRawParameter, LEGACY_NAMES, READ_ONLY_NAMES } from '../catalog/parameters';
import { expandValue, scanNames } from '../expand';
import { checkClientFile, DBMS_SUFFIXES, walkTables } from './dbms';

export type ParamClass = 'builtin' | 'service' | 'user' | 'legacy' | 'readonly';

/** One master.cf service's `-o name=value` name space. */
export interface ServiceNamespace {
  /** `name/type`, as postconf prints it. */
  key: string;
  params: Map<string, string>;
}

export interface RegistryInput {
  /** main.cf after reading: last value wins. */
  main: Map<string, string>;
  services: ServiceNamespace[];
  /** Per-service parameter names derived from master.cf service names. */
  serviceParameters: string[];
  version: string;
  /** Defaults that depend on the host (myhostname, ...), overriding the catalog's. */
  hostDefaults?: Map<string, string>;
  /** Reads database client files (ldap:/etc/postfix/x.cf); without it they are not checked. */
  readFile?: (path: string) => string | undefined;
}

/** A parameter whose full expansion failed; postconf dies on the first it meets (in hash order). */
export interface ExpansionFailure {
  name: string;
  service?: string;
  errors: string[];
}

export type Finding =
  | { kind: 'undefined'; file: 'main.cf' | 'master.cf'; name: string; service?: string; referencedFrom?: string }
  /** A postconf warning about a database client file or a brace group, as postconf words it. */
  | { kind: 'dbms'; text: string; service?: string; parameter: string }
  /** A syntax error postconf notices while scanning a value for $names (not fatal there). */
  | { kind: 'scan'; text: string; service?: string; parameter: string }
  | { kind: 'unused'; file: 'main.cf' | 'master.cf'; name: string; value: string; service?: string }
  | { kind: 'read-only'; file: 'main.cf' | 'master.cf'; name: string; value: string; service?: string };

export interface Registry {
  /** Class of a name in the global table, or undefined when postconf does not know it. */
  classOf(name: string): ParamClass | undefined;
  /** Names valid only inside one service's name space. */
  localValid: Map<string, Set<string>>;
  /** main.cf after dropping read-only assignments. */
  main: Map<string, string>;
  findings: Finding[];
  /** Non-empty when postconf would die with "macro processing error" while reading. */
  expansionFailures: ExpansionFailure[];
  /** Raw default value of a known name ('' for user-defined ones). */
  defaultOf(name: string): string | undefined;
  /** Lookup postconf uses for expansion in a scope: service -o, main.cf, defaults. */
  lookup(service?: ServiceNamespace): (name: string) => string | undefined;
  names(): string[];
}

export function buildRegistry(input: RegistryInput): Registry {
  const table = new Map<string, ParamClass>();
  const findings: Finding[] = [];
  const main = new Map(input.main);
  const version = input.version;

  const isBuiltin = (n: string) => isBuiltinParameter(n, version) || input.hostDefaults?.has(n) === true;
  const classOf = (n: string): ParamClass | undefined => {
    const c = table.get(n);
    if (c) return c;
    if (READ_ONLY_NAMES.has(n) && isBuiltin(n)) return 'readonly';
    if (isBuiltin(n)) return 'builtin';
    if (LEGACY_NAMES.has(n)) return 'legacy';
    return undefined;
  };
  for (const n of input.serviceParameters) if (!classOf(n)) table.set(n, 'service');

  const defaultOf = (n: string): string | undefined => {
    const c = classOf(n);
    if (!c) return undefined;
    if (c === 'user') return '';
    if (c === 'legacy') return '';
    const host = input.hostDefaults?.get(n);
    if (host !== undefined) return host;
    if (c === 'service') return serviceDefault(n);
    return defaultValue(n) ?? '';
  };

  const lookup = (service?: ServiceNamespace) => (name: string) => {
    if (service) {
      const v = service.params.get(name);
      if (v !== undefined) return v;
    }
    const v = main.get(name);
    if (v !== undefined) return v;
    return defaultOf(name);
  };

  const localValid = new Map<string, Set<string>>();
  for (const s of input.services) localValid.set(s.key, new Set());
  const restClasses = new Set<string>();

  const flag = (name: string, scope: ServiceNamespace | undefined, referencedFrom?: string, dbms = false) => {
    let supplied = false;
    if (scope && scope.params.has(name)) {
      supplied = true;
      localValid.get(scope.key)!.add(name);
    } else if (main.has(name)) {
      supplied = true;
      if (!classOf(name)) table.set(name, 'user');
    }
    if (!scope) {
      for (const s of input.services) {
        if (s.params.has(name)) {
          supplied = true;
          localValid.get(s.key)!.add(name);
        }
      }
    }
    if (!supplied && !dbms && !classOf(name)) {
      findings.push({ kind: 'undefined', file: scope ? 'master.cf' : 'main.cf', name, service: scope?.key, referencedFrom });
    }
  };

  const evalIn = (dict: Map<string, string>, name: string): string | undefined => {
    const v = dict.get(name);
    if (v === undefined) return undefined;
    return expandValue(v, (n) => dict.get(n)).value;
  };

  const scanNamespace = (dict: Map<string, string>, scope: ServiceNamespace | undefined) => {
    const classes = evalIn(dict, 'smtpd_restriction_classes');
    if (classes !== undefined) {
      for (const c of classes.split(/[ \t\r\n,]+/).filter(Boolean)) {
        if (!scope) restClasses.add(c);
        flag(c, scope);
      }
    }
    for (const [name, value] of [...dict]) {
      if (scope && !localValid.get(scope.key)!.has(name) && restClasses.has(name)) localValid.get(scope.key)!.add(name);
      const c = classOf(name);
      if (c === 'readonly') {
        findings.push({ kind: 'read-only', file: scope ? 'master.cf' : 'main.cf', name, value, service: scope?.key });
        dict.delete(name);
        continue;
      }
      if (c === 'legacy') table.set(name, 'user');
      if (c && isRawParameter(name)) continue;
      const scanned = scanNames(value);
      for (const text of scanned.errors) findings.push({ kind: 'scan', text, service: scope?.key, parameter: name });
      for (const n of scanned.names) flag(n, scope, name);
      if (c === 'builtin' || c === 'service') scanDatabaseClients(name, value, scope);
    }
  };

  // postconf expands every built-in setting in full to find legacy database
  // tables (ldap:name, mysql:/path.cf) whose client parameters it must accept.
  const expansionFailures: ExpansionFailure[] = [];
  const visitedClientFiles = new Set<string>();
  const scanDatabaseClients = (name: string, value: string, scope: ServiceNamespace | undefined) => {
    const r = expandValue(value, lookup(scope));
    if (r.errors.length > 0) {
      expansionFailures.push({ name, service: scope?.key, errors: r.errors });
      return;
    }
    const where = scope ? `master.cf:${scope.key}` : 'main.cf';
    walkTables(r.value, (text) => findings.push({ kind: 'dbms', text: `${where}: ${text}`, service: scope?.key, parameter: name }), (type, prefix) => {
      const suffixes = DBMS_SUFFIXES.get(type);
      if (!suffixes) return;
      if (prefix.startsWith('/')) {
        const spec = `${type}:${prefix}`;
        if (visitedClientFiles.has(spec) || !input.readFile) return;
        visitedClientFiles.add(spec);
        for (const text of checkClientFile(type, prefix, suffixes, input.readFile)) findings.push({ kind: 'dbms', text, parameter: name });
      } else if (!prefix.startsWith('.')) {
        for (const suffix of suffixes) flag(`${prefix}_${suffix}`, scope, name, true);
      }
    });
  };

  for (const s of input.services) if (s.params.size > 0) scanNamespace(s.params, s);
  // Defaults left in place may name obsolete parameters; setting those is not "unused".
  for (const n of allKnownNames()) {
    if (main.has(n) || isRawParameter(n)) continue;
    const d = defaultOf(n);
    if (!d) continue;
    // Host-derived defaults (mydomain from myhostname) can be malformed.
    const scanned = scanNames(d);
    for (const text of scanned.errors) findings.push({ kind: 'scan', text, parameter: n });
    for (const m of scanned.names) flag(m, undefined);
  }
  scanNamespace(main, undefined);

  for (const [name, value] of main) {
    if (!classOf(name)) findings.push({ kind: 'unused', file: 'main.cf', name, value });
  }
  for (const s of input.services) {
    for (const [name, value] of s.params) {
      if (!classOf(name) && !localValid.get(s.key)!.has(name)) {
        findings.push({ kind: 'unused', file: 'master.cf', name, value, service: s.key });
      }
    }
  }

  function allKnownNames(): string[] {
    const out: string[] = [];
    for (const n of builtinNamesCache(version)) out.push(n);
    for (const [n, c] of table) if (c === 'service') out.push(n);
    for (const n of input.hostDefaults?.keys() ?? []) if (!out.includes(n)) out.push(n);
    return out;
  }


  const names = () => {
    const set = new Set<string>(allKnownNames());
    for (const [n, c] of table) if (c === 'user') set.add(n);
    return [...set];
  };

  return { classOf, localValid, main, findings, expansionFailures, defaultOf, lookup, names };
}

// Per-service names (`relay_destination_concurrency_limit`) default to the
// transport-independent parameter with the same suffix (facts from postconf -d).
const SERVICE_SUFFIX_DEFAULTS: Array<[string, string]> = [
  ['_initial_destination_concurrency', 'initial_destination_concurrency'],
  ['_destination_concurrency_failed_cohort_limit', 'default_destination_concurrency_failed_cohort_limit'],
  ['_destination_concurrency_negative_feedback', 'default_destination_concurrency_negative_feedback'],
  ['_destination_concurrency_positive_feedback', 'default_destination_concurrency_positive_feedback'],
  ['_destination_concurrency_limit', 'default_destination_concurrency_limit'],
  ['_destination_recipient_limit', 'default_destination_recipient_limit'],
  ['_destination_rate_delay', 'default_destination_rate_delay'],
  ['_transport_rate_delay', 'default_transport_rate_delay'],
  ['_extra_recipient_limit', 'default_extra_recipient_limit'],
  ['_recipient_refill_limit', 'default_recipient_refill_limit'],
  ['_recipient_refill_delay', 'default_recipient_refill_delay'],
  ['_minimum_delivery_slots', 'default_minimum_delivery_slots'],
  ['_delivery_slot_discount', 'default_delivery_slot_discount'],
  ['_delivery_slot_cost', 'default_delivery_slot_cost'],
  ['_delivery_slot_loan', 'default_delivery_slot_loan'],
  ['_recipient_limit', 'default_recipient_limit'],
  ['_time_limit', 'command_time_limit'],
];

export function serviceDefault(name: string): string {
  for (const [suffix, param] of SERVICE_SUFFIX_DEFAULTS) if (name.endsWith(suffix)) return `$${param}`;
  return '';
}

const builtinCache = new Map<string, string[]>();
function builtinNamesCache(version: string): string[] {
  let v = builtinCache.get(version);
  if (!v) {
    v = builtinParameterNames(version);
    builtinCache.set(version, v);
  }
  return v;
}

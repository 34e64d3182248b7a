// What `postconf -c DIR [-n] [-x] [-d]` prints for main.cf parameters:
// stdout, stderr and exit status, byte for byte. This is the oracle interface
// the differential tests compare with the real postconf.

import { parseMainCf } from '../maincf/parse';
import { expandValue } from '../expand';
import { buildRegistry, Finding, Registry, RegistryInput, ServiceNamespace } from './registry';
import { computeMynetworks, HostInterface, mydomainOf, Resolver, unresolvedInterfaces } from './host-defaults';
import { builtinParameterNames, isRawParameter, ORACLE_VERSION } from '../catalog/parameters';

export interface PostconfOutput {
  stdout: string;
  stderr: string;
  status: number;
  /**
   * When several settings fail to expand, which one postconf reports depends
   * on its per-run hash order: these are the stderr line sets it may print
   * instead of the failure we report (which is alternatives[0]).
   */
  alternatives?: string[][];
  /** stderr lines that postconf may or may not print before dying, again by hash order. */
  optional?: string[];
}

export interface MasterInput {
  services: ServiceNamespace[];
  serviceParameters: string[];
  /** postconf's fatal text for master.cf (bad field count, ...), without the `postconf: fatal: ` prefix. */
  fatal?: string;
}

export interface PostconfMainOptions {
  /** The -c argument as given (appears in messages and as config_directory). */
  dir: string;
  /** main.cf text, or undefined when it cannot be opened. */
  mainText: string | undefined;
  /** master.cf, or undefined when it does not exist. */
  master: MasterInput | undefined;
  nonDefault: boolean; // -n
  expand: boolean; // -x
  defaults: boolean; // -d
  /** Reads database client files named by ldap:/mysql:/... tables. */
  readFile?: (path: string) => string | undefined;
  /** Only these parameters (postconf NAME...). */
  names?: string[];
  version?: string;
  /** Run-time defaults that come from the host; without it, the catalog's values are used. */
  host?: HostModel;
}

/** What Postfix learns from the machine it runs on (the CLI reads it; tests may fake it). */
export interface HostModel {
  hostname: string;
  interfaces: HostInterface[];
  /** Shown as process_id (postconf prints its own pid). */
  processId?: string;
  /** Host name lookup for inet_interfaces (the CLI reads /etc/hosts). */
  resolve?: Resolver;
}

/** A registry finding in postconf's words (without the `postconf: warning: ` prefix). */
export function findingText(dir: string, f: Finding): string {
  switch (f.kind) {
    case 'undefined':
      return `${dir}/${f.file}: undefined parameter: ${f.name}`;
    case 'unused':
      return `${dir}/${f.file}: unused parameter: ${f.name}=${f.value}`;
    case 'read-only':
      return `${dir}/${f.file}: read-only parameter assignment: ${f.name}=${f.value}`;
    default:
      return f.text;
  }
}

// Postfix's logger shows every non-printable byte as `?`.
const printable = (m: string) => m.replace(/[^\x20-\x7e]/g, '?');
const warningLine = (m: string) => `postconf: warning: ${printable(m)}`;
const fatalLine = (m: string) => `postconf: fatal: ${printable(m)}`;

/** postconf prints words separated by single spaces, whatever the original whitespace. */
export function normalizeWhitespace(line: string): string {
  return line.split(/[ \t\r\n]+/).filter((w) => w.length > 0).join(' ');
}

export function postconfMain(o: PostconfMainOptions): PostconfOutput {
  const err: string[] = [];
  const out: string[] = [];
  const warn = (m: string) => err.push(`${warningLine(m)}\n`);
  const fatal = (m: string): PostconfOutput => {
    err.push(`${fatalLine(m)}\n`);
    return { stdout: out.join(''), stderr: err.join(''), status: 1 };
  };
  const version = o.version ?? ORACLE_VERSION;
  // postconf dies at the first failure it meets in its per-run hash order; we
  // report the first in file order and list the others for the tests.
  const failWith = (alternatives: string[][]): PostconfOutput => {
    err.push(...alternatives[0].map((l) => `${l}\n`));
    return { stdout: out.join(''), stderr: err.join(''), status: 1, alternatives };
  };
  const mainPath = `${o.dir}/main.cf`;

  const dict = new Map<string, string>();
  if (!o.defaults) {
    dict.set('config_directory', o.dir);
    if (o.mainText === undefined) return fatal(`open ${mainPath}: No such file or directory`);
    const main = parseMainCf(o.mainText, mainPath);
    for (const orphan of main.problems.filter((p) => p.code === 'PF101')) {
      warn(`${mainPath}: ${orphan.message.replace(/ \(an indented line.*$/, '')}`);
    }
    for (const e of main.entries) {
      const old = dict.get(e.name);
      if (old !== undefined && old !== e.value) warn(`${mainPath}, line ${e.line + 1}: overriding earlier entry: ${e.name}=${old}`);
      dict.set(e.name, e.value);
    }
    if (main.fatal) return fatal(`${mainPath}, ${main.fatal.message}`);
  }

  if (!o.master) warn(`open ${o.dir}/master.cf: No such file or directory`);
  else if (o.master.fatal) return fatal(o.master.fatal);

  const registryInput = {
    main: dict,
    services: o.defaults ? [] : (o.master?.services ?? []),
    serviceParameters: o.master?.serviceParameters ?? [],
    version,
    readFile: o.readFile,
  };
  const host = hostDefaults(o, registryInput);
  if (host.failures.length > 0) return failWith(host.failures);
  const registry = buildRegistry({ ...registryInput, hostDefaults: host.defaults });
  const scanWarnings = registry.findings.filter((f) => f.kind !== 'unused').map((f) => findingText(o.dir, f));
  if (!o.defaults) for (const w of scanWarnings) warn(w);
  if (registry.expansionFailures.length > 0) {
    // Warnings from the same scan come before or after the failure depending
    // on postconf's hash order: they may or may not be printed.
    const r = failWith(registry.expansionFailures.map((f) => [...f.errors.map(warningLine), fatalLine('macro processing error')]));
    return { ...r, optional: scanWarnings.map(warningLine) };
  }

  const printed = printParameters(o, registry, version, warn, out);
  if (printed === 'fatal') return fatal('macro processing error');

  if (!o.defaults) {
    for (const f of registry.findings) if (f.kind === 'unused') warn(findingText(o.dir, f));
  }
  return { stdout: out.join(''), stderr: err.join(''), status: 0 };
}

// Postfix computes myhostname, mydomain and mynetworks at run time when
// main.cf leaves them unset, evaluating other main.cf settings against main.cf
// alone (dict_eval) or, for mynetworks' inputs, with defaults. Each
// evaluation can die; every failure is a possible outcome.
function hostDefaults(
  o: PostconfMainOptions,
  input: Omit<RegistryInput, 'hostDefaults'>,
): { defaults?: Map<string, string>; failures: string[][] } {
  const failures: string[][] = [];
  if (!o.host) return { failures };
  const main = o.defaults ? new Map<string, string>() : input.main;
  const mainOnly = (n: string): string | undefined => {
    const v = main.get(n);
    if (v === undefined) return undefined;
    const r = expandValue(v, (m) => main.get(m));
    if (r.errors.length > 0) failures.push([...r.errors.map(warningLine), fatalLine('dictionary mail_dict: macro processing error')]);
    return r.value;
  };
  const h = o.host;
  const computeHostname = () => (h.hostname.includes('.') ? h.hostname : `${h.hostname}.${mainOnly('mydomain') ?? 'localdomain'}`);
  const myhostname = main.has('myhostname') && !o.defaults ? (h.hostname.includes('.') ? h.hostname : `${h.hostname}.localdomain`) : computeHostname();
  const defaults = new Map([['myhostname', myhostname]]);
  defaults.set('mydomain', main.has('mydomain') && !o.defaults ? 'localdomain' : mydomainOf(mainOnly('myhostname') ?? myhostname));
  if (h.processId !== undefined) defaults.set('process_id', h.processId);
  if (o.defaults || !main.has('mynetworks')) {
    const provisional = buildRegistry({ ...input, main: new Map(main), hostDefaults: defaults });
    const lookup = o.defaults ? (n: string) => provisional.defaultOf(n) : provisional.lookup();
    let failed = false;
    const setting = (n: string): string => {
      const before = failures.length;
      const v = mainOnly(n);
      if (failures.length > before) failed = true;
      if (v !== undefined) return v;
      const r = expandValue(provisional.defaultOf(n) ?? '', lookup);
      if (r.errors.length > 0) {
        failures.push([...r.errors.map(warningLine), fatalLine('macro processing error')]);
        failed = true;
      }
      return r.value;
    };
    const interfaces = setting('inet_interfaces');
    const style = setting('mynetworks_style');
    const protocols = setting('inet_protocols');
    const unresolved = failed ? [] : unresolvedInterfaces(interfaces, h.resolve);
    if (unresolved.length > 0) failures.push([fatalLine(`config variable inet_interfaces: host not found: ${unresolved[0]}`)]);
    else if (!failed) defaults.set('mynetworks', computeMynetworks(h.interfaces, style, interfaces, protocols, h.resolve));
  }
  return { defaults, failures };
}

function printParameters(
  o: PostconfMainOptions,
  registry: Registry,
  version: string,
  warn: (m: string) => void,
  out: string[],
): 'ok' | 'fatal' {
  let names: string[];
  if (o.names && o.names.length > 0) {
    names = [];
    for (const n of o.names) {
      if (registry.classOf(n) === undefined) warn(`${n}: unknown parameter`);
      else names.push(n);
    }
  } else {
    const all = o.defaults ? [...new Set([...builtinParameterNames(version), ...(o.master?.serviceParameters ?? [])])] : registry.names();
    names = all.filter((n) => {
      const c = registry.classOf(n);
      if (!c || (c === 'legacy' && !o.defaults)) return false;
      if (o.defaults) return c !== 'user' && c !== 'legacy';
      return true;
    });
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const lookupDefaults = (n: string) => registry.defaultOf(n);
  const lookup = o.defaults ? lookupDefaults : registry.lookup();
  for (const name of names) {
    let value: string | undefined;
    if (o.defaults) value = registry.defaultOf(name);
    else if (o.nonDefault) value = registry.main.get(name);
    else value = registry.main.get(name) ?? registry.defaultOf(name);
    if (value === undefined) continue;
    if (o.expand && !isRawParameter(name)) {
      const r = expandValue(value, lookup);
      for (const e of r.errors) warn(e);
      if (r.errors.length > 0) return 'fatal';
      value = r.value;
    }
    out.push(`${normalizeWhitespace(`${name} = ${value}`)}\n`);
  }
  return 'ok';
}

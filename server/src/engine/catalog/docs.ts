// Typed access to everything the catalog knows about an item, facts and our
// own descriptions merged: parameters (with their value type), smtpd
// restrictions, lookup table types, access(5) actions and master.cf fields,
// types, flags and commands. Completion, hover and the checks read this; the
// words live in server/data/docs/*.tsv, the facts in server/data/*.tsv.

import parameterTypes from './generated/parameterTypes';
import restrictionRows from './generated/restrictions';
import tableTypeRows from './generated/tableTypes';
import accessActionRows from './generated/accessActions';
import { existsInVersion, NEWEST_VERSION, parameterFact, ParameterFact } from './parameters';
import { compareVersions, parseVersion } from './version';

// Our words (about 290 KB of the server's bundle) are read when hover or
// completion first asks: no lint reads them, and a new server pays for every
// byte it parses and keeps in its code cache before its first diagnostics. In
// the bundle each generated module below runs on its first require.
type DocRows = readonly Readonly<{ name: string; doc: string }>[];
function lazyDocs<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
const docMap = (rows: DocRows) => new Map<string, string>(rows.map((r) => [r.name, r.doc]));
// The catalog's entries are instances of the classes below, each with a `doc`
// getter on its prototype: an object literal with a getter of its own gets a
// shape of its own, and the rules that read ~1,000 such entries would read
// them through megamorphic property lookups (the first lint took ~10 ms more).
// parameterDocs holds the words alone, row i for row i of parameterTypes.
const parameterWords = lazyDocs(() => {
  const rows = (require('./generated/parameterDocs') as typeof import('./generated/parameterDocs')).default;
  return new Map<string, string>(parameterTypes.map((r, i) => [r.name, rows[i]?.doc ?? '']));
});
const restrictionWords = lazyDocs(
  () => new Map((require('./generated/restrictionDocs') as typeof import('./generated/restrictionDocs')).default.map((r) => [r.name, r] as const)),
);
const tableTypeWords = lazyDocs(() => docMap((require('./generated/tableTypeDocs') as typeof import('./generated/tableTypeDocs')).default));
const accessActionWords = lazyDocs(() => docMap((require('./generated/accessActionDocs') as typeof import('./generated/accessActionDocs')).default));
const masterByKey = lazyDocs(
  () =>
    new Map<string, MasterDoc>(
      (require('./generated/masterDocs') as typeof import('./generated/masterDocs')).default.map((r) => [`${r.kind}:${r.name}`, { kind: r.kind as MasterDocKind, name: r.name, doc: r.doc }]),
    ),
);

// ---- the value type grammar -------------------------------------------------

/** The smtpd_<stage>_restrictions lists. */
export const RESTRICTION_STAGES = ['client', 'helo', 'sender', 'recipient', 'relay', 'etrn', 'data', 'end_of_data'] as const;
export type RestrictionStage = (typeof RESTRICTION_STAGES)[number];

export type TimeUnit = 's' | 'm' | 'h' | 'd' | 'w';

/** Value kinds that take no argument in the grammar. */
export const PLAIN_TYPE_KINDS = [
  'bool',
  'int',
  'long',
  'size',
  'tables',
  'domains',
  'networks',
  'hosts',
  'address',
  'hostname',
  'domain',
  'path',
  'transport',
  'service',
  'command',
  'user',
  'list',
  'text',
] as const;
export type PlainTypeKind = (typeof PLAIN_TYPE_KINDS)[number];

/**
 * A parameter's value type, parsed from the `type` column of our docs:
 * bool | int | long | time:UNIT | size | enum:a|b|c | enumlist:a|b|c |
 * restrictions:STAGE | tables | domains | networks | hosts | address |
 * hostname | domain | path | transport | service | command | user | list | text.
 */
export type ParamType =
  | { kind: PlainTypeKind }
  | { kind: 'time'; unit: TimeUnit }
  | { kind: 'enum'; values: string[] }
  | { kind: 'enumlist'; values: string[] }
  | { kind: 'restrictions'; stage: RestrictionStage };

const TIME_UNITS: readonly string[] = ['s', 'm', 'h', 'd', 'w'];

/** Parses a type string; undefined when it does not follow the grammar. */
export function parseParamType(s: string): ParamType | undefined {
  if ((PLAIN_TYPE_KINDS as readonly string[]).includes(s)) return { kind: s as PlainTypeKind };
  const colon = s.indexOf(':');
  if (colon < 0) return undefined;
  const head = s.slice(0, colon);
  const arg = s.slice(colon + 1);
  switch (head) {
    case 'time':
      return TIME_UNITS.includes(arg) ? { kind: 'time', unit: arg as TimeUnit } : undefined;
    case 'enum':
    case 'enumlist': {
      const values = arg.split('|');
      if (values.some((v) => v === '' || /[\s,]/.test(v))) return undefined;
      return { kind: head, values };
    }
    case 'restrictions':
      return (RESTRICTION_STAGES as readonly string[]).includes(arg) ? { kind: 'restrictions', stage: arg as RestrictionStage } : undefined;
    default:
      return undefined;
  }
}

const UNIT_WORDS: Record<TimeUnit, string> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };

/** Short human description of a type, for hover and completion details. */
export function describeParamType(t: ParamType): string {
  switch (t.kind) {
    case 'bool':
      return 'boolean (`yes` or `no`)';
    case 'int':
      return 'integer';
    case 'long':
      return 'integer (large)';
    case 'size':
      return 'size in bytes';
    case 'time':
      return `time (a number with unit s, m, h, d or w; no unit means ${UNIT_WORDS[t.unit]})`;
    case 'enum':
      return `one of ${t.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'enumlist':
      return `list of ${t.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'restrictions':
      return `smtpd restriction list (${t.stage.replace(/_/g, ' ')} stage)`;
    case 'tables':
      return 'list of lookup tables (`type:name`)';
    case 'domains':
      return 'list of domains (names, `/file` or `type:table`)';
    case 'networks':
      return 'list of networks (`addr/len`, `[ipv6]/len`, `/file` or `type:table`)';
    case 'hosts':
      return 'list of hosts, addresses or networks';
    case 'address':
      return 'email address';
    case 'hostname':
      return 'host name';
    case 'domain':
      return 'domain name';
    case 'path':
      return 'file or directory path';
    case 'transport':
      return 'master.cf transport (`transport` or `transport:nexthop`)';
    case 'service':
      return 'master.cf service name';
    case 'command':
      return 'command line';
    case 'user':
      return 'user or group name';
    case 'list':
      return 'list of words';
    case 'text':
      return 'text';
  }
}

// ---- parameters ---------------------------------------------------------------

export const POSTCONF_MANUAL = 'https://www.postfix.org/postconf.5.html';

export function parameterLink(name: string): string {
  return `${POSTCONF_MANUAL}#${encodeURIComponent(name)}`;
}

export interface ParameterDoc {
  name: string;
  /** The type string as written in the docs table. */
  typeText: string;
  /** Undefined only when the docs table holds a type outside the grammar (a unit test forbids it). */
  type?: ParamType;
  doc: string;
}

export interface PerServiceOrigin {
  /** The master.cf service the name derives from (`relay`). */
  service: string;
  /** `_destination_concurrency_limit`. */
  suffix: string;
  /** The documented pattern (`transport_destination_concurrency_limit`). */
  pattern: string;
  /** The global parameter whose value is the default (`default_destination_concurrency_limit`). */
  defaultFrom: string;
}

export interface ParameterInfo extends ParameterDoc {
  fact?: ParameterFact;
  /** Raw default (`$name` references unexpanded); undefined when unknown. */
  default?: string;
  since?: string;
  deprecatedIn?: string;
  removedIn?: string;
  replacement?: string;
  link: string;
  /** Set for `<service>_suffix` names derived from a master.cf service. */
  perService?: PerServiceOrigin;
}

/** An entry whose `doc` is our words for its name, read on first use. */
abstract class Described {
  abstract readonly name: string;
  protected abstract words(): ReadonlyMap<string, string>;
  get doc(): string {
    return this.words().get(this.name) ?? '';
  }
}

class ParameterDocEntry extends Described implements ParameterDoc {
  readonly type?: ParamType;
  constructor(
    readonly name: string,
    readonly typeText: string,
  ) {
    super();
    this.type = parseParamType(typeText);
  }
  protected words() {
    return parameterWords();
  }
}

const docByName = new Map<string, ParameterDoc>();
for (const row of parameterTypes) docByName.set(row.name, new ParameterDocEntry(row.name, row.type));

export function allParameterDocs(): Iterable<ParameterDoc> {
  return docByName.values();
}

/** A service-derived name as master.cf produces it (see mastercf/service-params.ts). */
export interface ServiceParameterLike {
  name: string;
  defaultFrom: string;
  service: string;
}

// Name → entry for a long list of service-derived names (50,000 delivery
// services make 800,000), built on the first lookup in that list: the lists
// are shared per master.cf (serviceParameters), and a hover looks up a name
// in one several times.
const SCAN_AT_MOST = 16;
const serviceParameterIndex = new WeakMap<readonly ServiceParameterLike[], ReadonlyMap<string, ServiceParameterLike>>();

/** Gives findServiceParameter the index of a list whose maker built one as it went (serviceParameters does, in steps). */
export function indexServiceParameters(list: readonly ServiceParameterLike[], index: ReadonlyMap<string, ServiceParameterLike>): void {
  serviceParameterIndex.set(list, index);
}

/** The entry for `name` in a list of service-derived names (the first, as postconf registers them), or undefined. */
export function findServiceParameter<T extends ServiceParameterLike>(list: readonly T[], name: string): T | undefined {
  if (list.length <= SCAN_AT_MOST) return list.find((p) => p.name === name);
  let index = serviceParameterIndex.get(list);
  if (!index) {
    const built = new Map<string, ServiceParameterLike>();
    for (const p of list) if (!built.has(p.name)) built.set(p.name, p);
    serviceParameterIndex.set(list, (index = built));
  }
  return index.get(name) as T | undefined;
}

/** doc's name and type, its words read on first use (a spread of doc would read them now), then `rest`. */
function describedBy(doc: ParameterDoc, rest: Omit<ParameterInfo, keyof ParameterDoc>): ParameterInfo {
  return {
    name: doc.name,
    typeText: doc.typeText,
    type: doc.type,
    get doc() {
      return doc.doc;
    },
    ...rest,
  };
}

/**
 * Everything about a parameter: catalog facts, our description, its type and
 * a manual link. Names derived from master.cf services (`relay_destination_
 * concurrency_limit`) are found through `serviceParameters`.
 */
export function parameterInfo(name: string, serviceParameters: readonly ServiceParameterLike[] = []): ParameterInfo | undefined {
  const fact = parameterFact(name);
  const doc = docByName.get(name);
  if (doc && fact && !fact.perServicePattern) {
    return describedBy(doc, {
      fact,
      default: fact.default,
      since: fact.since,
      deprecatedIn: fact.deprecatedIn,
      removedIn: fact.removedIn,
      replacement: fact.replacement,
      link: parameterLink(name),
    });
  }
  const sp = findServiceParameter(serviceParameters, name);
  if (sp) {
    const service = sp.service.slice(0, sp.service.lastIndexOf('/'));
    const suffix = name.slice(service.length);
    const pattern = `transport${suffix}`;
    const patternDoc = docByName.get(pattern);
    const patternFact = parameterFact(pattern);
    return {
      name,
      typeText: patternDoc?.typeText ?? 'text',
      type: patternDoc?.type ?? { kind: 'text' },
      get doc() {
        return patternDoc?.doc ?? `Per-service setting derived from the master.cf service \`${service}\`.`;
      },
      fact,
      // A name that is also built in (local_destination_concurrency_limit) keeps its own default.
      default: fact && !fact.perServicePattern ? fact.default : `$${sp.defaultFrom}`,
      since: patternFact?.since,
      link: parameterLink(pattern),
      perService: { service, suffix, pattern, defaultFrom: sp.defaultFrom },
    };
  }
  if (doc && fact) {
    // A documented pattern name itself (transport_time_limit): describe the pattern.
    return describedBy(doc, { fact, default: fact.default, since: fact.since, link: parameterLink(name) });
  }
  if (fact) {
    return {
      name,
      typeText: 'text',
      type: { kind: 'text' },
      doc: '',
      fact,
      default: fact.default,
      since: fact.since,
      deprecatedIn: fact.deprecatedIn,
      removedIn: fact.removedIn,
      replacement: fact.replacement,
      link: parameterLink(name),
    };
  }
  return undefined;
}

/** The documented type of a parameter, else a guess from its name; text when nothing fits. */
export function parameterType(name: string, serviceParameters: readonly ServiceParameterLike[] = []): ParamType {
  const t = parameterInfo(name, serviceParameters)?.type;
  if (t) return t;
  if (/_maps$|_checks$/.test(name)) return { kind: 'tables' };
  return { kind: 'text' };
}

export function isDeprecatedIn(info: Pick<ParameterInfo, 'deprecatedIn' | 'removedIn'>, version: string): boolean {
  const v = parseVersion(version);
  const since = info.deprecatedIn ?? info.removedIn;
  return since !== undefined && compareVersions(parseVersion(since), v) <= 0;
}

export { existsInVersion, NEWEST_VERSION };

// ---- restrictions -------------------------------------------------------------

export type RestrictionArgument = 'none' | 'table' | 'domain=filter' | 'transport:server' | 'seconds' | 'restriction';

export interface RestrictionInfo {
  name: string;
  takes: RestrictionArgument;
  /** Lists where the restriction has the data it needs. */
  stages: RestrictionStage[];
  /** Further lists where it works only because smtpd_delay_reject = yes postpones evaluation. */
  delayedStages: RestrictionStage[];
  since: string;
  removedIn?: string;
  deprecatedIn?: string;
  /** Replacement names for old spellings (`reject_unknown_client` → `reject_unknown_client_hostname`). */
  aliasOf?: string;
  category: string;
  /** Our description of the argument, Markdown. */
  argument: string;
  doc: string;
  notes?: string;
  /** Does an unconditional permit/reject/defer: nothing after it in the same list runs. */
  terminal: boolean;
}

const stagesOf = (s: string): RestrictionStage[] => (s ? (s.split(',') as RestrictionStage[]) : []);
type RestrictionRow = (typeof restrictionRows)[number];

class RestrictionEntry implements RestrictionInfo {
  readonly name: string;
  readonly takes: RestrictionArgument;
  readonly stages: RestrictionStage[];
  readonly delayedStages: RestrictionStage[];
  readonly since: string;
  readonly removedIn?: string;
  readonly deprecatedIn?: string;
  readonly aliasOf?: string;
  readonly category: string;
  readonly notes?: string;
  readonly terminal: boolean;
  constructor(r: RestrictionRow) {
    this.name = r.name;
    this.takes = r.takes as RestrictionArgument;
    this.stages = stagesOf(r.stages);
    this.delayedStages = stagesOf(r.stages_only_with_delay_reject);
    this.since = r.since;
    this.removedIn = r.removed_in || undefined;
    this.deprecatedIn = r.deprecated_in || undefined;
    this.aliasOf = r.alias_of || undefined;
    this.category = r.category;
    this.notes = r.notes || undefined;
    this.terminal = r.name === 'permit' || r.name === 'reject' || r.name === 'defer';
  }
  get argument(): string {
    const d = restrictionWords().get(this.name);
    return d?.argument && d.argument !== '-' ? d.argument : '';
  }
  get doc(): string {
    return restrictionWords().get(this.name)?.doc ?? '';
  }
}

const restrictions = new Map<string, RestrictionInfo>();
for (const r of restrictionRows) {
  if (r.name.startsWith('<')) continue;
  restrictions.set(r.name, new RestrictionEntry(r));
}

/** The doc row for user-defined restriction classes. */
export function restrictionClassDoc(): string {
  return restrictionWords().get('<restriction class>')?.doc ?? '';
}

/** smtpd matches restriction names case-insensitively. */
export function restrictionInfo(name: string): RestrictionInfo | undefined {
  return restrictions.get(name) ?? restrictions.get(name.toLowerCase());
}

export function allRestrictions(): Iterable<RestrictionInfo> {
  return restrictions.values();
}

/** Known (since) and not removed in that version. */
export function restrictionInVersion(r: RestrictionInfo, version: string): boolean {
  const v = parseVersion(version);
  if (r.removedIn && compareVersions(parseVersion(r.removedIn), v) <= 0) return false;
  return r.since === 'old' || compareVersions(parseVersion(r.since), v) <= 0;
}

/** The stage a `smtpd_<stage>_restrictions` parameter name stands for. */
export function restrictionStageOf(parameter: string): RestrictionStage | undefined {
  const t = parameterInfo(parameter)?.type;
  return t?.kind === 'restrictions' ? t.stage : undefined;
}

// ---- lookup table types -----------------------------------------------------

export interface TableTypeInfo {
  name: string;
  kind: string;
  needsPostmap: boolean;
  since: string;
  /** Debian 12 package that provides it, `postfix` when built in, undefined when not available there. */
  debianPackage?: string;
  readOnly: boolean;
  nameForm: string;
  notes?: string;
  doc: string;
}

class TableTypeEntry extends Described implements TableTypeInfo {
  readonly name: string;
  readonly kind: string;
  readonly needsPostmap: boolean;
  readonly since: string;
  readonly debianPackage?: string;
  readonly readOnly: boolean;
  readonly nameForm: string;
  readonly notes?: string;
  constructor(r: (typeof tableTypeRows)[number]) {
    super();
    this.name = r.name;
    this.kind = r.kind;
    this.needsPostmap = r.needs_postmap === 'yes';
    this.since = r.since;
    this.debianPackage = r.package_on_debian === '-' ? undefined : r.package_on_debian;
    this.readOnly = r.read_only === 'yes';
    this.nameForm = r.name_form;
    this.notes = r.notes || undefined;
  }
  protected words() {
    return tableTypeWords();
  }
}

const tableTypes = new Map<string, TableTypeInfo>();
for (const r of tableTypeRows) tableTypes.set(r.name, new TableTypeEntry(r));

export function tableTypeInfo(name: string): TableTypeInfo | undefined {
  return tableTypes.get(name);
}

export function allTableTypes(): Iterable<TableTypeInfo> {
  return tableTypes.values();
}

export function tableTypeInVersion(t: TableTypeInfo, version: string): boolean {
  return t.since === 'old' || compareVersions(parseVersion(t.since), parseVersion(version)) <= 0;
}

// ---- access(5) actions --------------------------------------------------------

export interface AccessActionInfo {
  /** `OK`, `REJECT`, …, or a placeholder such as `4NN`, `<restriction...>`. */
  name: string;
  argument: string;
  since: string;
  notes?: string;
  doc: string;
}

class AccessActionEntry extends Described implements AccessActionInfo {
  readonly name: string;
  readonly argument: string;
  readonly since: string;
  readonly notes?: string;
  constructor(r: (typeof accessActionRows)[number]) {
    super();
    ({ name: this.name, argument: this.argument, since: this.since } = r);
    this.notes = r.notes || undefined;
  }
  protected words() {
    return accessActionWords();
  }
}

const accessActions = new Map<string, AccessActionInfo>();
for (const r of accessActionRows) accessActions.set(r.name, new AccessActionEntry(r));

/** Action words are case-insensitive; numeric replies map to 421/521/4NN/5NN. */
export function accessActionInfo(word: string): AccessActionInfo | undefined {
  const upper = word.toUpperCase();
  const direct = accessActions.get(upper);
  if (direct && !direct.name.startsWith('<')) return direct;
  if (/^[45]\d\d$/.test(word)) return accessActions.get(word) ?? accessActions.get(`${word[0]}NN`);
  if (/^\d+$/.test(word)) return accessActions.get('<all-numerical>');
  return undefined;
}

export function allAccessActions(): Iterable<AccessActionInfo> {
  return accessActions.values();
}

export function accessActionInVersion(a: AccessActionInfo, version: string): boolean {
  if (a.since === '-') return false;
  return a.since === 'old' || compareVersions(parseVersion(a.since), parseVersion(version)) <= 0;
}

// ---- master.cf ------------------------------------------------------------------

export type MasterDocKind = 'field' | 'type' | 'command' | 'flag';

export interface MasterDoc {
  kind: MasterDocKind;
  name: string;
  doc: string;
}

/** Field names in column order, as our docs name them. */
export const MASTER_FIELDS = ['service', 'type', 'private', 'unpriv', 'chroot', 'wakeup', 'maxproc', 'command'] as const;

export function masterDoc(kind: MasterDocKind, name: string): MasterDoc | undefined {
  return masterByKey().get(`${kind}:${name}`);
}

export function masterDocsOfKind(kind: MasterDocKind): MasterDoc[] {
  return [...masterByKey().values()].filter((d) => d.kind === kind);
}

/** True for versions at least `since` (`old` always). */
export function sinceInVersion(since: string | undefined, version: string = NEWEST_VERSION): boolean {
  if (!since || since === 'old') return true;
  return compareVersions(parseVersion(since), parseVersion(version)) <= 0;
}

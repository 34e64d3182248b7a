// Facts about main.cf parameters: names, defaults, versions, deprecations.
// Two sources, both facts: the 3.12 parameter table (server/data/parameters.tsv)
// and the real `postconf -d` of Debian's Postfix 3.7.11 (postconf-3.7.11.tsv),
// whose defaults are machine-readable where the former has prose placeholders.

import params from './generated/parameters';
import postconf3711 from './generated/postconf3711';
import notes from './generated/parameterNotes';
import { compareVersions, parseVersion, Version } from './version';

export interface ParameterFact {
  name: string;
  /** Default as the 3.12 parameter table states it (may be prose, e.g. `see "postconf -d" output`). */
  documentedDefault: string;
  /** Machine-readable default: real postconf -d of 3.7.11 when it knows the name, else the documented one when it is literal. */
  default: string;
  since: string;
  deprecatedIn?: string;
  removedIn?: string;
  replacement?: string;
  /** Postfix's storage class in 3.7.11: bool, int, long, time, str, raw (never $-expanded), nint, nbool. */
  storage?: string;
  /** Default depends on the build or the host (myhostname, mynetworks, ...). */
  hostDependent: boolean;
  /** A `transport_...` row: stands for `<service>_...` for any master.cf service. */
  perServicePattern: boolean;
}

export const NEWEST_VERSION = '3.12';
/** The version our postconf emulation and oracle tests are proven against. */
export const ORACLE_VERSION = '3.7.11';

// Names the parameter table documents but postconf 3.7 does not register as
// built-in: old names that only matter through `$name` in newer defaults.
// postconf treats them as "legacy": valid when set, printed by -n, never by -d.
export const LEGACY_NAMES = new Set([
  'virtual_maps',
  'fallback_relay',
  'authorized_verp_clients',
  'smtpd_client_connection_limit_exceptions',
  'postscreen_dnsbl_ttl',
  'postscreen_blacklist_action',
  'postscreen_dnsbl_whitelist_threshold',
  'postscreen_whitelist_interfaces',
  'lmtp_per_record_deadline',
  'smtp_per_record_deadline',
  'smtpd_per_record_deadline',
  'tlsproxy_client_level',
  'tlsproxy_client_policy',
]);

/** Parameters postconf refuses to set from main.cf. */
export const READ_ONLY_NAMES = new Set(['process_id', 'process_name', 'service_name']);

const PROSE = /postconf -d|version dependent|read-only|&[lg]t;|&ge;|Postfix [<>]|normal: /;

// Run for each of ~1,000 rows as the server starts: most defaults hold no entity.
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&ge;/g, '>=').replace(/&le;/g, '<=').replace(/&amp;/g, '&');
}

const facts = new Map<string, ParameterFact>();
for (const row of params) {
  const decoded = decodeEntities(row.default);
  facts.set(row.name, {
    name: row.name,
    documentedDefault: decoded,
    default: PROSE.test(row.default) ? '' : decoded,
    since: row.since,
    deprecatedIn: row.deprecated_in || undefined,
    removedIn: row.removed_in || undefined,
    replacement: row.replacement || undefined,
    hostDependent: false,
    perServicePattern: row.name.startsWith('transport_') && row.name !== 'transport_maps' && row.name !== 'transport_retry_time',
  });
}
const known3711 = new Set<string>();
for (const row of postconf3711) {
  known3711.add(row.name);
  const f = facts.get(row.name);
  const merged: ParameterFact = f ?? {
    name: row.name,
    documentedDefault: row.default,
    default: row.default,
    since: 'old',
    hostDependent: false,
    perServicePattern: false,
  };
  merged.default = row.default;
  merged.storage = row.kind || undefined;
  merged.hostDependent = row.host_dependent === 'yes';
  facts.set(row.name, merged);
}

/** The release after major.minor (2.11 was followed by 3.0). */
function nextRelease(v: string): string {
  const [major, minor] = v.split('.').map(Number);
  return major === 2 && minor === 11 ? '3.0' : `${major}.${minor + 1}`;
}

/**
 * The first release without an obsolete parameter, from the proto's own words
 * in parameters-notes.tsv (`removed 2.2`, `last 2.0`, `2.2 only`, `2.11-3.1`,
 * `replaced 2.3`). `ignored 3.6` is not a removal: postconf still knows the name.
 */
export function removalFromNote(value: string): string | undefined {
  let m = /^(?:removed|replaced) (\d+\.\d+)$/.exec(value);
  if (m) return m[1];
  m = /^(?:last (\d+\.\d+)|(\d+\.\d+) only|\d+\.\d+-(\d+\.\d+))$/.exec(value);
  if (m) return nextRelease(m[1] ?? m[2] ?? m[3]);
  return undefined;
}

// Parameters the proto still documents but no release since knows: real
// postconf reports them as "unused parameter" (3.7.11 does for each).
for (const n of notes) {
  if (n.kind !== 'obsolete_per_proto') continue;
  const f = facts.get(n.name);
  const removed = removalFromNote(n.value);
  if (!f || !removed || known3711.has(n.name) || f.removedIn) continue;
  f.removedIn = removed;
  const renamed = /^renamed to (\S+)/.exec(n.detail)?.[1] ?? /^replacement: (\S+)/.exec(n.detail)?.[1];
  if (renamed && !f.replacement) f.replacement = renamed;
}

// Patch releases that received a parameter before its `.0` release (e.g. 3.7.9).
const backports = new Map<string, Version[]>();
for (const n of notes) {
  if (n.kind === 'backported') backports.set(n.name, n.value.split(',').map((v) => parseVersion(v)));
}

export function parameterFact(name: string): ParameterFact | undefined {
  return facts.get(name);
}

export function allParameterFacts(): Iterable<ParameterFact> {
  return facts.values();
}

/** Was the parameter there in that Postfix version (major.minor or major.minor.patch)? */
export function existsInVersion(name: string, version: string): boolean {
  const f = facts.get(name);
  if (!f || f.perServicePattern) return false;
  if (version.startsWith('3.7') && known3711.has(name)) return true; // measured, exact
  const v = parseVersion(version);
  if (f.removedIn && compareVersions(v, parseVersion(f.removedIn)) >= 0) return false;
  if (f.since === 'old' || compareVersions(parseVersion(f.since), v) <= 0) return true;
  for (const b of backports.get(name) ?? []) {
    if (b.major === v.major && b.minor === v.minor && compareVersions(b, v) <= 0) return true;
  }
  return false;
}

/**
 * A name postconf registers as built-in for that version (valid in main.cf,
 * listed by postconf -d). Legacy names and per-service instances are not.
 */
export function isBuiltinParameter(name: string, version: string = NEWEST_VERSION): boolean {
  if (LEGACY_NAMES.has(name)) return false;
  if (version.startsWith('3.7')) return known3711.has(name);
  return existsInVersion(name, version);
}

/** Builtin names of a version, for postconf -d and completion. */
export function builtinParameterNames(version: string = NEWEST_VERSION): string[] {
  const out: string[] = [];
  for (const f of facts.values()) if (isBuiltinParameter(f.name, version)) out.push(f.name);
  return out;
}

/** The raw default value (may contain `$name` and `${...}` expressions). */
export function defaultValue(name: string): string | undefined {
  return facts.get(name)?.default;
}

/** Postfix never `$`-expands these (filters, commands, footers). */
export function isRawParameter(name: string): boolean {
  return facts.get(name)?.storage === 'raw';
}

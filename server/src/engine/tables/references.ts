// Finding `type:name` table references in a parameter value and knowing which
// files they stand for. Values are split the way Postfix splits map lists and
// restriction lists (commas and whitespace outside `{}`); nested forms
// (proxy:hash:/x, unionmap:{a:b, c:d}, pipemap:{...}) give inner references.

import tableTypes from '../catalog/generated/tableTypes';
import { indexSuffix } from './access';
import { isInlineName } from './stream';
import { balancedBraces, eachBraced, splitBraced } from './text';

export interface TableReference {
  /** The type as written before the first ':' (hash, cidr, proxy, inline, ...). */
  type: string;
  /** Everything after `type:`: a path, a `{...}` body, or for proxy another `type:name`. */
  name: string;
  /** The `type:name` text, after `$name` expansion when it was written with one. */
  text: string;
  /** The token as written, when it held a `$name` that was expanded (offsets then cover the whole token). */
  written?: string;
  /** Offsets in the scanned text: the whole `type:name` token, and where `name` starts. */
  start: number;
  end: number;
  nameStart: number;
  /** proxy: the table behind it; unionmap:/pipemap: the member tables. */
  inner?: TableReference[];
  /** False when the type is not a Postfix table type at all (only reported with `expectTables`). */
  knownType: boolean;
}

const KNOWN = new Set<string>(tableTypes.map((t) => t.name));

export function isKnownTableType(type: string): boolean {
  return KNOWN.has(type);
}

export interface FindOptions {
  /**
   * The value is known to be a list of tables (a `*_maps` parameter): every
   * `word:rest` token is a reference, even with an unknown type. Otherwise
   * only known types count, so `smtp:[relay]:587` or `inet:127.0.0.1:10023`
   * are not mistaken for tables.
   */
  expectTables?: boolean;
  /**
   * Expands a token that contains `$` (Postfix expands a value before it
   * opens the tables in it: `hash:${config_directory}/virtual`). Without it,
   * such tokens are read as written.
   */
  expand?: (token: string) => string;
}

/** One `type:name` token at s[start, end) → reference, or undefined when it is not one. */
export function parseTableSpec(s: string, start = 0, end = s.length, opts: FindOptions = {}): TableReference | undefined {
  // Look for the colon inside the word only: indexOf would run on through the
  // rest of the value for every word without one (quadratic on a long list).
  let colon = start;
  while (colon < end && s.charCodeAt(colon) !== 58) colon++;
  if (colon <= start || colon >= end) return undefined;
  const type = s.slice(start, colon);
  const known = KNOWN.has(type);
  if (!known && !(opts.expectTables && /^[A-Za-z0-9_-]+$/.test(type))) return undefined;
  const ref: TableReference = { type, name: s.slice(colon + 1, end), text: s.slice(start, end), start, end, nameStart: colon + 1, knownType: known };
  if (type === 'proxy') {
    const inner = parseTableSpec(s, colon + 1, end, { expectTables: true });
    if (inner) ref.inner = [inner];
  } else if ((type === 'unionmap' || type === 'pipemap') && s.charCodeAt(colon + 1) === 123) {
    const len = balancedBraces(s, colon + 1);
    if (len > 0) {
      ref.inner = [];
      for (const [a, b] of splitBraced(s, colon + 2, colon + len)) {
        const r = parseTableSpec(s, a, b, { expectTables: true });
        if (r) ref.inner.push(r);
      }
    }
  }
  return ref;
}

/**
 * Table references in a parameter value (or restriction list), with offsets
 * into `value`. The word after `check_policy_service` is a policy server
 * endpoint (inet:host:port, unix:path), not a table, and is skipped.
 */
export function findTableReferences(value: string, opts: FindOptions = {}): TableReference[] {
  const out: TableReference[] = [];
  let skipNext = false;
  // Word by word in place: a mynetworks of 100,000 addresses makes no word list and no copy of a word without a colon or `$`.
  eachBraced(value, (a, b) => {
    if (skipNext) {
      skipNext = false;
      return;
    }
    if (b - a === POLICY_SERVICE.length && value.slice(a, b).toLowerCase() === POLICY_SERVICE) {
      skipNext = true;
      return;
    }
    // A bare `$name` stands for another parameter's tables, found where that one is set.
    if (opts.expand && hasDollar(value, a, b)) {
      const word = value.slice(a, b);
      if (!PURE_REFERENCE.test(word)) {
        out.push(...expandedReferences(word, opts.expand(word), a, b, opts));
        return;
      }
    }
    const ref = parseTableSpec(value, a, b, opts);
    if (ref) out.push(ref);
  });
  return out;
}

const POLICY_SERVICE = 'check_policy_service';

function hasDollar(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) === 36) return true;
  return false;
}

const PURE_REFERENCE = /^\$(?:[A-Za-z0-9_]+|\{[A-Za-z0-9_]+\}|\([A-Za-z0-9_]+\))$/;

/** References in the expansion of one token, placed over the whole token as written. */
function expandedReferences(word: string, expanded: string, a: number, b: number, opts: FindOptions): TableReference[] {
  const place = (r: TableReference): TableReference => ({ ...r, written: word, start: a, end: b, nameStart: a, inner: r.inner?.map(place) });
  const out: TableReference[] = [];
  for (const [c, d] of splitBraced(expanded)) {
    const ref = parseTableSpec(expanded, c, d, { expectTables: opts.expectTables });
    if (ref) out.push(place(ref));
  }
  return out;
}

/** Every reference including nested ones, outermost first. */
export function flattenReferences(refs: TableReference[]): TableReference[] {
  const out: TableReference[] = [];
  const walk = (r: TableReference) => {
    out.push(r);
    r.inner?.forEach(walk);
  };
  refs.forEach(walk);
  return out;
}

export interface TableFiles {
  /** Text file the engine reads for lookups: the postmap source, or the table itself (cidr, pcre, ...). */
  source?: string;
  /** Files postmap builds from the source (check they exist and are newer). */
  indexed?: string[];
  /** Client configuration file of a database table (ldap:, mysql:, pgsql:, sqlite:, memcache:). */
  config?: string;
}

const INDEXED = new Set(['hash', 'btree', 'cdb', 'lmdb', 'dbm', 'sdbm']);
const TEXT = new Set(['texthash', 'cidr', 'pcre', 'regexp']);
const CONFIG = new Set(['ldap', 'mysql', 'pgsql', 'sqlite', 'memcache', 'mongodb']);

/** The files behind a reference (hash:/x → source /x, indexed /x.db). proxy: looks through. */
export function tableFilePath(ref: TableReference): TableFiles {
  if (ref.type === 'proxy') return ref.inner?.[0] ? tableFilePath(ref.inner[0]) : {};
  if (INDEXED.has(ref.type)) {
    const indexed = ref.type === 'dbm' || ref.type === 'sdbm' ? [`${ref.name}.dir`, `${ref.name}.pag`] : [`${ref.name}${indexSuffix(ref.type)}`];
    return { source: ref.name, indexed };
  }
  // cidr:{...}, pcre:{...}, regexp:{...} hold their rules inline (Postfix 3.7): no file.
  if (TEXT.has(ref.type)) return ref.type !== 'texthash' && isInlineName(ref.name) ? {} : { source: ref.name };
  if (CONFIG.has(ref.type)) return { config: ref.name };
  return {};
}

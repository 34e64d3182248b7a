// Opening a `type:name` table the way Postfix's dict_open() does, through the
// injected FileReader, and looking keys up in it. Indexed tables (hash, cdb,
// lmdb, ...) are read from their text source, i.e. as postmap would build them.

import { ConfigFiles } from '../config-files';
import type { FileReader, Problem } from '../types';
import { AccessTable, indexSuffix, isAccessSourceType } from './access';
import { parseAccessTable } from './access-parse';
import { CidrTable, lookupCidr, parseCidrTable } from './cidr';
import { InlineTable, StaticTable, lookupInline, parseInlineTable, parseStaticTable, parseTableList } from './inline';
import { RegexTable, lookupRegex, parseRegexTable } from './regexp';
import { inlineToText, isInlineName } from './stream';

/** Tables the engine cannot read: network clients, the process environment, system databases. */
export interface ExternalTable {
  kind: 'external';
  type: string;
  name: string;
  reason: string;
}

export interface CompositeTable {
  kind: 'unionmap' | 'pipemap' | 'proxy';
  name: string;
  members: OpenedTable[];
}

export interface RandomTable {
  kind: 'randmap';
  name: string;
  choices: string[];
}

export type TableModel = AccessTable | CidrTable | RegexTable | InlineTable | StaticTable | CompositeTable | RandomTable | ExternalTable;

export interface OpenedTable {
  spec: string;
  type: string;
  name: string;
  table?: TableModel;
  /** Postfix's fatal error on opening it (postmap and the daemons stop with this text). */
  fatal?: string;
  /** Postfix's warnings on opening it, in order, without the program prefix. */
  warnings: string[];
  /** Problems inside the table's own file (or in the spec, for inline forms). */
  problems: Problem[];
  /** The file read, if any. */
  file?: string;
}

export interface OpenTableOptions {
  /** Case-fold keys of exact-match tables (default true; postmap -f turns it off). */
  fold?: boolean;
  /**
   * Which warnings an indexed table (hash, cdb, ...) gives: `query` (none: it
   * was built before; postmap -q), or `build` (what `postmap type:file` prints).
   */
  indexedMode?: 'query' | 'build';
  /** Require the indexed file (x.db, ...) to exist, as Postfix does (needs reader.mtimeMs). Default true. */
  requireIndex?: boolean;
}

/** Types Debian 12's Postfix 3.7 can open that the engine cannot read. */
const EXTERNAL: Record<string, string> = {
  ldap: 'an LDAP directory',
  mysql: 'a MySQL database',
  pgsql: 'a PostgreSQL database',
  sqlite: 'an SQLite database',
  memcache: 'a memcache server',
  socketmap: 'a socketmap server',
  tcp: 'a TCP lookup server',
  nis: 'NIS',
  unix: 'the system passwd/group database',
  environ: 'the process environment',
  internal: 'a process-internal table',
  fail: 'a table whose every lookup fails',
};

/** Types Postfix knows but Debian 12's 3.7 does not provide. */
const UNAVAILABLE = new Set(['dbm', 'sdbm', 'mongodb', 'nisplus', 'netinfo', 'debug']);

function fatal(spec: string, type: string, name: string, text: string, warnings: string[] = []): OpenedTable {
  return { spec, type, name, fatal: text, warnings, problems: [] };
}

/** Why a file did not read, in strerror()'s words when the reader can tell. */
function whyNot(reader: FileReader, name: string): string {
  return reader.unreadable?.(name)?.reason ?? 'No such file or directory';
}

/** A spec's type and name (a bare name means hash:, Debian's default_database_type). */
function splitSpec(spec: string): { type: string; name: string } {
  const colon = spec.indexOf(':');
  return colon < 0 ? { type: 'hash', name: spec } : { type: spec.slice(0, colon), name: spec.slice(colon + 1) };
}

/**
 * dict_open's fatal for a spec without a type or a name ("::1/128", an IPv6
 * network without brackets, or "hash:"), in Postfix's words; undefined when
 * both are there. smtpd dies of it when it opens the table.
 */
export function dictFormFatal(spec: string): string | undefined {
  const { type, name } = splitSpec(spec);
  return type === '' || name === '' ? `open dictionary: expecting "type:name" form instead of "${type}:${name}"` : undefined;
}

/** Opens `type:name` (a bare name means hash:, Debian's default_database_type). Never throws. */
export function openTable(spec: string, reader: FileReader, opts: OpenTableOptions = {}): OpenedTable {
  const { type, name } = splitSpec(spec);
  const formFatal = dictFormFatal(spec);
  if (formFatal) return fatal(spec, type, name, formFatal);
  const fold = opts.fold ?? true;

  if (isAccessSourceType(type)) {
    if (UNAVAILABLE.has(type)) return fatal(spec, type, name, `unsupported dictionary type: ${type}`);
    const indexed = type !== 'texthash';
    const text = reader.readText(name);
    const where = indexed ? `${name}${indexSuffix(type)}` : name;
    if (text === undefined) {
      if (indexed && opts.indexedMode === 'build') return fatal(spec, type, name, `open ${name}: ${whyNot(reader, name)}`);
      return { ...fatal(spec, type, name, `open database ${where}: No such file or directory`), file: name };
    }
    // Problems name the file the engine read (beside main.cf, for a repository
    // copy), as the linter's do: one parse then serves both (tables/memo.ts).
    const table = parseAccessTable(text, reader instanceof ConfigFiles ? (reader.resolve(name).local ?? name) : name, { type, fold });
    const warnings = !indexed ? table.postfixWarnings('texthash', name) : opts.indexedMode === 'build' ? table.postfixWarnings('build', name) : [];
    // Problems only when asked for: the simulator opens tables to look keys up, and a reused result depends on what it read (tables/use-record.ts).
    const opened: OpenedTable = {
      spec,
      type,
      name,
      table,
      warnings,
      get problems() {
        return table.problems;
      },
      file: name,
    };
    // Postfix opens the built file, not the source: without it the table is unusable.
    if (indexed && opts.indexedMode !== 'build' && (opts.requireIndex ?? true) && reader.mtimeMs && reader.mtimeMs(where) === undefined)
      opened.fatal = `open database ${where}: No such file or directory`;
    return opened;
  }

  switch (type) {
    case 'cidr':
    case 'pcre':
    case 'regexp': {
      if (isInlineName(name)) {
        // Postfix 3.7: the rules are in the name; no file is read.
        const stream = inlineToText(name);
        if ('error' in stream) return fatal(spec, type, name, `${type} map: ${stream.error}`);
        const table = type === 'cidr' ? parseCidrTable(stream.text, name, name) : parseRegexTable(type, stream.text, name, name);
        return { spec, type, name, table, warnings: table.warnings, problems: [] };
      }
      const text = reader.readText(name);
      if (text === undefined) return { ...fatal(spec, type, name, `open ${name}: ${whyNot(reader, name)}`), file: name };
      const table = type === 'cidr' ? parseCidrTable(text, name, name) : parseRegexTable(type, text, name, name);
      return { spec, type, name, table, warnings: table.warnings, problems: table.problems, file: name };
    }
    case 'inline': {
      const t = parseInlineTable(name, fold);
      return 'fatal' in t ? fatal(spec, type, name, t.fatal) : { spec, type, name, table: t, warnings: [], problems: [] };
    }
    case 'static': {
      const t = parseStaticTable(name);
      return 'fatal' in t ? fatal(spec, type, name, t.fatal) : { spec, type, name, table: t, warnings: [], problems: [] };
    }
    case 'randmap': {
      const t = parseTableList('randmap', name);
      if ('fatal' in t) return fatal(spec, type, name, t.fatal);
      return { spec, type, name, table: { kind: 'randmap', name, choices: t.members.map((m) => m.text) }, warnings: [], problems: [] };
    }
    case 'unionmap':
    case 'pipemap': {
      const t = parseTableList(type, name);
      if ('fatal' in t) return fatal(spec, type, name, t.fatal);
      const members: OpenedTable[] = [];
      const warnings: string[] = [];
      for (const m of t.members) {
        const o = openTable(m.text, reader, opts);
        warnings.push(...o.warnings);
        if (o.fatal) return fatal(spec, type, name, o.fatal, warnings);
        members.push(o);
      }
      return { spec, type, name, table: { kind: type, name, members }, warnings, problems: [] };
    }
    case 'proxy': {
      const inner = openTable(name, reader, opts);
      if (inner.fatal) return { ...fatal(spec, type, name, inner.fatal, inner.warnings), file: inner.file };
      return { spec, type, name, table: { kind: 'proxy', name, members: [inner] }, warnings: inner.warnings, problems: [], file: inner.file };
    }
    default:
      break;
  }
  if (EXTERNAL[type]) return { spec, type, name, table: { kind: 'external', type, name, reason: `${type}: tables query ${EXTERNAL[type]}` }, warnings: [], problems: [] };
  return fatal(spec, type, name, `unsupported dictionary type: ${type}`);
}

export type TableLookup = (
  | {
      status: 'found';
      value: string;
      /** File and zero-based line of the entry that answered, when there is one. */
      file?: string;
      line?: number;
      /** randmap: the value is one of these, picked at random. */
      choices?: string[];
    }
  | { status: 'notfound' }
  /** The engine cannot tell (external table, untranslatable pattern). */
  | { status: 'unknown'; reason: string }
  /** Postfix would fail the lookup (fail: table, or the table could not be opened). */
  | { status: 'error'; reason: string }
) & {
  /** Warnings Postfix logs during this lookup (pcre: "match limit exceeded"), without the program prefix. */
  warnings?: string[];
  /** Warnings Postfix may or may not log here; the answer is the same either way. */
  possibleWarnings?: string[];
};

function withWarnings(r: TableLookup, warnings: string[], possible: string[]): TableLookup {
  if (warnings.length) r.warnings = [...warnings, ...(r.warnings ?? [])];
  if (possible.length) r.possibleWarnings = [...possible, ...(r.possibleWarnings ?? [])];
  return r;
}

/** Looks a key up as Postfix does (the value `postmap -q` would print). */
export function lookupTable(opened: OpenedTable, key: string): TableLookup {
  if (opened.fatal || !opened.table) return { status: 'error', reason: opened.fatal ?? 'table not opened' };
  const t = opened.table;
  switch (t.kind) {
    case 'access': {
      const r = t.lookup(key);
      return r ? { status: 'found', value: r.value, file: opened.file, line: t.line(r.index) } : { status: 'notfound' };
    }
    case 'cidr': {
      const r = lookupCidr(t, key);
      return r ? { status: 'found', value: r.value, file: opened.file, line: r.rule.line } : { status: 'notfound' };
    }
    case 'pcre':
    case 'regexp': {
      const r = lookupRegex(t, key);
      const out: TableLookup =
        r.status === 'found'
          ? { status: 'found', value: r.value, file: opened.file, line: r.rule.line }
          : r.status === 'unknown'
            ? { status: 'unknown', reason: `line ${r.rule.line + 1} uses ${r.reason}` }
            : { status: 'notfound' };
      return withWarnings(out, r.warnings ?? [], r.possible ?? []);
    }
    case 'inline': {
      const e = lookupInline(t, key);
      return e ? { status: 'found', value: e.value } : { status: 'notfound' };
    }
    case 'static':
      return { status: 'found', value: t.value };
    case 'randmap':
      return { status: 'found', value: t.choices[0], choices: t.choices };
    case 'proxy':
      return lookupTable(t.members[0], key);
    case 'unionmap': {
      const values: string[] = [];
      const warnings: string[] = [];
      const possible: string[] = [];
      for (const m of t.members) {
        const r = lookupTable(m, key);
        if (r.status === 'found') values.push(r.value);
        else if (r.status !== 'notfound') return withWarnings(r, warnings, possible);
        warnings.push(...(r.warnings ?? []));
        possible.push(...(r.possibleWarnings ?? []));
      }
      return withWarnings(values.length ? { status: 'found', value: values.join(',') } : { status: 'notfound' }, warnings, possible);
    }
    case 'pipemap': {
      let q = key;
      let last: TableLookup = { status: 'notfound' };
      const warnings: string[] = [];
      const possible: string[] = [];
      for (const m of t.members) {
        last = lookupTable(m, q);
        if (last.status !== 'found') return withWarnings(last, warnings, possible);
        warnings.push(...(last.warnings ?? []));
        possible.push(...(last.possibleWarnings ?? []));
        q = last.value;
      }
      const { warnings: _w, possibleWarnings: _p, ...answer } = last;
      return withWarnings(answer as TableLookup, warnings, possible);
    }
    case 'external':
      return t.type === 'fail' ? { status: 'error', reason: `table ${t.type}:${t.name}: query error` } : { status: 'unknown', reason: t.reason };
  }
}

// The simulator's view of a lookup table, on top of the engine's tables
// module: one lookup at a time, and whether the table answers the partial
// (parent domain, parent network) lookups smtpd makes, which only
// fixed-string tables do. Tables the engine cannot read (unix:, ldap:,
// mysql:, tcp:, ...) report `unreadable`; the simulator turns that into an
// explicit assumption.

import { lookupTable, openTable as openEngineTable, type OpenedTable, type OpenTableOptions, type TableModel } from '../tables';
export { openEngineTable };
import type { FileReader } from '../types';
import { splitBracedWords } from '../tables/text';

export type LookupResult = (
  | { kind: 'found'; value: string }
  | { kind: 'notfound' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'error'; reason: string }
) & {
  /** What Postfix logs during the lookup (pcre: "match limit exceeded"). */
  warnings?: string[];
};

export interface SimTable {
  spec: string;
  type: string;
  name: string;
  /** Fixed-string tables answer partial (parent-domain, network) lookups; pattern tables do not. */
  fixed: boolean;
  /** Path of the file the engine read, when there is one. */
  file?: string;
  lookup(key: string): LookupResult;
  /** Line (zero-based) of the entry that matched the last lookup, when known. */
  lastLine?: number;
}

/** Splits on commas/whitespace, keeping `{...}` groups whole (mystrtokq). */
export function splitBraced(text: string): string[] {
  return splitBracedWords(text);
}

/** Fixed-string tables answer partial lookups; cidr, pcre and regexp do not (DICT_FLAG_FIXED vs _PATTERN). */
function isFixed(t: TableModel | undefined): boolean {
  if (!t) return true;
  switch (t.kind) {
    case 'cidr':
    case 'pcre':
    case 'regexp':
      return false;
    case 'proxy':
    case 'unionmap':
    case 'pipemap':
      return isFixed(t.members[0]?.table);
    default:
      return true;
  }
}

/** `opened`: the engine's table when the caller already has it (one per configuration, shared by every transaction). */
export function openTable(spec: string, reader: FileReader, opts: OpenTableOptions = {}, opened: OpenedTable = openEngineTable(spec, reader, opts)): SimTable {
  const t: SimTable = {
    spec,
    type: opened.type,
    name: opened.name,
    fixed: isFixed(opened.table),
    file: opened.file,
    lookup(key: string): LookupResult {
      const r = lookupTable(opened, key);
      t.lastLine = r.status === 'found' ? r.line : undefined;
      const logged = r.warnings?.length ? { warnings: r.warnings } : {};
      switch (r.status) {
        case 'found':
          return { kind: 'found', value: r.value, ...logged };
        case 'notfound':
          return { kind: 'notfound', ...logged };
        case 'unknown':
          return { kind: 'unreadable', reason: r.reason };
        case 'error':
          return { kind: 'error', reason: r.reason };
      }
    },
  };
  return t;
}

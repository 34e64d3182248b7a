// Parameters whose tables Postfix creates and updates itself (caches), from
// server/data/writable-tables.tsv: their files need not exist beforehand and
// are never built with postmap.

import rows from './generated/writableTables';

const NAMES = new Set<string>(rows.map((r) => r.name));

export function isWritableTableParameter(name: string): boolean {
  return NAMES.has(name);
}

/** What writes the table of this parameter, for hover and messages. */
export function writableTableWriter(name: string): string | undefined {
  return rows.find((r) => r.name === name)?.written_by;
}

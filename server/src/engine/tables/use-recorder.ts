// The hooks by which tables/use-record.ts learns what a computation asked of
// the tables it read (kept apart from the table so it has no cycle).

import type { AccessTable } from './access';

/**
 * What a computation learnt from tables (tables/use-record.ts): each lookup
 * as (key hash, line of the entry found or -1), or that it read a table
 * otherwise (a scan of its entries), so a result can be reused after an edit
 * of the table that does not change those answers.
 */
export interface TableUseRecorder {
  lookup(table: AccessTable, hash: number, line: number): void;
  scan(table: AccessTable): void;
}

let recorder: TableUseRecorder | undefined;

/** The recorder in effect, if any. */
export function tableUseRecorder(): TableUseRecorder | undefined {
  return recorder;
}

/** Sets (or clears) the recorder of table uses; returns the one it replaces. */
export function recordTableUses(r: TableUseRecorder | undefined): TableUseRecorder | undefined {
  const was = recorder;
  recorder = r;
  return was;
}

/** One edit between two parses of a table (access-parse.ts): which keys it touched and where lines moved. */
export interface SpliceStep {
  /** The table the edit was made to. */
  base: number;
  /** Hashes of the keys of every entry removed or added. */
  touched: Set<number>;
  /** Lines from this one on moved by lineDelta. */
  firstLine: number;
  lineDelta: number;
}

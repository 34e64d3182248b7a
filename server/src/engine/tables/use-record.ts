// Reusing a result computed from tables after the tables changed. A
// computation (the relay matrix) is run with its file reads and table
// lookups recorded; later, the same inputs are asked for again. A read that
// gives the same answer is unchanged; a table whose text changed is still
// unchanged for this result when every key it was asked for has the same
// answer on the same line, which the edits between the two parses tell
// without a single lookup (SpliceStep: the keys each edit touched, where its
// lines moved). Anything else (a scan of a table's entries, a table parsed
// from scratch, a file that is not such a table) means: compute again.

import type { AccessTable } from './access';
import { recordTableUses, tableUseRecorder, type TableUseRecorder } from './use-recorder';
import { parseAccessTable } from './access-parse';
import type { FileReader } from '../types';
import type { StepLabel, Steps } from '../steps';

type ReadOp = 'readText' | 'mtimeMs' | 'realPath' | 'listDirectory' | 'unreadable';
const READ_OPS: ReadOp[] = ['readText', 'mtimeMs', 'realPath', 'listDirectory', 'unreadable'];

interface Read {
  op: ReadOp;
  path: string;
  /** The answer, as a comparable value (texts kept as they are: an unchanged file gives back the same string). */
  answer: unknown;
}

interface TableUse {
  table: AccessTable;
  /** (hash, line) pairs of the lookups. */
  lookups: number[];
  scanned: boolean;
}

/** What a computation read. */
export interface UseRecord {
  reads: Read[];
  tables: Map<AccessTable, TableUse>;
}

function comparable(op: ReadOp, v: unknown): unknown {
  if (op === 'listDirectory' && Array.isArray(v)) return v.join('\0');
  if (op === 'unreadable' && v) return JSON.stringify(v);
  return v;
}

/** A reader over `base` that records each read once (the first answer: a file does not change during one computation), and a recorder of table uses. */
function recording(base: FileReader): { reader: FileReader; recorder: TableUseRecorder; record: UseRecord } {
  const record: UseRecord = { reads: [], tables: new Map() };
  const reader: FileReader = { readText: (p) => base.readText(p) };
  const seen = new Set<string>();
  for (const op of READ_OPS) {
    const f = base[op] as ((p: string) => unknown) | undefined;
    if (!f) continue;
    (reader as unknown as Record<string, (p: string) => unknown>)[op] = (p: string) => {
      const answer = f.call(base, p);
      const key = `${op}\0${p}`;
      if (!seen.has(key)) {
        seen.add(key);
        record.reads.push({ op, path: p, answer: comparable(op, answer) });
      }
      return answer;
    };
  }
  const use = (table: AccessTable): TableUse => {
    let u = record.tables.get(table);
    if (!u) record.tables.set(table, (u = { table, lookups: [], scanned: false }));
    return u;
  };
  const recorder: TableUseRecorder = {
    lookup: (table, hash, line) => use(table).lookups.push(hash, line),
    scan: (table) => (use(table).scanned = true),
  };
  return { reader, recorder, record };
}

/**
 * Puts `recorder` in effect; uses also reach the recorder it replaces, so a
 * computation recorded inside another (the relay matrix inside the rules)
 * counts for both. Returns the replaced one.
 */
function install(recorder: TableUseRecorder): TableUseRecorder | undefined {
  const outer = tableUseRecorder();
  if (!outer) return recordTableUses(recorder);
  return recordTableUses({
    lookup: (table, hash, line) => {
      recorder.lookup(table, hash, line);
      outer.lookup(table, hash, line);
    },
    scan: (table) => {
      recorder.scan(table);
      outer.scan(table);
    },
  });
}

/**
 * A result reused from `record` stands for the table uses that made it: they
 * are passed on to the recorder in effect, as if the computation had run.
 */
export function replayUses(record: UseRecord): void {
  const r = tableUseRecorder();
  if (!r) return;
  for (const use of record.tables.values()) {
    for (let i = 0; i < use.lookups.length; i += 2) r.lookup(use.table, use.lookups[i], use.lookups[i + 1]);
    if (use.scanned) r.scan(use.table);
  }
}

/** Runs `compute` with a reader that records every read, and every table use. */
export function recordUses<T>(base: FileReader, compute: (reader: FileReader) => T): { value: T; record: UseRecord } {
  const { reader, recorder, record } = recording(base);
  const was = install(recorder);
  try {
    return { value: compute(reader), record };
  } finally {
    recordTableUses(was);
  }
}

/**
 * recordUses for a computation in steps (a generator that yields between
 * them): table uses are recorded only while one of its steps runs, so
 * whatever runs in between (a hover, another analysis) is not taken for its.
 */
export function* recordUsesSteps<T>(base: FileReader, compute: (reader: FileReader) => Steps<T>): Steps<{ value: T; record: UseRecord }> {
  const { reader, recorder, record } = recording(base);
  const steps = compute(reader);
  for (;;) {
    const was = install(recorder);
    let r: IteratorResult<StepLabel | void, T>;
    try {
      r = steps.next();
    } finally {
      recordTableUses(was);
    }
    if (r.done) return { value: r.value, record };
    yield r.value;
  }
}

/**
 * Is the result recorded in `record` still what `base` would give? When it
 * is, the record is brought up to date (new texts, their tables), so the
 * next check compares against the newest state.
 */
export function stillValid(record: UseRecord, base: FileReader): boolean {
  const updates: { read: Read; answer: unknown; from?: AccessTable; to?: AccessTable }[] = [];
  for (const read of record.reads) {
    const f = base[read.op] as ((p: string) => unknown) | undefined;
    const answer = comparable(read.op, f ? f.call(base, read.path) : undefined);
    if (answer === read.answer) continue;
    if (read.op !== 'readText' || typeof answer !== 'string' || typeof read.answer !== 'string') return false;
    // A changed text: reusable only if it is a table used by lookups alone, and those answers stay.
    const use = [...record.tables.values()].find((u) => u.table.text === read.answer);
    if (!use || use.scanned) return false;
    const next = parseAccessTable(answer, use.table.file, { type: use.table.type, fold: use.table.fold });
    if (!sameAnswers(use, next)) return false;
    updates.push({ read, answer, from: use.table, to: next });
  }
  for (const u of updates) {
    u.read.answer = u.answer;
    if (u.from && u.to && u.from !== u.to) {
      const use = record.tables.get(u.from)!;
      record.tables.delete(u.from);
      record.tables.set(u.to, { ...use, table: u.to });
    }
  }
  return true;
}

/** Do the lookups of `use` give the same answers (entry and line) on `next`, a later parse of the same file? */
function sameAnswers(use: TableUse, next: AccessTable): boolean {
  if (next === use.table) return true;
  // The edits from use.table to next, newest last.
  const steps = next.lineage;
  let k = steps.length - 1;
  while (k >= 0 && steps[k].base !== use.table.id) k--;
  if (k < 0) return false;
  const path = steps.slice(k);
  for (let i = 0; i < use.lookups.length; i += 2) {
    const hash = use.lookups[i];
    const line = use.lookups[i + 1];
    for (const step of path) {
      if (step.touched.has(hash)) return false;
      if (line >= 0 && step.lineDelta !== 0 && line >= step.firstLine) return false;
    }
  }
  return true;
}

// The relay matrix is most of a lint's work (a dozen simulated SMTP
// transactions per service). While typing, most edits leave its inputs as
// they were: a comment in main.cf, an entry of a big access map that no
// simulated transaction looks up. This keeps the last matrix of each
// configuration with what it read (tables/use-record.ts) and gives it back
// while the settings it saw and the answers it got are the same.

import { ConfigFiles } from '../config-files';
import { recordUsesSteps, replayUses, stillValid, type UseRecord } from '../tables/use-record';
import { drain, type Steps } from '../steps';
import type { SimConfig } from './config';
import { relayMatrixSteps, type RelayMatrix } from './matrix';

interface Memo {
  key: string;
  record: UseRecord;
  matrix: RelayMatrix;
}

const MAX_MEMOS = 16;
const memos = new Map<string, Memo>();

/**
 * Everything of the configuration the simulator reads besides files: the
 * main.cf settings with their places (traces point at them) and the
 * master.cf services. Comment lines are not in it.
 */
function settingsKey(sim: SimConfig): string {
  const files = sim.reader as ConfigFiles;
  const entries = [...sim.mainCf.byName.values()].map((e) => [e.name, e.value, e.range, e.valueRange, e.nameRange, e.valueOffset, e.logical]);
  return JSON.stringify([sim.dir, sim.mode, files.installedDirs, sim.mainCfPath, sim.masterCfPath, entries, sim.services ?? null]);
}

/**
 * relayMatrix(sim) with default options, reused while its inputs read the
 * same. `variant` keeps apart the matrices of one directory computed for
 * different purposes (the configuration as written, and as patched). The
 * result is shared: callers must not change it.
 */
export function reusedRelayMatrix(sim: SimConfig, variant = ''): RelayMatrix {
  return drain(reusedRelayMatrixSteps(sim, variant));
}

/** reusedRelayMatrix in steps (relayMatrixSteps): a stale analysis may drop it half-way, nothing is kept then. */
export function* reusedRelayMatrixSteps(sim: SimConfig, variant = ''): Steps<RelayMatrix> {
  if (!(sim.reader instanceof ConfigFiles)) return yield* relayMatrixSteps(sim);
  const files = sim.reader;
  const slot = `${sim.dir}\0${variant}`;
  const key = settingsKey(sim);
  const memo = memos.get(slot);
  if (memo && memo.key === key && stillValid(memo.record, files.base)) {
    replayUses(memo.record);
    return memo.matrix;
  }
  const { value, record } = yield* recordUsesSteps(files.base, (reader) => relayMatrixSteps({ ...sim, reader: new ConfigFiles(files.dir, files.mode, reader, files.installedDirs) }));
  memos.delete(slot);
  memos.set(slot, { key, record, matrix: value });
  if (memos.size > MAX_MEMOS) memos.delete(memos.keys().next().value as string);
  return value;
}

/** Forgets every kept matrix (tests and benchmarks start cold with it). */
export function clearRelayMatrixMemo(): void {
  memos.clear();
}

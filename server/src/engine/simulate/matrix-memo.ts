// The relay matrix is most of a lint's work (a dozen simulated SMTP
// transactions per service). While typing, most edits leave its inputs as
// they were: a comment in main.cf, an entry of a big access map that no
// simulated transaction looks up. This keeps the last matrix of each
// configuration with what it read (tables/use-record.ts) and gives it back
// while the settings it saw and the answers it got are the same.

import { ConfigFiles } from '../config-files';
import { recordUsesSteps, replayUses, stillValid, type UseRecord } from '../tables/use-record';
import { drain, ITEMS_PER_STEP, MASTER_SERVICES_PER_STEP, type Steps } from '../steps';
import type { SimConfig } from './config';
import type { SimOverride, SimService } from './services';
import type { MasterOverride } from '../mastercf';
import { relayMatrixSteps, type RelayMatrix } from './matrix';
import type { MainCfEntry } from '../maincf/parse';
import type { LogicalLine } from '../lines';
import type { Range } from '../types';

interface Memo {
  settings: Settings;
  record: UseRecord;
  matrix: RelayMatrix;
}

const MAX_MEMOS = 16;
const memos = new Map<string, Memo>();

/**
 * Everything of the configuration the simulator reads besides files: the
 * main.cf settings with their places (traces point at them) and the
 * master.cf services. Comment lines are not in it. Kept as they are and
 * compared field by field (sameSettingsSteps), not written out as one JSON
 * key: that cost 140-220 ms in one piece for a 100,000-network mynetworks
 * (its value and its 100,000 physical lines written out at every
 * keystroke), and 300-450 ms for 100,000 master.cf services.
 */
interface Settings {
  head: string;
  entries: MainCfEntry[];
  services?: SimService[];
}

function settingsOf(sim: SimConfig): Settings {
  const files = sim.reader as ConfigFiles;
  return {
    head: JSON.stringify([sim.dir, sim.mode, files.installedDirs, sim.mainCfPath, sim.masterCfPath]),
    entries: [...sim.mainCf.byName.values()],
    services: sim.services,
  };
}

const sameRange = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

function sameLogical(a: LogicalLine, b: LogicalLine): boolean {
  if (a === b) return true;
  if (a.text !== b.text || a.firstLine !== b.firstLine || a.lastLine !== b.lastLine || a.pieces.length !== b.pieces.length) return false;
  for (let i = 0; i < a.pieces.length; i++) {
    const p = a.pieces[i];
    const q = b.pieces[i];
    if (p.line !== q.line || p.offset !== q.offset || p.text !== q.text) return false;
  }
  return true;
}

/** What JSON.stringify of both entries' [name, value, ranges, valueOffset, logical line] would compare. */
function sameEntry(e: MainCfEntry, f: MainCfEntry): boolean {
  if (e === f) return true;
  if (e.name !== f.name || e.value !== f.value || e.valueOffset !== f.valueOffset) return false;
  return sameRange(e.range, f.range) && sameRange(e.valueRange, f.valueRange) && sameRange(e.nameRange, f.nameRange) && sameLogical(e.logical, f.logical);
}

/**
 * What JSON.stringify of two -o settings compares. The parser's (mastercf
 * LineOverride) hold their name, value, form and value offsets as their own
 * fields and make their ranges on demand, so those fields are all JSON holds
 * of them; other objects are compared as JSON. (100,000 -o options of one
 * service compared as JSON were one piece of 170-200 ms.)
 */
function sameOverride(o: SimOverride, p: SimOverride): boolean {
  if (o === p) return true;
  const a = o as SimOverride & Partial<MasterOverride>;
  const b = p as SimOverride & Partial<MasterOverride>;
  if (a.name !== b.name || a.value !== b.value || a.form !== b.form || a.valueStart !== b.valueStart || a.valueEnd !== b.valueEnd) return false;
  const proto = Object.getPrototypeOf(o);
  return (proto === Object.getPrototypeOf(p) && proto !== Object.prototype) || JSON.stringify(o) === JSON.stringify(p);
}

/** What JSON.stringify of both services compares (services.ts makes each with the same fields), field by field, a yield every ITEMS_PER_STEP -o settings. */
function* sameServiceSteps(s: SimService, t: SimService, work: { done: number }): Steps<boolean> {
  if (s === t) return true;
  if (s.name !== t.name || s.type !== t.type || s.key !== t.key || s.command !== t.command) return false;
  if (!sameRange(s.range, t.range) || !sameRange(s.nameRange, t.nameRange) || s.overrides.length !== t.overrides.length) return false;
  for (let i = 0; i < s.overrides.length; i++) {
    if (!sameOverride(s.overrides[i], t.overrides[i])) return false;
    if (++work.done % ITEMS_PER_STEP === 0) yield 'relay matrix: -o settings compared with the kept ones';
  }
  return true;
}

/**
 * Whether both settings read the same, in steps: a main.cf of 100,000
 * settings or a master.cf of 100,000 services, parsed again after an edit
 * elsewhere, is compared a few thousand at a time. Services are compared
 * as their JSON texts were (sameServiceSteps); one parse gives one list
 * (services.ts), so an unchanged master.cf is the same list at once.
 */
function* sameSettingsSteps(a: Settings, b: Settings): Steps<boolean> {
  if (a.head !== b.head || a.entries.length !== b.entries.length) return false;
  for (let i = 0; i < a.entries.length; i++) {
    if (!sameEntry(a.entries[i], b.entries[i])) return false;
    if ((i + 1) % ITEMS_PER_STEP === 0) yield 'relay matrix: main.cf settings compared with the kept ones';
  }
  if (a.services === b.services) return true;
  if (!a.services || !b.services || a.services.length !== b.services.length) return false;
  const work = { done: 0 };
  for (let i = 0; i < a.services.length; i++) {
    if (!(yield* sameServiceSteps(a.services[i], b.services[i], work))) return false;
    if ((i + 1) % MASTER_SERVICES_PER_STEP === 0) yield 'relay matrix: master.cf services compared with the kept ones';
  }
  return true;
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
  const settings = settingsOf(sim);
  const memo = memos.get(slot);
  if (memo && (yield* sameSettingsSteps(memo.settings, settings)) && stillValid(memo.record, files.base)) {
    replayUses(memo.record);
    return memo.matrix;
  }
  const { value, record } = yield* recordUsesSteps(files.base, (reader) => relayMatrixSteps({ ...sim, reader: new ConfigFiles(files.dir, files.mode, reader, files.installedDirs) }));
  memos.delete(slot);
  memos.set(slot, { settings, record, matrix: value });
  if (memos.size > MAX_MEMOS) memos.delete(memos.keys().next().value as string);
  return value;
}

/** Forgets every kept matrix (tests and benchmarks start cold with it). */
export function clearRelayMatrixMemo(): void {
  memos.clear();
}

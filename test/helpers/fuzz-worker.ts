// One fuzz worker thread (started by test/unit/fuzz.test.ts): runs a range of
// inputs of one generator through the engine's entry points, in process.
// Before each input it stores the input's index in shared memory, so the
// driver can see an input that never finishes (a hang) and name it; a throw,
// a malformed problem, a device file read or a lost comment is sent back as
// a failure with the input's index.
import { parentPort, workerData } from 'node:worker_threads';
import { posix } from 'node:path';
import { readlinkSync } from 'node:fs';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { parseAccessTable, parseAliasTable, parseCidrTable, parseRegexTable } from '../../server/src/engine/tables';
import { expandValue } from '../../server/src/engine/expand';
import { documentKind, judgedHardening, lintConfig, lintDocument } from '../../server/src/engine/lint';
import { loadConfig } from '../../server/src/engine/config';
import { postconfCommand } from '../../server/src/engine/postconf/command';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import { completeAt, hoverAt } from '../../server/src/engine/assist';
import { applyTextEdits } from '../../server/src/engine/rules';
import { runPostmap } from '../../server/src/cli/postmap';
import type { FileReader, Position, Problem } from '../../server/src/engine/types';
import { directory, fragment, HOSTILE, rngFor, type DirInput, type FragmentInput, type FuzzInput, type HostileClass, type Rng } from './fuzz-inputs';

export type Generator = 'fragment' | 'directory' | HostileClass;

/** A range of inputs of one generator. */
export interface WorkerJob {
  seed: number;
  gen: Generator;
  from: number;
  to: number;
}

/**
 * Shared with the driver (Int32Array): [0] index of the input now running,
 * [1] how many inputs this worker has started (changes with every input).
 */
export const PROGRESS_SLOTS = 2;

export interface WorkerFailure {
  gen: Generator;
  index: number;
  label: string;
  entry: string;
  error: string;
}

export interface WorkerDone {
  done: true;
  failures: WorkerFailure[];
  calls: Record<string, number>;
}

export function makeInput(seed: number, gen: Generator, index: number): { input: FuzzInput; rng: Rng } {
  const rng = rngFor(seed, gen, index);
  const label = `${gen}#${index}`;
  const input = gen === 'fragment' ? fragment(rng, label) : gen === 'directory' ? directory(rng, label) : HOSTILE[gen](rng);
  if (gen !== 'fragment' && gen !== 'directory') input.label = `${label}: ${input.label}`;
  return { input, rng };
}

const FORBIDDEN = /^\/(dev|proc|sys)(\/|$)/;

/** An in-memory file system that refuses, loudly, to read device and kernel files. */
class GuardedReader implements FileReader {
  readonly forbidden: string[] = [];
  constructor(private readonly files: Record<string, string>) {}
  readText(p: string): string | undefined {
    const n = posix.normalize(p);
    if (FORBIDDEN.test(n)) {
      this.forbidden.push(p);
      throw new Error(`engine asked to read ${p}`);
    }
    return this.files[n] ?? this.files[p];
  }
  mtimeMs(p: string): number | undefined {
    return posix.normalize(p) in this.files ? 1_000_000 : undefined;
  }
  realPath(p: string): string | undefined {
    const n = posix.normalize(p);
    return n in this.files ? n : undefined;
  }
  listDirectory(d: string): string[] | undefined {
    const prefix = `${posix.normalize(d).replace(/\/$/, '')}/`;
    const names = Object.keys(this.files)
      .filter((f) => f.startsWith(prefix))
      .map((f) => f.slice(prefix.length).split('/')[0]);
    return names.length ? [...new Set(names)] : undefined;
  }
}

function checkProblems(problems: Problem[], texts: Record<string, string>, where: string): void {
  for (const p of problems) {
    if (typeof p.code !== 'string' || !/^PF\d{3}$/.test(p.code)) throw new Error(`${where}: bad code ${JSON.stringify(p.code)}`);
    if (typeof p.message !== 'string' || p.message.length === 0) throw new Error(`${where}: ${p.code} without a message`);
    const text = texts[p.file];
    if (text === undefined) continue;
    const lines = text.split('\n').length;
    for (const pos of [p.range.start, p.range.end]) {
      if (!(pos.line >= 0 && pos.line < lines && pos.character >= 0)) throw new Error(`${where}: ${p.code} range ${JSON.stringify(p.range)} outside ${p.file} (${lines} lines)`);
    }
  }
}

function randomPosition(rng: Rng, text: string): Position {
  const lines = text.split('\n');
  const line = rng.int(lines.length);
  return { line, character: rng.int(lines[line].length + 1) };
}

function tableType(path: string): string {
  const m = /\.(pcre|regexp|cidr)$/.exec(path);
  if (m) return m[1];
  return /aliases$/.test(path) ? 'hash' : 'texthash';
}

/** Full-line comments of a text: a fix never drops one. */
/** Comment lines as Postfix sees them: its whitespace is ASCII (JavaScript's \s also takes U+FEFF, and a line starting with one is a setting). */
function comments(text: string): string[] {
  return text.split('\n').filter((l) => /^[ \t\v\f\r]*#/.test(l));
}

const calls: Record<string, number> = {};
function call<T>(entry: string, fn: () => T): T {
  calls[entry] = (calls[entry] ?? 0) + 1;
  try {
    return fn();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    (err as Error & { entry?: string }).entry ??= entry;
    throw err;
  }
}

const VERSIONS = ['3.7', '3.7.11', '3.9', '2.11', undefined];

function runFragment(input: FragmentInput, rng: Rng): void {
  const { path, text } = input;
  const kind = documentKind(path);
  if (kind === 'main') {
    const main = call('parse main.cf', () => parseMainCf(text, path));
    checkProblems(main.problems, { [path]: text }, 'parse main.cf');
    const values = new Map(main.entries.map((e) => [e.name, e.value]));
    for (const e of main.entries.slice(0, 8)) call('expand', () => expandValue(e.value, (n) => values.get(n)));
  } else if (kind === 'master') {
    checkProblems(call('parse master.cf', () => parseMasterCf(text, path)).problems, { [path]: text }, 'parse master.cf');
  } else {
    const type = tableType(path);
    const parsed = call(`parse ${type} table`, () =>
      type === 'cidr' ? parseCidrTable(text, path) : type === 'pcre' || type === 'regexp' ? parseRegexTable(type, text, path) : rng.chance(0.2) ? parseAliasTable(text, path) : parseAccessTable(text, path),
    );
    checkProblems(parsed.problems, { [path]: text }, `parse ${type} table`);
    if (rng.chance(0.4)) {
      const reader = new GuardedReader({ [path]: text });
      const key = rng.pick([text.split(/\s/)[0] ?? '', 'postmaster@example.com', 'a'.repeat(30) + 'X', '10.1.2.3', 'example.com']);
      const argv = rng.chance(0.8) ? ['-q', key, `${type}:${path}`] : ['-s', `${type}:${path}`];
      call('postmap', () => runPostmap(argv, { stdout() {}, stderr() {}, reader }));
      if (reader.forbidden.length) throw new Error(`postmap read ${reader.forbidden.join(', ')}`);
      return;
    }
  }
  // One editor request per fragment (a directory input makes several).
  const version = rng.pick(['3.7', '3.12']);
  if (rng.chance(0.5)) call('hover', () => hoverAt(kind, path, text, randomPosition(rng, text), { version }));
  else call('completion', () => completeAt(kind, path, text, randomPosition(rng, text), { version }));
}

function runDirectory(input: DirInput, rng: Rng): void {
  const reader = new GuardedReader(input.files);
  const { dir, files } = input;
  const version = rng.pick(VERSIONS);
  const mode = rng.chance(0.8) ? undefined : rng.pick(['live', 'repository'] as const);
  const opts = { version, mode };
  const config = call('load', () => loadConfig(dir, reader, opts));
  checkProblems(call('lint', () => lintConfig(config, reader)), files, 'lint');
  const mainPath = `${dir}/main.cf`;
  const docs = Object.keys(files);
  const docPath = rng.chance(0.6) && files[mainPath] !== undefined ? mainPath : rng.pick(docs);
  const docText = files[docPath];
  const docProblems = call('lint document', () => lintDocument(docPath, docText, reader, opts));
  checkProblems(docProblems, files, 'lint document');

  // Code actions: each quick fix (up to a few) and hardening, applied to the text; comments survive.
  const fixes = docProblems.flatMap((p) => p.fixes ?? []).slice(0, 4);
  for (const fix of fixes) {
    for (const file of new Set(fix.edits.map((e) => e.file))) {
      const before = files[file];
      if (before === undefined) continue;
      const after = call('code action', () => applyTextEdits(before, fix.edits.filter((e) => e.file === file)));
      const lost = comments(before).filter((c) => !after.includes(c.trim()));
      if (lost.length) throw Object.assign(new Error(`quick fix "${fix.title}" dropped comment ${JSON.stringify(lost[0])} in ${file}`), { entry: 'code action' });
    }
  }
  if (rng.chance(0.5)) {
    const h = call('harden', () => judgedHardening(config, reader).fix);
    for (const file of new Set(h.edits.map((e) => e.file))) {
      const before = files[file];
      if (before === undefined) continue;
      const after = call('harden', () => applyTextEdits(before, h.edits.filter((e) => e.file === file)));
      const lost = comments(before).filter((c) => !after.includes(c.trim()));
      if (lost.length) throw Object.assign(new Error(`hardening dropped comment ${JSON.stringify(lost[0])} in ${file}`), { entry: 'harden' });
    }
  }

  const args = rng.pick([['-n'], ['-nx'], ['-M'], ['-Mf'], ['-P'], ['-x', 'myhostname', 'mydestination', 'smtpd_recipient_restrictions'], ['-nxf'], ['-F']]);
  const pc = call('postconf', () => postconfCommand(['-c', dir, ...args], { readFile: (p) => reader.readText(p), version }));
  if (typeof pc.stdout !== 'string' || typeof pc.status !== 'number') throw Object.assign(new Error('postconf emulation returned no output'), { entry: 'postconf' });

  for (const t of docs.filter((f) => documentKind(f) === 'map').slice(0, 3)) {
    const type = tableType(t);
    const firstKey = (files[t].split('\n').find((l) => l && !l.startsWith('#')) ?? '').split(/\s/)[0];
    const key = rng.pick([firstKey || 'x', 'postmaster@example.com', 'a'.repeat(40) + 'X', '192.0.2.1']);
    call('postmap', () => runPostmap(['-q', key, `${type}:${t}`], { stdout() {}, stderr() {}, reader }));
    if (rng.chance(0.3)) call('postmap', () => runPostmap(['-s', `${type}:${t}`], { stdout() {}, stderr() {}, reader }));
  }

  const sim = call('simulate', () => loadSimConfig(dir, reader, mode));
  for (let i = 0; i < 2; i++) {
    const r = call('simulate', () =>
      simulateTransaction(sim, {
        client: { address: rng.pick(['203.0.113.5', '127.0.0.1', '2001:db8::1', '10.0.0.1']), hostname: rng.chance(0.5) ? 'mail.example.org' : undefined },
        helo: rng.pick(['mail.example.org', 'localhost', '[1.2.3.4]', undefined]),
        saslUser: rng.chance(0.2) ? 'alice' : undefined,
        sender: rng.pick(['', 'a@example.org', 'postmaster@example.test', 'x@' + 'a'.repeat(40)]),
        recipients: [rng.pick(['postmaster@example.test', 'someone@elsewhere.example', 'root', 'user@' + 'a'.repeat(30)])],
      }),
    );
    if (r.fatal?.startsWith('internal simulator error')) throw Object.assign(new Error(r.fatal), { entry: 'simulate' });
  }
  const matrix = call('relay matrix', () => relayMatrix(sim));
  for (const c of matrix.cells) if (c.reply?.text.startsWith('internal simulator error')) throw Object.assign(new Error(c.reply.text), { entry: 'relay matrix' });

  for (const p of [mainPath, `${dir}/master.cf`, rng.pick(docs)]) {
    const text = files[p];
    if (text === undefined) continue;
    const kind = documentKind(p);
    call('hover', () => hoverAt(kind, p, text, randomPosition(rng, text), { config, version: version ?? '3.7', reader }));
    call('completion', () => completeAt(kind, p, text, randomPosition(rng, text), { config, version: version ?? '3.7' }));
  }
  if (reader.forbidden.length) throw Object.assign(new Error(`read device/kernel file(s): ${[...new Set(reader.forbidden)].join(', ')}`), { entry: 'file access' });
}

export function runOne(seed: number, gen: Generator, index: number): void {
  const { input, rng } = makeInput(seed, gen, index);
  if (input.kind === 'fragment') runFragment(input, rng);
  else runDirectory(input, rng);
}

if (parentPort && workerData) {
  const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
  parentPort.on('message', (job: WorkerJob) => {
    const failures: WorkerFailure[] = [];
    for (const k of Object.keys(calls)) delete calls[k];
    for (let i = job.from; i < job.to; i++) {
      Atomics.store(progress, 0, i);
      Atomics.add(progress, 1, 1);
      try {
        runOne(job.seed, job.gen, i);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        let label = `${job.gen}#${i}`;
        try {
          label = makeInput(job.seed, job.gen, i).input.label;
        } catch {
          // The label is only for the report.
        }
        failures.push({ gen: job.gen, index: i, label, entry: (err as Error & { entry?: string }).entry ?? '?', error: `${err.name}: ${err.message}`.slice(0, 400) });
      }
    }
    parentPort!.postMessage({ done: true, failures, calls: { ...calls } } satisfies WorkerDone);
  });
  // Loaded: the driver starts the budget clock only from here. Our thread id
  // lets it read this thread's own CPU time (/proc/self/task/TID/stat).
  let tid: number | undefined;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    tid = undefined;
  }
  parentPort.postMessage({ ready: true, tid });
}

// Runs node's built-in test runner over every *.test.ts below the given
// directories (default: test/), with tsx so the TypeScript runs as is.
// Node 20's --test does not expand globs, hence the explicit file list.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// Files start in the order given, two at a time: the slowest first, so that
// the two lanes end together instead of one long file running alone at the
// end. The order comes from test/file-times.txt, the per-file report of a full
// run (--record-times rewrites it); files it does not name yet start first.
const TIMES_FILE = 'test/file-times.txt';
function recordedTimes() {
  const times = new Map();
  try {
    for (const m of readFileSync(TIMES_FILE, 'utf8').matchAll(/^\s*([\d.]+)\s+(\S+\.test\.ts)/gm)) times.set(m[2], Number(m[1]));
  } catch {
    // No record: the collected order.
  }
  return times;
}

const args = process.argv.slice(2);
const record = args.includes('--record-times');
const dirs = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-') && a !== '--record-times');
const times = recordedTimes();
const files = (dirs.length ? dirs : ['test'])
  .flatMap((d) => (d.endsWith('.ts') ? [d] : collect(d, [])))
  .map((f, i) => ({ f, i, s: times.get(f) ?? Infinity }))
  .sort((a, b) => b.s - a.s || a.i - b.i)
  .map((x) => x.f);
// On CI nothing may skip: a skipped test is a prerequisite CI failed to provide.
const onCi = process.env.CI === 'true' || process.env.CI === '1';
console.log(`# property-based tests: seed ${process.env.PROPERTY_SEED ?? (onCi ? 'fixed (CI)' : 'random')}; set PROPERTY_SEED to reproduce`);
// TAP on stdout (read below), and each file's wall time into a report printed at the end.
const timesDir = mkdtempSync(join(tmpdir(), 'test-times-'));
const timesFile = join(timesDir, 'times.txt');
const reporters = flags.some((f) => f.startsWith('--test-reporter'))
  ? []
  : ['--test-reporter=tap', '--test-reporter-destination=stdout', '--test-reporter=./scripts/file-times.mjs', `--test-reporter-destination=${timesFile}`];
const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/setup.ts', '--test', '--test-concurrency=2', ...reporters, ...flags, ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  try {
    const report = readFileSync(timesFile, 'utf8');
    process.stdout.write(report);
    if (record) writeFileSync(TIMES_FILE, report);
  } catch {
    // No report (the runner died early): the TAP output above says why.
  }
  rmSync(timesDir, { recursive: true, force: true });
  const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tail) ?? [])[1] ?? 0);
  if (onCi && (count('skipped') > 0 || count('todo') > 0)) {
    console.error(`CI: ${count('skipped')} skipped and ${count('todo')} todo tests; on CI every test must run.`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});

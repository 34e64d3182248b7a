// Runs node's built-in test runner over every *.test.ts below the given
// directories (default: test/), with tsx so the TypeScript runs as is.
// Node 20's --test does not expand globs, hence the explicit file list.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
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

const dirs = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = (dirs.length ? dirs : ['test']).flatMap((d) => (d.endsWith('.ts') ? [d] : collect(d, [])));
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
    process.stdout.write(readFileSync(timesFile, 'utf8'));
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

// npm run bench: speed figures as JSON, each compared in the same run with the
// real tool doing the same work where one exists.
//  - a 1,000,000-line access map: our full lint vs `postmap cdb:` and `postmap hash:`
//    (wall time and peak RSS of each process), and one lookup through texthash:
//  - main.cf parse + full expansion (postconf -nx equivalent) on Debian's stock
//    main.cf and the corpus: microseconds per file, in process
//  - pcre:/regexp: lookups on our bounded matcher, ordinary and exploding keys (scripts/bench-regex.ts)
//  - completion/hover latency through the real language server (scripts/bench-lsp.mjs)
//  - scaling: lint time against input size (1k to 1M) for long continued
//    values, many parameters, services, -o options, access and cidr lines,
//    one very long line and two hostile inputs (a doubling list, a pcre table
//    of backtracking patterns), with real postconf / postmap on the same files and
//    a fitted growth exponent per series (scripts/bench-scaling.mjs); then
//    hover latency through the server with the largest of each open
//  - incremental: engine work per keystroke against a cold lint and a full parse
//    (scripts/bench-incremental-engine.ts), and over stdio spawn → first
//    diagnostics against node -e 0, keystroke → diagnostics, hover/completion
//    during a re-lint, RSS over 1,000 edits (scripts/bench-incremental.mjs)
// Options: --lines N (default 1000000), --runs N (default 3), --no-lsp, --no-scaling, --no-incremental.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, createWriteStream, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const LINES = Number(arg('--lines', 1_000_000));
const RUNS = Number(arg('--runs', 3));
const dir = '.bench';
mkdirSync(dir, { recursive: true });

if (!existsSync('dist/cli.js')) spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });

async function writeMap(path) {
  if (existsSync(path) && statSync(path).size > 0 && existsSync(`${path}.lines`) && Number(spawnSync('cat', [`${path}.lines`]).stdout) === LINES) return;
  await new Promise((resolve) => {
    const out = createWriteStream(path);
    let i = 0;
    const write = () => {
      let ok = true;
      while (i < LINES && ok) {
        let chunk = '';
        for (let k = 0; k < 10_000 && i < LINES; k++, i++) chunk += `user${i}@example${i % 1000}.com REJECT 5.7.1 blocked\n`;
        ok = out.write(chunk);
      }
      if (i < LINES) out.once('drain', write);
      else out.end(resolve);
    };
    write();
  });
  writeFileSync(`${path}.lines`, String(LINES));
}

const hasTime = existsSync('/usr/bin/time');
/** Runs a command; wall seconds and peak RSS (MB, from /usr/bin/time -v when available). */
function measure(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = hasTime ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }) : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = hasTime ? Number((/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) ?? [])[1] ?? NaN) / 1024 : undefined;
  return { wall, rss, status: r.status, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function best(cmd, args, before) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    runs.push(measure(cmd, args));
  }
  return { seconds: +median(runs.map((r) => r.wall)).toFixed(3), peakRssMB: runs[0].rss === undefined ? null : +Math.max(...runs.map((r) => r.rss)).toFixed(1), status: runs[0].status };
}

const map = join(dir, 'access-1m');
await writeMap(map);
const result = { lines: LINES, bytes: statSync(map).size, runs: RUNS };

result.ours_lint = best(process.execPath, ['dist/cli.js', map]);

const havePostmap = spawnSync('sh', ['-c', 'command -v postmap']).status === 0;
if (havePostmap) {
  const pm = join(dir, 'pm');
  mkdirSync(pm, { recursive: true });
  writeFileSync(join(pm, 'main.cf'), 'compatibility_level = 3.6\n');
  const past = new Date(Date.now() - 10_000);
  spawnSync('touch', ['-d', past.toISOString(), join(pm, 'main.cf')]);
  const clean = (suffix) => () => rmSync(`${map}${suffix}`, { force: true });
  result.postmap_cdb = best('postmap', ['-c', pm, `cdb:${map}`], clean('.cdb'));
  result.postmap_hash = best('postmap', ['-c', pm, `hash:${map}`], clean('.db'));
  const key = `user${LINES - 1}@example${(LINES - 1) % 1000}.com`;
  result.lookup_texthash = {
    postmap: best('postmap', ['-c', pm, '-q', key, `texthash:${map}`]),
    ours: best(process.execPath, ['dist/cli.js', 'postmap', '-q', key, `texthash:${map}`]),
  };
  result.ratio_lint_vs_postmap_cdb = +(result.ours_lint.seconds / result.postmap_cdb.seconds).toFixed(3);
  result.target_lint_under_half_of_cdb = result.ratio_lint_vs_postmap_cdb < 0.5;
} else {
  result.postmap = 'not installed: no comparison';
}
result.target_rss_under_500MB = result.ours_lint.peakRssMB === null ? null : result.ours_lint.peakRssMB < 500;

const engine = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-engine.ts'], { encoding: 'utf8' });
result.maincf = engine.status === 0 ? JSON.parse(engine.stdout) : { error: engine.stderr.slice(0, 400) };

const regex = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-regex.ts'], { encoding: 'utf8' });
result.regex = regex.status === 0 ? JSON.parse(regex.stdout) : { error: regex.stderr.slice(0, 400) };

if (!process.argv.includes('--no-incremental')) {
  // The shared analysis (issue 9): engine work per keystroke in process, then the editor's view over stdio.
  const engineRun = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-incremental-engine.ts'], { encoding: 'utf8' });
  const lspRun = spawnSync(process.execPath, ['scripts/bench-incremental.mjs'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const parse = (r) => {
    try {
      return JSON.parse(r.stdout);
    } catch {
      return { error: (r.stderr || r.stdout).slice(0, 400) };
    }
  };
  result.incremental = { engine: parse(engineRun), lsp: parse(lspRun) };
}

if (!process.argv.includes('--no-scaling')) {
  const { runScaling, BENCH_SIZES } = await import('./bench-scaling.mjs');
  // Sizes capped so the whole bench stays within a few minutes on two cores.
  const started = Date.now();
  result.scaling = runScaling({ sizes: undefined, perSeries: BENCH_SIZES, runs: 1, timeout: 60, keep: true, log: (m) => console.error(m) });
  result.scalingSeconds = Math.round((Date.now() - started) / 1000);
  result.loadavg = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim();
}

if (!process.argv.includes('--no-lsp') && existsSync('scripts/bench-lsp.mjs')) {
  // With the scaling inputs kept in .bench/scaling, hover is also timed with the largest of each series open.
  const open = result.scaling ? Object.entries(result.scaling).flatMap(([name, s]) => ['--open', `.bench/scaling/${name}-${s.points[s.points.length - 1].size}`]) : [];
  const lsp = spawnSync(process.execPath, ['scripts/bench-lsp.mjs', ...open], { encoding: 'utf8', maxBuffer: 1 << 26 });
  try {
    result.lsp = JSON.parse(lsp.stdout);
  } catch {
    result.lsp = { error: (lsp.stderr || lsp.stdout).slice(0, 400) };
  }
}

console.log(JSON.stringify(result, null, 2));

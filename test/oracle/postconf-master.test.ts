// Differential test: real `postconf -c DIR -M/-F/-P` (Postfix 3.7.11) against
// our emulation (server/src/engine/postconf/master.ts) on the same directory.
// stdout and exit status must be identical; stderr is compared as a sorted set
// (postconf's hash order varies per run). When postconf dies while visiting
// settings in hash order, what it printed first is chance: the emulation lists
// the possible endings (`alternatives`) and the lines that may come first
// (`optional`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PostconfMasterRequest } from '../../server/src/engine/postconf/master';
import type { PostconfOutput } from '../../server/src/engine/postconf/output';
import { execFile } from 'node:child_process';
import { parseMasterCf, serviceParameterNames } from '../../server/src/engine/mastercf';
import { isBuiltinParameter, LEGACY_NAMES, ORACLE_VERSION, READ_ONLY_NAMES } from '../../server/src/engine/catalog/parameters';
import { makeConfigDir, MINIMAL_MAIN, requestArgs, runOurs, runReal, normalizeStderr, outputsAgree } from '../fixtures/mastercf/harness';
import { MAIN_VARIANTS, masterCfText } from '../fixtures/mastercf/generator';
import { requireTools, sharedDir } from '../helpers/env';

const RANDOM_VALID = Number(process.env.PF_MASTER_ORACLE_RUNS ?? 120);
const RANDOM_BROKEN = Math.ceil(RANDOM_VALID / 2);
const SEED = Number(process.env.PF_MASTER_ORACLE_SEED ?? 20240611);
const PARALLEL = 16;

const req = (flags: string, patterns?: string[]): PostconfMasterRequest => ({
  mode: flags[0] as 'M' | 'F' | 'P',
  fold: flags.includes('f'),
  expand: flags.includes('x'),
  hideName: flags.includes('h'),
  hideValue: flags.includes('H'),
  patterns,
});

const ALL_MODES = ['M', 'Mf', 'Mx', 'F', 'Ff', 'Fx', 'P', 'Pf', 'Px'].map((m) => req(m));

interface Case {
  label: string;
  dir: string;
  request: PostconfMasterRequest;
}

interface Disagreement {
  label: string;
  command: string;
  real: PostconfOutput;
  ours: PostconfOutput;
}

async function runAll(cases: Case[]): Promise<{ runs: number; fatal: number; disagreements: Disagreement[] }> {
  const disagreements: Disagreement[] = [];
  let next = 0;
  let fatal = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const real = await runReal(c.dir, c.request);
      const ours = runOurs(c.dir, c.request);
      if (real.status !== 0) fatal++;
      if (!outputsAgree(real, ours)) disagreements.push({ label: c.label, command: `postconf -c ${c.dir} ${requestArgs(c.request).join(' ')}`, real, ours });
    }
  };
  // postconf sleeps one second before exiting on a fatal error: run several at once.
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { runs: cases.length, fatal, disagreements };
}

function report(d: Disagreement[]): void {
  if (d.length === 0) return;
  const first = d[0];
  const masterPath = join(first.command.split(' ')[2], 'master.cf');
  const masterText = existsSync(masterPath) ? readFileSync(masterPath, 'latin1') : '(no master.cf)';
  const explain = [
    `${d.length} disagreement(s); first: ${first.label}`,
    `$ ${first.command}`,
    `--- master.cf\n${masterText}`,
    `--- real (exit ${first.real.status})\n${first.real.stdout}${normalizeStderr(first.real.stderr).join('\n')}`,
    `--- ours (exit ${first.ours.status})\n${first.ours.stdout}${normalizeStderr(first.ours.stderr).join('\n')}`,
  ].join('\n');
  assert.fail(explain);
}

test("Debian's stock master.cf.dist: every mode", async (t) => {
  const dist = '/usr/share/postfix/master.cf.dist';
  if (!requireTools(t, { commands: ['postconf'], path: dist })) return;
  const dir = makeConfigDir(MINIMAL_MAIN, readFileSync(dist, 'utf8'));
  const selections = [
    req('M', ['smtp/inet']),
    req('M', ['smtp', 'relay/unix', 'nosuch']),
    req('F', ['*/*/command']),
    req('F', ['smtp/unix/process_limit', 'pickup']),
    req('Fh', ['smtp/inet/command']),
    req('FH'),
    req('P', ['*/*/syslog_name']),
    req('PH'),
    req('Ph'),
  ];
  const res = await runAll([...ALL_MODES, ...selections].map((r) => ({ label: 'master.cf.dist', dir, request: r })));
  t.diagnostic(`${res.runs} postconf runs, ${res.fatal} fatal`);
  report(res.disagreements);
});

test('shared corpus: every master.cf, with the minimal and with its own main.cf', async (t) => {
  const corpus = join(sharedDir, 'corpus');
  if (!requireTools(t, { commands: ['postconf'], path: corpus })) return;
  const cases: Case[] = [];
  for (const project of readdirSync(corpus).sort()) {
    const pdir = join(corpus, project);
    if (!statSync(pdir).isDirectory()) continue;
    for (const f of readdirSync(pdir).filter((n) => n.startsWith('master.cf'))) {
      const master = readFileSync(join(pdir, f), 'utf8');
      const mains = [MINIMAL_MAIN];
      if (existsSync(join(pdir, 'main.cf'))) mains.push(readFileSync(join(pdir, 'main.cf'), 'utf8'));
      mains.forEach((main, i) => {
        const dir = makeConfigDir(main, master);
        for (const r of ALL_MODES) cases.push({ label: `${project}/${f} (main.cf: ${i === 0 ? 'minimal' : 'own'})`, dir, request: r });
      });
    }
  }
  assert.ok(cases.length >= 6 * ALL_MODES.length, 'corpus has master.cf files');
  const res = await runAll(cases);
  t.diagnostic(`${res.runs} postconf runs, ${res.fatal} fatal`);
  report(res.disagreements);
});

test('hand-picked cases: selections, missing master.cf, postconf quirks', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const quirks = [
    'smtp inet n - y - - smtpd -osyslog_name=foo -vo smtpd_foo=1 -v',
    'a unix - - n - - smtpd - -o x=y',
    'f unix - - n - - smtpd -o{ foo = bar }',
    'g unix - - n - - smtpd -o { a = b } x {y z} {q}',
    'h unix - - n - - smtpd -o {broken',
    'i unix - - n - - smtpd -o {a=b}junk {c d}e',
    'relay unix - - n - - smtp -o smtp_bogus=$undefined_thing -o process_name=x -o syslog_name=$service_name/$process_name',
    'x unix - - n - - pipe flags=R user=x argv=/bin/foo ${recipient} -o x',
    'a unix - - n - - smtpd -o dup_param=1 -o z=$dup_param',
    'dup unix - - n - - smtpd',
    'dup unix - - n - - smtpd -o shared=1',
    'dup unix - - n - - smtpd -o other=$shared',
    `long unix - - n - - smtpd ${Array.from({ length: 12 }, (_, i) => `-o p${i}=${'v'.repeat(i * 7)}`).join(' ')} tail {with space} {}`,
  ].join('\n');
  const dirs = {
    quirks: makeConfigDir(MAIN_VARIANTS[1], `${quirks}\n`),
    missing: makeConfigDir(MINIMAL_MAIN),
    badPattern: makeConfigDir(MINIMAL_MAIN, 'smtp inet n - y - - smtpd\n'),
    // A built-in main.cf setting that does not expand stops postconf -M too; whether the
    // other main.cf warning comes first depends on postconf's hash order.
    mainFatal: makeConfigDir('compatibility_level = 3.6\nsmtpd_banner = ${oops\nmyorigin = $undefined_main\n', 'b unix - - n - - smtpd -o strict=2\n'),
    // Same inside one service's -o settings.
    serviceFatal: makeConfigDir(MINIMAL_MAIN, 'a unix - - n - - smtpd -o strict=1 -o smtpd_banner=${x -o syslog_name=${y -o z=$undef1\n'),
    // -x dies at the last service: only whole 4096-byte buffers of stdout got out.
    lateDeath: makeConfigDir(
      MINIMAL_MAIN,
      [...Array.from({ length: 80 }, (_, i) => `s${i} unix - - n - - smtpd -o p${i}=${'v'.repeat(60)} -o q${i}=w`), 'last unix - - n - - smtpd -o zz_bad=${oops', ''].join('\n'),
    ),
  };
  const cases: Case[] = [
    ...ALL_MODES.map((r) => ({ label: 'quirks', dir: dirs.quirks, request: r })),
    { label: 'quirks', dir: dirs.quirks, request: req('P', ['dup/unix/shared', 'dup/*/*', 'a/unix']) },
    { label: 'quirks', dir: dirs.quirks, request: req('Fx', ['relay/unix/command']) },
    { label: 'missing master.cf', dir: dirs.missing, request: req('M') },
    { label: 'missing master.cf', dir: dirs.missing, request: req('P') },
    { label: 'bad -M pattern', dir: dirs.badPattern, request: req('M', ['/smtp']) },
    { label: 'bad -F pattern', dir: dirs.badPattern, request: req('F', ['smtp/inet/nosuchfield']) },
    { label: 'bad -P pattern', dir: dirs.badPattern, request: req('P', ['a/b/c/d']) },
    { label: 'wildcard inside a word', dir: dirs.badPattern, request: req('M', ['sm*']) },
    ...['Mx', 'Fx', 'Px', 'M'].map((m) => ({ label: 'fatal after 8 KB of output', dir: dirs.lateDeath, request: req(m) })),
    ...['M', 'P', 'F'].map((m) => ({ label: 'main.cf setting that does not expand', dir: dirs.mainFatal, request: req(m) })),
    ...['M', 'P', 'F'].map((m) => ({ label: 'two -o settings that do not expand', dir: dirs.serviceFatal, request: req(m) })),
  ];
  const res = await runAll(cases);
  t.diagnostic(`${res.runs} postconf runs, ${res.fatal} fatal`);
  report(res.disagreements);
});

test(`random master.cf files (fast-check, seed ${SEED}): ${RANDOM_VALID} valid and ${RANDOM_BROKEN} broken`, async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const started = Date.now();
  const cases: Case[] = [];
  const valid = fc.sample(masterCfText(false), { numRuns: RANDOM_VALID, seed: SEED });
  valid.forEach((text, i) => {
    const dir = makeConfigDir(MAIN_VARIANTS[i % MAIN_VARIANTS.length], text);
    for (const r of ALL_MODES) cases.push({ label: `valid #${i}`, dir, request: r });
    // A selection drawn from the file itself.
    const first = /^(\S+)[ \t]+(\S+)/m.exec(text);
    if (first) {
      cases.push({ label: `valid #${i}`, dir, request: req('M', [first[1]]) });
      cases.push({ label: `valid #${i}`, dir, request: req('F', [`${first[1]}/${first[2]}/command`]) });
      cases.push({ label: `valid #${i}`, dir, request: req('Px', [`${first[1]}/*/*`, '*/*/syslog_name']) });
    }
  });
  const broken = fc.sample(masterCfText(true), { numRuns: RANDOM_BROKEN, seed: SEED + 1 });
  broken.forEach((text, i) => {
    const dir = makeConfigDir(MINIMAL_MAIN, text);
    cases.push({ label: `broken #${i}`, dir, request: req('M') });
    cases.push({ label: `broken #${i}`, dir, request: req('P') });
  });
  const res = await runAll(cases);
  t.diagnostic(`${res.runs} postconf runs (${res.fatal} fatal) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  report(res.disagreements);
});

function postconfNames(dir: string): Promise<Set<string>> {
  return new Promise((resolve, reject) =>
    execFile('postconf', ['-c', dir, '-dH'], { maxBuffer: 1 << 24 }, (err, stdout) => (err ? reject(err) : resolve(new Set(stdout.split('\n').filter(Boolean))))),
  );
}

test('per-service parameter names: what postconf -d adds for a master.cf', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const baseline = await postconfNames(makeConfigDir(MINIMAL_MAIN));
  const texts: { label: string; text: string }[] = [];
  const dist = '/usr/share/postfix/master.cf.dist';
  if (existsSync(dist)) texts.push({ label: 'master.cf.dist', text: readFileSync(dist, 'utf8') });
  fc.sample(masterCfText(false), { numRuns: 30, seed: SEED + 2 }).forEach((text, i) => texts.push({ label: `random #${i}`, text }));
  let compared = 0;
  for (const { label, text } of texts) {
    const real = await postconfNames(makeConfigDir(MINIMAL_MAIN, text));
    const added = [...real].filter((n) => !baseline.has(n)).sort();
    const ours = serviceParameterNames(parseMasterCf(text))
      .filter((n) => !isBuiltinParameter(n, ORACLE_VERSION) && !LEGACY_NAMES.has(n) && !READ_ONLY_NAMES.has(n))
      .sort();
    assert.deepEqual(ours, added, label);
    compared += added.length;
  }
  t.diagnostic(`${texts.length} files, ${compared} service-derived names compared`);
});

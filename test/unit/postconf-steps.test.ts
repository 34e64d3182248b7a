// postconf's parameter registration (engine/postconf/parameters.ts) in steps:
// 100,000 master.cf services or main.cf parameters are registered and scanned
// a slice at a time, so the language server answers hovers in between (issue
// 8), and a lint registers once for the master.cf checks and the postconf
// emulation together. Steps are counted here, never timed (speed is in
// docs/benchmarks.md).
import { test } from 'node:test';
import { stepped } from '../helpers/table-steps';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { clearLintMemo, lintConfig, lintConfigSteps } from '../../server/src/engine/lint';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { mainDictionary, registerParameters, registerParametersSteps } from '../../server/src/engine/postconf';
import { ITEMS_PER_STEP } from '../../server/src/engine/steps';

const DIR = '/etc/postfix';


/** n delivery services (16 per-service names each), every one with an -o setting, one of them unused. */
function services(n: number): string {
  let out = 'smtp inet n - y - - smtpd\n';
  for (let i = 0; i < n; i++) out += `svc${i} unix - n n - - smtp\n  -o ${i === 7 ? 'not_a_parameter' : 'syslog_name'}=postfix/svc${i}\n`;
  return out;
}

/** n parameters of our own in chains of ten, one of them naming an undefined parameter. */
function ownParameters(n: number): string {
  let out = 'compatibility_level = 3.6\nmyhostname = mx.example.com\n';
  for (let i = 0; i < n; i++) out += i % 10 === 0 ? `own_${i} = value${i}\n` : `own_${i} = $own_${i - 1}${i === 5 ? ' $nowhere' : ''}\n`;
  return `${out}smtpd_banner = $myhostname $own_9\n`;
}

const view = (r: ReturnType<typeof registerParameters>) => ({
  entries: r.entries.length,
  findings: r.findings.map((f) => f.text),
  unusedMain: r.unusedMain().length,
  unusedMaster: r.unusedMaster().map((f) => f.text),
  known: ['svc9000_destination_concurrency_limit', 'svc9000_time_limit', 'own_5', 'own_9'].map((n) => r.classOf(n)),
});

test('registration in steps: service lines, per-service names, -o settings and main.cf settings a slice at a time, as the drained registration', () => {
  const n = 2 * ITEMS_PER_STEP + 100;
  const master = parseMasterCf(services(n), `${DIR}/master.cf`);
  const main = mainDictionary(DIR, [...new Map(ownParameters(n).split('\n').filter(Boolean).map((l) => l.split(' = ') as [string, string]))].map(([name, value]) => ({ name, value })));
  const input = { configDir: DIR, main, master, keepGoing: true };
  const run = stepped(registerParametersSteps(input));
  assert.deepEqual(view(run.value), view(registerParameters(input)));
  assert.ok(run.value.findings.some((f) => f.text === `${DIR}/main.cf: undefined parameter: nowhere`));
  assert.deepEqual(run.value.unusedMaster().map((f) => f.name), ['not_a_parameter']);
  assert.equal(run.value.classOf('svc9000_destination_concurrency_limit'), 'service');
  // Each loop gives way at least once per ITEMS_PER_STEP items (a scan counts for more than one).
  assert.ok(run.labels.get('postconf: service lines')! >= 2, JSON.stringify([...run.labels]));
  // The per-service names themselves are made in steps, and kept for hover and completion.
  assert.ok(run.labels.get('master.cf: per-service names')! >= 16 * 2, JSON.stringify([...run.labels]));
  assert.ok(run.labels.get('postconf: per-service names')! >= 16 * 2, JSON.stringify([...run.labels]));
  assert.ok(run.labels.get('postconf: -o settings')! >= 2, JSON.stringify([...run.labels]));
  assert.ok(run.labels.get('postconf: defaults')! >= 16 * 2, JSON.stringify([...run.labels]));
  assert.ok(run.labels.get('postconf: main.cf settings')! >= 2, JSON.stringify([...run.labels]));
});

test('one service line of many -o options is registered a slice of options at a time', () => {
  const n = 3 * ITEMS_PER_STEP;
  const master = parseMasterCf(`smtp inet n - y - - smtpd\n${'  -o syslog_name=postfix/big\n'.repeat(n)}  -o not_a_parameter=x\n`, `${DIR}/master.cf`);
  const input = { configDir: DIR, main: mainDictionary(DIR, []), master, keepGoing: true };
  const run = stepped(registerParametersSteps(input));
  assert.deepEqual(view(run.value), view(registerParameters(input)));
  assert.deepEqual(run.value.unusedMaster().map((f) => f.name), ['not_a_parameter']);
  // At least one yield per ITEMS_PER_STEP options.
  assert.ok(run.labels.get('postconf: service options')! >= 3, JSON.stringify([...run.labels]));
});

test('a lint registers the parameters once, for the master.cf checks and the postconf emulation', () => {
  const mainText = ownParameters(ITEMS_PER_STEP / 2);
  const masterText = services(40);
  const files: Record<string, string> = { [`${DIR}/main.cf`]: mainText, [`${DIR}/master.cf`]: masterText };
  const config = loadConfig(DIR, { readText: (p) => files[p] });
  const once = stepped(registerParametersSteps({ configDir: DIR, main: mainDictionary(DIR, config.main!.entries), master: config.master, keepGoing: true }));
  clearLintMemo();
  const lint = stepped(lintConfigSteps(config));
  const scans = once.labels.get('postconf: main.cf settings');
  assert.ok(scans! >= 2);
  assert.equal(lint.labels.get('postconf: main.cf settings'), scans);
  // Both consumers still report: the unused -o on master.cf, the undefined $name on main.cf.
  const codes = (file: string) => lint.value.filter((p) => p.file === file).map((p) => p.message);
  assert.ok(codes(`${DIR}/master.cf`).some((m) => m.startsWith('unused parameter: not_a_parameter=')), JSON.stringify(codes(`${DIR}/master.cf`)));
  assert.ok(codes(`${DIR}/main.cf`).some((m) => /nowhere/.test(m)), JSON.stringify(codes(`${DIR}/main.cf`)));
  clearLintMemo();
  assert.deepEqual(lint.value, lintConfig(config));
});

// The relay rule and the relay matrix on a master.cf of thousands of smtpd
// services (issue 8): the simulator's view of the services, their index, the
// rule's list of smtpd services and the matrix's copies of services alike are
// made a bounded number of services at a time, and the view a rule context
// makes from the lint's parses is the view loadSimConfig reads. Counts steps,
// not time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { RuleContext } from '../../server/src/engine/rules/context';
import { relayRule } from '../../server/src/engine/rules/relay';
import { loadSimConfig, smtpdServices } from '../../server/src/engine/simulate/config';
import { relayMatrix, relayMatrixSteps } from '../../server/src/engine/simulate/matrix';
import { MASTER_SERVICES_PER_STEP, SERVICES_PER_STEP, type Steps } from '../../server/src/engine/steps';
import { stepped } from '../helpers/table-steps';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/tmp/matrix-services-steps';
const MAIN = 'compatibility_level = 3.6\nmyhostname = mx.example.test\nmynetworks = 127.0.0.0/8 0.0.0.0/0\n';
/** More than two steps' worth of services of each kind. */
const SERVICES = 2 * MASTER_SERVICES_PER_STEP + 100;

function master(n: number): string {
  let s = 'smtp      inet  n       -       y       -       -       smtpd\n';
  for (let i = 0; i < n; i++) s += `192.0.${i >> 8}.${i & 255}:2525 inet n - n - - smtpd\n`;
  return s;
}

const files: Record<string, string> = { [`${DIR}/main.cf`]: MAIN, [`${DIR}/master.cf`]: master(SERVICES) };
const reader: FileReader = { readText: (p) => files[p] };

/** The labels of a stepped computation, in order, and its value. */
function run<T>(steps: Steps<T>): { value: T; labels: string[] } {
  const { value, sequence } = stepped(steps);
  return { value, labels: sequence };
}

/** How many of the labels match. */
function count(labels: string[], re: RegExp): number {
  return labels.filter((l) => re.test(l)).length;
}

test('a rule context makes the simulator view loadSimConfig reads, from the parses of the lint, in steps', () => {
  const config = loadConfig(DIR, reader, { mode: 'live' });
  const ctx = new RuleContext(config, config.files);
  const { value: sim, labels } = run(ctx.simSteps());
  assert.ok(count(labels, /^simulate: master\.cf services$/) >= 2, `${labels.length} steps`);
  assert.equal(ctx.sim(), sim);
  assert.equal(sim.mainCf, config.main);
  const read = loadSimConfig(DIR, config.files, 'live');
  assert.deepEqual(JSON.parse(JSON.stringify(sim)), JSON.parse(JSON.stringify(read)));
  // One parse, one list of services: what is kept per list is found again.
  assert.equal(read.services, sim.services);
  assert.equal(smtpdServices(sim).length, SERVICES + 1);
});

test('the smtpd services of a rule context are listed in steps of MASTER_SERVICES_PER_STEP', () => {
  const config = loadConfig(DIR, reader, { mode: 'live' });
  const ctx = new RuleContext(config, config.files);
  const { value, labels } = run(ctx.smtpdServicesSteps());
  assert.ok(count(labels, /^smtpd services$/) >= 2, `${labels.length} steps`);
  assert.equal(value.length, SERVICES + 1);
  assert.equal(ctx.smtpdServices(), value);
});

test('the relay matrix copies services alike SERVICES_PER_STEP at a time, with the cells relayMatrix gives', () => {
  const config = loadConfig(DIR, reader, { mode: 'live' });
  const sim = loadSimConfig(DIR, config.files, 'live');
  const { value, labels } = run(relayMatrixSteps(sim));
  assert.ok(count(labels, /services answered as one alike$/) >= Math.floor(SERVICES / SERVICES_PER_STEP), `${labels.length} steps`);
  assert.deepEqual(value, relayMatrix(sim));
  assert.equal(value.openRelay, true);
  assert.equal(value.cells.length, (SERVICES + 1) * value.clients.length * value.recipients.length);
});

test('the relay rule gives in steps what it gives at once, one open relay over every service', () => {
  const config = loadConfig(DIR, reader, { mode: 'live' });
  const stepped = run(relayRule.steps!(new RuleContext(config, config.files)));
  const once = relayRule.check(new RuleContext(config, config.files));
  assert.deepEqual(stepped.value, once);
  assert.deepEqual(once.map((p) => p.code), ['PF500']);
});

// The rate-limits recipe (PF547's fix) writes a per-client connection count
// limit that fits the port-25 smtpd's process limit (master.cf maxproc, else
// default_process_limit): below it, so that one client can never hold every
// process; a 0 or too-large existing value is replaced, a fitting one kept,
// a service's own -o value changed on that service. After the recipe PF547
// is gone even with the rate limits taken out again: the count limit alone
// protects. The live proof (smtpd refuses the connection over the limit) is
// in test/oracle/intent-rules-live.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { buildRecipe } from '../../server/src/engine/recipes';
import { connectionCountFor } from '../../server/src/engine/recipes/catalog';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import { RuleContext } from '../../server/src/engine/rules/context';

const DIR = '/etc/postfix';
const MAIN = 'compatibility_level = 3.6\nmydestination = $myhostname, example.test\ninet_interfaces = all\n';
const SMTP = (maxproc: string, extra = '') => `smtp      inet  n       -       y       -       ${maxproc}       smtpd\n${extra}`;

type Files = Record<string, string>;
const reader = (files: Files) => ({ readText: (p: string) => files[p] });

function recipe(files: Files) {
  const r = reader(files);
  const built = buildRecipe(new RuleContext(loadConfig(DIR, r, { version: '3.7.11', mode: 'repository' }), r), 'rate-limits');
  const out: Files = { ...files };
  for (const file of new Set(built.change.edits.map((e) => e.file))) out[file] = applyTextEdits(files[file] ?? '', built.change.edits.filter((e) => e.file === file));
  return { files: out, notes: built.notes };
}

/** The value main.cf gives a parameter (the last assignment wins, as in Postfix). */
const postconfGet = (main: string, name: string) => [...main.matchAll(new RegExp(`^${name}\\s*=\\s*(.*?)\\s*$`, 'gm'))].pop()?.[1];

const pf547 = (files: Files) => runRules(loadConfig(DIR, reader(files), { version: '3.7.11', mode: 'repository' }), reader(files)).filter((p) => p.code === 'PF547');

test('connectionCountFor: 20, at most half the processes, at least 1', () => {
  assert.deepEqual([0, 1, 2, 3, 10, 39, 40, 41, 100, 500].map(connectionCountFor), [20, 1, 1, 1, 5, 19, 20, 20, 20, 20]);
  for (let procs = 2; procs <= 200; procs++) assert.ok(connectionCountFor(procs) < procs, `below the process limit ${procs}`);
});

const cases: { name: string; main?: string; master: string; count: string; service?: string; note?: RegExp; quiet?: boolean }[] = [
  { name: 'defaults (100 processes)', master: SMTP('-'), count: '20', quiet: true },
  { name: 'default_process_limit = 10', main: 'default_process_limit = 10\n', master: SMTP('-'), count: '5' },
  { name: 'maxproc 30 on port 25', master: SMTP('30'), count: '15' },
  { name: 'maxproc 0 (unlimited)', master: SMTP('0'), count: '20', quiet: true },
  { name: 'count limit 0 (off) is replaced', main: 'smtpd_client_connection_count_limit = 0\n', master: SMTP('-'), count: '20', note: /was 0/ },
  { name: 'count limit 50 of maxproc 40 is replaced', main: 'smtpd_client_connection_count_limit = 50\n', master: SMTP('40'), count: '20', note: /was 50, which lets one client hold every one of the 40/ },
  { name: 'count limit 8 of maxproc 40 is kept', main: 'smtpd_client_connection_count_limit = 8\n', master: SMTP('40'), count: '8', quiet: true },
  { name: 'maxproc 1', master: SMTP('1'), count: '1', note: /single smtpd process/ },
  { name: "the smtp service's own -o count limit 200", master: SMTP('-', '  -o smtpd_client_connection_count_limit=200\n'), count: '20', service: '20' },
];

for (const c of cases) {
  test(`rate-limits recipe, ${c.name}: count limit ${c.count}`, () => {
    const files = { [`${DIR}/main.cf`]: MAIN + (c.main ?? ''), [`${DIR}/master.cf`]: c.master };
    // Postfix's defaults (50 per client of 100 processes) and a fitting limit are not reported; the recipe still applies.
    assert.equal(pf547(files).length, c.quiet ? 0 : 1, 'PF547 before');
    const { files: after, notes } = recipe(files);
    const main = after[`${DIR}/main.cf`];
    assert.equal(postconfGet(main, 'smtpd_client_connection_count_limit'), c.count, main);
    if (c.service) assert.match(after[`${DIR}/master.cf`], new RegExp(`-o smtpd_client_connection_count_limit=${c.service}\\n`));
    else assert.equal(after[`${DIR}/master.cf`], c.master, 'master.cf untouched');
    if (c.note) assert.ok(notes.some((n) => c.note!.test(n)), notes.join('\n'));
    assert.deepEqual(pf547(after), [], 'PF547 gone after the recipe');
    // The count limit on its own protects (except with one process, where nothing can): PF547 stays gone without the rate limits.
    const countOnly = { ...after, [`${DIR}/main.cf`]: main.replace(/^smtpd_client_(connection|message|recipient)_rate_limit = .*\n/gm, '') };
    assert.equal(pf547(countOnly).length, c.count === '1' ? 1 : 0, `count limit alone:\n${countOnly[`${DIR}/main.cf`]}`);
    assert.deepEqual(recipe(after).files, after, 'a second run changes nothing');
  });
}

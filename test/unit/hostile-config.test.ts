// Hostile and degenerate configurations (issue 8, "Crashes" and the NUL/BOM
// items): each one once crashed or misled the engine. The answers are the
// ones real Postfix gives (proved in test/oracle/hostile-oracle.test.ts and
// the live tests); here they are pinned down without Postfix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDirectory } from '../../server/src/engine/lint';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import type { FileReader, Problem } from '../../server/src/engine/types';
import type { SimulationResult, Transaction } from '../../server/src/engine/simulate/types';

const DIR = '/etc/postfix';

function reader(files: Record<string, string>): FileReader {
  return { readText: (p) => files[p] };
}

function lint(main: string, master?: string): Problem[] {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: main };
  if (master !== undefined) files[`${DIR}/master.cf`] = master;
  return lintDirectory(DIR, reader(files), { mode: 'live' });
}

function sim(main: string, tx: Partial<Transaction> = {}): SimulationResult {
  const config = loadSimConfig(DIR, reader({ [`${DIR}/main.cf`]: main }));
  return simulateTransaction(
    config,
    { client: { address: '203.0.113.5' }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['v@ext.example'], ...tx },
    { hostname: 'vm' },
  );
}

test('myhostname = mail.$mydomain alone: no stack overflow; smtpd dies on the empty mydomain like Postfix', () => {
  const main = 'myhostname = mail.$mydomain\n';
  assert.doesNotThrow(() => lint(main));
  const out = sim(main);
  // mydomain's default is myhostname after its first dot, expanded with main.cf alone: "mail." -> "".
  assert.equal(out.verdict, 'fatal');
  assert.equal(out.fatal, 'bad string length 0 < 1: mydomain = ');
});

test('myhostname = a.b.$mydomain: mydomain defaults to "b." as in Postfix', () => {
  const out = sim('compatibility_level = 3.6\nmyhostname = a.b.$mydomain\nmydestination = $myhostname\n', { recipients: ['u@a.b.b.'] });
  assert.notEqual(out.verdict, 'fatal', out.fatal);
  assert.ok(!/Maximum call stack/.test(JSON.stringify(out)));
});

// Differential test: the SMTP policy simulator against a live smtpd (Postfix
// 3.7.11) configured identically, over the matrix in
// test/fixtures/simulate/matrix.ts. Reply code, enhanced status code, text
// (except the queue id) and SMTP stage must agree in every case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix } from '../helpers/live-postfix';
import { disagreement, fsReader } from '../helpers/simulate-compare';
import { MATRIX, type MatrixConfig } from '../fixtures/simulate/matrix';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';

interface ConfigOutcome {
  name: string;
  total: number;
  failures: string[];
  ms: number;
}

async function runConfig(c: MatrixConfig): Promise<ConfigOutcome> {
  const t0 = Date.now();
  const live = await LivePostfix.start(c.live);
  try {
    const config = loadSimConfig(live.etc, fsReader);
    const liveResults = await live.sendAll(
      c.transactions.map((tx) => ({
        service: tx.service,
        clientAddress: tx.client.address,
        clientName: tx.client.name,
        helo: tx.helo ?? 'client.example',
        saslUser: tx.saslUser,
        sender: tx.sender,
        recipients: tx.recipients,
        through: tx.through,
      })),
    );
    const failures: string[] = [];
    c.transactions.forEach((tx, i) => {
      const sim = simulateTransaction(
        config,
        {
          service: live.serviceNames.get(tx.service),
          client: { address: tx.client.address, hostname: tx.client.name },
          helo: tx.helo ?? 'client.example',
          saslUser: tx.saslUser,
          sender: tx.sender,
          recipients: tx.recipients,
          through: tx.through ?? 'rcpt',
        },
        c.assumptions,
      );
      const d = disagreement(sim, liveResults[i]);
      if (d) failures.push(`${tx.service} ${tx.client.address}${tx.client.name ? `(${tx.client.name})` : ''} helo=${tx.helo ?? 'client.example'}${tx.saslUser ? ` sasl=${tx.saslUser}` : ''} <${tx.sender}> → ${tx.recipients.join(',')}: ${d}`);
    });
    return { name: c.name, total: c.transactions.length, failures, ms: Date.now() - t0 };
  } finally {
    await live.stop();
  }
}

test('simulator agrees with a live smtpd on every transaction of the matrix', { timeout: 600_000 }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks', 'postmap'], root: true })) return;
  const only = process.env.SIM_ONLY;
  const configs = MATRIX.filter((c) => !only || c.name.includes(only));
  const outcomes: ConfigOutcome[] = [];
  // Two live instances at a time keep the run short without starving the machine.
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= configs.length) return;
      outcomes[i] = await runConfig(configs[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  const total = outcomes.reduce((n, o) => n + o.total, 0);
  const failed = outcomes.reduce((n, o) => n + o.failures.length, 0);
  for (const o of outcomes) t.diagnostic(`${o.name}: ${o.total - o.failures.length}/${o.total} agree (${o.ms} ms)`);
  t.diagnostic(`simulator vs live smtpd: ${configs.length} configurations, ${total} transactions, ${total - failed}/${total} agree`);
  console.log(`# simulator matrix: ${configs.length} configurations x ${total} transactions, agreement ${total - failed}/${total}`);
  const detail = outcomes.flatMap((o) => o.failures.map((f) => `[${o.name}] ${f}`));
  assert.equal(failed, 0, `disagreements:\n${detail.join('\n')}`);
});

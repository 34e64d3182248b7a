// Restriction classes that call each other (issue 8), against a live smtpd
// driven by swaks. smtpd has no limit on class-in-class nesting: it dies with
// signal 11, at startup when its search for the relay guard enters the loop,
// otherwise when a request reaches the loop. The simulator must say the same
// (a crash at that stage, not an internal error), and lint reports PF412.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix } from '../helpers/live-postfix';
import { fsReader } from '../helpers/simulate-compare';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import { lintDirectory } from '../../server/src/engine/lint';

const LOOP = 'mydestination = mx.example.test\nsmtpd_restriction_classes = ca cb\nca = cb\ncb = ca\nsmtpd_relay_restrictions =\n';
const TX = { service: 'smtp', clientAddress: '203.0.113.5', helo: 'client.example', sender: 'a@outside.example', recipients: ['u@mx.example.test'] };

async function judge(recipientRestrictions: string) {
  const live = await LivePostfix.start({ mainCf: `${LOOP}smtpd_recipient_restrictions = ${recipientRestrictions}\n`, services: [{ name: 'smtp' }] });
  try {
    const real = await live.send(TX);
    const reader = fsReader;
    const sim = simulateTransaction(loadSimConfig(live.etc, reader), { service: live.serviceNames.get('smtp'), client: { address: TX.clientAddress }, helo: TX.helo, sender: TX.sender, recipients: TX.recipients }, {});
    const lint = lintDirectory(live.etc, reader, { mode: 'live' });
    return { real, maillog: live.maillog(), sim, lint };
  } finally {
    await live.stop();
  }
}

test('a class loop entered at startup: smtpd crashes before the greeting; the simulator says so', { timeout: 600_000 }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const { real, maillog, sim, lint } = await judge('ca, reject_unauth_destination');
  assert.equal(real.outcome, 'fatal', real.transcript);
  assert.match(maillog, /smtpd pid \d+ killed by signal 11/);
  assert.equal(sim.verdict, 'fatal');
  assert.equal(sim.stage, 'startup');
  assert.match(sim.fatal ?? '', /^smtpd crashed at startup.*ca -> cb -> ca.*killed by signal 11/);
  assert.equal(lint.filter((p) => p.code === 'PF412').length, 1);
});

test('a class loop reached by a request: smtpd crashes at RCPT TO and the client sees the connection close', { timeout: 600_000 }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const { real, maillog, sim, lint } = await judge('reject_unauth_destination, ca');
  assert.match(real.transcript, /RCPT TO:<u@mx\.example\.test>\n\*\*\* Remote host closed connection unexpectedly/);
  assert.match(maillog, /smtpd pid \d+ killed by signal 11/);
  assert.equal(sim.verdict, 'fatal');
  assert.equal(sim.stage, 'rcpt');
  assert.match(sim.fatal ?? '', /^smtpd crashed during RCPT; the client sees the connection close/);
  assert.equal(lint.filter((p) => p.code === 'PF412').length, 1);
});

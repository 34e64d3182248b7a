// `postfix-lint simulate --against HOST:PORT`, the built CLI against a live
// smtpd of the harness: on the configuration the server runs, every
// relay-matrix transaction and a single transaction agree; on a copy changed
// before simulating, exactly the transactions whose simulated answer the
// change moves are reported as disagreeing; a service that does not
// authorise XCLIENT for us is reported as such, not as disagreements.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt } from '../helpers/build';
import { LivePostfix } from '../helpers/live-postfix';
import { fsReader } from '../../server/src/cli/main';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import type { AgainstReport } from '../../server/src/cli/against';

const CLI = join(repoDir, 'dist', 'cli.js');

const MAIN = `mydestination = example.test, localhost
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sender_restrictions = check_sender_access inline:{ spammer@bad.example=REJECT }
smtpd_helo_required = yes
`;

before(() => ensureBuilt());

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      resolve({ status: !e ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr, timedOut: !!e?.killed });
    });
  });
}

test('simulate --against: the built CLI agrees with a live smtpd running the simulated configuration, and finds where another one differs', async (t) => {
  if (!requireTools(t, { commands: ['postfix'], root: true })) return;
  const live = await LivePostfix.start({
    mainCf: MAIN,
    services: [
      { name: 'smtp' },
      { name: 'submission', options: ['smtpd_sasl_auth_enable=yes', 'smtpd_client_restrictions=permit_sasl_authenticated,reject'] },
      { name: 'closed', options: ['smtpd_authorized_xclient_hosts='] },
    ],
  });
  const tmp = mkdtempSync(join(tmpdir(), 'pf-against-'));
  try {
    const smtp = live.serviceNames.get('smtp')!;
    const submission = live.serviceNames.get('submission')!;
    const closed = live.serviceNames.get('closed')!;

    // 1. The configuration the server runs: the whole matrix of two services agrees.
    const same = await cli(['simulate', '-c', live.etc, '--live', '--matrix', '--against', smtp, '--against', submission, '--format', 'json']);
    assert.ok(!same.timedOut, 'the CLI timed out');
    const r: AgainstReport = JSON.parse(same.stdout);
    const bad = r.checks.filter((c) => c.status !== 'agree');
    assert.deepEqual(bad.map((c) => `${c.service} ${c.label}: ${c.differences.join('; ')} ${c.live.problem ?? ''}\n${c.live.transcript.join('\n')}`), []);
    assert.deepEqual(r.errors, []);
    assert.equal(same.status, 0, same.stderr);
    // Both services, every cell of their matrix (4 clients × 2 recipients), and answers of both kinds.
    assert.deepEqual([...new Set(r.checks.map((c) => c.service))].sort(), [`${smtp}/inet`, `${submission}/inet`].sort());
    assert.equal(r.checks.length, 16);
    assert.ok(r.checks.some((c) => c.live.reply?.startsWith('250 ')) && r.checks.some((c) => c.live.reply?.startsWith('554 ')), JSON.stringify(r.checks.map((c) => c.live.reply)));
    t.diagnostic(`${r.checks.length} matrix transactions agree`);

    // 2. One transaction, text output: rejected at MAIL FROM by the sender table, both sides.
    const one = await cli(['simulate', '-c', live.etc, '--live', '--client', '203.0.113.9,mail.outside.example', '--from', 'spammer@bad.example', '--to', 'postmaster@example.test', '--against', smtp]);
    assert.equal(one.status, 0, one.stdout + one.stderr);
    assert.match(one.stdout, /agree +transaction: REJECT 554 5\.7\.1 <spammer@bad\.example>: Sender address rejected: Access denied at RCPT TO/);
    assert.match(one.stdout, /^1 agree, 0 disagree, 0 not checked\.$/m);

    // 3. A copy changed before simulating: the server still runs the original.
    const copy = join(tmp, 'etc');
    cpSync(live.etc, copy, { recursive: true });
    writeFileSync(join(copy, 'main.cf'), `${readFileSync(join(copy, 'main.cf'), 'latin1')}mynetworks = 0.0.0.0/0\nsmtpd_sender_restrictions =\n`, 'latin1');
    // SERVICE=HOST:PORT names the master.cf service the address stands for.
    const other = await cli(['simulate', '-c', copy, '--live', '--matrix', '--against', `${smtp}=${smtp}`, '--format', 'json']);
    assert.ok(!other.timedOut, 'the CLI timed out');
    assert.equal(other.status, 1, other.stderr);
    const o: AgainstReport = JSON.parse(other.stdout);
    assert.deepEqual(o.errors, []);
    assert.equal(o.checks.length, 8);
    assert.equal(o.summary.unchecked, 0, JSON.stringify(o.checks.filter((c) => c.status === 'unchecked')));
    // Expected: where the configuration the server runs answers otherwise than the copy (the simulator agrees with the server on it, step 1).
    const running = loadSimConfig(live.etc, fsReader, 'live');
    const expected = o.checks.map((c) => {
      const sim = simulateTransaction(running, { service: smtp, client: { address: c.transaction.client, hostname: c.transaction.clientName }, saslUser: c.transaction.saslUser, helo: c.transaction.helo, sender: c.transaction.sender, recipients: c.transaction.recipients, through: 'rcpt' });
      return sim.reply?.line !== c.simulated.reply ? 'disagree' : 'agree';
    });
    assert.deepEqual(o.checks.map((c) => `${c.label}: ${c.status}`), o.checks.map((c, i) => `${c.label}: ${expected[i]}`));
    // mynetworks = 0.0.0.0/0 makes the copy an open relay; the server is none.
    const relay = o.checks.find((c) => c.label.startsWith('outside → outside domain'))!;
    assert.equal(relay.status, 'disagree');
    assert.match(relay.simulated.reply ?? '', /^250 /);
    assert.match(relay.live.reply ?? '', /^554 5\.7\.1 .*Relay access denied/);
    const text = await cli(['simulate', '-c', copy, '--live', '--matrix', '--service', smtp, '--against', smtp]);
    assert.match(text.stdout, /DIFFERS +outside → outside domain: ACCEPT 250 2\.1\.5 Ok at RCPT TO\n.*\n +<someone@elsewhere\.example>: simulated 250 2\.1\.5 Ok; live 554 5\.7\.1 <someone@elsewhere\.example>: Relay access denied\n +the simulation decided by permit_mynetworks/);
    t.diagnostic(`changed copy: ${o.summary.disagree} of ${o.checks.length} disagree`);

    // 4. XCLIENT not authorised for us: said so, with the parameter to change; no transaction is judged.
    const refused = await cli(['simulate', '-c', live.etc, '--live', '--matrix', '--against', closed]);
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, new RegExp(`${closed.replace(/\./g, '\\.')}: not checked: the server does not offer XCLIENT to this host: .*smtpd_authorized_xclient_hosts`));
    assert.match(refused.stdout, /^0 agree, 0 disagree, 0 not checked, 1 server not checked\.$/m);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await live.stop();
  }
});

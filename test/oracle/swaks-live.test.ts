// `postfix-lint simulate --swaks`: the printed swaks command, run as printed
// against a live smtpd configured the same, gets the reply the simulator
// predicted (XCLIENT for outside clients and logins, the service's port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { requireTools } from '../helpers/env';
import { LivePostfix } from '../helpers/live-postfix';
import { interpretSwaks } from '../helpers/live-swaks';
import { runSimulate } from '../../server/src/cli/simulate';
import { fsReader } from '../../server/src/cli/main';

const MAIN = `mydestination = example.test
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sender_restrictions = check_sender_access inline:{ spammer@bad.example=REJECT }
`;

test('simulate --swaks: the printed command gets the predicted reply from a live smtpd', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const live = await LivePostfix.start({
    mainCf: MAIN,
    services: [{ name: 'smtp' }, { name: 'submission', options: ['smtpd_sasl_auth_enable=yes', 'smtpd_client_restrictions=permit_sasl_authenticated,reject'] }],
  });
  try {
    const cases = [
      { service: 'smtp', args: ['--client', '203.0.113.5', '--helo', 'mail.outside.example', '--from', 'a@outside.example', '--to', 'v@elsewhere.example'] },
      { service: 'smtp', args: ['--client', '203.0.113.9,mail.outside.example', '--helo', 'mail.outside.example', '--from', 'spammer@bad.example', '--to', 'postmaster@example.test'] },
      { service: 'smtp', args: ['--client', '203.0.113.5', '--helo', 'mail.outside.example', '--from', '<>', '--to', 'postmaster@example.test'] },
      { service: 'submission', args: ['--client', '198.51.100.7', '--sasl-user', 'alice', '--helo', 'pc', '--from', 'alice@example.test', '--to', 'v@elsewhere.example'] },
      { service: 'submission', args: ['--client', '198.51.100.7', '--helo', 'pc', '--from', 'alice@example.test', '--to', 'v@elsewhere.example'] },
    ];
    for (const c of cases) {
      const addr = live.serviceNames.get(c.service)!;
      let out = '';
      const argv = ['-c', live.etc, '--live', '--service', addr, ...c.args, '--format', 'json', '--swaks'];
      runSimulate(argv, { stdout: (s) => (out += s), stderr: (s) => (out += s), reader: fsReader });
      const sim = JSON.parse(out);
      assert.ok(sim.swaks, out);
      assert.match(sim.swaks.command, new RegExp(`^swaks --server 127\\.0\\.0\\.1 --port ${addr.split(':')[1]} --xclient-addr `));
      // Run exactly what was printed (a POSIX shell line).
      const transcript = execFileSync('sh', ['-c', `${sim.swaks.command} 2>&1 || true`], { encoding: 'latin1', timeout: 60_000 });
      const liveResult = interpretSwaks(transcript);
      assert.equal(liveResult.reply?.line.replace(/queued as \w+/, ''), sim.reply.line.replace(/queued as \w+/, ''), `${c.args.join(' ')}\n${transcript}`);
    }
  } finally {
    await live.stop();
  }
});

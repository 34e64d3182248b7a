// The live-Postfix harness itself (test/helpers/live-postfix.ts): a
// configuration under test that sets one of the instance's essentials
// (myhostname, the XCLIENT hosts, the transports) must not give Postfix that
// setting twice. Twice, every process logs "overriding earlier entry" as it
// starts, postlogd to its own socket; after a reload that burst filled the
// socket's queue, postlogd and the master blocked on it for good, and a
// reconfigure under a second live test file waited out the 180 s timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix, runTool } from '../helpers/live-postfix';

const OVERRIDES = ['default_transport = discard:own', 'local_transport = discard:own', 'alias_maps =', 'service_throttle_time = 2s', 'smtpd_authorized_xclient_hosts = 127.0.0.0/8'];

test('a configuration that sets the instance\'s essentials: each setting once, its own value wins, reloads and restarts log no warning', { timeout: 900_000 }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf'], root: true })) return;
  const live = await LivePostfix.start({ mainCf: `myhostname = first.example.net\n${OVERRIDES.join('\n')}\n`, services: [{ name: 'smtp' }] });
  try {
    const check = async (hostname: string) => {
      const pc = await runTool('postconf', ['-c', live.etc, '-n']);
      assert.equal(pc.code, 0, pc.out);
      assert.doesNotMatch(pc.out, /overriding earlier entry/);
      assert.match(pc.out, new RegExp(`^myhostname = ${hostname.replaceAll('.', '\\.')}$`, 'm'));
      for (const o of OVERRIDES) assert.ok(pc.out.split('\n').includes(o), `${o} missing from:\n${pc.out}`);
      const greeting = await live.send({ service: 'smtp', clientAddress: '192.0.2.1', helo: 'client.example', sender: 'a@client.example', recipients: ['b@first.example.net'] }, 'native');
      assert.match(greeting.transcript, new RegExp(`220 ${hostname.replaceAll('.', '\\.')} `), greeting.transcript);
      assert.doesNotMatch(live.maillog(), /overriding earlier entry/);
    };
    await check('first.example.net');
    // A reload (same master-start settings), then a restart (inet_protocols differs).
    await live.reconfigure({ mainCf: `myhostname = second.example.net\n${OVERRIDES.join('\n')}\n`, services: [{ name: 'smtp' }] });
    await check('second.example.net');
    await live.reconfigure({ mainCf: `myhostname = third.example.net\ninet_protocols = ipv4\n${OVERRIDES.join('\n')}\n`, services: [{ name: 'smtp' }] });
    await check('third.example.net');
  } finally {
    await live.stop();
  }
});

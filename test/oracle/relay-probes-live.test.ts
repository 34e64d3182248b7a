// Live proof of the relay matrix's forged-sender and forged-HELO probes
// (issue 7): a restriction list that permits on the sender's or HELO's word
// ahead of reject_unauth_destination relays for anyone who claims it. A real
// smtpd (Postfix 3.7.11), driven by swaks, accepts the forged transaction and
// refuses the plain one; the linter reports PF500 naming the forged claim;
// with its fix applied, the same smtpd refuses both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix, type LiveConfig, type LiveTransaction } from '../helpers/live-postfix';
import { fsReader } from '../helpers/simulate-compare';
import { loadConfig } from '../../server/src/engine/config';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import { readFileSync } from 'node:fs';
import type { FileReader } from '../../server/src/engine/types';

const CASES: { name: string; config: LiveConfig; claim: RegExp; forged: Partial<LiveTransaction> }[] = [
  {
    name: 'check_sender_access with an OK domain',
    config: {
      mainCf: `mydestination = example.test
local_recipient_maps =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions =
smtpd_recipient_restrictions = permit_mynetworks, check_sender_access hash:{{ETC}}/sender_ok, reject_unauth_destination
`,
      services: [{ name: 'smtp' }],
      tables: { sender_ok: 'partner.example OK\nspam.example REJECT\n' },
      postmap: ['hash:sender_ok'],
    },
    claim: /sending MAIL FROM:<x@partner\.example>/,
    forged: { sender: 'x@partner.example' },
  },
  {
    name: 'check_helo_access with an OK name',
    config: {
      mainCf: `mydestination = example.test
local_recipient_maps =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, check_helo_access hash:{{ETC}}/helo_ok, reject_unauth_destination
`,
      services: [{ name: 'smtp' }],
      tables: { helo_ok: 'gw.partner.example OK\n' },
      postmap: ['hash:helo_ok'],
    },
    claim: /sending HELO gw\.partner\.example/,
    forged: { helo: 'gw.partner.example' },
  },
];

const PLAIN: Omit<LiveTransaction, 'service'> = { clientAddress: '203.0.113.5', helo: 'mail.elsewhere.example', sender: 'sender@elsewhere.example', recipients: ['someone@elsewhere.example'] };

for (const c of CASES) {
  test(`forged claims relay on a live smtpd: ${c.name}`, { timeout: 600_000 }, async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'swaks', 'postmap'], root: true })) return;
    const live = await LivePostfix.start(c.config);
    let fixedMain: string;
    try {
      const svc = { service: 'smtp' };
      const [plain, forged] = await live.sendAll([{ ...svc, ...PLAIN }, { ...svc, ...PLAIN, ...c.forged }], 2, 'swaks');
      assert.match(plain.rcpt[0]?.line ?? '', /^554 5\.7\.1 .*Relay access denied/, 'plain outside client');
      assert.match(forged.rcpt[0]?.line ?? '', /^250 /, 'forged claim');
      // The simulator's relay matrix finds the same claim; the linter reports it.
      const matrix = relayMatrix(loadSimConfig(live.etc, fsReader, 'live'));
      const cell = matrix.cells.find((x) => x.openRelay);
      assert.ok(cell?.probe, 'relay matrix finds the forged claim');
      assert.equal(cell.probe.sender, c.forged.sender ?? PLAIN.sender);
      assert.equal(cell.probe.helo, c.forged.helo ?? PLAIN.helo);
      // Linted as deployed: the test instance's 127.0.0.1:PORT listener stands for port 25
      // (PF500 leaves loopback-only listeners alone: the Internet cannot reach them).
      const asDeployed: FileReader = {
        ...fsReader,
        readText: (p) => (p === `${live.etc}/master.cf` ? fsReader.readText(p)?.replace(/^127\.0\.0\.1:\d+(?= +inet)/m, 'smtp') : fsReader.readText(p)),
      };
      const problems = runRules(loadConfig(live.etc, asDeployed, { mode: 'live' }), asDeployed).filter((p) => p.code === 'PF500');
      assert.equal(problems.length, 1, JSON.stringify(problems.map((p) => p.message)));
      assert.match(problems[0].message, c.claim);
      const edits = problems[0].fixes?.[0]?.edits ?? [];
      assert.ok(edits.length > 0, 'PF500 has a fix');
      fixedMain = applyTextEdits(readFileSync(`${live.etc}/main.cf`, 'latin1'), edits);
    } finally {
      await live.stop();
    }
    // The fixed main.cf (its part under test) refuses the forged claim too.
    const underTest = fixedMain.slice(fixedMain.indexOf('# configuration under test\n') + '# configuration under test\n'.length);
    const fixed = await LivePostfix.start({ ...c.config, mainCf: underTest.replaceAll(live.etc, '{{ETC}}') });
    try {
      const [plain, forged] = await fixed.sendAll([{ service: 'smtp', ...PLAIN }, { service: 'smtp', ...PLAIN, ...c.forged }], 2, 'swaks');
      assert.match(plain.rcpt[0]?.line ?? '', /^554 5\.7\.1 .*Relay access denied/);
      assert.match(forged.rcpt[0]?.line ?? '', /^554 5\.7\.1 .*Relay access denied/, 'after the fix');
      assert.equal(relayMatrix(loadSimConfig(fixed.etc, fsReader, 'live')).openRelay, false);
    } finally {
      await fixed.stop();
    }
  });
}

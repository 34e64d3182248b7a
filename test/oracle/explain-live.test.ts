// `postfix-lint explain` against a live smtpd: transactions that trip every
// restriction family (client, HELO, sender, recipient, relay, access actions,
// a restriction class, warn_if_reject, a service with its own syslog_name) go
// to a live smtpd; the log lines it writes are explained back to the
// restriction that produced them. Then the configuration changes and the
// line it no longer produces is reported as not reproduced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { LivePostfix, type LiveTransaction } from '../helpers/live-postfix';
import { fsReader } from '../../server/src/cli/main';
import { explainLog } from '../../server/src/engine/review/explain';
import { loadSimConfig } from '../../server/src/engine/simulate/config';

const MAIN = `mydestination = example.test
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_restriction_classes = strict
strict = reject_non_fqdn_sender
smtpd_client_restrictions = check_client_access cidr:{{ETC}}/clients.cidr
smtpd_helo_restrictions = check_helo_access pcre:{{ETC}}/helo.pcre
smtpd_sender_restrictions = check_sender_access texthash:{{ETC}}/senders
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:{{ETC}}/recipients, warn_if_reject check_recipient_access texthash:{{ETC}}/soft
`;

const TABLES = {
  'clients.cidr': '192.0.2.66 REJECT go away\n',
  'helo.pcre': '/^bad\\.helo\\.example$/ REJECT helo not welcome\n',
  senders: 'spammer@bad.example REJECT\nheld@example.org HOLD\nwarned@example.org WARN watch this one\ndropped@example.org DISCARD\n',
  recipients: 'gone@example.test REJECT moved away\nstrict@example.test strict\n',
  soft: 'soft@example.test REJECT would be refused\n',
};

/** Each transaction with the restriction its log line must be explained by. */
const CASES: { tx: Partial<LiveTransaction>; action: string; restriction: RegExp }[] = [
  { tx: { clientAddress: '192.0.2.66' }, action: 'reject', restriction: /^check_client_access cidr:/ },
  { tx: { helo: 'bad.helo.example' }, action: 'reject', restriction: /^check_helo_access pcre:/ },
  { tx: { sender: 'spammer@bad.example' }, action: 'reject', restriction: /^check_sender_access texthash:/ },
  { tx: { sender: 'held@example.org' }, action: 'hold', restriction: /^check_sender_access texthash:/ },
  { tx: { sender: 'warned@example.org' }, action: 'warn', restriction: /^check_sender_access texthash:/ },
  { tx: { sender: 'dropped@example.org' }, action: 'discard', restriction: /^check_sender_access texthash:/ },
  { tx: { recipients: ['gone@example.test'] }, action: 'reject', restriction: /^check_recipient_access texthash:/ },
  { tx: { sender: 'joe@localhost', recipients: ['strict@example.test'] }, action: 'reject', restriction: /^reject_non_fqdn_sender$/ },
  { tx: { recipients: ['soft@example.test'] }, action: 'reject_warning', restriction: /^check_recipient_access texthash:/ },
  { tx: { recipients: ['someone@elsewhere.example'] }, action: 'reject', restriction: /^reject_unauth_destination$/ },
  { tx: { service: 'submission' }, action: 'reject', restriction: /^reject$/ },
];

test('explain: log lines of a live smtpd are explained back to the restriction that wrote them', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const live = await LivePostfix.start({
    mainCf: MAIN,
    services: [{ name: 'smtp' }, { name: 'submission', options: ['syslog_name=postfix/submission', 'smtpd_client_restrictions=reject'] }],
    tables: TABLES,
  });
  const copy = mkdtempSync(join(tmpdir(), 'pf-explain-'));
  try {
    const txs: LiveTransaction[] = CASES.map((c) => ({
      service: 'smtp',
      clientAddress: '203.0.113.5',
      helo: 'mail.outside.example',
      sender: 'someone@outside.example',
      recipients: ['postmaster@example.test'],
      ...c.tx,
    }));
    await live.sendAll(txs, 2, 'native');
    // Every case writes one decision; wait for the logger to have them all.
    let log = '';
    for (let i = 0; i < 200; i++) {
      log = live.maillog();
      const decisions = log.split('\n').filter((l) => /\/smtpd\[\d+\]: \S+: (reject|reject_warning|hold|warn|discard):/.test(l));
      if (decisions.length >= CASES.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const xs = explainLog(loadSimConfig(live.etc, fsReader, 'live'), log);
    assert.equal(xs.length, CASES.length, `decisions in the log:\n${xs.map((x) => x.event.raw).join('\n')}`);
    for (const c of CASES) {
      const tx = txs[CASES.indexOf(c)];
      const x = xs.find((e) => e.event.action === c.action && e.event.clientAddress === tx.clientAddress && e.event.sender === tx.sender && e.event.recipient === tx.recipients[0] && (e.event.helo ?? '') === tx.helo && (tx.service === 'submission') === e.event.syslogName.endsWith('/submission'));
      assert.ok(x, `no ${c.action} line for ${JSON.stringify(c.tx)}`);
      assert.equal(x.status, 'explained', `${x.event.raw}\n→ ${x.status}: ${x.simulated} ${x.note ?? ''}`);
      assert.match(x.decisive?.restriction ?? '', c.restriction, x.event.raw);
      assert.ok(x.decisive?.source, `a file and line for ${x.event.raw}`);
    }
    const sub = xs.find((x) => x.event.syslogName === 'postfix/submission');
    assert.equal(sub?.decisive?.source?.file, join(live.etc, 'master.cf'), 'the -o in master.cf decided it');

    // The HELO check is removed: that line is no longer reproduced, the others still are.
    writeFileSync(join(copy, 'main.cf'), readFileSync(join(live.etc, 'main.cf'), 'latin1').replace(/^smtpd_helo_restrictions = .*$/m, ''));
    writeFileSync(join(copy, 'master.cf'), readFileSync(join(live.etc, 'master.cf'), 'latin1'));
    const after = explainLog(loadSimConfig(copy, fsReader, 'live'), log);
    const changed = after.filter((x) => x.status === 'changed').map((x) => x.event.helo);
    assert.deepEqual(changed, ['bad.helo.example']);
  } finally {
    rmSync(copy, { recursive: true, force: true });
    await live.stop();
  }
});

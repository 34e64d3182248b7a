// `postfix-lint explain` against a live smtpd: transactions that trip every
// restriction family (client, HELO, sender, recipient, relay, access actions,
// a restriction class, warn_if_reject, a service with its own syslog_name) go
// to a live smtpd; the log lines it writes are explained back to the
// restriction that produced them. Then the configuration changes and the
// line it no longer produces is reported as not reproduced.
// A second live smtpd writes warning lines (a restriction after permit, an
// unknown restriction, a missing table, a table older than its source, a
// client's bad address, a non-SMTP command, a failed SASL login): each is
// read back with the right origin, and those the configuration caused point
// at the finding for the same mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { LivePostfix, REPLY_S, runTool, type LiveConfig, type LiveTransaction } from '../helpers/live-postfix';
import { lintTargets } from '../../server/src/engine/lint';
import { explainWarnings } from '../../server/src/engine/review/log-warning';
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
  senders: 'spammer@bad.example REJECT\nheld@example.org HOLD\nwarned@example.org WARN watch this one\ndropped@example.org DISCARD\nfiltered@example.org FILTER discard:scanner\n',
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
  { tx: { sender: 'filtered@example.org' }, action: 'filter', restriction: /^check_sender_access texthash:/ },
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
    // Every case logged its decision before its reply: our own line through postlogd, once in the file, comes after them all.
    await live.logMark();
    const log = live.maillog();
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

/** Sends lines to an SMTP port without waiting for replies after the greeting, then reads until the server hangs up. */
function rawSession(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve) => {
    const s = new Socket();
    let out = '';
    const done = () => {
      clearTimeout(hang);
      s.destroy();
      resolve(out);
    };
    const hang = setTimeout(() => {
      out += `\n(no hang-up within ${REPLY_S} s: timed out)`;
      done();
    }, REPLY_S * 1000);
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      const greeted = out === '';
      out += d;
      if (greeted) s.write(lines.map((l) => `${l}\r\n`).join(''));
    });
    s.on('close', done);
    s.on('error', done);
    s.connect(port, '127.0.0.1');
  });
}

test('explain: warning lines of a live smtpd are read back, those the configuration caused tied to their finding', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const config: LiveConfig = {
    mainCf: `mydestination = example.test
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_helo_restrictions = permit, reject_non_fqdn_helo_hostname
`,
    services: [
      { name: 'smtp' },
      { name: 'typo', options: ['smtpd_recipient_restrictions=reject_unknwon_sender_domain'] },
      // One connection per process (max_use): the warnings a process logs as it starts come from one started by
      // the test's own transaction, after the log's mark, not from one the harness's readiness check started before it.
      { name: 'missing', options: ['{ smtpd_sender_restrictions = check_sender_access hash:{{ETC}}/nosuch }', 'max_use=1'] },
      { name: 'stale', options: ['{ smtpd_sender_restrictions = check_sender_access hash:{{ETC}}/senders }', 'max_use=1'] },
    ],
    tables: { senders: 'spammer@bad.example REJECT\n' },
    postmap: ['hash:senders'],
    dovecotAuth: { alice: 'secret' },
  };
  const live = await LivePostfix.start(config);
  try {
    // The source edited after postmap: smtpd processes started from now on warn when they open it
    // (Postfix says nothing about a source changed in the last 100 s: postmap may still be running).
    const db = new Date(Date.now() - 300_000);
    const source = new Date(Date.now() - 200_000);
    utimesSync(join(live.etc, 'senders.db'), db, db);
    utimesSync(join(live.etc, 'senders'), source, source);
    await live.reconfigure({ ...config, tables: undefined, postmap: undefined });
    const port = (name: string) => Number(live.serviceNames.get(name)!.split(':')[1]);
    const tx = (service: string, sender = 'someone@outside.example'): LiveTransaction => ({ service, clientAddress: '203.0.113.5', helo: 'mail.outside.example', sender, recipients: ['postmaster@example.test'] });
    await live.sendAll([tx('smtp'), tx('typo'), tx('missing'), tx('stale'), tx('smtp', 'a b@outside.example')], 2, 'native');
    const http = await rawSession(port('smtp'), ['GET / HTTP/1.0', '']);
    assert.match(http, /^220 /, http);
    const auth = await runTool('swaks', ['--timeout', String(REPLY_S), '--server', '127.0.0.1', '--port', String(port('smtp')), '--auth', 'LOGIN', '--auth-user', 'alice', '--auth-password', 'wrong', '--quit-after', 'AUTH']);
    assert.match(auth.out, /535 5\.7\.8/, auth.out);

    const expected: { kind: string; origin: string; codes?: string[]; client?: string }[] = [
      { kind: 'restriction-ignored', origin: 'configuration', codes: ['PF401'] },
      { kind: 'unknown-restriction', origin: 'configuration', codes: ['PF402'] },
      { kind: 'table-open-failed', origin: 'configuration', codes: ['PF374'] },
      { kind: 'table-unavailable', origin: 'configuration', codes: ['PF374'] },
      { kind: 'table-lookup-error', origin: 'configuration', codes: ['PF374'] },
      { kind: 'table-older-than-source', origin: 'configuration', codes: ['PF309'] },
      { kind: 'illegal-address-syntax', origin: 'client', client: 'unknown[203.0.113.5]' },
      { kind: 'non-smtp-command', origin: 'client', client: 'localhost[127.0.0.1]' },
      { kind: 'sasl-authentication-failed', origin: 'client', client: 'localhost[127.0.0.1]' },
    ];
    // Each warning was logged before the reply that followed it: our own line through postlogd comes after them all.
    await live.logMark();
    const findings = lintTargets([live.etc], fsReader, { mode: 'live' }).problems;
    const ws = explainWarnings(live.maillog(), findings);
    for (const e of expected) {
      const w = ws.find((x) => x.kind === e.kind);
      assert.ok(w, `no ${e.kind} line in the log:\n${ws.map((x) => `${x.kind}: ${x.warning.raw}`).join('\n')}\n${live.maillog()}`);
      assert.equal(w.origin, e.origin, w.warning.raw);
      if (e.client) assert.equal(w.client, e.client, w.warning.raw);
      if (e.codes) {
        assert.deepEqual([...new Set(w.findings.map((f) => f.code))], e.codes, `${w.warning.raw}\nfindings: ${findings.map((f) => `${f.code} ${f.message}`).join('\n')}`);
        assert.ok(w.findings.every((f) => f.file.startsWith(live.etc) && f.line > 0), w.warning.raw);
      }
    }
    // Every smtpd warning of this log is recognised.
    const unknown = ws.filter((x) => /\/smtpd$/.test(x.warning.program) && x.kind === 'other');
    assert.deepEqual(unknown.map((x) => x.warning.raw), []);
    t.diagnostic(`${ws.length} warning lines: ${[...new Set(ws.map((x) => x.kind))].join(', ')}`);
  } finally {
    await live.stop();
  }
});

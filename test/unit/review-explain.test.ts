// Reading smtpd log lines and explaining them with the simulator. The live
// proof (log lines written by a real smtpd, explained back) is
// test/oracle/explain-live.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSaslLogin, parseSmtpdLogLine } from '../../server/src/engine/review/log-line';
import { explainLog, summarize } from '../../server/src/engine/review/explain';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { runExplain } from '../../server/src/cli/explain';
import type { FileReader } from '../../server/src/engine/types';

const RELAY = 'NOQUEUE: reject: RCPT from unknown[203.0.113.5]: 554 5.7.1 <v@elsewhere.example>: Relay access denied; from=<a@b.example> to=<v@elsewhere.example> proto=ESMTP helo=<mail.b.example>';

test('every log format: syslog, RFC 5424 time stamps, maillog_file, a service syslog name', () => {
  for (const prefix of ['Dec  2 13:00:00 mx postfix/smtpd[1234]: ', '2026-12-02T13:00:01.123456+00:00 mx postfix/smtpd[1]: ', 'Dec  2 13:00:00 mx postfix/smtpd[9]: ']) {
    const e = parseSmtpdLogLine(prefix + RELAY);
    assert.ok(e, prefix);
    assert.deepEqual(
      [e.syslogName, e.queueId, e.action, e.command, e.clientName, e.clientAddress, e.detail, e.sender, e.recipient, e.proto, e.helo],
      ['postfix', 'NOQUEUE', 'reject', 'RCPT', undefined, '203.0.113.5', '554 5.7.1 <v@elsewhere.example>: Relay access denied', 'a@b.example', 'v@elsewhere.example', 'ESMTP', 'mail.b.example'],
    );
  }
  const sub = parseSmtpdLogLine('Dec  2 13:00:00 mx postfix/submission/smtpd[7]: 4XyZ1: hold: RCPT from mail.x.example[2001:db8::1]: <a@b.example>: Sender address triggers HOLD action; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>');
  assert.deepEqual([sub?.syslogName, sub?.queueId, sub?.action, sub?.clientName, sub?.clientAddress], ['postfix/submission', '4XyZ1', 'hold', 'mail.x.example', '2001:db8::1']);
  // A reason holding "; from=<" itself: the envelope is the last one.
  const tricky = parseSmtpdLogLine('x postfix/smtpd[1]: NOQUEUE: reject: MAIL from h[192.0.2.1]: 550 5.7.1 <a@b>: Sender address rejected: no; from=<x> please; from=<a@b> proto=SMTP');
  assert.equal(tricky?.detail, '550 5.7.1 <a@b>: Sender address rejected: no; from=<x> please');
  assert.equal(tricky?.sender, 'a@b');
  assert.equal(tricky?.helo, undefined);
  for (const other of ['x postfix/smtpd[1]: connect from unknown[192.0.2.1]', 'x postfix/cleanup[2]: 4XyZ1: message-id=<x@y>', 'x postfix/smtpd[1]: NOQUEUE: lost: RCPT from h[1.2.3.4]: x', '']) assert.equal(parseSmtpdLogLine(other), undefined, other);
  assert.deepEqual(parseSaslLogin('Dec  2 mx postfix/submission/smtpd[7]: 4XyZ1: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=alice'), { queueId: '4XyZ1', user: 'alice' });
});

const FILES: Record<string, string> = {
  '/cfg/main.cf': `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = example.test
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_client_restrictions = reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]
`,
  '/cfg/master.cf': `smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
`,
};
const reader: FileReader = { readText: (p) => FILES[p] };

test('explained, explained assuming a DNS listing or a login, or not reproduced', () => {
  const log = [
    `Dec  2 13:00:00 mx postfix/smtpd[1]: ${RELAY}`,
    'Dec  2 13:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 554 5.7.1 Service unavailable; Client host [198.51.100.9] blocked using zen.spamhaus.org; from=<a@b.example> to=<postmaster@example.test> proto=ESMTP helo=<h.example>',
    'Dec  2 13:00:02 mx postfix/submission/smtpd[2]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <v@elsewhere.example>: Recipient address rejected: Access denied; from=<a@example.test> to=<v@elsewhere.example> proto=ESMTP helo=<pc>',
    'Dec  2 13:00:03 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[203.0.113.5]: 554 5.7.1 <v@elsewhere.example>: Recipient address rejected: gone; from=<a@b.example> to=<v@elsewhere.example> proto=ESMTP helo=<mail.b.example>',
    `Dec  2 13:00:04 mx postfix/smtpd[1]: ${RELAY}`,
  ].join('\n');
  const xs = explainLog(loadSimConfig('/cfg', reader, 'repository'), log);
  assert.deepEqual(xs.map((x) => x.status), ['explained', 'explained-assuming', 'explained', 'changed', 'explained']);
  assert.equal(xs[0].decisive?.restriction, 'reject_unauth_destination');
  assert.equal(xs[0].service, 'smtp/inet');
  assert.match(xs[1].assumed[0], /zen\.spamhaus\.org listed it/);
  assert.equal(xs[2].service, 'submission/inet', 'syslog_name postfix/submission is the submission service');
  assert.equal(xs[2].decisive?.restriction, 'reject');
  assert.equal(xs[2].decisive?.source?.file, '/cfg/master.cf');
  assert.match(xs[3].simulated ?? '', /Relay access denied/);
  assert.equal(xs[4].event.line, 4, 'a repeated decision keeps its own line');
  const s = summarize(xs);
  assert.deepEqual(s.byRestriction[0], { restriction: 'reject_unauth_destination in smtpd_relay_restrictions', count: 2 });
  assert.deepEqual(s.byClient[0], { client: 'unknown[203.0.113.5]', count: 3 });
});

test('CLI: text names the restriction and its line; exit 1 when a decision is not reproduced', () => {
  let out = '';
  let err = '';
  const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), reader };
  const { writeFileSync, mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const dir = mkdtempSync('/tmp/pf-explain-');
  writeFileSync(`${dir}/mail.log`, `Dec  2 13:00:00 mx postfix/smtpd[1]: ${RELAY}\n`);
  assert.equal(runExplain(['-c', '/cfg', `${dir}/mail.log`], io), 0, err);
  assert.match(out, /mail\.log:1: reject RCPT from unknown\[203\.0\.113\.5\] <a@b\.example> → <v@elsewhere\.example>: 554 5\.7\.1/);
  assert.match(out, /explained: reject_unauth_destination in smtpd_relay_restrictions \(\/cfg\/main\.cf:6:\d+\), service smtp\/inet/);
  assert.match(out, /Rejects by restriction:\n\s+1  reject_unauth_destination in smtpd_relay_restrictions/);
  writeFileSync(`${dir}/mail.log`, 'x postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[203.0.113.5]: 550 5.1.1 <v@elsewhere.example>: nope; from=<a@b.example> to=<v@elsewhere.example> proto=ESMTP helo=<h>\n');
  out = '';
  assert.equal(runExplain(['-c', '/cfg', `${dir}/mail.log`], io), 1);
  assert.match(out, /not reproduced: today's configuration answers REJECT at RCPT: 554 5\.7\.1/);
  assert.equal(runExplain(['-c', '/nonexistent', `${dir}/mail.log`], io), 2);
  assert.equal(runExplain(['--bogus'], io), 2);
});

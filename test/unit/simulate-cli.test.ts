// `postfix-lint simulate`: arguments, output formats, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulate } from '../../server/src/cli/simulate';
import type { FileReader } from '../../server/src/engine/types';

const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = example.test
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
`;
const MASTER = `smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:2525 inet n - n - - smtpd
  -o smtpd_relay_restrictions=reject
`;

function run(args: string[], files: Record<string, string> = { '/cfg/main.cf': MAIN, '/cfg/master.cf': MASTER }) {
  const reader: FileReader = { readText: (p) => files[p] };
  let stdout = '';
  let stderr = '';
  const code = runSimulate(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader });
  return { code, stdout, stderr };
}

test('text output names verdict, reply, decisive restriction and its location', () => {
  const r = run(['simulate', '-c', '/cfg', '--client', '203.0.113.5', '--helo', 'mail.outside.example', '--from', 'a@outside.example', '--to', 'v@ext.example']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Service: {2}smtp\/inet$/m);
  assert.match(r.stdout, /^Verdict: {2}REJECT at RCPT TO \(smtpd_relay_restrictions\)$/m);
  assert.match(r.stdout, /^Reply: {4}554 5\.7\.1 <v@ext\.example>: Relay access denied$/m);
  const line = MAIN.split('\n')[5];
  assert.ok(r.stdout.includes(`(/cfg/main.cf:6:${line.indexOf('reject_unauth_destination') + 1})`), r.stdout);
});

test('json output is the SimulationResult; accepted mail exits 0', () => {
  const r = run(['-c', '/cfg', '--service', 'submission', '--client', '203.0.113.5,mail.outside.example', '--sasl-user', 'alice', '--from', 'a@example.test', '--to', 'v@ext.example', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verdict, 'accept');
  assert.equal(j.service, 'submission/inet');
  assert.equal(j.reply.line, '250 2.1.5 Ok');
  assert.ok(Array.isArray(j.trace) && j.trace.some((t: { restriction: string; result: string }) => t.restriction === 'permit_sasl_authenticated' && t.result === 'permit'));
});

test('services are named as master.cf writes them, including host:port', () => {
  const r = run(['-c', '/cfg', '--service', '127.0.0.1:2525', '--client', '127.0.0.1', '--from', '<>', '--to', 'root@example.test', '--format', 'json']);
  const j = JSON.parse(r.stdout);
  assert.equal(j.service, '127.0.0.1:2525/inet');
  assert.equal(j.reply.line, '554 5.7.1 <root@example.test>: Recipient address rejected: Access denied');
});

test('assumption options reach the simulator', () => {
  const files = { '/cfg/main.cf': `${MAIN}smtpd_client_restrictions = reject_rbl_client zen.example\n` };
  const plain = run(['-c', '/cfg', '--client', '203.0.113.5', '--from', 'a@outside.example', '--to', 'root@example.test'], files);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^Assumptions:$/m);
  const listed = run(['-c', '/cfg', '--client', '203.0.113.5', '--from', 'a@outside.example', '--to', 'root@example.test', '--assume-listed', 'zen.example'], files);
  assert.equal(listed.code, 1);
  assert.match(listed.stdout, /Reply: {4}554 5\.7\.1 Service unavailable; Client host \[203\.0\.113\.5\] blocked using zen\.example/);
});

test('--matrix prints every smtpd service and exits 1 on an open relay', () => {
  const safe = run(['-c', '/cfg', '--matrix']);
  assert.equal(safe.code, 0, safe.stdout);
  for (const s of ['smtp/inet', 'submission/inet', '127.0.0.1:2525/inet']) assert.match(safe.stdout, new RegExp(`^${s.replace(/[./]/g, '\\$&')}$`, 'm'));
  assert.match(safe.stdout, /No open relay/);
  const open = run(['-c', '/cfg', '--matrix', '--format', 'json'], { '/cfg/main.cf': MAIN.replace('mynetworks = 127.0.0.0/8', 'mynetworks = 0.0.0.0/0') });
  assert.equal(open.code, 1);
  assert.equal(JSON.parse(open.stdout).openRelay, true);
});

test('no main.cf is fatal in postconf\'s words, exit 1', () => {
  const r = run(['-c', '/nowhere', '--client', '1.2.3.4', '--from', '', '--to', 'x@y.example']);
  assert.deepEqual([r.code, r.stderr], [1, 'postfix-lint simulate: fatal: open /nowhere/main.cf: No such file or directory\n']);
});

test('usage errors exit 2', () => {
  assert.equal(run(['-c', '/cfg', '--from', 'a@b.example', '--to', 'c@d.example']).code, 2);
  assert.equal(run(['-c', '/cfg', '--client', '1.2.3.4', '--to', 'c@d.example']).code, 2);
  const svc = run(['-c', '/cfg', '--service', 'nosuch', '--client', '1.2.3.4', '--from', 'a@b.example', '--to', 'c@d.example']);
  assert.equal(svc.code, 2);
  assert.match(svc.stderr, /no smtpd service named "nosuch"/);
  assert.equal(run(['-c', '/cfg', '--client', 'not-an-ip', '--from', 'a@b.example', '--to', 'c@d.example']).code, 2);
});

test('without --helo the client greets (with its hostname, else its address literal) and the trace says so; --no-helo asks the other question', () => {
  const files = { '/cfg/main.cf': `${MAIN}smtpd_helo_required = yes\n`, '/cfg/master.cf': MASTER };
  const greets = run(['-c', '/cfg', '--client', '203.0.113.5', '--from', 'a@outside.example', '--to', 'root@example.test', '--format', 'json'], files);
  assert.equal(greets.code, 0, greets.stdout);
  const trace = JSON.parse(greets.stdout).trace;
  assert.deepEqual([trace[0].stage, trace[0].restriction, trace[0].result], ['helo', 'EHLO [203.0.113.5]', 'note']);
  assert.match(trace[0].why, /no --helo given: the client greets with EHLO \[203\.0\.113\.5\].*--no-helo/);
  const named = run(['-c', '/cfg', '--client', '2001:db8::5,mail.outside.example', '--from', 'a@outside.example', '--to', 'root@example.test'], files);
  assert.match(named.stdout, /^Client: {3}mail\.outside\.example\[2001:db8::5\], HELO mail\.outside\.example$/m);
  assert.match(run(['-c', '/cfg', '--client', '2001:db8::5', '--from', 'a@outside.example', '--to', 'root@example.test'], files).stdout, /HELO \[IPv6:2001:db8::5\]/);
  const silent = run(['-c', '/cfg', '--client', '203.0.113.5', '--no-helo', '--from', 'a@outside.example', '--to', 'root@example.test'], files);
  assert.equal(silent.code, 1);
  assert.match(silent.stdout, /^Reply: {4}503 5\.5\.1 Error: send HELO\/EHLO first$/m);
  assert.doesNotMatch(silent.stdout, /no --helo given/);
  assert.equal(run(['-c', '/cfg', '--client', '203.0.113.5', '--helo', 'x.example', '--no-helo', '--from', 'a@b.example', '--to', 'c@d.example'], files).code, 2);
});

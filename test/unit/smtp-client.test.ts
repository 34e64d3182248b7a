// The --against SMTP client on its own: what it does when a server hangs,
// hangs up, refuses XCLIENT or is not there. These are the client's
// behaviours, so the counterpart is a scripted socket server; what a real
// smtpd answers is test/oracle/simulate-against-live.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { playTransaction, xtext, type SmtpTarget } from '../../server/src/cli/smtp-client';
import { parseAgainst, tlsFor } from '../../server/src/cli/against';
import { findSmtpdService, loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';

const TX = { clientAddress: '203.0.113.5', helo: 'mail.example', sender: 'a@example', recipients: ['b@example'] };

/** A server that answers each command line with script(command) (undefined: stay silent). */
async function scripted(greeting: string | undefined, script: (cmd: string, s: Socket) => string | undefined): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((s) => {
    s.setEncoding('latin1');
    if (greeting !== undefined) s.write(greeting);
    let buf = '';
    s.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const cmd = buf.slice(0, i);
        buf = buf.slice(i + 2);
        seen.push(cmd);
        const r = script(cmd, s);
        if (r !== undefined) s.write(r);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, seen };
}

const target = (port: number, timeoutS = 1): SmtpTarget => ({ host: '127.0.0.1', port, tls: 'none', timeoutS });

test('a server that never greets is reported as a timeout, with what was awaited', async () => {
  const { server, port } = await scripted(undefined, () => undefined);
  try {
    const o = await playTransaction(target(port), TX);
    assert.equal(o.kind, 'timeout');
    assert.ok(o.kind === 'timeout' && /greeting/.test(o.waitingFor) && o.seconds === 1, JSON.stringify(o));
  } finally {
    server.close();
  }
});

test('a server that stops answering after RCPT TO is a timeout there, not a reply', async () => {
  const { server, port } = await scripted('220 fake ESMTP\r\n', (cmd) =>
    cmd.startsWith('EHLO') ? '250-fake\r\n250 XCLIENT ADDR NAME\r\n' : cmd.startsWith('XCLIENT') ? '220 fake ESMTP\r\n' : cmd.startsWith('MAIL') ? '250 2.1.0 Ok\r\n' : undefined,
  );
  try {
    const o = await playTransaction(target(port), TX);
    assert.equal(o.kind, 'timeout', JSON.stringify(o));
    assert.ok(o.kind === 'timeout' && o.waitingFor === 'the reply to RCPT');
  } finally {
    server.close();
  }
});

test('XCLIENT not offered, or refused with 550 5.7.0: names smtpd_authorized_xclient_hosts and sends no MAIL FROM', async () => {
  for (const offer of [false, true]) {
    const { server, port, seen } = await scripted('220 fake ESMTP\r\n', (cmd) =>
      cmd.startsWith('EHLO') ? `250-fake\r\n250 ${offer ? 'XCLIENT ADDR' : 'PIPELINING'}\r\n` : cmd.startsWith('XCLIENT') ? '550 5.7.0 Error: insufficient authorization\r\n' : cmd === 'QUIT' ? '221 Bye\r\n' : '250 Ok\r\n',
    );
    try {
      const o = await playTransaction(target(port), TX);
      assert.equal(o.kind, 'xclient-refused', JSON.stringify(o));
      assert.ok(o.kind === 'xclient-refused' && /smtpd_authorized_xclient_hosts/.test(o.message));
      assert.ok(!seen.some((c) => c.startsWith('MAIL')), seen.join('|'));
    } finally {
      server.close();
    }
  }
});

test('the dialogue ends with RSET and QUIT after RCPT TO, never DATA; every recipient reply is kept', async () => {
  const { server, port, seen } = await scripted('220 fake ESMTP\r\n', (cmd) =>
    cmd.startsWith('EHLO') ? '250-fake\r\n250 XCLIENT ADDR NAME\r\n' : cmd.startsWith('XCLIENT') ? '220 fake ESMTP\r\n' : cmd.startsWith('RCPT TO:<b@') ? '554 5.7.1 <b@example>: Relay access denied\r\n' : cmd === 'QUIT' ? '221 2.0.0 Bye\r\n' : '250 2.1.5 Ok\r\n',
  );
  try {
    const o = await playTransaction(target(port), { ...TX, clientName: 'mail.example', saslUser: 'a b=c', recipients: ['b@example', 'c@example'] });
    assert.equal(o.kind, 'replied');
    assert.ok(o.kind === 'replied');
    assert.deepEqual(o.rcpt.map((r) => r.code), [554, 250]);
    assert.equal(o.reply.line, '250 2.1.5 Ok');
    assert.deepEqual(seen.map((c) => c.split(' ')[0]), ['EHLO', 'XCLIENT', 'EHLO', 'MAIL', 'RCPT', 'RCPT', 'RSET', 'QUIT']);
    assert.equal(seen[1], 'XCLIENT ADDR=203.0.113.5 NAME=mail.example REVERSE_NAME=mail.example LOGIN=a+20b+3Dc');
  } finally {
    server.close();
  }
});

test('nothing listening: an error that says the connection failed', async () => {
  const { server, port } = await scripted(undefined, () => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  const o = await playTransaction(target(port), TX);
  assert.equal(o.kind, 'error');
  assert.ok(o.kind === 'error' && /^cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/.test(o.message), JSON.stringify(o));
});

test('xtext and --against parsing', () => {
  assert.equal(xtext('IPv6:2001:db8::1'), 'IPv6:2001:db8::1');
  assert.equal(xtext('[UNAVAILABLE]'), '[UNAVAILABLE]');
  assert.equal(xtext('a+b=c'), 'a+2Bb+3Dc');
  assert.deepEqual(parseAgainst('mx.example:25'), { service: undefined, host: 'mx.example', port: 25 });
  assert.deepEqual(parseAgainst('submission=[2001:db8::1]:587'), { service: 'submission', host: '2001:db8::1', port: 587 });
  assert.equal(parseAgainst('mx.example'), undefined);
  assert.equal(parseAgainst('mx.example:70000'), undefined);
});

test('the live client speaks TLS exactly where the simulation assumes the client does', () => {
  const cases: [string, string, SmtpTarget['tls']][] = [
    ['', '', 'none'],
    ['smtpd_tls_security_level = may\n', '', 'none'],
    ['smtpd_tls_security_level = encrypt\n', '', 'starttls'],
    // The obsolete switch counts only while no security level is set (Postfix ignores it then).
    ['smtpd_enforce_tls = yes\n', '', 'starttls'],
    ['smtpd_tls_security_level = may\nsmtpd_enforce_tls = yes\n', '', 'none'],
    ['', ' -o smtpd_tls_wrappermode=yes', 'implicit'],
  ];
  for (const [main, option, want] of cases) {
    const files: Record<string, string> = {
      '/etc/postfix/main.cf': `compatibility_level = 3.6\n${main}`,
      '/etc/postfix/master.cf': `smtp inet n - y - - smtpd${option}\n`,
    };
    const config = loadSimConfig('/etc/postfix', { readText: (p) => files[p] });
    const service = findSmtpdService(config, 'smtp').service;
    const sim = simulateTransaction(config, { service: 'smtp', client: { address: '203.0.113.5' }, helo: 'x.example', sender: 'a@x.example', recipients: ['b@y.example'] });
    const assumesTls = sim.assumptions.some((a) => a.option === 'tls');
    assert.equal(tlsFor(config, service, {}), want, `${main}${option}`);
    assert.equal(want !== 'none', assumesTls, `the simulation of ${main}${option}`);
  }
});

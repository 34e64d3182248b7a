// Warning, error and fatal lines of a Postfix log explained: what each means,
// whether the configuration caused it, and the finding that says where. The
// lines below are Postfix 3.7's own output (written by the live smtpd of
// test/oracle/explain-live.test.ts, which proves the common ones live), and
// the DNS one follows smtpd's format string "hostname %s does not resolve to
// address %s: %s", which needs a resolver the test machine lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainWarning, explainWarnings, parseLogWarning, summarizeWarnings } from '../../server/src/engine/review/log-warning';
import { lintTargets } from '../../server/src/engine/lint';
import { fsReader } from '../../server/src/cli/main';
import { runExplain } from '../../server/src/cli/explain';

test('warning, error and fatal lines of any program, in any log format; other lines are not warnings', () => {
  const w = parseLogWarning("2026-12-02T13:00:01.123+00:00 mx postfix/submission/smtpd[77]: warning: restriction `reject' after `permit' is ignored", 3);
  assert.deepEqual(w && [w.line, w.program, w.severity, w.text], [3, 'postfix/submission/smtpd', 'warning', "restriction `reject' after `permit' is ignored"]);
  assert.equal(parseLogWarning('Dec  3 mx postfix/smtpd[1]: fatal: restriction class `x\' needs a definition')?.severity, 'fatal');
  assert.equal(parseLogWarning('Dec  3 mx postfix/smtpd[1]: error: open database /e/a.db: No such file or directory')?.severity, 'error');
  for (const other of [
    'Dec  3 mx postfix/smtpd[1]: connect from unknown[192.0.2.1]',
    'Dec  3 mx postfix/smtpd[1]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.1]: 554 5.7.1 x; from=<a> to=<b> proto=ESMTP helo=<h>',
    'Dec  3 mx postfix/smtpd[1]: 4XyZ: warn: RCPT from unknown[192.0.2.1]: watch; from=<a> to=<b> proto=ESMTP helo=<h>',
    '',
  ]) {
    assert.equal(parseLogWarning(other), undefined, other);
  }
});

test('each kind: its origin, the client and what it is about', () => {
  const cases: [string, string, string, string | undefined][] = [
    ['warning: hostname mail.example.net does not resolve to address 198.51.100.7: Name or service not known', 'hostname-address-mismatch', 'dns', 'unknown[198.51.100.7]'],
    ['warning: hostname mail.example.net does not resolve to address 198.51.100.7', 'hostname-address-mismatch', 'dns', 'unknown[198.51.100.7]'],
    ['warning: Illegal address syntax from unknown[203.0.113.5] in MAIL command: <a b@outside.example>', 'illegal-address-syntax', 'client', 'unknown[203.0.113.5]'],
    ['warning: non-SMTP command from localhost[127.0.0.1]: GET / HTTP/1.0', 'non-smtp-command', 'client', 'localhost[127.0.0.1]'],
    ['warning: localhost[127.0.0.1]: SASL LOGIN authentication failed: Authentication failed, sasl_username=alice', 'sasl-authentication-failed', 'client', 'localhost[127.0.0.1]'],
    ['warning: unknown[192.0.2.9]: SASL PLAIN authentication failed: ', 'sasl-authentication-failed', 'client', 'unknown[192.0.2.9]'],
    ['warning: Connection rate limit exceeded: 31 from unknown[192.0.2.9] for service smtp', 'rate-limit-exceeded', 'operational', 'unknown[192.0.2.9]'],
    ["warning: restriction `reject_non_fqdn_helo_hostname' after `permit' is ignored", 'restriction-ignored', 'configuration', undefined],
    ['warning: unknown smtpd restriction: "reject_unknwon_sender_domain"', 'unknown-restriction', 'configuration', undefined],
    ['warning: hash:/etc/postfix/nosuch is unavailable. open database /etc/postfix/nosuch.db: No such file or directory', 'table-unavailable', 'configuration', undefined],
    ['warning: hash:/etc/postfix/nosuch lookup error for "someone@outside.example"', 'table-lookup-error', 'configuration', undefined],
    ['error: open database /etc/postfix/nosuch.db: No such file or directory', 'table-open-failed', 'configuration', undefined],
    ['warning: database /etc/postfix/senders.db is older than source file /etc/postfix/senders', 'table-older-than-source', 'configuration', undefined],
    ['warning: process /usr/lib/postfix/sbin/smtpd pid 408 exit status 1', 'daemon-exit', 'operational', undefined],
    ['warning: /usr/lib/postfix/sbin/smtpd: bad command startup -- throttling', 'daemon-throttled', 'operational', undefined],
    ['warning: something new in a later Postfix', 'other', 'unknown', undefined],
  ];
  for (const [line, kind, origin, client] of cases) {
    const x = explainWarning(parseLogWarning(`Dec  3 10:38:15 mx postfix/smtpd[757]: ${line}`)!);
    assert.deepEqual([x.kind, x.origin, x.client], [kind, origin, client], line);
    assert.ok(x.meaning.length > 20, line);
  }
  const dns = explainWarning(parseLogWarning('x postfix/smtpd[1]: warning: hostname mail.example.net does not resolve to address 198.51.100.7: Name or service not known')!);
  assert.match(dns.meaning, /not the configuration/);
  assert.equal(explainWarning(parseLogWarning('x postfix/smtpd[1]: warning: database /e/s.db is older than source file /e/s')!).subject, '/e/s');
});

test("configuration lines point at today's finding for the same mistake, or say there is none", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-logwarn-'));
  try {
    writeFileSync(
      join(dir, 'main.cf'),
      [
        'compatibility_level = 3.6',
        'mydestination = example.test',
        'smtpd_helo_restrictions = permit, reject_non_fqdn_helo_hostname',
        'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/nosuch',
        'smtpd_recipient_restrictions = reject_unknwon_sender_domain, reject_unauth_destination',
        'smtpd_restriction_classes = nodef',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'master.cf'), 'smtp inet n - n - - smtpd\nold inet n - n - - smtpd\n  -o smtpd_sender_restrictions=check_sender_access hash:/etc/postfix/senders\n');
    const findings = lintTargets([dir], fsReader, { mode: 'live' }).problems;
    const log = [
      "Dec  3 10:38:15 mx postfix/smtpd[757]: warning: restriction `reject_non_fqdn_helo_hostname' after `permit' is ignored",
      'Dec  3 10:38:15 mx postfix/smtpd[757]: warning: hash:/etc/postfix/nosuch is unavailable. open database /etc/postfix/nosuch.db: No such file or directory',
      'Dec  3 10:38:15 mx postfix/smtpd[758]: warning: unknown smtpd restriction: "reject_unknwon_sender_domain"',
      "Dec  3 10:37:55 mx postfix/smtpd[408]: fatal: restriction class `nodef' needs a definition",
      'Dec  3 10:37:25 mx postfix/smtpd[32173]: fatal: unexpected command-line argument: hash:/etc/postfix/senders',
      'Dec  3 10:38:16 mx postfix/smtpd[758]: warning: unknown smtpd restriction: "reject_unverified_sendr"',
      "Dec  3 10:38:17 mx postfix/smtpd[759]: warning: restriction `reject_non_fqdn_helo_hostname' after `permit' is ignored",
    ].join('\n');
    const xs = explainWarnings(log, findings);
    const at = (i: number) => xs[i].findings.map((f) => `${f.code} ${f.file.slice(dir.length + 1)}:${f.line}`);
    assert.deepEqual(at(0), ['PF401 main.cf:3']);
    assert.deepEqual(at(1), ['PF374 main.cf:4']);
    assert.deepEqual(at(2), ['PF402 main.cf:5']);
    assert.deepEqual(at(3), ['PF403 main.cf:6']);
    // A fatal the engine's finding quotes word for word.
    assert.equal(xs[4].kind, 'quoted-by-finding');
    assert.deepEqual(at(4), ['PF209 master.cf:3']);
    // Logged by an older configuration: no finding today, and it says so.
    assert.deepEqual(at(5), []);
    assert.match(xs[5].note ?? '', /fixed since/);
    assert.equal(xs[6].warning.line, 6, 'a repeated warning keeps its own line');
    assert.deepEqual(at(6), ['PF401 main.cf:3']);
    const s = summarizeWarnings(xs);
    assert.deepEqual(s.byKind[0], { kind: 'restriction-ignored', origin: 'configuration', count: 2 });
    assert.equal(s.byKind.reduce((n, k) => n + k.count, 0), 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: warnings among the decisions, in log order, and counted in the summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-logwarn-cli-'));
  try {
    writeFileSync(join(dir, 'main.cf'), 'compatibility_level = 3.6\nmydestination = example.test\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nsmtpd_helo_restrictions = permit, reject_non_fqdn_helo_hostname\n');
    writeFileSync(join(dir, 'master.cf'), 'smtp inet n - n - - smtpd\n');
    writeFileSync(
      join(dir, 'mail.log'),
      [
        'Dec  3 10:38:15 mx postfix/smtpd[1]: warning: hostname mail.example.net does not resolve to address 198.51.100.7: Name or service not known',
        'Dec  3 10:38:15 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 554 5.7.1 <v@elsewhere.example>: Relay access denied; from=<a@b.example> to=<v@elsewhere.example> proto=ESMTP helo=<mail.example.net>',
        "Dec  3 10:38:16 mx postfix/smtpd[1]: warning: restriction `reject_non_fqdn_helo_hostname' after `permit' is ignored",
        'Dec  3 10:38:17 mx postfix/smtpd[1]: warning: unknown[198.51.100.7]: SASL LOGIN authentication failed: authentication failure, sasl_username=bob',
        '',
      ].join('\n'),
    );
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), reader: fsReader };
    assert.equal(runExplain(['-c', dir, '--live', join(dir, 'mail.log')], io), 0, err);
    const heads = out.split('\n').filter((l) => /mail\.log:\d+: /.test(l)).map((l) => /mail\.log:(\d+): (\w+)/.exec(l)!.slice(1).join(' '));
    assert.deepEqual(heads, ['1 warning', '2 reject', '3 warning', '4 warning']);
    assert.match(out, /mail\.log:1: warning from postfix\/smtpd: hostname mail\.example\.net .*\n {2}not from the configuration \(DNS\): /);
    assert.match(out, /mail\.log:3: warning from postfix\/smtpd: restriction .*\n {2}from the configuration: .*\n {2}see [^\n]*main\.cf:5:\d+: warning PF401: /);
    assert.match(out, /3 warnings read: 1 dns, 1 configuration, 1 client/);
    assert.match(out, /Warnings by kind:\n( +1 {2}\S+ \(\w+\)\n){3}/);
    assert.match(out, /Warnings by client:\n +2 {2}unknown\[198\.51\.100\.7\]/);
    out = '';
    assert.equal(runExplain(['-c', dir, '--live', '--format', 'json', join(dir, 'mail.log')], io), 0, err);
    const json = JSON.parse(out);
    assert.deepEqual(json.warnings.map((w: { kind: string }) => w.kind), ['hostname-address-mismatch', 'restriction-ignored', 'sasl-authentication-failed']);
    assert.equal(json.summary.warnings.byKind.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Live proof of the seed-mistake rules PF544 (reject_unknown_client_hostname
// on port 25), PF545 (broken_sasl_auth_clients = yes), PF546 (snakeoil
// certificate), PF547 (one client may hold every smtpd process) and PF509
// (TLS required on port 25), as the other intent
// rules are proven: each configuration is deployed as an admin would (Debian's
// master.cf, port 25 on every interface), linted there, and run as a private
// smtpd of the shared harness (test copy, test/helpers/live-deploy.ts);
// clients are impersonated with XCLIENT, SASL logins go to a fake Dovecot auth
// socket. Before the fix smtpd shows what the rule says; the rule's own quick
// fix is applied to the deployed files, real postconf -n and postfix check
// show no new warning, and the restarted smtpd behaves as the rule promised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, sharedDir } from '../helpers/env';
import { Deployment } from '../helpers/live-deploy';
import { describeRun, runTool, selfSignedCert, smtpSession, REPLY_S, type LiveResult } from '../helpers/live-postfix';
import { recipeFix, recipeForCode } from '../../server/src/engine/recipes';
import { RuleContext } from '../../server/src/engine/rules/context';
import { fsReader } from '../../server/src/cli/main';
import { loadConfig } from '../../server/src/engine/config';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import type { Problem } from '../../server/src/engine/types';

const VERSION = '3.7.11';
const debianMaster = () => readFileSync(join(sharedDir, 'corpus', 'debian-postfix-3.7', 'master.cf.dist'), 'utf8');
const BASE_MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = $myhostname, example.test, localhost
mynetworks = 127.0.0.0/8
inet_interfaces = all
`;
const OUTSIDE = '203.0.113.5';
const USERS = { alice: 'secret' };

function lint(d: Deployment, code: string): Problem[] {
  return runRules(loadConfig(d.dir, fsReader, { version: VERSION, mode: 'live' }), fsReader).filter((p) => p.code === code);
}

/** Applies the one finding's first fix to the deployed files and restarts: no new warning from real Postfix. */
async function fixAndRestart(d: Deployment, p: Problem, before: string[], fix = p.fixes?.[0]): Promise<void> {
  assert.ok(fix && fix.edits.length, `${p.code} has a quick fix`);
  for (const file of new Set(fix.edits.map((e) => e.file))) {
    const name = file.slice(d.dir.length + 1);
    d.write(name, applyTextEdits(d.read(name)!, fix.edits.filter((e) => e.file === file)));
  }
  const after = await d.restart();
  assert.equal(after.code, 0, `postconf -n after the ${p.code} fix: ${after.warnings.join('\n')}`);
  assert.deepEqual(after.warnings.filter((w) => !before.includes(w)), [], `new warnings after the ${p.code} fix:\n${d.read('main.cf')}`);
}

const line = (r: LiveResult) => r.rcpt[0]?.line ?? r.reply?.line ?? `(no reply) ${r.transcript}`;

test('live: PF544 and PF545 agree with a real smtpd before and after their quick fix', { concurrency: true }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf', 'swaks', 'script'], root: true })) return;

  // PF544, in main.cf and (old name) in a master.cf -o override of the smtp service.
  const pf544 = [
    { where: 'main.cf', main: `${BASE_MAIN}smtpd_client_restrictions = permit_mynetworks, reject_unknown_client_hostname\n`, master: debianMaster(), word: 'reject_unknown_client_hostname' },
    {
      where: 'master.cf',
      main: BASE_MAIN,
      master: debianMaster().replace(/^smtp\s+inet\s.*\n/m, (l) => `${l}  -o smtpd_client_restrictions=permit_mynetworks,reject_unknown_client\n`),
      word: 'reject_unknown_client',
    },
  ];
  const jobs = pf544.map((s) =>
    t.test(`PF544 in ${s.where}`, async () => {
      const d = new Deployment(`pf544-${s.where}`, { main: s.main, master: s.master });
      try {
        const start = await d.restart();
        assert.equal(start.code, 0, start.warnings.join('\n'));
        const found = lint(d, 'PF544');
        assert.equal(found.length, 1, `one PF544: ${found.map((p) => p.message).join(' | ')}`);
        assert.ok(found[0].file.endsWith(s.where), `reported in ${s.where}`);
        assert.match(found[0].message, new RegExp(`^${s.word} on `));
        // The code the message names is the one smtpd answers below.
        assert.match(found[0].message, /\(450 4\.7\.25, unknown_client_reject_code;/);
        // A server with a PTR record whose name does not resolve back (forward lookup failed): what PF544 says it costs.
        const mismatched = { addr: OUTSIDE, name: '[UNAVAILABLE]', reverseName: 'mail.elsewhere.example', helo: 'mail.elsewhere.example', sender: 'someone@elsewhere.example', to: 'postmaster@example.test' };
        const noPtr = { ...mismatched, reverseName: '[UNAVAILABLE]' };
        const named = { ...mismatched, name: 'mail.elsewhere.example' };
        const [b1, b2, b3] = await Promise.all([d.xclient(25, mismatched), d.xclient(25, noPtr), d.xclient(25, named)]);
        assert.match(line(b1), /^450 4\.7\.25 Client host rejected: cannot find your hostname/, `before: PTR without matching forward lookup refused\n${b1.transcript}`);
        assert.match(line(b2), /^450 4\.7\.25 /, `before: no PTR refused\n${b2.transcript}`);
        assert.match(line(b3), /^250 /, `before: a fully named server accepted\n${b3.transcript}`);
        await fixAndRestart(d, found[0], start.warnings);
        assert.match(d.read(s.where)!, /reject_unknown_reverse_client_hostname/);
        assert.deepEqual(lint(d, 'PF544'), [], 'PF544 gone after its fix');
        const [a1, a2, a3] = await Promise.all([d.xclient(25, mismatched), d.xclient(25, noPtr), d.xclient(25, named)]);
        assert.match(line(a1), /^250 /, `after: PTR without matching forward lookup accepted\n${a1.transcript}\n${d.recentLog()}`);
        assert.match(line(a2), /^450 4\.7\.1 Client host rejected: cannot find your reverse hostname/, `after: no PTR still refused\n${a2.transcript}`);
        assert.match(line(a3), /^250 /, `after: a fully named server accepted\n${a3.transcript}`);
        t.diagnostic(`PF544 (${s.where}): PTR without forward match ${line(b1).slice(0, 3)} → ${line(a1).slice(0, 3)}; no PTR ${line(b2).slice(0, 3)} → ${line(a2).slice(0, 3)}; named 250 → 250`);
      } finally {
        await d.dispose();
      }
    }),
  );

  // PF545 in main.cf (seed 000's SASL block, with Dovecot) and as a -o override of a submission service.
  const sasl = 'smtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\n';
  const pf545 = [
    { where: 'main.cf', port: 25, main: `${BASE_MAIN}${sasl}smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous\nbroken_sasl_auth_clients = yes\n`, master: debianMaster() },
    {
      where: 'master.cf',
      port: 587,
      main: `${BASE_MAIN}${sasl}`,
      master: `${debianMaster()}submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_sasl_auth_enable=yes\n  -o broken_sasl_auth_clients=yes\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n`,
    },
  ];
  jobs.push(
    ...pf545.map((s) =>
      t.test(`PF545 in ${s.where}`, async () => {
        const d = new Deployment(`pf545-${s.where}`, { main: s.main, master: s.master });
        try {
          const start = await d.restart();
          assert.equal(start.code, 0, start.warnings.join('\n'));
          await d.inst.serveDovecotAuth(USERS);
          const found = lint(d, 'PF545');
          assert.equal(found.length, 1, `one PF545: ${found.map((p) => p.message).join(' | ')}`);
          assert.ok(found[0].file.endsWith(s.where), `reported in ${s.where}`);
          const before = await d.ehlo(s.port);
          assert.ok(before.includes('AUTH PLAIN LOGIN'), `before: AUTH announced: ${before.join(' | ')}\n${d.recentLog()}`);
          assert.ok(before.includes('AUTH=PLAIN LOGIN'), `before: the pre-standard AUTH= line too: ${before.join(' | ')}`);
          // The announcement is real: a login succeeds, a wrong password fails (smtpd asks the Dovecot socket).
          assert.match(await d.auth(s.port, 'PLAIN', 'alice', 'secret'), /^235 2\.7\.0 /);
          assert.match(await d.auth(s.port, 'LOGIN', 'alice', 'wrong'), /^535 5\.7\.8 /);
          await fixAndRestart(d, found[0], start.warnings);
          assert.match(d.read(s.where)!, /broken_sasl_auth_clients\s*=\s*no/);
          assert.deepEqual(lint(d, 'PF545'), [], 'PF545 gone after its fix');
          const after = await d.ehlo(s.port);
          assert.ok(after.includes('AUTH PLAIN LOGIN'), `after: AUTH still announced: ${after.join(' | ')}`);
          assert.ok(!after.some((l) => /^AUTH=/i.test(l)), `after: no AUTH= line: ${after.join(' | ')}`);
          assert.match(await d.auth(s.port, 'LOGIN', 'alice', 'secret'), /^235 2\.7\.0 /, 'after: logins still work');
          t.diagnostic(`PF545 (${s.where}, port ${s.port}): EHLO ${before.filter((l) => /^AUTH/.test(l)).join(' + ')} → ${after.filter((l) => /^AUTH/.test(l)).join(' + ')}; AUTH 235 before and after`);
        } finally {
          await d.dispose();
        }
      }),
    ),
  );
  await Promise.all(jobs);
});

/** Waits until the deployment's log since its start matches `re` (an event, not a delay); a timeout says so. */
async function logShows(d: Deployment, re: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + REPLY_S * 1000;
  for (;;) {
    const m = re.exec(d.recentLog());
    if (m) return m[0];
    if (Date.now() > deadline) throw new Error(`${d.label}: ${what}: not in the maillog within ${REPLY_S} s (timed out)\n${d.recentLog().split('\n').slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A test CA with a certificate for mx.example.test, and a self-signed "snakeoil" pair named as Debian's ssl-cert package names it. */
async function certificates(dir: string): Promise<{ ca: string }> {
  const sh = `set -e; cd ${dir}; mkdir le
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=postfix-lint test CA' -keyout ca.key -out ca.crt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=mx.example.test -keyout le/privkey.pem -out leaf.csr
printf 'subjectAltName=DNS:mx.example.test\\n' > san.ext
openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out le/fullchain.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=debian-install-host -keyout ssl-cert-snakeoil.key -out ssl-cert-snakeoil.pem
chmod 600 ssl-cert-snakeoil.key le/privkey.pem 2>&1`;
  const r = await runTool('sh', ['-c', `(${sh}) 2>&1`]);
  if (r.code !== 0) throw new Error(describeRun('openssl (test certificates)', r));
  return { ca: readFileSync(join(dir, 'ca.crt'), 'latin1') };
}

test('live: PF546, PF547 and PF509 agree with a real smtpd before and after their fix', { concurrency: true }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf', 'swaks', 'script', 'openssl'], root: true })) return;
  const jobs: Promise<unknown>[] = [];

  // PF546: Debian's snakeoil pair on port 25 and on a submission service; the fix is the tls recipe with the admin's paths.
  jobs.push(
    t.test('PF546: snakeoil certificate → tls recipe with a CA-issued chain', async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'pf546-certs-'));
      const { ca } = await certificates(certDir);
      const LE = '/etc/letsencrypt/live/mx.example.test';
      const main = `${BASE_MAIN}smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_tls_security_level = may\n`;
      const master = `${debianMaster()}submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n`;
      // The test copy serves the deployed certificate settings, with production paths mapped to the generated files.
      const d = new Deployment('pf546', { main, master }, '', [
        [/\/etc\/ssl\/certs\/ssl-cert-snakeoil\.pem/g, join(certDir, 'ssl-cert-snakeoil.pem')],
        [/\/etc\/ssl\/private\/ssl-cert-snakeoil\.key/g, join(certDir, 'ssl-cert-snakeoil.key')],
        [new RegExp(LE.replace(/\./g, '\\.'), 'g'), join(certDir, 'le')],
      ]);
      try {
        const start = await d.restart();
        assert.equal(start.code, 0, start.warnings.join('\n'));
        const found = lint(d, 'PF546');
        assert.ok(found.length >= 1, 'PF546 reported');
        assert.ok(found.some((p) => p.severity === 'warning'), `a warning: the submission service serves it: ${found.map((p) => `${p.severity} ${p.message}`).join(' | ')}`);
        const [b25, b587] = await Promise.all([d.servedCertificate(25, ca, 'mx.example.test'), d.servedCertificate(587, ca, 'mx.example.test')]);
        for (const [port, b] of [[25, b25], [587, b587]] as const) {
          assert.equal(b.subject, 'debian-install-host', `before: port ${port} serves the snakeoil certificate`);
          assert.equal(b.authorized, false, `before: a verifying client refuses port ${port}'s certificate`);
          assert.match(b.error ?? '', /SELF_SIGNED/, `before: port ${port}: ${b.error}`);
        }
        // What the editor's "Apply recipe tls with your values…" builds, with the admin's paths.
        const recipe = recipeForCode('PF546');
        assert.equal(recipe, 'tls');
        const fix = recipeFix(new RuleContext(loadConfig(d.dir, fsReader, { version: VERSION, mode: 'live' }), fsReader), recipe!, { chain_files: `${LE}/privkey.pem, ${LE}/fullchain.pem` });
        await fixAndRestart(d, found[0], start.warnings, fix);
        assert.match(d.read('main.cf')!, /^smtpd_tls_chain_files = \/etc\/letsencrypt\/live\/mx\.example\.test\/privkey\.pem, \/etc\/letsencrypt\/live\/mx\.example\.test\/fullchain\.pem$/m);
        assert.doesNotMatch(d.read('main.cf')!, /snakeoil/, 'the snakeoil lines are gone');
        assert.deepEqual(lint(d, 'PF546'), [], 'PF546 gone after the recipe');
        const [a25, a587] = await Promise.all([d.servedCertificate(25, ca, 'mx.example.test'), d.servedCertificate(587, ca, 'mx.example.test')]);
        for (const [port, a] of [[25, a25], [587, a587]] as const) {
          assert.equal(a.authorized, true, `after: a verifying client accepts port ${port}'s certificate (${a.error}; ${a.subject})`);
          assert.deepEqual([a.subject, a.issuer], ['mx.example.test', 'postfix-lint test CA']);
        }
        // Port 25 still takes mail without TLS (may), submission still requires it (encrypt).
        const plain25 = await d.xclient(25, { addr: OUTSIDE, sender: 'someone@elsewhere.example', to: 'postmaster@example.test' });
        assert.match(line(plain25), /^250 /, plain25.transcript);
        const plain587 = await smtpSession(d.inst.host, 587, { service: '587', clientAddress: OUTSIDE, helo: 'client.example.test', sender: 'someone@elsewhere.example', recipients: ['postmaster@example.test'] }, 'none');
        assert.match(plain587.transcript, /530 5\.7\.0 Must issue a STARTTLS command first/, plain587.transcript);
        t.diagnostic(`PF546: ports 25 and 587 served CN=${b25.subject} (${b25.error}) → CN=${a25.subject} issued by ${a25.issuer}, verified`);
      } finally {
        await d.dispose();
        rmSync(certDir, { recursive: true, force: true });
      }
    }),
  );

  // PF547: port 25 with maxproc 4 and no per-client concurrency limit; the fix is the rate-limits recipe.
  jobs.push(
    t.test('PF547: one client holds every smtpd process → rate-limits recipe', async () => {
      const main = `${BASE_MAIN.replace('mynetworks = 127.0.0.0/8', 'mynetworks = 127.0.0.1/32')}smtpd_client_connection_count_limit = 0\n`;
      const master = debianMaster().replace(/^(smtp\s+inet\s+n\s+-\s+y\s+-\s+)-(\s+smtpd)/m, (_l, head: string, tail: string) => `${head}4${tail}`);
      assert.match(master, /^smtp\s+inet\s+n\s+-\s+y\s+-\s+4\s+smtpd/m);
      // Clients outside mynetworks (127.0.0.1/32), so that anvil counts them (smtpd_client_event_limit_exceptions = $mynetworks),
      // and not allowed XCLIENT either: smtpd exempts such hosts from its connection limits.
      const d = new Deployment('pf547', { main, master }, '', [[/^smtpd_authorized_xclient_hosts = .*$/m, 'smtpd_authorized_xclient_hosts = 127.0.0.1/32']]);
      const A = '127.0.0.2';
      const B = '127.0.0.3';
      const held: { close(): void }[] = [];
      try {
        const start = await d.restart();
        assert.equal(start.code, 0, start.warnings.join('\n'));
        const found = lint(d, 'PF547');
        assert.equal(found.length, 1, `one PF547: ${found.map((p) => p.message).join(' | ')}`);
        assert.match(found[0].message, /smtpd_client_connection_count_limit = 0 lets one client hold any number of them/);
        // Before: client A takes all 4 processes, client B gets none until A lets one go.
        const a = Array.from({ length: 4 }, () => d.hold(25, A));
        held.push(...a);
        const greetings = await Promise.all(a.map((c) => c.greeting));
        for (const g of greetings) assert.match(g, /^220 /, `before: A's connection greeted: ${g}\n${d.recentLog()}`);
        // The four smtpd processes (master.cf maxproc 4), each serving A.
        await logShows(d, /(connect from \S*\[127\.0\.0\.2\][\s\S]*){4}/, "four connects from A");
        const pidsOf = (addr: string) => new Set([...d.recentLog().matchAll(new RegExp(`postfix/smtpd\\[(\\d+)\\]: connect from \\S*\\[${addr.replace(/\./g, '\\.')}\\]`, 'g'))].map((m) => m[1]));
        const aPids = pidsOf(A);
        assert.equal(aPids.size, 4, `four smtpd processes serve A: ${[...aPids]}`);
        let bGreeted: string | undefined;
        const b = d.hold(25, B);
        held.push(b);
        void b.greeting.then((g) => (bGreeted = g));
        // A window for a greeting that should not come (the check that matters is the pid below).
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(bGreeted, undefined, 'before: B is not greeted while A holds every process');
        a[0].close();
        assert.match(await b.greeting, /^220 /, 'before: B is greeted once A lets one process go');
        await logShows(d, /connect from \S*\[127\.0\.0\.3\]/, 'the connect from B');
        const bPid = [...pidsOf(B)][0];
        assert.ok(aPids.has(bPid), `before: B was served by one of A's four processes (pid ${bPid}), not a fifth: it had to wait for A`);
        const limitLine = `A held all 4 smtpd processes; B waited and was served by A's freed process ${bPid}`;
        for (const c of held.splice(0)) c.close();

        await fixAndRestart(d, found[0], start.warnings);
        assert.deepEqual(lint(d, 'PF547'), [], 'PF547 gone after its fix');
        const pc = await runTool('postconf', ['-c', d.dir, '-h', 'smtpd_client_connection_count_limit', 'smtpd_client_connection_rate_limit', 'smtpd_client_message_rate_limit']);
        assert.equal(pc.code, 0, pc.out);
        assert.deepEqual(pc.out.trim().split('\n'), ['2', '60', '120'], 'postconf: half the 4 processes per client, and the rates');
        // After: A gets 2 processes, its third connection is refused; B is still served.
        const a2 = Array.from({ length: 2 }, () => d.hold(25, A));
        held.push(...a2);
        for (const g of await Promise.all(a2.map((c) => c.greeting))) assert.match(g, /^220 /, `after: A's first two connections greeted: ${g}`);
        const third = d.hold(25, A);
        held.push(third);
        const refused = await third.greeting;
        assert.match(refused, /^421 4\.7\.0 mx\.example\.test Error: too many connections from 127\.0\.0\.2$/, `after: A's third connection refused\n${d.recentLog()}`);
        await logShows(d, /warning: Connection concurrency limit exceeded: 3 from \S*\[127\.0\.0\.2\] for service \S+:25$/m, 'smtpd logs the concurrency limit');
        const b2 = d.hold(25, B);
        held.push(b2);
        assert.match(await b2.greeting, /^220 /, 'after: B is greeted while A holds its share');
        t.diagnostic(`PF547: before: ${limitLine}; after (count limit 2): A's third connection "${refused}", B greeted`);
      } finally {
        for (const c of held) c.close();
        await d.dispose();
      }
    }),
  );

  // PF509: TLS required in main.cf, so on port 25 too; the quick fix moves it to the submission service.
  jobs.push(
    t.test('PF509: encrypt on port 25 → may, encrypt kept on submission', async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'pf509-certs-'));
      const pem = await selfSignedCert(certDir);
      const main = `${BASE_MAIN}smtpd_tls_cert_file = /etc/postfix/mx.pem\nsmtpd_tls_key_file = $smtpd_tls_cert_file\nsmtpd_tls_security_level = encrypt\n`;
      const master = `${debianMaster()}submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n`;
      const d = new Deployment('pf509', { main, master }, pem);
      try {
        const start = await d.restart();
        assert.equal(start.code, 0, start.warnings.join('\n'));
        const found = lint(d, 'PF509');
        assert.equal(found.length, 1, `one PF509: ${found.map((p) => p.message).join(' | ')}`);
        const server = { addr: OUTSIDE, name: 'mail.elsewhere.example', sender: 'someone@elsewhere.example', to: 'postmaster@example.test' };
        // An Internet server without STARTTLS on port 25 (swaks speaks no TLS here).
        const before = await d.xclient(25, server);
        assert.match(before.transcript, /530 5\.7\.0 Must issue a STARTTLS command first/, `before: refused without TLS\n${before.transcript}`);
        assert.doesNotMatch(line(before), /^250 /);
        await fixAndRestart(d, found[0], start.warnings);
        assert.match(d.read('main.cf')!, /^smtpd_tls_security_level = may$/m);
        assert.match(d.read('master.cf')!, /-o smtpd_tls_security_level=encrypt/);
        assert.deepEqual(lint(d, 'PF509'), [], 'PF509 gone after its fix');
        const after = await d.xclient(25, server);
        assert.match(line(after), /^250 /, `after: port 25 takes the mail without TLS\n${after.transcript}\n${d.recentLog()}`);
        const plain587 = await smtpSession(d.inst.host, 587, { service: '587', clientAddress: OUTSIDE, helo: 'client.example.test', sender: 'someone@elsewhere.example', recipients: ['postmaster@example.test'] }, 'none');
        assert.match(plain587.transcript, /530 5\.7\.0 Must issue a STARTTLS command first/, `after: submission still requires TLS\n${plain587.transcript}`);
        const tls587 = await d.xclient(587, server);
        assert.match(line(tls587), /^250 /, `after: submission over STARTTLS\n${tls587.transcript}`);
        t.diagnostic(`PF509: port 25 without TLS "${line(before)}" → "${line(after)}"; port 587 without TLS 530 after, with STARTTLS 250`);
      } finally {
        await d.dispose();
        rmSync(certDir, { recursive: true, force: true });
      }
    }),
  );
  await Promise.all(jobs);
});

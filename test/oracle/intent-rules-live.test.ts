// Live proof of the seed-mistake rules PF544 (reject_unknown_client_hostname
// on port 25) and PF545 (broken_sasl_auth_clients = yes), as the other intent
// rules are proven: each configuration is deployed as an admin would (Debian's
// master.cf, port 25 on every interface), linted there, and run as a private
// smtpd of the shared harness (test copy, test/helpers/live-deploy.ts);
// clients are impersonated with XCLIENT, SASL logins go to a fake Dovecot auth
// socket. Before the fix smtpd shows what the rule says; the rule's own quick
// fix is applied to the deployed files, real postconf -n and postfix check
// show no new warning, and the restarted smtpd behaves as the rule promised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools, sharedDir } from '../helpers/env';
import { Deployment } from '../helpers/live-deploy';
import type { LiveResult } from '../helpers/live-postfix';
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
async function fixAndRestart(d: Deployment, p: Problem, before: string[]): Promise<void> {
  const fix = p.fixes?.[0];
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

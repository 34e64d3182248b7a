// Live oracle for the security rules: for each broken configuration,
// (a) a real Postfix 3.7.11 shows the problem is real (an outside client
//     relays, smtpd dies or logs the "ignored" warning, submission takes mail
//     in clear text), and our linter reports it;
// (b) our quick fix (and judgedHardening, the CLI's --fix) is applied to the very files,
//     `postfix check` and `postconf -n` accept them with no new warning, and
//     the reloaded smtpd now refuses what it accepted before.
//
// Each configuration runs in its own private instance (the shared harness,
// test/helpers/live-postfix.ts) on its own loopback address (127.x.y.z) so
// that services can sit on their real port numbers (25 and 587) and the rules
// see smtp and submission as they would in production. The scenarios are
// subtests started together; the harness lets a couple of instances run at a
// time machine-wide and the others wait for a slot. Clients are impersonated
// with XCLIENT, as in the simulator's oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { interpretSwaks, parseSwaks, PostfixInstance, REPLY_S, runTool, describeRun, selfSignedCert, type LiveResult, type RunResult, ESSENTIAL_SERVICES, TLSMGR } from '../helpers/live-postfix';
import { fsReader } from '../../server/src/cli/main';
import { loadConfig } from '../../server/src/engine/config';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import { judgedHardening } from '../../server/src/engine/lint';
import type { Fix, Problem } from '../../server/src/engine/types';

const VERSION = '3.7.11';

/** Postfix tools and clients print Latin-1 bytes; a hang is reported as a timeout by the harness. */
function run(cmd: string, args: string[]): Promise<RunResult> {
  return runTool(cmd, args, undefined, 'latin1');
}


interface Scenario {
  /** main.cf lines under test; `{{ETC}}` is the config directory. */
  main: string;
  /** master.cf smtpd services; `{{HOST}}` is the instance's address. */
  master: string;
  tables?: Record<string, string>;
  postmap?: string[];
}

/**
 * A scenario's instance, from the shared harness: its own directory, its own
 * loopback address (services sit on their real port numbers, 25 and 587, so
 * the rules see smtp and submission as in production), and a machine-wide
 * slot while it exists.
 */
class Instance {
  private logMark = 0;
  /**
   * check() of the files as last started, begun in the background by start()
   * while the scenario talks to smtpd: applyAndCheck's "before" (forgotten
   * when a file is written).
   */
  baseline?: Promise<{ code: number; warnings: string[] }>;

  private constructor(
    readonly name: string,
    readonly scenario: Scenario,
    private readonly pf: PostfixInstance,
  ) {}

  static async create(name: string, scenario: Scenario): Promise<Instance> {
    const main = `# essentials of the private test instance
compatibility_level = 3.6
queue_directory = {{DIR}}/spool
data_directory = {{DIR}}/data
maillog_file = {{DIR}}/maillog
maillog_file_prefixes = {{DIR}}
myhostname = mx.example.test
mydestination = example.test
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
default_transport = discard
relay_transport = discard
local_transport = discard
alias_maps =
alias_database =
service_throttle_time = 1s
smtpd_authorized_xclient_hosts = 127.0.0.0/8
# configuration under test
${scenario.main}`;
    const pf = await PostfixInstance.create(name, { main, master: `${scenario.master}${ESSENTIAL_SERVICES}${TLSMGR}`, tables: scenario.tables, postmap: scenario.postmap });
    return new Instance(name, scenario, pf);
  }

  get etc(): string {
    return this.pf.etc;
  }

  get host(): string {
    return this.pf.host;
  }

  path(name: string): string {
    return this.pf.path(name);
  }

  read(name: string): string {
    return this.pf.read(name);
  }

  /** A scenario text with {{HOST}}, {{ETC}} and {{DIR}} filled in for this instance. */
  subst(text: string): string {
    return this.pf.subst(text);
  }

  writeFile(name: string, text: string): void {
    this.baseline = undefined;
    this.pf.writeFile(name, text);
  }

  /** Our problems for this directory, as the CLI would report them. */
  lint(): Problem[] {
    return runRules(loadConfig(this.etc, fsReader, { version: VERSION, mode: 'live' }), fsReader);
  }

  harden(): Fix {
    return judgedHardening(loadConfig(this.etc, fsReader, { version: VERSION, mode: 'live' }), fsReader).fix;
  }

  /** Applies a fix's edits to the files on disk. */
  apply(fix: Fix): void {
    for (const file of new Set(fix.edits.map((e) => e.file))) {
      const name = file.slice(this.etc.length + 1);
      this.writeFile(name, applyTextEdits(this.read(name), fix.edits.filter((e) => e.file === file)));
    }
  }

  /** `postfix check` (output only shows on a tty, hence script) and `postconf -n` warnings. */
  async check(): Promise<{ code: number; warnings: string[] }> {
    const c = await run('script', ['-qec', `postfix -c ${this.etc} check`, '/dev/null']);
    const p = await run('postconf', ['-c', this.etc, '-n']);
    const lines = `${c.out}\n${p.out.split('\n').filter((l) => /^postconf: /.test(l)).join('\n')}`
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /warning|fatal|error/i.test(l));
    return { code: c.code || p.code, warnings: [...new Set(lines)].sort() };
  }

  async start(): Promise<void> {
    this.logMark = this.maillog().length;
    await this.pf.start(this.listen());
    this.baseline = this.check();
  }

  /** The running instance reads its (fixed) files again; the log since then is recentLog(). */
  async reload(): Promise<void> {
    await this.pf.reload(this.listen());
    this.logMark = await this.pf.logMark();
  }

  dispose(): Promise<void> {
    return this.pf.dispose();
  }

  private listen(): { host: string; port: number }[] {
    return [...this.scenario.master.matchAll(/\{\{HOST\}\}:(\d+)/g)].map((m) => ({ host: this.host, port: Number(m[1]) }));
  }

  maillog(): string {
    return this.pf.maillog();
  }

  /** The log since the last start. */
  recentLog(): string {
    return this.maillog().slice(this.logMark);
  }

  /** One transaction from an impersonated client (XCLIENT), up to RCPT TO. */
  async xclient(port: number, client: string, recipient: string, opts: { login?: string; sender?: string } = {}): Promise<LiveResult> {
    const args = ['--timeout', String(REPLY_S), '--server', this.host, '--port', String(port), '--xclient-addr', client, '--xclient-name', '[UNAVAILABLE]', '--helo', 'mail.outside.example', '--from', opts.sender ?? 'someone@outside.example', '--to', recipient, '--quit-after', 'RCPT'];
    if (opts.login) args.push('--xclient-login', opts.login);
    const r = await run('swaks', args);
    if (r.timedOut) throw new Error(describeRun(`swaks (${this.name})`, r));
    if (!/<-\s+220 /.test(r.out)) return { outcome: 'fatal', rcpt: [], transcript: r.out, fatal: /fatal: (.*)$/m.exec(this.recentLog())?.[1] ?? 'no greeting' };
    return interpretSwaks(r.out);
  }

  /** A plain session (no XCLIENT, no TLS): the reply to MAIL FROM. */
  async plainMail(port: number): Promise<string> {
    const r = await run('swaks', ['--timeout', String(REPLY_S), '--server', this.host, '--port', String(port), '--helo', 'client.example.test', '--from', 'user@example.test', '--to', 'postmaster@example.test', '--quit-after', 'MAIL']);
    return parseSwaks(r.out).find((p) => /^MAIL FROM/i.test(p.cmd))?.reply ?? `no reply: ${r.out}`;
  }

  /** The greeting line. */
  async greeting(port: number): Promise<string> {
    const r = await run('swaks', ['--timeout', String(REPLY_S), '--server', this.host, '--port', String(port), '--quit-after', 'CONNECT']);
    return /<-\s+(220 .*)$/m.exec(r.out)?.[1] ?? `no greeting: ${r.out}`;
  }

  /** Whether a TLS handshake succeeds right after connecting (implicit TLS, port 465). */
  async tlsHandshake(port: number): Promise<boolean> {
    const r = await run('sh', ['-c', `openssl s_client -connect ${this.host}:${port} -brief </dev/null 2>&1`]);
    return /CONNECTION ESTABLISHED/.test(r.out);
  }

  /** Whether a STARTTLS handshake with only the given protocol (openssl's -tls1_2, -tls1_3) succeeds. */
  async starttls(port: number, protocol: string): Promise<boolean> {
    const r = await run('sh', ['-c', `openssl s_client -starttls smtp -${protocol} -connect ${this.host}:${port} -brief </dev/null 2>&1`]);
    if (r.timedOut) throw new Error(describeRun(`openssl s_client (${this.name})`, r));
    return /CONNECTION ESTABLISHED/.test(r.out);
  }

  /** The EHLO keywords (the 250- lines after EHLO). */
  async ehlo(port: number): Promise<string[]> {
    const r = await run('swaks', ['--timeout', String(REPLY_S), '--server', this.host, '--port', String(port), '--helo', 'client.example.test', '--quit-after', 'EHLO']);
    return [...r.out.matchAll(/<-\s+250[- ](\S+)/g)].map((m) => m[1].toUpperCase());
  }
}

function only(problems: Problem[], code: string): Problem {
  const p = problems.filter((x) => x.code === code);
  assert.equal(p.length, 1, `one ${code} expected: ${JSON.stringify(problems.map((x) => `${x.code} ${x.message}`), null, 1)}`);
  return p[0];
}

const OUTSIDE = '203.0.113.5';
const FAR = 'someone@elsewhere.example';

/** Runs a scenario: start, look, fix, check, reload, look again. Always stops the instance. */
async function withInstance(name: string, scenario: Scenario, body: (i: Instance) => Promise<void>): Promise<void> {
  const inst = await Instance.create(name, scenario);
  try {
    await body(inst);
  } finally {
    await inst.dispose();
  }
}

/** Applies fixes, proves Postfix accepts the result with no warning it did not have before, and reloads it. */
async function applyAndCheck(inst: Instance, fixes: Fix[]): Promise<void> {
  const before = await (inst.baseline ?? inst.check());
  for (const f of fixes) inst.apply(f);
  const after = await inst.check();
  assert.equal(after.code, 0, `postfix check after the fix: ${after.warnings.join('\n')}`);
  const fresh = after.warnings.filter((w) => !before.warnings.includes(w));
  assert.deepEqual(fresh, [], `new warnings after the fix in ${inst.name}:\n${inst.read('main.cf')}\n${inst.read('master.cf')}`);
  await inst.reload();
}

test('live: our security rules agree with a real smtpd, and the fixed files make it refuse', { concurrency: true }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf', 'postmap', 'swaks', 'script', 'openssl'], root: true })) return;
  const report: string[] = [];
  const scenarios: Promise<void>[] = [];
  /** Each configuration is a subtest of its own; they run side by side. */
  const sub = (name: string, scenario: Scenario, body: (i: Instance) => Promise<void>) => t.test(name, () => withInstance(name, scenario, body));

  // 1. Open relay through check_client_access static:OK before the guard.
  scenarios.push(
    sub('static-ok', { main: 'mynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks,\n    check_client_access static:OK,\n    # guard\n    reject_unauth_destination\n', master: '{{HOST}}:25 inet n - n - - smtpd\n' }, async (inst) => {
      const p = only(inst.lint(), 'PF500');
      await inst.start();
      const open = await inst.xclient(25, OUTSIDE, FAR);
      assert.equal(open.rcpt[0]?.code, 250, `live smtpd relays for ${OUTSIDE}: ${open.transcript}`);
      assert.match(p.message, new RegExp(open.rcpt[0].line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the problem quotes the reply smtpd gave');
      await applyAndCheck(inst, [p.fixes![0]]);
      assert.ok(inst.read('main.cf').includes('# guard'), 'comment kept');
      const closed = await inst.xclient(25, OUTSIDE, FAR);
      assert.equal(closed.rcpt[0]?.line, '554 5.7.1 <someone@elsewhere.example>: Relay access denied');
      const inside = await inst.xclient(25, '127.0.0.9', FAR);
      assert.equal(inside.rcpt[0]?.code, 250, 'mynetworks may still relay');
      assert.deepEqual(inst.lint().filter((x) => x.code === 'PF500'), []);
      report.push(`static:OK: live 250 → PF500 → fix → live 554 (mynetworks still 250)`);
    }),
  );

  // 2. Open relay through an OK in a recipient table (hash, built with postmap), relay list empty.
  scenarios.push(
    sub(
      'table-ok',
      {
        main: 'mynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions = check_recipient_access hash:{{ETC}}/recipient_access, reject_unauth_destination\n',
        master: '{{HOST}}:25 inet n - n - - smtpd\n',
        tables: { recipient_access: '# partners we relay for\nelsewhere.example OK\n' },
        postmap: ['hash:recipient_access'],
      },
      async (inst) => {
        const p = only(inst.lint(), 'PF500');
        assert.match(p.message, /check_recipient_access hash:/);
        await inst.start();
        assert.equal((await inst.xclient(25, OUTSIDE, FAR)).rcpt[0]?.code, 250);
        await applyAndCheck(inst, [p.fixes![0]]);
        assert.equal((await inst.xclient(25, OUTSIDE, FAR)).rcpt[0]?.line, '554 5.7.1 <someone@elsewhere.example>: Relay access denied');
        report.push('table OK: live 250 → PF500 → fix → live 554');
      },
    ),
  );

  // 3. mynetworks = 0.0.0.0/0 with the default relay list; fixed by judgedHardening as a whole.
  scenarios.push(
    sub('mynetworks-all', { main: 'mynetworks = 0.0.0.0/0\n', master: '{{HOST}}:25 inet n - n - - smtpd\n' }, async (inst) => {
      const ps = inst.lint();
      only(ps, 'PF500');
      only(ps, 'PF501');
      await inst.start();
      assert.equal((await inst.xclient(25, OUTSIDE, FAR)).rcpt[0]?.code, 250);
      const h = inst.harden();
      await applyAndCheck(inst, [h]);
      assert.match(inst.read('main.cf'), /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128$/m);
      const closed = await inst.xclient(25, OUTSIDE, FAR);
      assert.equal(closed.rcpt[0]?.line, '454 4.7.1 <someone@elsewhere.example>: Relay access denied', 'the default relay list defers');
      assert.equal((await inst.xclient(25, '127.0.0.1', FAR)).rcpt[0]?.code, 250);
      const left = inst.lint().filter((x) => x.fixes?.some((f) => f.hardening));
      assert.deepEqual(left.map((x) => x.code), [], 'nothing left to harden');
      report.push(`mynetworks 0/0: live 250 → PF500+PF501 → harden (${h.edits.length} edits) → live 454`);
    }),
  );

  // 4. Submission without encryption (seed write-up 1 without its -o encrypt): plain-text mail is taken.
  scenarios.push(
    t.test('submission', async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'pf-cert-'));
      chmodSync(certDir, 0o755);
      const pem = await selfSignedCert(certDir);
      try {
        await withInstance(
          'submission',
          {
            main: `mynetworks = 127.0.0.0/8\nsmtpd_tls_chain_files = ${pem}\nsmtpd_tls_security_level = may\n`,
            master: '{{HOST}}:25 inet n - n - - smtpd\n{{HOST}}:587 inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_sasl_auth_enable=yes\n',
          },
          async (inst) => {
            const ps = inst.lint();
            const p = only(ps, 'PF513');
            assert.ok(p.fixes![0].hardening);
            only(ps, 'PF511');
            await inst.start();
            assert.ok((await inst.ehlo(587)).includes('STARTTLS'), 'TLS is offered');
            const plain = await inst.plainMail(587);
            assert.match(plain, /^250 /, `plain-text MAIL FROM on 587 is accepted before the fix: ${plain}`);
            await applyAndCheck(inst, [p.fixes![0], only(ps, 'PF511').fixes![0]]);
            assert.match(inst.read('master.cf'), /-o smtpd_tls_security_level=encrypt/);
            assert.equal(await inst.plainMail(587), '530 5.7.0 Must issue a STARTTLS command first');
            assert.match(await inst.plainMail(25), /^250 /, 'port 25 keeps taking mail without TLS');
            assert.deepEqual(inst.lint().filter((x) => x.code === 'PF513' || x.code === 'PF511'), []);
            report.push('submission: live plain MAIL 250 → PF513 → fix → live 530 Must issue a STARTTLS command first');
          },
        );
      } finally {
        rmSync(certDir, { recursive: true, force: true });
      }
    }),
  );

  // 9. Seed write-up 1 (localhost-only sending, SASL submission) with an smtps service added, hardened as a whole.
  scenarios.push(
    t.test('seed-1-hardened', async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'pf-cert-'));
      chmodSync(certDir, 0o755);
      const pem = await selfSignedCert(certDir);
      try {
        await withInstance(
          'seed-1-hardened',
          {
            main: `smtpd_banner = $myhostname ESMTP $mail_name
biff = no
append_dot_mydomain = no
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_recipient_restrictions =
    permit_mynetworks,
    reject_unauth_destination,
    reject_non_fqdn_sender,
    reject_unknown_sender_domain,
    reject_non_fqdn_recipient,
    reject_unknown_recipient_domain,
    permit
smtpd_client_restrictions =
    permit_mynetworks,
    reject_unknown_client_hostname,
    reject_rbl_client sbl.spamhaus.org,
    reject_rbl_client cbl.abuseat.org,
    reject_rbl_client dul.dnsbl.sorbs.net,
    permit
smtpd_tls_cert_file = ${pem}
smtpd_tls_key_file = ${pem}
smtpd_use_tls = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options = noanonymous
`,
            master: `{{HOST}}:25 inet n - n - - smtpd
{{HOST}}:587 inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
{{HOST}}:465 inet n - n - - smtpd
  -o syslog_name=postfix/smtps
`,
          },
          async (inst) => {
            const codes = new Set(inst.lint().map((x) => x.code));
            for (const c of ['PF504', 'PF505', 'PF511', 'PF512', 'PF514']) assert.ok(codes.has(c), `${c} expected among ${[...codes].join(' ')}`);
            await inst.start();
            assert.match(await inst.greeting(25), /ESMTP Postfix/);
            assert.equal(await inst.tlsHandshake(465), false, 'port 465 speaks plain SMTP before the fix');
            assert.ok((await inst.ehlo(25)).includes('AUTH'), 'AUTH is offered in clear text before the fix');
            const h = inst.harden();
            await applyAndCheck(inst, [h]);
            const main = inst.read('main.cf');
            for (const kept of ['reject_rbl_client sbl.spamhaus.org=127.0.0.[2..11]', 'reject_rbl_client cbl.abuseat.org', 'smtpd_tls_auth_only = yes']) assert.ok(main.includes(kept), `${kept} in\n${main}`);
            assert.ok(!main.includes('sorbs'), 'the dead list is gone');
            // The banner rule needs a public listener; this instance only listens on loopback, so the banner stays.
            assert.match(await inst.greeting(25), /^220 mx\.example\.test ESMTP/);
            assert.equal(await inst.tlsHandshake(465), true, 'implicit TLS works on 465 after the fix');
            assert.ok(!(await inst.ehlo(25)).some((k) => k.startsWith('AUTH')), 'no AUTH before STARTTLS on port 25');
            report.push(`seed 1: ${[...codes].sort().join(' ')} → harden (${h.edits.length} edits) → postfix check clean, 465 speaks TLS, no AUTH before STARTTLS`);
          },
        );
      } finally {
        rmSync(certDir, { recursive: true, force: true });
      }
    }),
  );

  // 10. What smtpd itself logs or answers for the PF4xx 'postfix' rules: each of our messages quotes it.
  scenarios.push(
    sub(
      'postfix-says',
      {
        main: `mynetworks = 127.0.0.0/8
mydestination = example.test, virt.example.test
virtual_alias_domains = virt.example.test
smtpd_helo_restrictions = reject_rbl_client
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, reject_unknwon_sender_domain
`,
        master: `{{HOST}}:25 inet n - n - - smtpd
{{HOST}}:26 inet n - n - - smtpd
  -o smtpd_recipient_restrictions=
  -o smtpd_data_restrictions=inline:{x=REJECT}
{{HOST}}:27 inet n - n - - smtpd
  -o smtpd_recipient_restrictions=
  -o smtpd_relay_restrictions=permit_mynetworks,check_relay_domains
{{HOST}}:28 inet n - n - - smtpd
  -o smtpd_recipient_restrictions=
  -o smtpd_client_restrictions=check_policy_service
`,
      },
      async (inst) => {
        const ps = inst.lint().filter((p) => p.category === 'postfix');
        const byCode = (c: string) => ps.filter((p) => p.code === c);
        await inst.start();
        const r25 = await inst.xclient(25, OUTSIDE, 'postmaster@example.test');
        assert.equal(r25.rcpt[0]?.line, '451 4.3.5 Server configuration error');
        const r26 = await run('swaks', ['--timeout', String(REPLY_S), '--server', inst.host, '--port', '26', '--helo', 'client.example.test', '--from', 'a@example.test', '--to', 'postmaster@example.test']);
        assert.match(r26.out, /<\*\* +451 4\.3\.5 .*Server configuration error/);
        const r27 = await inst.xclient(27, OUTSIDE, 'someone@virt.example.test');
        assert.equal(r27.rcpt[0]?.code, 250);
        const r28 = await inst.xclient(28, OUTSIDE, 'postmaster@example.test');
        assert.match(r28.rcpt[0]?.line ?? '', /^451 4\.3\.5 /);
        const log = inst.recentLog();
        const expect: [string, RegExp, RegExp][] = [
          ['PF402', /unknown smtpd restriction: "reject_unknwon_sender_domain"/, /warning: unknown smtpd restriction: "reject_unknwon_sender_domain"/],
          ['PF404', /restriction reject_rbl_client requires domain name argument/, /warning: restriction reject_rbl_client requires domain name argument/],
          ['PF404', /restriction check_policy_service must be followed by transport:server/, /warning: restriction check_policy_service must be followed by transport:server/],
          ['PF406', /specify one of \(check_client_access, \.\.\.\) before/, /warning: specify one of \(check_client_access, .*\) before Data command restriction "inline:\{x=REJECT\}"/],
          ['PF409', /support for restriction "check_relay_domains" will be removed/, /warning: support for restriction "check_relay_domains" will be removed from Postfix; use "reject_unauth_destination" instead/],
          ['PF411', /ignored: no SASL support/, /warning: restriction `reject_authenticated_sender_login_mismatch' ignored: no SASL support/],
          ['PF508', /do not list domain virt\.example\.test in BOTH mydestination and virtual_alias_domains/, /warning: do not list domain virt\.example\.test in BOTH mydestination and virtual_alias_domains/],
        ];
        for (const [code, ours, theirs] of expect) {
          assert.ok(byCode(code).some((p) => ours.test(p.message)), `${code} ${ours} among ${JSON.stringify(byCode(code).map((p) => p.message))}`);
          assert.match(log, theirs, `${code}: Postfix logged it`);
        }
        report.push(`Postfix says what our ${expect.length} postfix-category messages quote (PF402, PF404 ×2, PF406, PF409, PF411, PF508)`);
      },
    ),
  );

  // 5. permit in the middle: the checks after it are dead and smtpd says so.
  scenarios.push(
    sub(
      'dead-after-permit',
      {
        main: 'mynetworks = 127.0.0.0/8\nsmtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination,\n    permit,\n    check_recipient_access inline:{ blocked@example.test=REJECT }\n',
        master: '{{HOST}}:25 inet n - n - - smtpd\n',
      },
      async (inst) => {
        const p = only(inst.lint(), 'PF401');
        assert.match(p.message, /restriction 'check_recipient_access' after 'permit' is ignored/);
        await inst.start();
        assert.equal((await inst.xclient(25, OUTSIDE, 'blocked@example.test')).rcpt[0]?.code, 250, 'the REJECT after permit never runs');
        assert.match(inst.recentLog(), /warning: restriction `check_recipient_access' after `permit' is ignored/);
        // Fix 2: delete the permit, so that the check runs.
        await applyAndCheck(inst, [p.fixes![1]]);
        const r = await inst.xclient(25, OUTSIDE, 'blocked@example.test');
        assert.equal(r.rcpt[0]?.line, '554 5.7.1 <blocked@example.test>: Recipient address rejected: Access denied');
        assert.equal((await inst.xclient(25, OUTSIDE, 'ok@example.test')).rcpt[0]?.code, 250);
        assert.doesNotMatch(inst.recentLog(), /is ignored/);
        assert.deepEqual(inst.lint().filter((x) => x.code === 'PF401'), []);
        report.push('dead after permit: live "is ignored" warning + 250 → PF401 → fix → live 554, no warning');
      },
    ),
  );

  // 6. smtpd_relay_restrictions = permit: smtpd refuses to start; the fix makes it start and refuse relaying.
  scenarios.push(
    sub('relay-permit', { main: 'mynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit\n', master: '{{HOST}}:25 inet n - n - - smtpd\n' }, async (inst) => {
      const p = only(inst.lint(), 'PF400');
      await inst.start();
      const dead = await inst.xclient(25, OUTSIDE, FAR);
      assert.equal(dead.outcome, 'fatal');
      assert.match(inst.recentLog(), /fatal: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of/);
      assert.ok(p.message.includes('specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains'));
      await applyAndCheck(inst, [p.fixes![0]]);
      assert.equal((await inst.xclient(25, OUTSIDE, FAR)).rcpt[0]?.line, '554 5.7.1 <someone@elsewhere.example>: Relay access denied');
      assert.equal((await inst.xclient(25, OUTSIDE, 'postmaster@example.test')).rcpt[0]?.code, 250);
      report.push('relay = permit: live fatal → PF400 → fix → starts, live 554');
    }),
  );

  // 7. IPv6 without brackets in mynetworks: smtpd dies at start-up; the fix brackets it.
  scenarios.push(
    sub('ipv6-brackets', { main: 'mynetworks = 127.0.0.0/8 ::1/128\n', master: '{{HOST}}:25 inet n - n - - smtpd\n' }, async (inst) => {
      const p = only(inst.lint(), 'PF503');
      await inst.start();
      assert.equal((await inst.xclient(25, OUTSIDE, FAR)).outcome, 'fatal');
      assert.match(inst.recentLog(), /fatal: open dictionary: expecting "type:name" form instead of "::1\/128"/);
      assert.ok(p.message.includes('expecting "type:name" form instead of "::1/128"'));
      await applyAndCheck(inst, [p.fixes![0]]);
      assert.equal((await inst.xclient(25, OUTSIDE, FAR)).rcpt[0]?.line, '454 4.7.1 <someone@elsewhere.example>: Relay access denied');
      report.push('IPv6 unbracketed: live fatal (same text) → PF503 → fix → starts, live 454');
    }),
  );

  // 8. reject_sender_login_mismatch without smtpd_sender_login_maps: every login is refused (no automatic fix).
  scenarios.push(
    sub(
      'login-mismatch',
      { main: 'mynetworks = 127.0.0.0/8\nsmtpd_sasl_auth_enable = yes\nsmtpd_sender_restrictions = reject_sender_login_mismatch\n', master: '{{HOST}}:25 inet n - n - - smtpd\n' },
      async (inst) => {
        const p = only(inst.lint(), 'PF516');
        await inst.start();
        const r = await inst.xclient(25, OUTSIDE, 'postmaster@example.test', { login: 'alice', sender: 'alice@example.test' });
        assert.equal(r.reply?.line, '553 5.7.1 <alice@example.test>: Sender address rejected: not owned by user alice');
        assert.match(p.message, /553 5\.7\.1/);
        report.push('login mismatch without maps: live 553 for a logged-in user = PF516');
      },
    ),
  );

  // 9. Which TLS protocol list smtpd reads (PF510 speaks only of lists in effect, FP-15): at level may
  //    the mandatory list is ignored, with encrypt it is the only one.
  scenarios.push(
    t.test('tls-protocol-lists', async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'pf-cert-'));
      chmodSync(certDir, 0o755);
      const pem = await selfSignedCert(certDir);
      const submission = '{{HOST}}:587 inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n';
      try {
        await withInstance(
          'tls-protocol-lists',
          {
            main: `mynetworks = 127.0.0.0/8\nsmtpd_tls_chain_files = ${pem}\nsmtpd_tls_security_level = may\nsmtpd_tls_protocols = >=TLSv1.2\nsmtpd_tls_mandatory_protocols = TLSv1, TLSv1.1\n`,
            master: `{{HOST}}:25 inet n - n - - smtpd\n${submission}`,
          },
          async (inst) => {
            const p = only(inst.lint(), 'PF510');
            assert.match(p.message, /^smtpd_tls_mandatory_protocols = TLSv1, TLSv1\.1 enables TLSv1 and TLSv1\.1/);
            // Without the encrypting service nothing reads the mandatory list, and the advice goes.
            const master = inst.read('master.cf');
            inst.writeFile('master.cf', master.replace(inst.subst(submission), ''));
            assert.deepEqual(inst.lint().filter((x) => x.code === 'PF510'), []);
            inst.writeFile('master.cf', master);
            await inst.start();
            assert.equal(await inst.starttls(25, 'tls1_2'), true, 'port 25 (level may) reads smtpd_tls_protocols: TLS 1.2 works although the mandatory list names only TLS 1.0/1.1');
            assert.equal(await inst.starttls(587, 'tls1_2'), false, 'port 587 (encrypt) reads smtpd_tls_mandatory_protocols: TLS 1.2 is refused');
            await applyAndCheck(inst, [p.fixes![0]]);
            assert.match(inst.read('main.cf'), /^smtpd_tls_mandatory_protocols = >=TLSv1\.2$/m);
            assert.equal(await inst.starttls(587, 'tls1_2'), true, 'after the fix TLS 1.2 works on 587');
            report.push('TLS protocol lists: 25 (may) takes TLS 1.2 with mandatory = TLSv1, TLSv1.1, 587 (encrypt) refuses it → PF510 only with 587 → fix → 587 takes TLS 1.2');
          },
        );
      } finally {
        rmSync(certDir, { recursive: true, force: true });
      }
    }),
  );

  // 11. PF508 against trivial-rewrite's "do not list domain X in BOTH": relay_domains takes a subdomain by a
  //     parent pattern (parent_domain_matches_subdomains naming it, 3.7's default) or by a `.parent` pattern
  //     (not naming it), never by both, and `.b.example` never takes b.example itself.
  for (const parent of [true, false]) {
    scenarios.push(
      sub(
        `domain-classes-${parent ? 'parent' : 'dot'}`,
        {
          main: `mynetworks = 127.0.0.0/8
mydestination = example.test
${parent ? '' : 'parent_domain_matches_subdomains =\n'}virtual_alias_domains = x.sub.a.example, sub.b.example, b.example
relay_domains = a.example, .b.example
`,
          master: '{{HOST}}:25 inet n - n - - smtpd\n',
        },
        async (inst) => {
          const ours = inst.lint().filter((p) => p.code === 'PF508').map((p) => /domain (\S+) in BOTH/.exec(p.message)?.[1]);
          await inst.start();
          for (const d of ['x.sub.a.example', 'sub.b.example', 'b.example']) await inst.xclient(25, OUTSIDE, `someone@${d}`);
          // postlogd writes what it is sent a moment later: the log once it stops growing.
          let log = inst.recentLog();
          for (let i = 0; i < 40; i++) {
            await new Promise((r) => setTimeout(r, 50));
            if (inst.recentLog().length === log.length && /disconnect from/.test(log)) break;
            log = inst.recentLog();
          }
          const theirs = [...new Set([...log.matchAll(/warning: do not list domain (\S+) in BOTH virtual_alias_domains and relay_domains/g)].map((m) => m[1]))];
          const expected = [parent ? 'x.sub.a.example' : 'sub.b.example'];
          assert.deepEqual(theirs, expected, 'trivial-rewrite warns for these');
          assert.deepEqual(ours, expected, 'PF508 names the same');
          report.push(`PF508 ${parent ? 'parent style' : 'without parent style'}: trivial-rewrite warns for ${theirs.join(', ')} = PF508`);
        },
      ),
    );
  }

  await Promise.all(scenarios);
  t.diagnostic(`${report.length} configurations\n${report.join('\n')}`);
});

// Live proof of the hardening recipes and the intent rules (issue 10).
// Each base configuration (Debian's stock files as installed for an Internet
// site, both seed write-ups, two shared corpus configurations) is deployed in
// a directory of its own and hardened step by step with the CLI, as an admin
// would (`postfix-lint recipe NAME -c DIR --write`). After every step:
// - real `postconf -n` (deployed and test copies) and `postfix check` show no
//   warning that was not there before;
// - a private smtpd from the shared harness (test/helpers/live-postfix.ts)
//   runs the deployed files, rewritten only where a test instance must differ
//   (its own queue, loopback address, discard transports, a test certificate),
//   and swaks plays the relay matrix: every cell a recipe promised holds from
//   that step on;
// - the intent rules (PF540–PF543) agree with what smtpd answered: a finding
//   where smtpd misbehaves, none where it behaves.
// At the end a second run of every recipe changes nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, sharedDir } from '../helpers/env';
import { selfSignedCert, type LiveResult } from '../helpers/live-postfix';
import { Deployment, logicalLines, type DeployedClient } from '../helpers/live-deploy';
import { fsReader, main as cli } from '../../server/src/cli/main';
import { loadConfig } from '../../server/src/engine/config';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import { RuleContext } from '../../server/src/engine/rules/context';
import { ownDomains } from '../../server/src/engine/intent/roles';
import { buildRecipe } from '../../server/src/engine/recipes';
import type { Problem } from '../../server/src/engine/types';

const VERSION = '3.7.11';
const OUTSIDE = { addr: '203.0.113.5', name: 'mail.elsewhere.example' };
const FAR = 'someone@elsewhere.example';
const USER = 'alice';

// ---------------------------------------------------------------- base configurations

interface Base {
  name: string;
  main: string;
  master: string;
  /** Table files beside main.cf. */
  files?: Record<string, string>;
  /** Envelope sender of the well-behaved outside server (default someone@elsewhere.example). */
  outsideSender?: string;
  /** Intent rules whose own quick fix (the first) is applied and proven before the recipes. */
  ruleFixes?: { code: string; cell: Cell }[];
  /** Rewrites for the test copy only (paths the deployed files name on the production host). */
  live?: [RegExp, string][];
}

const corpus = (p: string) => readFileSync(join(sharedDir, 'corpus', p), 'utf8');
const seedText = (p: string) => readFileSync(join(sharedDir, 'seeds', p), 'utf8');

/** What Debian's installer adds to main.cf.debian for an "Internet Site" (debconf), with this test's names. */
const INTERNET_SITE = `myhostname = mx.example.test
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = $myhostname
mydestination = $myhostname, example.test, localhost.localdomain, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
`;

/** Lines the test takes from a seed write-up: they must appear there as printed (line breaks and indentation aside). */
function fromSeed(file: string, lines: string): string {
  const flat = (x: string) => x.replace(/\s+/g, ' ').trim();
  assert.ok(flat(seedText(file)).includes(flat(lines)), `seed ${file} prints:\n${lines}`);
  return lines;
}

function bases(): Base[] {
  const debianMain = corpus('debian-postfix-3.7/main.cf.debian');
  const debianMaster = corpus('debian-postfix-3.7/master.cf.dist');
  // Seed 000, second write-up: its main.cf lines, its submission service and its SASL block.
  const seed0 = '000_aaab50c8a243b44d.txt';
  const s0main = fromSeed(seed0, 'smtpd_client_restrictions = permit_mynetworks, reject mynetworks = 127.0.0.0/8 inet_interfaces = all').replace(/ (?=mynetworks|inet_interfaces)/g, '\n');
  const s0recipient = fromSeed(seed0, 'smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination\n');
  const s0submission = fromSeed(seed0, 'submission inet n - - - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n');
  const s0sasl = fromSeed(seed0, 'smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous\nbroken_sasl_auth_clients = yes\n');
  const s0tls = fromSeed(seed0, 'smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key smtpd_use_tls=yes').replace(/ /g, '\n');
  const seed4 = '004_b1d81c4ca3ed0e26.txt';
  assert.match(seedText(seed4), /smtps\/smtpd_tls_wrappermode="yes"/);
  return [
    { name: 'debian-stock', main: `${debianMain}\n${INTERNET_SITE}`, master: debianMaster },
    {
      name: 'seed-000',
      main: `# seed 000 (second write-up), as printed, for a server that receives for example.test\nmyhostname = mx.example.test\nmydestination = $myhostname, example.test, localhost\n${s0main}\n${s0recipient}${s0sasl}${s0tls}\n`,
      master: `${debianMaster}${s0submission}`,
      ruleFixes: [
        { code: 'PF540', cell: 'inbound' },
        { code: 'PF541', cell: 'submit:587' },
      ],
    },
    {
      // Seed 004's server before its hardening (UCS: own domains, SASL on 587 and 465, no sender checks).
      name: 'seed-004',
      main: `${debianMain}\nmyhostname = ucs.company.my\nmydestination = $myhostname, localhost\nvirtual_mailbox_domains = company.my\nmynetworks = 127.0.0.0/8\ninet_interfaces = all\nsmtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\nsmtpd_tls_cert_file = /etc/univention/ssl/ucs.company.my/cert.pem\nsmtpd_tls_key_file = /etc/univention/ssl/ucs.company.my/private.key\nsmtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n`,
      master: `${debianMaster}submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_sasl_auth_enable=yes\nsmtps     inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/smtps\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n`,
    },
    {
      name: 'docker-mailserver',
      // Deployed with its tables beside main.cf (the image keeps them in /etc/postfix, its config_directory).
      main: `myhostname = mx.example.test\n${corpus('docker-mailserver/main.cf').replace(/\/etc\/postfix\/(vhost|virtual)\b/g, '$config_directory/$1')}`,
      master: corpus('docker-mailserver/master.cf'),
      files: { vhost: 'example.test\n', virtual: '' },
      // reject_unknown_sender_domain needs DNS, which the test machine lacks: the outside server sends a bounce.
      outsideSender: '',
      live: [
        [/^(header_checks|smtp_header_checks|smtpd_tls_dh1024_param_file) =.*$/gm, '#live# $&'],
      ],
    },
  ];
}

// ---------------------------------------------------------------- the relay matrix

type Cell = 'inbound' | 'relay' | 'forged' | 'submit:587' | 'submit-as-other:587' | 'submit:465' | 'submit-as-other:465' | 'localhost';

interface Matrix {
  inbound: LiveResult;
  relay: LiveResult;
  forged: LiveResult;
  localhost: LiveResult;
  /** Per submission port (587, 465). */
  submit: Map<number, LiveResult>;
  submitAsOther: Map<number, LiveResult>;
}

const rcptCode = (r: LiveResult | undefined) => r?.rcpt[0]?.code ?? r?.reply?.code ?? 0;
const rcptLine = (r: LiveResult | undefined) => r?.rcpt[0]?.line ?? r?.reply?.line ?? `(no reply) ${r?.transcript ?? ''}`;

// ---------------------------------------------------------------- one base, step by step

interface Step {
  recipe: string;
  sets?: string[];
  /** Cells this step promises (they hold from here on). */
  promises: Cell[];
  /** Run before the step (the admin's part the recipe's notes ask for). */
  before?: (dir: string) => void;
}

const STEPS: Step[] = [
  { recipe: 'mx', promises: ['inbound', 'relay'] },
  { recipe: 'localhost-only-sending', promises: ['localhost'] },
  // Before the submission services: they require TLS, and a stock configuration has no certificate (the submission recipe's note says so).
  { recipe: 'tls', promises: [] },
  { recipe: 'submission', promises: ['submit:587', 'submit-as-other:587'] },
  { recipe: 'submissions', promises: ['submit:465', 'submit-as-other:465'] },
  { recipe: 'sender-protection', promises: ['forged'] },
  // The second step of the write-up: REJECT once the log shows no legitimate use.
  { recipe: 'sender-protection', sets: ['action=REJECT'], promises: ['forged'], before: (dir) => unlinkSync(join(dir, 'own_domain_senders')) },
  { recipe: 'dnsbl', promises: [] },
  { recipe: 'rate-limits', promises: [] },
];

function runCli(args: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = cli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader }) as number;
  return { status, stdout, stderr };
}

function lint(dir: string): Problem[] {
  return runRules(loadConfig(dir, fsReader, { version: VERSION, mode: 'live' }), fsReader);
}

class Proof {
  readonly d: Deployment;
  readonly domain: string;
  readonly report: string[] = [];

  constructor(
    readonly base: Base,
    readonly pem: string,
  ) {
    this.d = new Deployment(`recipes ${base.name}`, base, pem, base.live);
    const ctx = new RuleContext(loadConfig(this.dir, fsReader, { version: VERSION, mode: 'live' }), fsReader);
    // A virtual domain first, as the intent rules probe: mail is mostly addressed to those.
    const own = ownDomains(ctx);
    this.domain = own.virtual[0] ?? own.local[0];
    assert.ok(this.domain, `${base.name}: an own domain`);
  }

  get dir(): string {
    return this.d.dir;
  }

  write(name: string, text: string): void {
    this.d.write(name, text);
  }

  read(name: string): string | undefined {
    return this.d.read(name);
  }

  private swaks(port: number, tx: DeployedClient): Promise<LiveResult> {
    return this.d.xclient(port, tx);
  }

  recentLog(): string {
    return this.d.recentLog();
  }

  private async matrix(): Promise<Matrix> {
    const own = `postmaster@${this.domain}`;
    const outside = { addr: OUTSIDE.addr, name: OUTSIDE.name };
    const sender = this.base.outsideSender ?? `someone@${OUTSIDE.name.replace(/^mail\./, '')}`;
    const subPorts = this.d.servicePorts.filter((p) => p === 587 || p === 465);
    const jobs: Promise<LiveResult>[] = [
      this.swaks(25, { ...outside, sender, to: own }),
      this.swaks(25, { ...outside, sender, to: FAR }),
      this.swaks(25, { ...outside, sender: `boss@${this.domain}`, to: own }),
      this.swaks(25, { addr: '127.0.0.1', name: 'localhost', sender: `root@${this.domain}`, to: FAR }),
      ...subPorts.flatMap((p) => [
        this.swaks(p, { addr: '198.51.100.7', login: USER, sender: `${USER}@${this.domain}`, to: FAR }),
        this.swaks(p, { addr: '198.51.100.7', login: USER, sender: `bob@${this.domain}`, to: FAR }),
      ]),
    ];
    const r = await Promise.all(jobs);
    const m: Matrix = { inbound: r[0], relay: r[1], forged: r[2], localhost: r[3], submit: new Map(), submitAsOther: new Map() };
    subPorts.forEach((p, i) => {
      m.submit.set(p, r[4 + 2 * i]);
      m.submitAsOther.set(p, r[5 + 2 * i]);
    });
    return m;
  }

  /** Stops, syncs the test copy, checks with real Postfix, starts, plays the matrix. */
  async run(label: string, before?: string[]): Promise<{ matrix: Matrix; warnings: string[] }> {
    const { code, warnings: w } = await this.d.restart();
    assert.equal(code, 0, `${this.base.name} ${label}: postconf -n fails:\n${w.join('\n')}`);
    if (before) {
      const fresh = w.filter((l) => !before.includes(l));
      assert.deepEqual(fresh, [], `${this.base.name} ${label}: new warnings\n${this.read('main.cf')}\n${this.read('master.cf')}`);
    }
    await this.d.inst.serveDovecotAuth({ [USER]: 'secret' });
    return { matrix: await this.matrix(), warnings: w };
  }

  /** Each promised cell, as smtpd answered it. */
  assertPromises(label: string, m: Matrix, promised: Set<Cell>, action: 'WARN' | 'REJECT'): void {
    const where = (r: LiveResult | undefined) => `${this.base.name} after ${label}: ${rcptLine(r)}\n${r?.transcript ?? ''}\n${this.recentLog().split('\n').slice(-15).join('\n')}`;
    if (promised.has('inbound')) assert.equal(rcptCode(m.inbound), 250, `outside → our domain accepted: ${where(m.inbound)}`);
    if (promised.has('relay')) assert.ok(rcptCode(m.relay) >= 500, `outside → elsewhere rejected: ${where(m.relay)}`);
    if (promised.has('localhost')) assert.equal(rcptCode(m.localhost), 250, `localhost → anywhere accepted: ${where(m.localhost)}`);
    if (promised.has('forged')) {
      if (action === 'REJECT') assert.match(rcptLine(m.forged), /^554 5\.7\.1 /, `outside with our domain as sender rejected: ${where(m.forged)}`);
      else {
        assert.equal(rcptCode(m.forged), 250, `WARN accepts: ${where(m.forged)}`);
        assert.match(this.recentLog(), this.warnLine(), `WARN logged: ${where(m.forged)}`);
      }
    }
    for (const p of [587, 465]) {
      if (promised.has(`submit:${p}` as Cell)) assert.equal(rcptCode(m.submit.get(p)), 250, `logged-in user on ${p} → elsewhere accepted: ${where(m.submit.get(p))}`);
      if (promised.has(`submit-as-other:${p}` as Cell)) assert.match(rcptLine(m.submitAsOther.get(p)), /^553 5\.7\.1 .*not owned by user alice/, `logged-in user on ${p} as another user → 553: ${where(m.submitAsOther.get(p))}`);
    }
  }

  /** What smtpd logs for an access-table WARN on the forged sender. */
  private warnLine(): RegExp {
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`NOQUEUE: warn: RCPT from \\S+\\[${esc(OUTSIDE.addr)}\\]: .*; from=<boss@${esc(this.domain)}>`);
  }

  /** The intent rules say what smtpd did: a finding exactly where it misbehaves. */
  assertIntentAgrees(label: string, m: Matrix): void {
    const codes = new Set(lint(this.dir).map((p) => p.code));
    const say = (code: string, live: boolean, what: string) => assert.equal(codes.has(code), live, `${this.base.name} ${label}: ${code} ${codes.has(code) ? 'reported' : 'silent'} but live ${what} (${[...codes].sort().join(' ')})`);
    say('PF540', rcptCode(m.inbound) !== 250, `outside → ${this.domain}: ${rcptLine(m.inbound)}`);
    const forgedSilently = rcptCode(m.forged) === 250 && !this.warnLine().test(this.recentLog());
    if (rcptCode(m.inbound) === 250) say('PF542', forgedSilently, `forged own-domain sender: ${rcptLine(m.forged)}`);
    const sub = [...m.submit.values()];
    if (sub.length) say('PF541', sub.some((r) => rcptCode(r) !== 250 && !/not owned by user/.test(rcptLine(r))), `submission → elsewhere: ${sub.map(rcptLine).join(' | ')}`);
    const other = [...m.submitAsOther.values()];
    if (other.length) say('PF543', other.some((r) => rcptCode(r) === 250), `submission as another user: ${other.map(rcptLine).join(' | ')}`);
  }

  dispose(): Promise<void> {
    return this.d.dispose();
  }
}

function summary(m: Matrix): string {
  const c = (r: LiveResult | undefined) => String(rcptCode(r));
  const sub = [...m.submit.entries()].map(([p, r]) => `${p}:${c(r)}/${c(m.submitAsOther.get(p))}`).join(' ');
  return `in ${c(m.inbound)} relay ${c(m.relay)} forged ${c(m.forged)} local ${c(m.localhost)}${sub ? ` sub ${sub}` : ''}`;
}

async function proveBase(t: TestContext, base: Base, pem: string, report: string[]): Promise<void> {
  const proof = new Proof(base, pem);
  try {
    let { matrix, warnings } = await proof.run('nothing');
    const lines = [`${base.name} (${proof.domain}): before ${summary(matrix)} [${lint(proof.dir).map((p) => p.code).filter((c) => /^PF54/.test(c)).sort().join(' ')}]`];
    proof.assertIntentAgrees('before', matrix);
    const promised = new Set<Cell>();
    // Each intent rule's own quick fix: reported before, gone after, and smtpd now does what the rule promised.
    for (const rf of base.ruleFixes ?? []) {
      const found = lint(proof.dir).filter((p) => p.code === rf.code);
      assert.equal(found.length, 1, `${base.name}: one ${rf.code} before its fix`);
      const fix = found[0].fixes?.[0];
      assert.ok(fix && fix.edits.length, `${base.name}: ${rf.code} has a fix`);
      for (const file of new Set(fix.edits.map((e) => e.file))) proof.write(file.slice(proof.dir.length + 1), applyTextEdits(readFileSync(file, 'utf8'), fix.edits.filter((e) => e.file === file)));
      promised.add(rf.cell);
      const t0 = Date.now();
      ({ matrix, warnings } = await proof.run(`${rf.code} fix`, warnings));
      proof.assertPromises(`${rf.code} fix "${fix.title}"`, matrix, promised, 'WARN');
      proof.assertIntentAgrees(`${rf.code} fix`, matrix);
      assert.ok(!lint(proof.dir).some((p) => p.code === rf.code), `${base.name}: ${rf.code} gone after its fix`);
      lines.push(`  ${rf.code} fix: ${summary(matrix)} (${Date.now() - t0} ms)`);
    }
    let action: 'WARN' | 'REJECT' = 'WARN';
    for (const step of STEPS) {
      step.before?.(proof.dir);
      const r = runCli(['recipe', step.recipe, '-c', proof.dir, '--write', ...(step.sets ?? []).flatMap((s) => ['--set', s]), ...(step.recipe === 'tls' ? ['--set', `chain_files=${pem}`] : [])]);
      assert.equal(r.status, 0, `${base.name}: recipe ${step.recipe}: ${r.stderr}`);
      proof.d.settle();
      // The admin's part (the recipe's note): the login table lists who may send as whom.
      const logins = proof.read('sender_login_maps');
      if (logins !== undefined && !logins.includes(`\n${USER}@`)) proof.write('sender_login_maps', `${logins}${USER}@${proof.domain}    ${USER}\n`);
      for (const c of step.promises) promised.add(c);
      if (step.sets?.includes('action=REJECT')) action = 'REJECT';
      const label = `${step.recipe}${step.sets ? ` ${step.sets.join(' ')}` : ''}`;
      const t0 = Date.now();
      ({ matrix, warnings } = await proof.run(label, warnings));
      proof.assertPromises(label, matrix, promised, action);
      proof.assertIntentAgrees(label, matrix);
      lines.push(`  ${label}: ${summary(matrix)} (${Date.now() - t0} ms)`);
    }
    // Applying every recipe again changes nothing.
    const snapshot = ['main.cf', 'master.cf', 'own_domain_senders', 'sender_login_maps'].map((n) => proof.read(n));
    for (const step of STEPS) {
      const r = runCli(['recipe', step.recipe, '-c', proof.dir, '--write', ...(step.sets ?? []).flatMap((s) => ['--set', s]), ...(step.recipe === 'tls' ? ['--set', `chain_files=${pem}`] : [])]);
      assert.match(r.stderr, /nothing to change/, `${base.name}: recipe ${step.recipe} a second time: ${r.stderr}`);
    }
    assert.deepEqual(['main.cf', 'master.cf', 'own_domain_senders', 'sender_login_maps'].map((n) => proof.read(n)), snapshot, `${base.name}: second run changed files`);
    const left = lint(proof.dir).filter((p) => /^PF54[0-3]$/.test(p.code));
    assert.deepEqual(left.map((p) => `${p.code} ${p.message}`), [], `${base.name}: intent findings left after every recipe`);
    report.push(...lines);
    t.diagnostic(lines.join('\n'));
  } finally {
    await proof.dispose();
  }
}

test('live: every recipe on stock, seed and corpus configurations gives the promised relay matrix', { concurrency: true }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf', 'swaks', 'script', 'openssl'], root: true })) return;
  const certDir = mkdtempSync(join(tmpdir(), 'pf-cert-'));
  chmodSync(certDir, 0o755);
  const report: string[] = [];
  try {
    const pem = await selfSignedCert(certDir);
    // RECIPES_LIVE_ONLY=name runs one base (while working on it).
    const only = process.env.RECIPES_LIVE_ONLY;
    await Promise.all(bases().filter((b) => !only || b.name === only).map((b) => t.test(b.name, (st) => proveBase(st, b, pem, report))));
  } finally {
    rmSync(certDir, { recursive: true, force: true });
  }
});

/** Key of a logical line: the parameter name (main.cf), "name type" (master.cf), or the text of a comment or blank line. */
function blockKey(block: string): string {
  const b = block.replace(/\r/g, '');
  if (/^\s*(#|$)/.test(b)) return `text:${b}`;
  return /^([A-Za-z0-9_]+)\s*=/.exec(b)?.[1] ?? b.split(/\s+/).slice(0, 2).join(' ');
}

test('recipes keep CRLF line ends, tab indentation and every unrelated byte; a second run changes nothing', () => {
  const toVariant = (text: string) => text.replace(/\r?\n/g, '\n').replace(/^ +(?=\S)/gm, '\t').replace(/\n/g, '\r\n');
  for (const base of bases()) {
    for (const recipe of [...new Set(STEPS.map((s) => s.recipe))]) {
      const dir = mkdtempSync(join(tmpdir(), `pf-recipe-bytes-`));
      try {
        const before: Record<string, string> = { 'main.cf': toVariant(base.main), 'master.cf': toVariant(base.master) };
        for (const [n, t] of Object.entries(before)) writeFileSync(join(dir, n), t, 'latin1');
        for (const [n, t] of Object.entries(base.files ?? {})) writeFileSync(join(dir, n), t);
        const ctx = new RuleContext(loadConfig(dir, fsReader, { version: VERSION, mode: 'repository' }), fsReader);
        const built = buildRecipe(ctx, recipe);
        const plan = built.recipe.plan(ctx, built.values);
        const allowed = new Set([...plan.main.flatMap((m) => [m.name, ...(m.replaces ?? [])]), ...plan.lists.map((l) => l.parameter), ...plan.services.flatMap((sp) => [sp.name, ...sp.aliases].map((n) => `${n} inet`))]);
        const r = runCli(['recipe', recipe, '-c', dir, '--write']);
        assert.equal(r.status, 0, r.stderr);
        for (const [name, old] of Object.entries(before)) {
          const now = readFileSync(join(dir, name), 'latin1');
          assert.doesNotMatch(now.replace(/\r\n/g, ''), /\n/, `${base.name} ${recipe} ${name}: every line ends in CRLF`);
          const a = logicalLines(old);
          const b = logicalLines(now);
          const touched = new Set([...a, ...b].filter((x) => !a.includes(x) || !b.includes(x)).map(blockKey));
          for (const k of touched) assert.ok(allowed.has(k) || [...allowed].some((n) => k.endsWith(`:${n.split(' ')[0]} inet`)), `${base.name} ${recipe} ${name}: "${k}" changed, which the recipe does not set`);
          const keep = (xs: string[]) => xs.filter((x) => !touched.has(blockKey(x)));
          assert.deepEqual(keep(b), keep(a), `${base.name} ${recipe} ${name}: unrelated lines byte-identical and in order`);
        }
        const again = runCli(['recipe', recipe, '-c', dir, '--write']);
        assert.match(again.stderr, /nothing to change/, `${base.name} ${recipe}: second run`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
});

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
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, sharedDir } from '../helpers/env';
import { describeRun, interpretSwaks, PostfixInstance, REPLY_S, runTool, selfSignedCert, smtpSession, type LiveResult, ESSENTIAL_SERVICES, TLSMGR } from '../helpers/live-postfix';
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

// ---------------------------------------------------------------- deployed and test copies

/** Parameters the test instance sets itself; the deployed values are commented out in the test copy. */
const INSTANCE_MAIN = `queue_directory = {{DIR}}/spool
data_directory = {{DIR}}/data
maillog_file = {{DIR}}/maillog
maillog_file_prefixes = {{DIR}}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard
mailbox_command =
alias_maps =
alias_database =
service_throttle_time = 1s
smtpd_authorized_xclient_hosts = 127.0.0.0/8
`;
const OWNED = new Set(INSTANCE_MAIN.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(' '))));
const CERT_PARAMS = /^(smtpd_tls_cert_file|smtpd_tls_key_file|smtpd_tls_chain_files|smtpd_tls_eccert_file|smtpd_tls_eckey_file)\s*=/;


/** Logical lines: a line that starts a setting or service, with its indented continuation lines. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^[ \t]+\S/.test(line) && !/^[ \t]*#/.test(line) && out.length && !/^\s*(#|$)/.test(out[out.length - 1])) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out;
}

const PORTS: Record<string, number> = { smtp: 25, submission: 587, submissions: 465, smtps: 465 };

/** The test copy of main.cf: the deployed text with instance-owned settings commented out, the instance's appended. */
export function liveMain(deployed: string, pem: string): string {
  const lines = logicalLines(deployed).map((l) => {
    const name = /^([A-Za-z0-9_]+)\s*=/.exec(l)?.[1];
    if (name && OWNED.has(name)) return l.replace(/^/gm, '#live# ');
    if (CERT_PARAMS.test(l) && /=\s*\S/.test(l)) return l.replace(/^/gm, '#live# ');
    return l;
  });
  const hadCert = lines.some((l) => /^#live# (smtpd_tls_(cert|chain)_files?|smtpd_tls_cert_file)\s*=/.test(l));
  return `${lines.join('\n')}\n# test instance\n${INSTANCE_MAIN}${hadCert ? `smtpd_tls_chain_files = ${pem}\n` : ''}`;
}

/** The test copy of master.cf: the smtpd listeners on the instance's address and real port numbers, unchrooted, plus the essential services. */
export function liveMaster(deployed: string): { text: string; ports: number[] } {
  const blocks = logicalLines(deployed).filter((b) => !/^\s*(#|$)/.test(b));
  const postscreen = blocks.some((b) => /^\S+\s+inet\s+(\S+\s+){5}postscreen\b/.test(b));
  const out: string[] = [];
  const ports: number[] = [];
  for (const b of blocks) {
    const m = /^(\S+)\s+(inet|pass)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)\s+smtpd\b([^\n]*)(\n[\s\S]*)?$/.exec(b);
    if (!m) continue;
    let [, name, type] = m;
    if (type === 'pass') {
      if (!postscreen) continue;
      name = 'smtp';
    }
    const host = name.includes(':') ? name.slice(0, name.lastIndexOf(':')) : '';
    if (/^(127\.|\[?::1|localhost)/.test(host)) continue;
    const svc = name.slice(name.lastIndexOf(':') + 1);
    const port = PORTS[svc] ?? (/^\d+$/.test(svc) ? Number(svc) : undefined);
    if (port === undefined) continue;
    ports.push(port);
    out.push(`{{HOST}}:${port} inet ${m[3]} ${m[4]} n ${m[5]} ${m[6]} smtpd${m[7]}${m[8] ?? ''}`);
  }
  return { text: `${out.join('\n')}\n${ESSENTIAL_SERVICES}${TLSMGR}`, ports };
}

function backdate(path: string): void {
  const old = new Date(Date.now() - 10000);
  utimesSync(path, old, old);
}

/** A fake Dovecot auth socket (the handshake only): smtpd with smtpd_sasl_type = dovecot needs one to start a session. XCLIENT stands in for the login itself. */
function dovecotAuth(path: string): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const srv = createServer((s) => {
    s.on('error', () => undefined);
    s.write('VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t1\nCUID\t1\nCOOKIE\t0123456789abcdef0123456789abcdef\nDONE\n');
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(path, () => {
      chmodSync(path, 0o666);
      resolve(srv);
    });
  });
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
  readonly dir: string;
  readonly domain: string;
  private inst?: PostfixInstance;
  private ports: number[] = [];
  private auth?: Server;
  private logMark = 0;
  readonly report: string[] = [];

  constructor(
    readonly base: Base,
    readonly pem: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `pf-recipe-${base.name}-`));
    this.write('main.cf', base.main);
    this.write('master.cf', base.master);
    for (const [n, t] of Object.entries(base.files ?? {})) this.write(n, t);
    const ctx = new RuleContext(loadConfig(this.dir, fsReader, { version: VERSION, mode: 'live' }), fsReader);
    // A virtual domain first, as the intent rules probe: mail is mostly addressed to those.
    const own = ownDomains(ctx);
    this.domain = own.virtual[0] ?? own.local[0];
    assert.ok(this.domain, `${base.name}: an own domain`);
  }

  write(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
    backdate(join(this.dir, name));
  }

  read(name: string): string | undefined {
    const p = join(this.dir, name);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }

  /** The test copy of the deployed files, written into the instance (created on first use). */
  private async sync(): Promise<void> {
    let main = liveMain(this.read('main.cf')!, this.pem);
    let master = liveMaster(this.read('master.cf')!);
    for (const [re, to] of this.base.live ?? []) {
      main = main.replace(re, to);
      master = { ...master, text: master.text.replace(re, to) };
    }
    this.ports = master.ports;
    const tables: Record<string, string> = {};
    for (const n of ['own_domain_senders', 'sender_login_maps', ...Object.keys(this.base.files ?? {})]) {
      const t = this.read(n);
      if (t !== undefined) tables[n] = t;
    }
    if (!this.inst) {
      this.inst = await PostfixInstance.create(`recipes ${this.base.name}`, { main, master: master.text, tables });
      return;
    }
    this.inst.writeFile('main.cf', this.inst.subst(main));
    this.inst.writeFile('master.cf', this.inst.subst(master.text));
    for (const [n, t] of Object.entries(tables)) this.inst.writeFile(n, this.inst.subst(t));
  }

  private listen() {
    return this.ports.map((port) => ({ host: this.inst!.host, port }));
  }

  /** postconf -n (deployed and test copies): its warnings, line numbers and directories left out. */
  private async postconfWarnings(): Promise<{ code: number; lines: string[] }> {
    const p = await runTool('postconf', ['-c', this.inst!.etc, '-n'], undefined, 'latin1');
    const d = await runTool('postconf', ['-c', this.dir, '-n'], undefined, 'latin1');
    return { code: p.code || d.code, lines: this.normalise(`${p.out}\n${d.out}`, /^postconf: (warning|fatal|error)/) };
  }

  /** What `postfix check` (run by `postfix start`: postfix-script check-fatal and check-warn) logged. */
  private checkWarnings(): string[] {
    return this.normalise(this.recentLog().replace(/^\S+ \S+ \S+ \S+ /gm, ''), /^postfix(\/(postfix-script|postsuper|postlog|master))?\[\d+\]: (warning|fatal|error)/);
  }

  private normalise(text: string, keep: RegExp): string[] {
    const lines = text
      .replaceAll(this.inst!.etc, 'ETC')
      .replaceAll(this.dir, 'ETC')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => keep.test(l))
      .map((l) => l.replace(/\[\d+\]/, '').replace(/, line \d+/, ''));
    return [...new Set(lines)].sort();
  }

  private async swaks(port: number, tx: { addr: string; name?: string; login?: string; sender: string; to: string }): Promise<LiveResult> {
    const inst = this.inst!;
    // Submission ports need TLS (STARTTLS on 587, TLS on connect on 465): the harness's own client speaks it, swaks here cannot.
    if (port === 587 || port === 465) {
      return smtpSession(inst.host, port, { service: String(port), clientAddress: tx.addr, clientName: tx.name, helo: tx.name ?? OUTSIDE.name, saslUser: tx.login, sender: tx.sender, recipients: [tx.to] }, port === 465 ? 'implicit' : 'starttls');
    }
    const args = ['--timeout', String(REPLY_S), '--server', inst.host, '--port', String(port), '--xclient-addr', tx.addr, '--xclient-name', tx.name ?? '[UNAVAILABLE]', '--xclient-reverse-name', tx.name ?? '[UNAVAILABLE]', '--helo', tx.name ?? OUTSIDE.name, '--from', tx.sender === '' ? '<>' : tx.sender, '--to', tx.to, '--quit-after', 'RCPT'];
    if (tx.login) args.push('--xclient-login', tx.login);
    const r = await runTool('swaks', args, undefined, 'latin1');
    if (r.timedOut) throw new Error(describeRun(`swaks (${this.base.name} port ${port})`, r, undefined, this.recentLog()));
    return interpretSwaks(r.out);
  }

  recentLog(): string {
    return this.inst ? this.inst.maillog().slice(this.logMark) : '';
  }

  private async matrix(): Promise<Matrix> {
    const own = `postmaster@${this.domain}`;
    const outside = { addr: OUTSIDE.addr, name: OUTSIDE.name };
    const sender = this.base.outsideSender ?? `someone@${OUTSIDE.name.replace(/^mail\./, '')}`;
    const subPorts = this.ports.filter((p) => p === 587 || p === 465);
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
    if (this.inst) await this.inst.stop(this.listen());
    await this.sync();
    const pc = await this.postconfWarnings();
    assert.equal(pc.code, 0, `${this.base.name} ${label}: postconf -n fails:\n${pc.lines.join('\n')}`);
    this.logMark = this.inst!.maillog().length;
    await this.inst!.start(this.listen());
    const w = [...pc.lines, ...this.checkWarnings()].sort();
    if (before) {
      const fresh = w.filter((l) => !before.includes(l));
      assert.deepEqual(fresh, [], `${this.base.name} ${label}: new warnings\n${this.read('main.cf')}\n${this.read('master.cf')}`);
    }
    if (!this.auth) this.auth = await dovecotAuth(join(this.inst!.dir, 'spool', 'private', 'auth'));
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

  async dispose(): Promise<void> {
    this.auth?.close();
    await this.inst?.dispose();
    rmSync(this.dir, { recursive: true, force: true });
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
      for (const n of ['main.cf', 'master.cf', 'own_domain_senders', 'sender_login_maps']) if (proof.read(n) !== undefined) backdate(join(proof.dir, n));
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
        const allowed = new Set([...plan.main.map((m) => m.name), ...plan.lists.map((l) => l.parameter), ...plan.services.flatMap((sp) => [sp.name, ...sp.aliases].map((n) => `${n} inet`))]);
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

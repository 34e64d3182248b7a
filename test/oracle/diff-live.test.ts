// `postfix-lint diff` against a live smtpd: for pairs of configurations (a
// change and what it was made on), every relay-matrix transaction either side
// tries is sent to a live smtpd running each side. The cells the diff reports
// as changed must be exactly those where the two live servers answer
// differently, with the same before and after answers; every other cell the
// matrices tried must get the same answer from both live servers.
//
// The pairs are small made-up changes and changes to real configurations:
// seed 000's main.cf and submission service as the write-up prints them,
// before and after the recipe its intent finding offers (made by
// `postfix-lint recipe --write`, as an admin would), and Debian's stock
// configuration before and after a change that opens a relay and one that
// closes it. Two live instances (one per side) serve every pair: each pair
// is loaded with `reconfigure()` (a reload), not a new start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, sharedDir } from '../helpers/env';
import { LivePostfix, type LiveConfig, type LiveResult, type LiveService } from '../helpers/live-postfix';
import { liveMain, logicalLines } from '../helpers/live-deploy';
import { fsReader, main as cli } from '../../server/src/cli/main';
import { behaviourOf, probeKey, type Behaviour, type Probe } from '../../server/src/engine/review/behaviour';
import { diffBehaviour } from '../../server/src/engine/review/diff';

const BASE = `mydestination = example.test, localhost
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
`;

interface Pair {
  name: string;
  before: LiveConfig;
  after: LiveConfig;
  /** Cells that must be among the changes (client → recipient label). */
  expect: string[];
}

const PAIRS: Pair[] = [
  {
    name: 'mynetworks opened to the Internet',
    before: { mainCf: BASE, services: [{ name: 'smtp' }] },
    after: { mainCf: `${BASE}mynetworks = 0.0.0.0/0\n`, services: [{ name: 'smtp' }] },
    expect: ['outside → outside domain'],
  },
  {
    name: "seed 000's reject-all client list",
    before: { mainCf: BASE, services: [{ name: 'smtp' }] },
    after: { mainCf: `${BASE}smtpd_client_restrictions = permit_mynetworks, reject\n`, services: [{ name: 'smtp' }] },
    expect: ['outside → local domain'],
  },
  {
    name: 'a client table that says OK for everyone, on one service',
    before: {
      mainCf: BASE,
      services: [{ name: 'smtp' }, { name: 'relay', options: ['{ smtpd_relay_restrictions = check_client_access cidr:{{ETC}}/clients.cidr, reject_unauth_destination }'] }],
      tables: { 'clients.cidr': '192.0.2.0/24 OK\n' },
    },
    after: {
      mainCf: BASE,
      services: [{ name: 'smtp' }, { name: 'relay', options: ['{ smtpd_relay_restrictions = check_client_access cidr:{{ETC}}/clients.cidr, reject_unauth_destination }'] }],
      tables: { 'clients.cidr': '0.0.0.0/0 OK\n' },
    },
    expect: ['outside → outside domain'],
  },
  {
    // Open only to a client that claims a sender the table trusts: the matrix's probe finds it,
    // and the diff must report that transaction (its sender), not the plain one.
    name: 'a trusted sender ahead of reject_unauth_destination',
    before: { mainCf: BASE, services: [{ name: 'smtp' }] },
    after: { mainCf: `${BASE}smtpd_relay_restrictions = permit_mynetworks, check_sender_access inline:{ boss@example.test=OK }, reject_unauth_destination\n`, services: [{ name: 'smtp' }] },
    expect: ['outside → outside domain'],
  },
];

// ------------------------------------------------ pairs from real configurations

const corpus = (p: string) => readFileSync(join(sharedDir, 'corpus', p), 'utf8');
const seed = (p: string) => readFileSync(join(sharedDir, 'seeds', p), 'utf8');

/** Lines taken from a seed write-up: they must be printed there (line breaks and indentation aside). */
function fromSeed(file: string, lines: string): string {
  const flat = (x: string) => x.replace(/\s+/g, ' ').trim();
  assert.ok(flat(seed(file)).includes(flat(lines)), `seed ${file} prints:\n${lines}`);
  return lines;
}

/** What Debian's installer adds to main.cf.debian for an "Internet Site", with this test's names. */
const INTERNET_SITE = `myhostname = mx.example.test
mydestination = $myhostname, example.test, localhost.localdomain, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
inet_interfaces = all
`;

interface Files {
  main: string;
  master: string;
  /** Table files beside main.cf. */
  tables?: Record<string, string>;
}

/** The files `postfix-lint recipe NAME --write` leaves in a copy of `files`. */
function withRecipe(files: Files, recipe: string, sets: string[] = []): Files {
  const dir = mkdtempSync(join(tmpdir(), 'pf-diff-recipe-'));
  try {
    writeFileSync(join(dir, 'main.cf'), files.main);
    writeFileSync(join(dir, 'master.cf'), files.master);
    for (const [n, t] of Object.entries(files.tables ?? {})) writeFileSync(join(dir, n), t);
    let err = '';
    const status = cli(['recipe', recipe, '-c', dir, '--write', ...sets.flatMap((s) => ['--set', s])], { stdout: () => undefined, stderr: (x) => (err += x), reader: fsReader });
    assert.equal(status, 0, `recipe ${recipe}: ${err}`);
    const out: Files = { main: readFileSync(join(dir, 'main.cf'), 'utf8'), master: readFileSync(join(dir, 'master.cf'), 'utf8'), tables: {} };
    for (const n of readdirSync(dir)) if (n !== 'main.cf' && n !== 'master.cf' && statSync(join(dir, n)).isFile()) out.tables![n] = readFileSync(join(dir, n), 'utf8');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A deployed configuration as the harness runs it: main.cf with the settings
 * the test instance owns commented out (live-deploy's liveMain), tables named
 * under /etc/postfix read from the instance's directory, and the smtpd
 * services of master.cf with their -o options. Services the harness's plain
 * client cannot speak to (TLS on connect, TLS required) are left out.
 */
function liveConfigOf(files: Files): LiveConfig {
  const services: LiveService[] = [];
  for (const block of logicalLines(files.master)) {
    const m = /^(?:\S+:)?(\S+)\s+inet\s+(?:\S+\s+){5}smtpd\b([\s\S]*)$/.exec(block);
    if (!m || /^\s*#/.test(block)) continue;
    const options = [...m[2].matchAll(/-o\s+(\{[^}]*\}|\S+)/g)].map((o) => o[1]);
    if (options.some((o) => /^smtpd_tls_wrappermode=yes$|^smtpd_tls_security_level=encrypt$/.test(o))) continue;
    services.push({ name: m[1], options });
  }
  const etc = (t: string) => t.replaceAll('/etc/postfix/', '{{ETC}}/');
  const tables = Object.fromEntries(Object.entries(files.tables ?? {}).map(([n, t]) => [n, etc(t)]));
  // The harness's own essentials already set what only the master's start reads: without a second
  // copy of them, moving from one pair to the next stays a reload (no stop and start).
  const main = liveMain(files.main, '').replace(/^(inet_interfaces|inet_protocols|queue_directory|data_directory|maillog_file|maillog_file_prefixes) = .*\n/gm, '');
  return { mainCf: etc(main), services, tables };
}

function realPairs(): Pair[] {
  const debianMain = corpus('debian-postfix-3.7/main.cf.debian');
  const debianMaster = corpus('debian-postfix-3.7/master.cf.dist');
  const debian: Files = { main: `${debianMain}\n${INTERNET_SITE}`, master: debianMaster };
  // Seed 000, second write-up: its main.cf line (one line in the write-up), its recipient and SASL blocks, its submission service.
  const s0 = '000_aaab50c8a243b44d.txt';
  const s0main = fromSeed(s0, 'smtpd_client_restrictions = permit_mynetworks, reject mynetworks = 127.0.0.0/8 inet_interfaces = all').replace(/ (?=mynetworks|inet_interfaces)/g, '\n');
  const s0recipient = fromSeed(s0, 'smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination\n');
  const s0sasl = fromSeed(s0, 'smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous\nbroken_sasl_auth_clients = yes\n');
  const s0submission = fromSeed(s0, 'submission inet n - - - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n');
  const seed0: Files = {
    main: `myhostname = mx.example.test\nmydestination = $myhostname, example.test, localhost\n${s0main}\n${s0recipient}${s0sasl}`,
    master: `${debianMaster}${s0submission}`,
  };
  const openDebian: Files = { ...debian, main: `${debian.main}mynetworks = 0.0.0.0/0\n` };
  // Postfix's default relay list (compatibility level 3.6), with a client table ahead of its guard.
  const partners: Files = {
    ...debian,
    main: `${debian.main}smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, check_client_access cidr:/etc/postfix/partners.cidr, defer_unauth_destination\n`,
    tables: { 'partners.cidr': "# the partner's outbound servers\n203.0.113.0/24 OK\n" },
  };
  return [
    {
      // PF540's quick fix: outside servers can deliver to the seed's domain.
      name: 'seed 000 as printed → recipe mx',
      before: liveConfigOf(seed0),
      after: liveConfigOf(withRecipe(seed0, 'mx')),
      expect: ['outside → local domain'],
    },
    {
      name: 'Debian stock → a partner network trusted in a client table ahead of defer_unauth_destination (opens a relay)',
      before: liveConfigOf(debian),
      after: liveConfigOf(partners),
      expect: ['outside → outside domain'],
    },
    {
      name: 'Debian stock with mynetworks = 0.0.0.0/0 → recipe localhost-only-sending (closes the relay)',
      before: liveConfigOf(openDebian),
      after: liveConfigOf(withRecipe(openDebian, 'localhost-only-sending')),
      expect: ['outside → outside domain'],
    },
  ];
}

// ------------------------------------------------ the comparison

/** The live instance names its services 127.0.0.1:PORT; the diff compares them by the test's names. */
function logical(b: Behaviour, live: LivePostfix): Behaviour {
  const toName = new Map([...live.serviceNames].map(([name, addr]) => [`${addr}/inet`, `${name}/inet`]));
  const toAddr = new Map([...toName].map(([a, n]) => [n, a]));
  const probes = new Map<string, Probe>();
  const answers = new Map<string, ReturnType<Behaviour['replay']> & object>();
  for (const [key, p] of b.probes) {
    const renamed = { ...p, service: toName.get(p.service) ?? p.service };
    probes.set(probeKey(renamed), renamed);
    answers.set(probeKey(renamed), b.answers.get(key)!);
  }
  return { ...b, probes, answers, replay: (p) => b.replay({ ...p, service: toAddr.get(p.service) ?? p.service }), services: new Map() };
}

/** A live reply in the diff's terms; undefined when the service does not exist on that side (the diff's "not tested"). */
function liveAnswer(r: LiveResult | undefined): string | undefined {
  if (!r) return undefined;
  if (r.outcome === 'fatal') return 'FATAL (smtpd exits)';
  const reply = r.reply;
  if (r.outcome !== 'replied' || !reply) return `no reply: ${r.transcript}`;
  if (reply.code < 400) return 'ACCEPT';
  return `${reply.code < 500 ? 'DEFER' : 'REJECT'} ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''}`;
}

/** Each transaction on the live side that has its service; undefined for the others. */
async function play(live: LivePostfix, probes: Probe[]): Promise<(LiveResult | undefined)[]> {
  const here = probes.map((p, i) => ({ p, i })).filter(({ p }) => live.serviceNames.has(p.service.replace(/\/inet$/, '')));
  const txs = here.map(({ p }) => ({
    service: p.service.replace(/\/inet$/, ''),
    clientAddress: p.clientAddress,
    clientName: p.clientHostname,
    helo: p.helo,
    saslUser: p.saslUser,
    sender: p.sender,
    recipients: [p.recipientAddress],
  }));
  // Bounded: a loaded two-core machine runs this beside other live tests.
  const results = await live.sendAll(txs, 4, 'native');
  const out: (LiveResult | undefined)[] = new Array(probes.length);
  here.forEach(({ i }, k) => (out[i] = results[k]));
  return out;
}

test('diff agrees with live smtpd on every pair', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
  const pairs = [...PAIRS, ...realPairs()];
  let before: LivePostfix | undefined;
  let after: LivePostfix | undefined;
  try {
    for (const pair of pairs) {
      await t.test(pair.name, async (st) => {
        if (!before) before = await LivePostfix.start(pair.before);
        else await before.reconfigure(pair.before);
        // In the first one's harness slot: never wait for a second slot while holding one.
        if (!after) after = await LivePostfix.start(pair.after, before);
        else await after.reconfigure(pair.after);
        const b = logical(behaviourOf(before.etc, fsReader, { mode: 'live' }), before);
        const a = logical(behaviourOf(after.etc, fsReader, { mode: 'live' }), after);
        const d = diffBehaviour(b, a);
        const reported = new Map(d.cells.map((c) => [probeKey(c), c]));
        const probes = [...new Map([...b.probes, ...a.probes]).values()];
        const [liveBefore, liveAfter] = [await play(before, probes), await play(after, probes)];
        const failures: string[] = [];
        probes.forEach((p, i) => {
          const was = liveAnswer(liveBefore[i]);
          const now = liveAnswer(liveAfter[i]);
          const cell = reported.get(probeKey(p));
          const what = `${p.service} ${p.client} [${p.clientAddress}${p.saslUser ? ` login ${p.saslUser}` : ''}] <${p.sender}> → ${p.recipientAddress}`;
          if (was === now && cell) failures.push(`${what}: diff says ${cell.before} → ${cell.after}; live answers ${was} both times`);
          if (was !== now && !cell) failures.push(`${what}: live changed ${was} → ${now}; diff reports no change`);
          if (was !== now && cell && (cell.before !== was || cell.after !== now)) failures.push(`${what}: diff ${cell.before} → ${cell.after}; live ${was} → ${now}`);
        });
        assert.deepEqual(failures, [], failures.join('\n'));
        for (const e of pair.expect) assert.ok(d.cells.some((c) => `${c.client} → ${c.recipient}` === e), `${e} among ${d.cells.map((c) => `${c.client} → ${c.recipient}`)}`);
        st.diagnostic(`${probes.length} transactions on each side, ${d.cells.length} changed (${d.cells.map((c) => `${c.service} ${c.client} → ${c.recipient}: ${c.before} → ${c.after}`).join('; ')})`);
      });
    }
  } finally {
    await after?.stop();
    await before?.stop();
  }
});

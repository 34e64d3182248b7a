// `postfix-lint diff` against a live smtpd: for pairs of configurations (a
// change and what it was made on), every relay-matrix transaction either side
// tries is sent to a live smtpd running each side. The cells the diff reports
// as changed must be exactly those where the two live servers answer
// differently, with the same before and after answers; every other cell the
// matrices tried must get the same answer from both live servers. A change
// the diff says leaves the matrix alone must leave every live answer alone.
//
// The pairs are small made-up changes and, from ./diff-live-pairs.ts, real
// configurations (Debian's stock files, seeds 000 and 004) before and after
// every recipe (as `postfix-lint recipe NAME --write` writes it) and before
// and after the quick fix of each rule that bears on smtpd's decision. Two
// live instances (one per side) serve every pair: each pair is loaded with
// `reconfigure()` (a reload, never a stop and start: the configurations leave
// the master's start-up settings to the harness), and a side whose
// configuration did not change from the previous pair is not reloaded at all.
// Services that require TLS are spoken to with STARTTLS or TLS on connect
// (a self-signed test certificate), as the matrix assumes their clients do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { LivePostfix, selfSignedCert, type LiveConfig, type LiveResult } from '../helpers/live-postfix';
import { fsReader } from '../../server/src/cli/main';
import { behaviourOf, probeKey, type Behaviour, type Probe } from '../../server/src/engine/review/behaviour';
import { diffBehaviour } from '../../server/src/engine/review/diff';
import { realPairs, type Pair } from './diff-live-pairs';

const BASE = `mydestination = example.test, localhost
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
`;

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
  {
    // A table pattern without a name in a match list smtpd builds at start-up: it dies before greeting anyone.
    name: 'relay_domains written as a table without a name',
    before: { mainCf: BASE, services: [{ name: 'smtp' }] },
    after: { mainCf: `${BASE}relay_domains = hash:\n`, services: [{ name: 'smtp' }] },
    expect: ['outside → local domain', 'localhost → outside domain'],
  },
];

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
  const results = await live.sendAll(txs, 3, 'native');
  const out: (LiveResult | undefined)[] = new Array(probes.length);
  here.forEach(({ i }, k) => (out[i] = results[k]));
  return out;
}

/** Settings only the master's start reads: a pair that set one would make reconfigure() stop and start the instance. */
const MASTER_START = /^(inet_interfaces|inet_protocols|queue_directory|data_directory|maillog_file|maillog_file_prefixes)\s*=/m;

test('diff agrees with live smtpd on every pair', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks', 'openssl'], root: true })) return;
  const certDir = mkdtempSync(join(tmpdir(), 'pf-diff-cert-'));
  chmodSync(certDir, 0o755);
  let before: LivePostfix | undefined;
  let after: LivePostfix | undefined;
  try {
    const pem = await selfSignedCert(certDir);
    const pairs: Pair[] = [...PAIRS, ...realPairs(pem)];
    for (const p of pairs) for (const c of [p.before, p.after]) assert.doesNotMatch(c.mainCf, MASTER_START, `${p.name}: the harness sets the master's start-up settings (a reload, not a restart)`);
    // What each instance runs now: a side that stays the same from one pair to the next is not reloaded.
    let loaded: [string, string] = ['', ''];
    for (const pair of pairs) {
      await t.test(pair.name, async (st) => {
        const started = Date.now();
        const want: [string, string] = [JSON.stringify(pair.before), JSON.stringify(pair.after)];
        if (!before) before = await LivePostfix.start(pair.before);
        else if (want[0] !== loaded[0]) await before.reconfigure(pair.before);
        loaded[0] = want[0];
        // In the first one's harness slot: never wait for a second slot while holding one.
        if (!after) after = await LivePostfix.start(pair.after, before);
        else if (want[1] !== loaded[1]) await after.reconfigure(pair.after);
        loaded[1] = want[1];
        const b = logical(behaviourOf(before.etc, fsReader, { mode: 'live' }), before);
        const a = logical(behaviourOf(after.etc, fsReader, { mode: 'live' }), after);
        const d = diffBehaviour(b, a);
        const reported = new Map(d.cells.map((c) => [probeKey(c), c]));
        const probes = [...new Map([...b.probes, ...a.probes]).values()];
        const [liveBefore, liveAfter] = await Promise.all([play(before, probes), play(after!, probes)]);
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
        if (pair.unchanged) assert.deepEqual(d.cells, [], 'this change leaves the matrix alone');
        st.diagnostic(`${probes.length} transactions on each side, ${d.cells.length} changed, ${((Date.now() - started) / 1000).toFixed(1)} s (${d.cells.map((c) => `${c.service} ${c.client} → ${c.recipient}: ${c.before} → ${c.after}`).join('; ')})`);
      });
    }
  } finally {
    await after?.stop();
    await before?.stop();
    rmSync(certDir, { recursive: true, force: true });
  }
});

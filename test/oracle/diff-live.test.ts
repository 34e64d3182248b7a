// `postfix-lint diff` against a live smtpd: for pairs of configurations (a
// change and what it was made on), every relay-matrix transaction either side
// tries is sent to a live smtpd running each side. The cells the diff reports
// as changed must be exactly those where the two live servers answer
// differently, with the same before and after answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix, type LiveConfig, type LiveResult } from '../helpers/live-postfix';
import { fsReader } from '../../server/src/cli/main';
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

/** A live reply in the diff's terms. */
function liveAnswer(r: LiveResult): string {
  if (r.outcome === 'fatal') return 'FATAL (smtpd exits)';
  const reply = r.reply;
  if (r.outcome !== 'replied' || !reply) return `no reply: ${r.transcript}`;
  if (reply.code < 400) return 'ACCEPT';
  return `${reply.code < 500 ? 'DEFER' : 'REJECT'} ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''}`;
}

for (const pair of PAIRS) {
  test(`diff agrees with live smtpd: ${pair.name}`, async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'swaks'], root: true })) return;
    const before = await LivePostfix.start(pair.before);
    try {
      // In the first one's harness slot: never wait for a second slot while holding one.
      const after = await LivePostfix.start(pair.after, before);
      try {
        const b = logical(behaviourOf(before.etc, fsReader, { mode: 'live' }), before);
        const a = logical(behaviourOf(after.etc, fsReader, { mode: 'live' }), after);
        const d = diffBehaviour(b, a);
        const reported = new Map(d.cells.map((c) => [probeKey(c), c]));
        const probes = [...new Map([...b.probes, ...a.probes]).values()];
        const txs = probes.map((p) => ({
          service: p.service.replace(/\/inet$/, ''),
          clientAddress: p.clientAddress,
          clientName: p.clientHostname,
          helo: p.helo,
          saslUser: p.saslUser,
          sender: p.sender,
          recipients: [p.recipientAddress],
        }));
        const [liveBefore, liveAfter] = [await before.sendAll(txs, 4, 'native'), await after.sendAll(txs, 4, 'native')];
        const failures: string[] = [];
        probes.forEach((p, i) => {
          const was = liveAnswer(liveBefore[i]);
          const now = liveAnswer(liveAfter[i]);
          const cell = reported.get(probeKey(p));
          const what = `${p.service} ${p.client} [${p.clientAddress}] → ${p.recipientAddress}`;
          if (was === now && cell) failures.push(`${what}: diff says ${cell.before} → ${cell.after}; live answers ${was} both times`);
          if (was !== now && !cell) failures.push(`${what}: live changed ${was} → ${now}; diff reports no change`);
          if (was !== now && cell && (cell.before !== was || cell.after !== now)) failures.push(`${what}: diff ${cell.before} → ${cell.after}; live ${was} → ${now}`);
        });
        assert.deepEqual(failures, [], failures.join('\n'));
        for (const e of pair.expect) assert.ok(d.cells.some((c) => `${c.client} → ${c.recipient}` === e), `${e} among ${d.cells.map((c) => `${c.client} → ${c.recipient}`)}`);
        t.diagnostic(`${probes.length} transactions on each side, ${d.cells.length} changed`);
      } finally {
        await after.stop();
      }
    } finally {
      await before.stop();
    }
  });
}

// Differential test: the SMTP policy simulator against a live smtpd (Postfix
// 3.7.11) configured identically, over the matrix in
// test/fixtures/simulate/matrix.ts. Reply code, enhanced status code, text
// (except the queue id) and SMTP stage must agree in every case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { LivePostfix, SLOT_LIMIT } from '../helpers/live-postfix';
import { disagreement, fsReader } from '../helpers/simulate-compare';
import { MATRIX, type MatrixConfig } from '../fixtures/simulate/matrix';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import type { SimulationResult } from '../../server/src/engine/simulate/types';
import type { MatrixTx } from '../fixtures/simulate/matrix';

interface ConfigOutcome {
  name: string;
  total: number;
  /** Transactions that came from the relay matrix of the configuration. */
  matrixCells: number;
  /** Transactions whose logged actions (hold, discard, warn, ...) were compared. */
  actionChecks: number;
  /** Transactions also run with swaks, whose view must equal the built-in client's. */
  swaksChecks: number;
  failures: string[];
  ms: number;
}

/** The access actions smtpd logged, per client+sender+recipient. */
function loggedActions(maillog: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const re = /postfix\/smtpd\[\d+\]: \S+: (hold|discard|warn|info|filter|redirect|bcc|reject_warning): \S+ from (\S+?): .*; from=<([^>]*)>(?: to=<([^>]*)>)?/gm;
  for (const m of maillog.matchAll(re)) {
    // Before RCPT TO (smtpd_delay_reject = no) there is no recipient: `*`.
    const key = `${m[2]}|${m[3]}|${m[4] ?? '*'}`;
    if (!out.has(key)) out.set(key, new Set());
    out.get(key)!.add(m[1]);
  }
  return out;
}

function simActions(sim: SimulationResult): Set<string> {
  const a = sim.actions;
  const kinds = new Set<string>();
  if (a.hold) kinds.add('hold');
  if (a.discard) kinds.add('discard');
  if (a.filter) kinds.add('filter');
  if (a.redirect) kinds.add('redirect');
  if (a.bcc.length) kinds.add('bcc');
  // Table warnings (pcre "match limit exceeded") name no client: compared apart.
  for (const w of a.warnings) if (!w.startsWith('warning: ')) kinds.add(w.slice(0, w.indexOf(':')));
  return kinds;
}

const namaddr = (tx: MatrixTx) => `${tx.client.name ?? 'unknown'}[${tx.client.address}]`;

/** Waits until postlogd has written everything: the log stops growing. */
async function settledLog(live: LivePostfix): Promise<string> {
  let last = live.maillog();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = live.maillog();
    if (now.length === last.length) return now;
    last = now;
  }
  return last;
}

/** Every n-th transaction also goes through swaks. */
const SWAKS_EVERY = 6;

/** One live instance that runs configuration after configuration (reconfigured and reloaded, not restarted). */
interface Lane {
  live?: LivePostfix;
}

async function runConfig(c: MatrixConfig, lane: Lane): Promise<ConfigOutcome> {
  const t0 = Date.now();
  if (lane.live) await lane.live.reconfigure(c.live);
  else lane.live = await LivePostfix.start(c.live);
  const live = lane.live;
  // The instance runs from this directory: it is the live configuration.
  const config = loadSimConfig(live.etc, fsReader, 'live');
  // The relay matrix of this configuration, replayed against the live server too.
  const logical = new Map([...live.serviceNames].map(([k, v]) => [`${v}/inet`, k]));
  const matrix = relayMatrix(config, { assumptions: c.assumptions });
  const byLabel = new Map(matrix.clients.map((x) => [x.label, x]));
  const matrixTxs: MatrixTx[] = live.fatal
    ? []
    : matrix.cells.map((cell) => {
        const cl = byLabel.get(cell.client)!;
        return {
          service: logical.get(cell.service)!,
          client: { address: cl.address, name: cl.hostname },
          // The outside client may have got through only with a forged sender or HELO name.
          helo: cell.probe?.helo ?? matrix.helo,
          saslUser: cl.saslUser,
          sender: cell.probe?.sender ?? matrix.sender,
          recipients: [matrix.recipients.find((r) => r.label === cell.recipient)!.address],
        };
      });
  const transactions = [...c.transactions, ...matrixTxs];
  const liveTxs = 
    transactions.map((tx) => ({
      service: tx.service,
      clientAddress: tx.client.address,
      clientName: tx.client.name,
      helo: tx.helo ?? 'client.example',
      saslUser: tx.saslUser,
      sender: tx.sender,
      recipients: tx.recipients,
      through: tx.through,
    }));
  // The built-in client carries the matrix; swaks, the reference client, replays a sample
  // and must see exactly the same replies.
  const liveResults = await live.sendAll(liveTxs, 12, 'native');
  const sample = liveTxs.map((_, i) => i).filter((i) => i % SWAKS_EVERY === 0);
  const swaksResults = await live.sendAll(sample.map((i) => liveTxs[i]), 8, 'swaks');
  const swaksFailures = sample.flatMap((i, k) => {
    const a = liveResults[i];
    const b = swaksResults[k];
    const view = (r: typeof a) => JSON.stringify([r.outcome, r.reply?.line, r.stage, r.rcpt.map((x) => x.line), r.fatal]).replace(/queued as [0-9A-Z]+/g, 'queued as ID');
    return view(a) === view(b) ? [] : [`built-in client and swaks disagree on transaction ${i}: ${view(a)} vs ${view(b)}`];
  });
  const failures: string[] = [...swaksFailures];
  const maillog = await settledLog(live);
  const log = loggedActions(maillog);
  const simWarnings = new Set<string>();
  // Action logs are attributed by client, sender and recipient; only unambiguous ones count.
  const keyCount = new Map<string, number>();
  const keysOf = (tx: MatrixTx) => [...tx.recipients.map((r) => `${namaddr(tx)}|${tx.sender}|${r.toLowerCase()}`), `${namaddr(tx)}|${tx.sender}|*`];
  for (const tx of transactions) for (const k of keysOf(tx)) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
  let actionChecks = 0;
  transactions.forEach((tx, i) => {
    const sim = simulateTransaction(
      config,
      {
        service: live.serviceNames.get(tx.service),
        client: { address: tx.client.address, hostname: tx.client.name },
        helo: tx.helo ?? 'client.example',
        saslUser: tx.saslUser,
        sender: tx.sender,
        recipients: tx.recipients,
        through: tx.through ?? 'rcpt',
      },
      c.assumptions,
    );
    if (i >= c.transactions.length) {
      const cell = matrix.cells[i - c.transactions.length];
      if (cell.reply?.line !== sim.reply?.line || cell.verdict !== sim.verdict) failures.push(`relay matrix cell ${cell.service} ${cell.client} → ${cell.recipient} differs from simulateTransaction`);
    }
    for (const w of sim.actions.warnings) if (w.startsWith('warning: ')) simWarnings.add(w);
    let d = disagreement(sim, liveResults[i]);
    const keys = keysOf(tx);
    const star = keys[keys.length - 1];
    // Pre-RCPT log lines (no recipient) are attributable only when client+sender is unique.
    const attributable = keys.slice(0, -1).every((k) => keyCount.get(k) === 1) && (!log.has(star) || keyCount.get(star) === 1);
    if (!d && sim.stage !== 'startup' && attributable) {
      const logged = new Set(keys.flatMap((k) => [...(log.get(k) ?? [])]));
      const expected = simActions(sim);
      actionChecks++;
      if ([...expected].sort().join() !== [...logged].sort().join()) d = `logged actions: sim [${[...expected].sort()}] vs live [${[...logged].sort()}]`;
    }
    if (d) failures.push(`${tx.service} ${tx.client.address}${tx.client.name ? `(${tx.client.name})` : ''} helo=${tx.helo ?? 'client.example'}${tx.saslUser ? ` sasl=${tx.saslUser}` : ''} <${tx.sender}> → ${tx.recipients.join(',')}: ${d}`);
  });
  // smtpd's table warnings, as text: the same set as the simulator's.
  const liveWarnings = new Set([...maillog.matchAll(/postfix\/smtpd\[\d+\]: (warning: (?:pcre|regexp) map .*)$/gm)].map((m) => m[1]));
  if ([...simWarnings].sort().join('\n') !== [...liveWarnings].sort().join('\n')) failures.push(`table warnings: sim [${[...simWarnings]}] vs live [${[...liveWarnings]}]`);
  return { name: c.name, total: transactions.length, matrixCells: matrixTxs.length, actionChecks, swaksChecks: sample.length, failures, ms: Date.now() - t0 };
}

test('simulator agrees with a live smtpd on every transaction of the matrix', { timeout: 3_600_000 }, async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'swaks', 'postmap'], root: true })) return;
  const only = process.env.SIM_ONLY;
  const configs = MATRIX.filter((c) => !only || c.name.includes(only));
  const outcomes: ConfigOutcome[] = [];
  // One live instance per harness slot, each running configuration after configuration.
  let next = 0;
  const worker = async () => {
    const lane: Lane = {};
    try {
      for (;;) {
        const i = next++;
        if (i >= configs.length) return;
        outcomes[i] = await runConfig(configs[i], lane);
      }
    } finally {
      await lane.live?.stop();
    }
  };
  await Promise.all(Array.from({ length: Math.min(SLOT_LIMIT, configs.length) }, worker));
  const total = outcomes.reduce((n, o) => n + o.total, 0);
  const cells = outcomes.reduce((n, o) => n + o.matrixCells, 0);
  const actions = outcomes.reduce((n, o) => n + o.actionChecks, 0);
  const swaks = outcomes.reduce((n, o) => n + o.swaksChecks, 0);
  const failed = outcomes.reduce((n, o) => n + o.failures.length, 0);
  for (const o of outcomes) t.diagnostic(`${o.name}: ${o.total - o.failures.length}/${o.total} agree, ${o.matrixCells} from the relay matrix (${o.ms} ms)`);
  const summary = `simulator vs live smtpd: ${configs.length} configurations, ${total} transactions (${total - cells} hand-written, ${cells} relay-matrix cells), ${total - failed}/${total} agree; logged actions compared on ${actions}; ${swaks} also replayed with swaks (identical replies)`;
  t.diagnostic(summary);
  console.log(`# ${summary}`);
  const detail = outcomes.flatMap((o) => o.failures.map((f) => `[${o.name}] ${f}`));
  assert.equal(failed, 0, `disagreements:\n${detail.join('\n')}`);
});

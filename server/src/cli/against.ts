// `postfix-lint simulate --against [SERVICE=]HOST:PORT`: plays the simulated
// transactions (the relay matrix of a service, or one transaction) to a live
// server with XCLIENT, never past RCPT TO, and reports where the live replies
// disagree with the simulation. The user names the server explicitly; nothing
// here runs unless asked.

import { findSmtpdService, smtpdServices, ServiceView, type SimConfig } from '../engine/simulate/config';
import { cellTransaction, relayMatrix } from '../engine/simulate/matrix';
import { serviceRequiresTls, simulateTransaction } from '../engine/simulate/simulate';
import { serviceEndpoint } from '../engine/simulate/swaks';
import { lastStepOf, traceStepText } from '../engine/review/explain';
import type { Assumptions, Reply, SimulationResult, Transaction, TraceStep } from '../engine/simulate/types';
import type { SimService } from '../engine/simulate/services';
import { playTransaction, STAGE_NAME, type LiveOutcome, type SmtpTarget } from './smtp-client';

export interface AgainstTarget {
  /** The master.cf service this address stands for (SERVICE=HOST:PORT). */
  service?: string;
  host: string;
  port: number;
}

/** `[SERVICE=]HOST:PORT`, HOST possibly an [IPv6] literal; undefined when malformed. */
export function parseAgainst(v: string): AgainstTarget | undefined {
  const m = /^(?:([^=\s]+)=)?(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) return undefined;
  const port = Number(m[4]);
  if (port < 1 || port > 65535) return undefined;
  return { service: m[1], host: m[2] ?? m[3], port };
}

export interface AgainstOptions {
  targets: AgainstTarget[];
  /** --service: the service the targets stand for when they do not say. */
  service?: string;
  /** The one transaction to play (through is always rcpt); none: the relay matrix of each target's service. */
  tx?: Transaction;
  assumptions: Assumptions;
  timeoutS: number;
  /** Transactions at once per target (the matrix is a few dozen; a live server deserves restraint). */
  parallel: number;
}

type Status = 'agree' | 'disagree' | 'unchecked';

export interface SimulatedAnswer {
  verdict: SimulationResult['verdict'];
  stage: SimulationResult['stage'];
  reply?: string;
  recipients: { address: string; reply: string }[];
  fatal?: string;
  /** Why the simulator gives no verdict (verdict `unknown`). */
  unknown?: string;
  /** The restriction that decided, with its file:line. */
  decidedBy?: string;
}

export interface LiveAnswer {
  kind: LiveOutcome['kind'];
  stage?: string;
  reply?: string;
  recipients?: string[];
  /** Why there is no reply: closed, timed out, XCLIENT refused, connection error. */
  problem?: string;
  transcript: string[];
}

export interface AgainstCheck {
  /** Matrix cell (`outside → outside domain`) or `transaction`. */
  label: string;
  service: string;
  target: string;
  transaction: { client: string; clientName?: string; saslUser?: string; helo?: string; sender: string; recipients: string[] };
  simulated: SimulatedAnswer;
  live: LiveAnswer;
  status: Status;
  differences: string[];
}

export interface AgainstReport {
  checks: AgainstCheck[];
  /** Problems that stopped a whole target (XCLIENT refused, cannot connect, unknown service). */
  errors: { target: string; message: string }[];
  summary: { agree: number; disagree: number; unchecked: number };
}

/** Trace results that can decide each verdict. */
const DECIDING: Partial<Record<SimulationResult['verdict'], TraceStep['result'][]>> = {
  accept: ['permit'],
  defer: ['defer', 'defer_if_permit', 'defer_if_reject'],
  reject: ['reject', 'defer_if_permit', 'defer_if_reject'],
};

/** The restriction that decided, with its file:line. */
function decidedBy(r: SimulationResult): string | undefined {
  return traceStepText(lastStepOf(r, DECIDING[r.verdict] ?? [r.verdict as TraceStep['result']])) || undefined;
}

function simulatedAnswer(r: SimulationResult): SimulatedAnswer {
  return {
    verdict: r.verdict,
    stage: r.stage,
    reply: r.reply?.line,
    recipients: r.recipients.map((o) => ({ address: o.address, reply: o.reply.line })),
    fatal: r.fatal,
    ...(r.unknown ? { unknown: r.unknown } : {}),
    decidedBy: decidedBy(r),
  };
}

function liveAnswer(o: LiveOutcome): LiveAnswer {
  switch (o.kind) {
    case 'replied':
      return { kind: o.kind, stage: o.stage, reply: o.reply.line, recipients: o.rcpt.map((r) => r.line), transcript: o.transcript };
    case 'closed':
      return { kind: o.kind, stage: o.stage, problem: `the server closed the connection while this client waited for ${o.waitingFor}`, transcript: o.transcript };
    case 'timeout':
      return { kind: o.kind, problem: `timed out after ${o.seconds} s waiting for ${o.waitingFor}`, transcript: o.transcript };
    default:
      return { kind: o.kind, problem: o.message, transcript: o.transcript };
  }
}

const same = (a: string | undefined, b: Reply | undefined) => a === b?.line;

/** Agreement of one simulated transaction with what the server answered. */
export function compare(sim: SimulationResult, live: LiveOutcome): { status: Status; differences: string[] } {
  if (sim.verdict === 'fatal') {
    // smtpd exits before greeting: the client sees the connection close (or wait in vain while master restarts it).
    if ((live.kind === 'closed' && live.stage === 'connect') || (live.kind === 'timeout' && /greeting/.test(live.waitingFor))) return { status: 'agree', differences: [] };
    if (live.kind === 'replied') return { status: 'disagree', differences: [`simulated: smtpd exits (${sim.fatal}); live: ${live.reply.line} at ${STAGE_NAME[live.stage]}`] };
  }
  // No simulated answer to compare (a value past our expansion limit).
  if (sim.verdict === 'unknown' || live.kind === 'timeout' || live.kind === 'error' || live.kind === 'xclient-refused') return { status: 'unchecked', differences: [] };
  const simAt = STAGE_NAME[sim.stage] ?? sim.stage;
  if (live.kind === 'closed') return { status: 'disagree', differences: [`simulated: ${sim.reply?.line ?? sim.verdict} at ${simAt}; live: the connection closed at ${STAGE_NAME[live.stage]}`] };
  const liveAt = STAGE_NAME[live.stage];
  const differences: string[] = [];
  if (sim.stage !== live.stage) differences.push(`simulated: ${sim.reply?.line ?? sim.verdict} at ${simAt}; live: ${live.reply.line} at ${liveAt}`);
  else if (sim.stage === 'rcpt') {
    sim.recipients.forEach((o, i) => {
      const l = live.rcpt[i];
      if (!same(o.reply.line, l)) differences.push(`<${o.address}>: simulated ${o.reply.line}; live ${l?.line ?? '(no reply)'}`);
    });
  } else if (!same(sim.reply?.line, live.reply)) differences.push(`simulated: ${sim.reply?.line ?? sim.verdict} at ${simAt}; live: ${live.reply.line} at ${liveAt}`);
  return { status: differences.length ? 'disagree' : 'agree', differences };
}

/** The master.cf service a target stands for: SERVICE=, else --service, else the service listening on that port, else the default. */
function serviceOf(config: SimConfig, target: AgainstTarget, fallback: string | undefined): { service?: SimService; error?: string } {
  const name = target.service ?? fallback;
  if (name) return findSmtpdService(config, name);
  const byPort = smtpdServices(config).filter((s) => s.type === 'inet' && serviceEndpoint(s.name).port === target.port);
  if (byPort.length === 1) return { service: byPort[0] };
  return findSmtpdService(config);
}

/** TLS as the simulation assumes it: on connect for wrapper-mode services, STARTTLS where it is assumed or required. */
export function tlsFor(config: SimConfig, service: SimService | undefined, assumptions: Assumptions): SmtpTarget['tls'] {
  const view = new ServiceView(config, service, assumptions);
  if (view.bool('smtpd_tls_wrappermode')) return 'implicit';
  return (assumptions.tls ?? serviceRequiresTls(view)) ? 'starttls' : 'none';
}

/** run over every item, at most `parallel` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], parallel: number, run: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await run(items[i], i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
  return out;
}

export async function runAgainst(config: SimConfig, o: AgainstOptions): Promise<AgainstReport> {
  const checks: AgainstCheck[] = [];
  const errors: AgainstReport['errors'] = [];
  const matrix = o.tx ? undefined : relayMatrix(config, { assumptions: o.assumptions });
  for (const target of o.targets) {
    const at = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const found = serviceOf(config, target, o.service);
    if (found.error) {
      errors.push({ target: at, message: found.error });
      continue;
    }
    const service = found.service;
    const planned: { label: string; tx: Transaction }[] = [];
    if (matrix) {
      const key = service?.key ?? '(default)';
      for (const cell of matrix.cells.filter((c) => c.service === key)) {
        const tx = cellTransaction(matrix, cell, service?.name);
        if (tx) planned.push({ label: `${cell.client} → ${cell.recipient}${cell.probe ? ` (as ${cell.probe.note})` : ''}`, tx });
      }
    } else if (o.tx) planned.push({ label: 'transaction', tx: { ...o.tx, service: service?.name, through: 'rcpt' } });
    const smtp: SmtpTarget = { host: target.host, port: target.port, tls: tlsFor(config, service, o.assumptions), timeoutS: o.timeoutS };
    const play = async (p: { label: string; tx: Transaction }): Promise<AgainstCheck> => {
      const sim = simulateTransaction(config, p.tx, o.assumptions);
      const live = await playTransaction(smtp, {
        clientAddress: p.tx.client.address,
        clientName: p.tx.client.hostname,
        helo: p.tx.helo,
        saslUser: p.tx.saslUser,
        sender: p.tx.sender,
        recipients: p.tx.recipients,
      });
      const verdict = compare(sim, live);
      return {
        label: p.label,
        service: sim.service,
        target: at,
        transaction: { client: p.tx.client.address, clientName: p.tx.client.hostname, saslUser: p.tx.saslUser, helo: p.tx.helo, sender: p.tx.sender, recipients: p.tx.recipients },
        simulated: simulatedAnswer(sim),
        live: liveAnswer(live),
        ...verdict,
      };
    };
    if (planned.length === 0) continue;
    // The first one alone: a server that refuses XCLIENT or cannot be reached refuses them all.
    const first = await play(planned[0]);
    if (first.live.kind === 'xclient-refused' || (first.live.kind === 'error' && /^cannot connect|refuses this host/.test(first.live.problem ?? ''))) {
      errors.push({ target: at, message: first.live.problem ?? first.live.kind });
      continue;
    }
    checks.push(first, ...(await pool(planned.slice(1), o.parallel, play)));
  }
  const count = (s: Status) => checks.filter((c) => c.status === s).length;
  return { checks, errors, summary: { agree: count('agree'), disagree: count('disagree'), unchecked: count('unchecked') } };
}

function txLine(c: AgainstCheck): string {
  const t = c.transaction;
  const client = `${t.clientName ?? 'unknown'}[${t.client}]${t.saslUser ? ` logged in as ${t.saslUser}` : ''}`;
  return `${client}${t.helo !== undefined ? ` HELO ${t.helo}` : ''} MAIL FROM:<${t.sender}> RCPT TO:${t.recipients.map((r) => `<${r}>`).join(',')}`;
}

function simText(s: SimulatedAnswer): string {
  if (s.verdict === 'fatal') return `smtpd exits: ${s.fatal}`;
  if (s.verdict === 'unknown') return `cannot simulate: ${s.unknown}`;
  return `${s.verdict.toUpperCase()} ${s.reply ?? ''} at ${STAGE_NAME[s.stage] ?? s.stage}`.replace(/ {2,}/g, ' ');
}

export function formatAgainst(r: AgainstReport): string {
  const out: string[] = [];
  out.push('Live check: XCLIENT impersonates each client; every session ends with RSET and QUIT after RCPT TO (no DATA, no mail sent).');
  for (const e of r.errors) out.push(`${e.target}: not checked: ${e.message}`);
  const byTarget = new Map<string, AgainstCheck[]>();
  for (const c of r.checks) byTarget.set(`${c.target} (service ${c.service})`, [...(byTarget.get(`${c.target} (service ${c.service})`) ?? []), c]);
  for (const [head, cs] of byTarget) {
    out.push('');
    out.push(head);
    for (const c of cs) {
      const mark = c.status === 'agree' ? 'agree    ' : c.status === 'disagree' ? 'DIFFERS  ' : 'UNCHECKED';
      out.push(`  ${mark} ${c.label}: ${simText(c.simulated)}`);
      if (c.status === 'disagree') {
        out.push(`            ${txLine(c)}`);
        for (const d of c.differences) out.push(`            ${d}`);
        if (c.simulated.decidedBy) out.push(`            the simulation decided by ${c.simulated.decidedBy}`);
      } else if (c.status === 'unchecked') out.push(`            ${txLine(c)}\n            ${c.live.problem}`);
    }
  }
  out.push('');
  const s = r.summary;
  out.push(`${s.agree} agree, ${s.disagree} disagree, ${s.unchecked} not checked${r.errors.length ? `, ${r.errors.length} server${r.errors.length > 1 ? 's' : ''} not checked` : ''}.`);
  if (s.disagree) out.push('Where they disagree, the live server does not run the configuration simulated (or the simulator is wrong: please report it with the transcript from --format json).');
  return `${out.join('\n')}\n`;
}

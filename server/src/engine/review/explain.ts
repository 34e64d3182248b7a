// "Why was this mail refused?": rebuilds the transaction behind an smtpd log
// line, runs the simulator on today's configuration, and says which
// restriction (at which file and line) gives the logged answer, what had to
// be assumed (a DNS list that listed the client, a login the log does not
// show), or that today's configuration would decide differently.

import { findSmtpdService, ServiceView, smtpdServices, type SimConfig } from '../simulate/config';
import type { SimService } from '../simulate/services';
import { simulateTransaction } from '../simulate/simulate';
import type { Assumptions, SimulationResult, SmtpStage, Transaction, TraceStep } from '../simulate/types';
import { parseSaslLogin, parseSmtpdLogLine, type SmtpdLogEvent } from './log-line';

export type ExplainStatus =
  /** Today's configuration gives exactly the logged answer. */
  | 'explained'
  /** It does, once something the log cannot show is assumed (listed in `assumed`). */
  | 'explained-assuming'
  /** The answer came from outside the configuration (a policy service), which the simulator cannot ask. */
  | 'external'
  /** Today's configuration answers differently: it changed since, or the answer depended on something else. */
  | 'changed'
  /** Nothing to simulate (no such smtpd service). */
  | 'unsupported';

export interface Explanation {
  event: SmtpdLogEvent;
  status: ExplainStatus;
  /** master.cf service key the line was attributed to. */
  service?: string;
  transaction?: Transaction;
  /** What today's configuration answers (for `changed`, the different answer). */
  simulated?: string;
  /** The restriction that decided it. */
  decisive?: TraceStep;
  /** What had to be assumed, in words. */
  assumed: string[];
  note?: string;
}

const STAGE_COMMAND: Record<SmtpStage, string[]> = {
  startup: [],
  connect: ['CONNECT'],
  helo: ['HELO', 'EHLO'],
  mail: ['MAIL'],
  rcpt: ['RCPT'],
  data: ['DATA'],
  'end-of-data': ['END-OF-MESSAGE'],
};

/** The service whose syslog_name produced `NAME/smtpd` in the log. */
function serviceFor(config: SimConfig, syslogName: string): SimService | undefined {
  const services = smtpdServices(config);
  const named = services.filter((s) => new ServiceView(config, s, {}).value('syslog_name') === syslogName);
  if (named.length) return named.find((s) => s.type === 'inet') ?? named[0];
  // `postfix/submission` without the -o in today's master.cf: the service of that name.
  const last = syslogName.split('/').pop();
  return services.find((s) => s.name === last) ?? findSmtpdService(config).service;
}

function transactionOf(e: SmtpdLogEvent, service: SimService | undefined, saslUser: string | undefined): Transaction {
  return {
    service: service?.name,
    client: { address: e.clientAddress, hostname: e.clientName },
    helo: e.helo,
    saslUser,
    sender: e.sender ?? '',
    recipients: [e.recipient ?? 'postmaster'],
    through: e.command === 'DATA' || e.command === 'END-OF-MESSAGE' ? 'data' : 'rcpt',
  };
}

/** The answer the simulation gives in the log's terms, or undefined when it does not match the event. */
function matches(e: SmtpdLogEvent, r: SimulationResult): boolean {
  const a = r.actions;
  switch (e.action) {
    case 'reject':
      return (r.verdict === 'reject' || r.verdict === 'defer') && r.reply?.line === e.detail && STAGE_COMMAND[r.stage].includes(e.command);
    case 'reject_warning':
      return a.warnings.includes(`reject_warning: ${e.detail}`);
    case 'warn':
    case 'info':
      // smtpd logs the access-table text alone; the simulator also names the key.
      return a.warnings.some((w) => w.startsWith(`${e.action}: `) && w.endsWith(e.detail));
    case 'hold':
      return a.hold !== undefined;
    case 'discard':
      return a.discard !== undefined;
    case 'filter':
      return a.filter !== undefined;
    case 'redirect':
      return a.redirect !== undefined;
    case 'bcc':
      return a.bcc.length > 0;
    case 'prepend':
      return a.prepend.length > 0;
  }
}

const DECISIVE: Record<SmtpdLogEvent['action'], TraceStep['result'][]> = {
  reject: ['reject', 'defer', 'defer_if_permit', 'defer_if_reject'],
  reject_warning: ['reject', 'defer', 'warn'],
  warn: ['warn'],
  info: ['info'],
  hold: ['hold'],
  discard: ['discard'],
  filter: ['filter'],
  redirect: ['redirect'],
  bcc: ['bcc'],
  prepend: ['prepend'],
};

/** The last step of the trace with one of these results: the one that decided. */
export function lastStepOf(r: SimulationResult, results: readonly TraceStep['result'][]): TraceStep | undefined {
  for (let i = r.trace.length - 1; i >= 0; i--) if (results.includes(r.trace[i].result)) return r.trace[i];
  return undefined;
}

function decisiveStep(action: SmtpdLogEvent['action'], r: SimulationResult): TraceStep | undefined {
  return lastStepOf(r, DECISIVE[action]);
}

function answerOf(r: SimulationResult): string {
  if (r.verdict === 'fatal') return `smtpd cannot start: ${r.fatal}`;
  if (r.verdict === 'unknown') return `cannot simulate: ${r.unknown}`;
  const at = STAGE_COMMAND[r.stage][0] ?? r.stage;
  return `${r.verdict.toUpperCase()} at ${at}${r.reply && r.verdict !== 'accept' ? `: ${r.reply.line}` : ''}`;
}

interface Alternative {
  why: string;
  assumptions?: Assumptions;
  saslUser?: string;
}

/** Things the log cannot show that would explain the answer, suggested by the reply text. */
function alternatives(e: SmtpdLogEvent, offersAuth: boolean): Alternative[] {
  const out: Alternative[] = [];
  const listed = /blocked using ([^\s;,]+?)[;,]?(?:\s|$)/.exec(e.detail)?.[1];
  if (listed) out.push({ why: `the DNS list ${listed} listed it at the time`, assumptions: { dnsListed: [listed] } });
  const domainOf = (a?: string) => (a && a.includes('@') ? a.slice(a.lastIndexOf('@') + 1) : undefined);
  const names = [e.helo, e.clientName, domainOf(e.sender), domainOf(e.recipient)].filter((x): x is string => !!x);
  if (/not found|cannot find your|Host not found|Domain not found|Temporary lookup failure/i.test(e.detail) && names.length) {
    out.push({ why: `DNS did not resolve ${names.join(', ')} at the time`, assumptions: { unresolvable: names } });
  }
  if (/[Uu]ser unknown|[Uu]ndeliverable address|not found in .* table/.test(e.detail)) {
    out.push({ why: 'a recipient table the simulator cannot read did not list the address', assumptions: { unreadableTables: 'notfound' } });
  }
  if (/verification failed|undeliverable/i.test(e.detail)) {
    out.push({ why: 'address verification failed at the time', assumptions: { addressVerification: 'undeliverable' } });
    out.push({ why: 'address verification was still in progress', assumptions: { addressVerification: 'unknown' } });
  }
  if (offersAuth) out.push({ why: 'the client had logged in (smtpd does not log the login on rejected mail)', saslUser: 'user' });
  return out;
}

export interface ExplainOptions {
  assumptions?: Assumptions;
}

/** Explains every access decision in a log (other lines are skipped). */
export function explainLog(config: SimConfig, text: string, options: ExplainOptions = {}): Explanation[] {
  const logins = new Map<string, string>();
  const out: Explanation[] = [];
  const memo = new Map<string, Explanation>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const login = parseSaslLogin(raw);
    if (login) logins.set(login.queueId, login.user);
    const e = parseSmtpdLogLine(raw, i);
    if (!e) continue;
    const user = e.queueId === 'NOQUEUE' ? undefined : logins.get(e.queueId);
    // A busy log repeats the same decision; the queue ID and time do not change it.
    const key = JSON.stringify([e.syslogName, e.action, e.command, e.clientName, e.clientAddress, e.detail, e.sender, e.recipient, e.helo, user]);
    const seen = memo.get(key);
    if (seen) {
      out.push({ ...seen, event: e });
      continue;
    }
    const x = explainEvent(config, e, user, options);
    memo.set(key, x);
    out.push(x);
  }
  return out;
}

export function explainEvent(config: SimConfig, e: SmtpdLogEvent, saslUser?: string, options: ExplainOptions = {}): Explanation {
  const service = serviceFor(config, e.syslogName);
  if (config.services && !service) return { event: e, status: 'unsupported', assumed: [], note: 'master.cf has no smtpd service' };
  const base = options.assumptions ?? {};
  const tx = transactionOf(e, service, saslUser);
  const first = simulateTransaction(config, tx, base);
  const done = (status: ExplainStatus, r: SimulationResult, t: Transaction, assumed: string[], note?: string): Explanation => ({
    event: e,
    status,
    service: r.service,
    transaction: t,
    simulated: answerOf(r),
    decisive: status === 'changed' ? (r.verdict === 'accept' ? undefined : decisiveStep('reject', r)) : decisiveStep(e.action, r),
    assumed,
    note,
  });
  if (matches(e, first)) return done('explained', first, tx, []);
  const offersAuth = !saslUser && service !== undefined && new ServiceView(config, service, base).bool('smtpd_sasl_auth_enable');
  for (const alt of alternatives(e, offersAuth)) {
    const t = alt.saslUser ? { ...tx, saslUser: alt.saslUser } : tx;
    const r = simulateTransaction(config, t, { ...base, ...alt.assumptions });
    if (matches(e, r)) return done('explained-assuming', r, t, [alt.why]);
  }
  const policy = first.trace.find((s) => s.restriction.startsWith('check_policy_service'));
  if (policy && e.action !== 'hold' && e.action !== 'discard') {
    return done('external', first, tx, [], `the answer most likely came from the policy service (${policy.restriction}), which the simulator cannot ask`);
  }
  return done('changed', first, tx, [], 'today\'s configuration answers differently: it changed since this line was logged, or the answer depended on something the log does not show');
}

export interface ExplainSummary {
  /** Decisions per restriction that made them (or per status when none). */
  byRestriction: { restriction: string; count: number }[];
  byClient: { client: string; count: number }[];
  byStatus: Partial<Record<ExplainStatus, number>>;
}

export function summarize(xs: Explanation[]): ExplainSummary {
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const rejects = xs.filter((x) => x.event.action === 'reject');
  const byStatus: ExplainSummary['byStatus'] = {};
  for (const x of xs) byStatus[x.status] = (byStatus[x.status] ?? 0) + 1;
  return {
    byRestriction: count(rejects.map((x) => (x.status === 'changed' || x.status === 'unsupported' ? `(not reproduced today)` : x.decisive ? `${x.decisive.restriction}${x.decisive.parameter ? ` in ${x.decisive.parameter}` : ''}` : `(${x.status})`))).map(([restriction, n]) => ({ restriction, count: n })),
    byClient: count(rejects.map((x) => `${x.event.clientName ?? 'unknown'}[${x.event.clientAddress}]`)).map(([client, n]) => ({ client, count: n })),
    byStatus,
  };
}

/** Where a restriction is written: ` (file:line:column)`, or that its list is Postfix's default. */
function stepLocation(step: TraceStep): string {
  const s = step.source;
  if (s) return ` (${s.file}:${s.range.start.line + 1}:${s.range.start.character + 1})`;
  return step.parameter ? ` (${step.parameter} is not set: Postfix's default)` : '';
}

/** A restriction of the trace in words (`reject_unauth_destination in smtpd_relay_restrictions (main.cf:12:30)`), or empty. */
export function traceStepText(step: TraceStep | undefined): string {
  return step ? `${step.restriction}${step.parameter ? ` in ${step.parameter}` : ''}${stepLocation(step)}` : '';
}

/** The decisive restriction of an explanation in words, or empty. */
export function decisiveStepText(x: Explanation): string {
  return traceStepText(x.decisive);
}

// "What happens to this mail?": one SMTP transaction through the smtpd
// restriction stages of a master.cf service, with smtpd_delay_reject deciding
// where client/helo/sender rejections surface, and smtpd's startup checks
// turned into a `fatal` verdict.

import { canonicalAddress, parseIp } from './ip';
import { findSmtpdService, loadSimConfig, ServiceView, type Located, type SimConfig } from './config';
import { parseReplyLine } from './reply';
import { matchListsSteps } from './lists';
import { CHECK_CLIENT_ACL, CHECK_HELO_ACL, CHECK_RECIP_ACL, CHECK_SENDER_ACL, Evaluator, RELAY_REQUIRED } from './restrictions';
import { Abort, DUNNO, REJECT, Session, SmtpdCrash } from './session';
import type { FileReader } from '../types';
import { EXPANSION_TOO_LARGE } from '../expand';
import { dictFormFatal } from '../tables/open';
import { drain, RESTRICTIONS_PER_STEP, SCANNED_WORDS_PER_STEP, type Steps } from '../steps';
import type { Assumptions, RecipientOutcome, Reply, RestrictionList, SimulationResult, SmtpStage, TraceStep, Transaction, Verdict } from './types';

const BOOLEANS = [
  'smtpd_delay_reject',
  'smtpd_sasl_auth_enable',
  'soft_bounce',
  'smtpd_reject_unlisted_recipient',
  'smtpd_reject_unlisted_sender',
  'smtpd_relay_before_recipient_restrictions',
  'smtpd_helo_required',
  'smtpd_tls_wrappermode',
  'smtpd_tls_auth_only',
  'allow_untrusted_routing',
  'show_user_unknown_table_name',
  'swap_bangpath',
  'allow_percent_hack',
  'append_at_myorigin',
  'append_dot_mydomain',
];

const INTEGERS = [
  'access_map_reject_code',
  'access_map_defer_code',
  'reject_code',
  'defer_code',
  'relay_domains_reject_code',
  'unknown_client_reject_code',
  'invalid_hostname_reject_code',
  'non_fqdn_reject_code',
  'unknown_hostname_reject_code',
  'unknown_address_reject_code',
  'unknown_local_recipient_reject_code',
  'unknown_virtual_alias_reject_code',
  'unknown_virtual_mailbox_reject_code',
  'unknown_relay_recipient_reject_code',
  'multi_recipient_bounce_reject_code',
  'plaintext_reject_code',
  'maps_rbl_reject_code',
];

/**
 * Match lists smtpd builds when it starts (smtpd_check_init), opening each
 * `type:table` pattern in them then: a pattern that looks like a table but has
 * no type or no name ("::1/128", an IPv6 network without brackets) is fatal at
 * that moment, before any client is greeted. A pattern with an unknown type
 * ("2001:db8::/32") is not: it fails each lookup (a 451 4.3.0 at match time).
 */
const STARTUP_MATCH_LISTS = ['mynetworks', 'relay_domains', 'permit_mx_backup_networks'];

/** Per list (the view's shared, cached word array): the fatal error, or null. mynetworks can list a million networks. */
const tableFormFatal = new WeakMap<readonly string[], string | null>();

/** dict_open's fatal for the first table pattern without a type or a name, as smtpd logs it; in steps (a list can hold a million words). */
function* badTableForm(name: string, words: readonly string[]): Steps<string | undefined> {
  let found = tableFormFatal.get(words);
  if (found === undefined) {
    found = null;
    for (let i = 0; i < words.length; i++) {
      if (i > 0 && i % SCANNED_WORDS_PER_STEP === 0) yield () => `simulate: table patterns of ${name}, ${i} words`;
      const item = words[i].replace(/^!+/, '');
      // Bracketed addresses, /file/name patterns, inline {...} groups and plain names are not tables.
      if (item[0] === '[' || item[0] === '/' || item[0] === '{' || !item.includes(':')) continue;
      const fatal = dictFormFatal(item);
      if (fatal) {
        found = fatal;
        break;
      }
    }
    tableFormFatal.set(words, found);
  }
  return found ?? undefined;
}


/**
 * has_required(): whether the recipient or relay restrictions have a relay
 * guard, following restriction classes without a limit (a loop it enters
 * never ends: smtpd crashes), with the warnings smtpd logs on the way.
 */
function* relayGuardSteps(view: ServiceView, ev: Evaluator): Steps<{ found: boolean; warnings: string[]; crash?: string[] }> {
  const classes = yield* ev.classesSteps();
  const warnings: string[] = [];
  let looked = 0;
  function* has(list: Located[], chain: string[]): Steps<boolean> {
    for (let i = 0; i < list.length; i++) {
      if (++looked % RESTRICTIONS_PER_STEP === 0) {
        const n = looked;
        yield () => `simulate startup: ${n} restrictions looked at for the relay guard`;
      }
      const t = list[i].text;
      const lt = t.toLowerCase();
      if (lt === 'warn_if_reject' && i + 1 < list.length) {
        i++;
        continue;
      }
      if (lt === 'permit') {
        if (i + 1 < list.length) warnings.push(`restriction \`${list[i + 1].text}' after \`permit' is ignored`);
        return false;
      }
      if (RELAY_REQUIRED.includes(lt)) return true;
      const cls = classes.get(t);
      if (cls) {
        if (chain.includes(t)) throw new SmtpdCrash([...chain.slice(chain.indexOf(t)), t]);
        if (yield* has(cls, [...chain, t])) return true;
      }
    }
    return false;
  }
  try {
    const found = (yield* has(yield* view.tokensSteps('smtpd_recipient_restrictions'), [])) || (yield* has(yield* view.tokensSteps('smtpd_relay_restrictions'), []));
    return { found, warnings };
  } catch (e) {
    if (e instanceof SmtpdCrash) return { found: false, warnings, crash: e.cycle };
    throw e;
  }
}

/** smtpd's checks at process start; a message means smtpd exits and clients get no banner. */
export function startupFatal(view: ServiceView, ev: Evaluator, warn: (m: string) => void): string | undefined {
  return drain(startupFatalSteps(view, ev, warn));
}

/** startupFatal in steps: the relay guard search goes through lists as long as any (first tokenizing included). */
export function* startupFatalSteps(view: ServiceView, ev: Evaluator, warn: (m: string) => void): Steps<string | undefined> {
  // mail_params_init: these must not be empty (e.g. myhostname = mail.$mydomain leaves mydomain empty).
  for (const name of ['myhostname', 'mydomain', 'myorigin']) {
    if (view.value(name) === '') return `bad string length 0 < 1: ${name} = `;
  }
  for (const name of BOOLEANS) {
    const v = view.value(name).trim();
    if (!/^(yes|no)$/i.test(v)) return `bad boolean configuration: ${name} = ${v}`;
  }
  for (const name of INTEGERS) {
    const v = view.value(name).trim();
    if (!/^-?\d+$/.test(v)) return `bad numerical configuration: ${name} = ${v}`;
  }
  // smtpd_check_init builds these match lists before anything else it checks.
  for (const name of STARTUP_MATCH_LISTS) {
    const bad = yield* badTableForm(name, yield* view.listSteps(name));
    if (bad) return bad;
  }
  for (const name of view.list('smtpd_restriction_classes')) {
    if (view.value(name) === '') return `restriction class \`${name}' needs a definition`;
  }
  // The same for every transaction of the service: once per view's shared values (a list can be 2^17 words).
  const guard = yield* view.sharedSteps('relay guard', () => relayGuardSteps(view, ev));
  for (const w of guard.warnings) warn(w);
  if (guard.crash) throw new SmtpdCrash(guard.crash);
  if (!guard.found) {
    return `in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: ${RELAY_REQUIRED.slice(0, -1).join(', ')} or ${RELAY_REQUIRED[RELAY_REQUIRED.length - 1]}`;
  }
  return undefined;
}

interface StageResult {
  status: number;
  list?: RestrictionList;
}

class Transactor {
  readonly ev: Evaluator;
  lastList?: RestrictionList;

  constructor(
    readonly s: Session,
    readonly view: ServiceView,
  ) {
    this.ev = new Evaluator(s);
  }

  /** Runs one restriction list, catching the "leave at once" errors. */
  private *run(list: RestrictionList, param: string, replyName: string, replyClass: string, defAcl: string | undefined): Steps<number> {
    const tokens = yield* this.view.tokensSteps(param);
    if (tokens.length === 0) return DUNNO;
    this.lastList = list;
    try {
      return yield* this.ev.walk(tokens, replyName, replyClass, defAcl, { list, parameter: param, depth: 0 });
    } catch (e) {
      if (e instanceof Abort) return e.status;
      throw e;
    }
  }

  *client(): Steps<StageResult> {
    const s = this.s;
    s.deferIfPermit.active = false;
    s.resetChecks();
    const status = yield* this.run('client', 'smtpd_client_restrictions', s.namaddr, 'Client host', CHECK_CLIENT_ACL);
    s.deferIfPermitClient = s.deferIfPermit.active;
    return { status, list: 'client' };
  }

  *helo(): Steps<StageResult> {
    const s = this.s;
    if (s.helo === undefined) return { status: DUNNO };
    s.deferIfPermit.active = s.deferIfPermitClient;
    s.resetChecks();
    const status = yield* this.run('helo', 'smtpd_helo_restrictions', s.helo, 'Helo command', CHECK_HELO_ACL);
    s.deferIfPermitHelo = s.deferIfPermit.active;
    return { status, list: 'helo' };
  }

  *mail(): Steps<StageResult> {
    const s = this.s;
    if (s.sender === undefined) return { status: DUNNO };
    s.deferIfPermit.active = s.deferIfPermitClient || s.deferIfPermitHelo;
    s.senderRcptmapChecked = false;
    s.resetChecks();
    let status = yield* this.run('sender', 'smtpd_sender_restrictions', s.sender, 'Sender address', CHECK_SENDER_ACL);
    s.deferIfPermitSender = s.deferIfPermit.active;
    if (this.view.bool('smtpd_reject_unlisted_sender') && status !== REJECT && !s.senderRcptmapChecked && !s.discard && s.sender !== '') {
      this.lastList = 'sender';
      status = this.guard(() => this.ev.senderRcptMaps((r, why) => s.step({ list: 'sender', parameter: 'smtpd_reject_unlisted_sender', depth: 0 }, { restriction: 'smtpd_reject_unlisted_sender', result: r, why })));
    }
    return { status, list: 'sender' };
  }

  private guard(f: () => number): number {
    try {
      return f();
    } catch (e) {
      if (e instanceof Abort) return e.status;
      throw e;
    }
  }

  *rcpt(recipient: string): Steps<StageResult> {
    const s = this.s;
    const saved = s.recipient;
    s.recipient = recipient;
    s.currentRcpt = recipient;
    try {
      if (recipient.toLowerCase() === 'postmaster') {
        s.step(undefined, { restriction: '(RCPT TO:<postmaster>)', result: 'permit', why: 'smtpd always accepts the bare address "postmaster"' });
        return { status: DUNNO };
      }
      s.recipientRcptmapChecked = false;
      if (this.view.bool('smtpd_delay_reject')) {
        for (const stage of [() => this.client(), () => this.helo(), () => this.mail()]) {
          const r = yield* stage();
          if (r.status === REJECT) return r;
        }
      }
      s.deferIfPermit.active = s.deferIfPermitSender;
      s.resetChecks();
      const relayFirst = this.view.bool('smtpd_relay_before_recipient_restrictions');
      const order: [RestrictionList, string][] = relayFirst
        ? [
            ['relay', 'smtpd_relay_restrictions'],
            ['recipient', 'smtpd_recipient_restrictions'],
          ]
        : [
            ['recipient', 'smtpd_recipient_restrictions'],
            ['relay', 'smtpd_relay_restrictions'],
          ];
      let status = DUNNO;
      let list: RestrictionList | undefined;
      for (const [l, p] of order) {
        status = yield* this.run(l, p, recipient, 'Recipient address', CHECK_RECIP_ACL);
        list = l;
        if (status === REJECT) break;
      }
      if (status !== REJECT && s.deferIfPermit.active) {
        const d = s.deferIfPermit;
        status = s.reject(d.cls, d.code, d.dsn, d.text);
        s.step({ list: list ?? 'recipient', parameter: 'defer_if_permit', depth: 0 }, { restriction: 'defer_if_permit', result: status === REJECT ? 'defer' : 'warn', why: `an earlier defer_if_permit turns this acceptance into ${s.errorText}` });
      }
      if (this.view.bool('smtpd_reject_unlisted_recipient') && status !== REJECT && !s.recipientRcptmapChecked && !s.discard) {
        list = 'recipient';
        this.lastList = 'recipient';
        status = this.guard(() => this.ev.recipientRcptMaps((r, why, extra) => s.step({ list: 'recipient', parameter: 'smtpd_reject_unlisted_recipient', depth: 0 }, { restriction: 'smtpd_reject_unlisted_recipient', result: r, why, ...extra })));
      }
      return { status, list: status === REJECT ? this.lastList : list };
    } finally {
      s.recipient = saved;
      s.currentRcpt = undefined;
    }
  }

  *endStage(stage: 'data' | 'end_of_data'): Steps<StageResult> {
    const s = this.s;
    const saved = s.recipient;
    if (s.rcptCount > 1) s.recipient = undefined;
    s.deferIfPermit.active = false;
    s.resetChecks();
    try {
      const param = stage === 'data' ? 'smtpd_data_restrictions' : 'smtpd_end_of_data_restrictions';
      let status = yield* this.run(stage, param, stage === 'data' ? 'DATA' : 'END-OF-MESSAGE', stage === 'data' ? 'Data command' : 'End-of-data', undefined);
      if (status !== REJECT && s.deferIfPermit.active) {
        const d = s.deferIfPermit;
        status = s.reject(d.cls, d.code, d.dsn, d.text);
      }
      return { status, list: stage };
    } finally {
      s.recipient = saved;
    }
  }
}

function verdictOf(reply: Reply): 'reject' | 'defer' {
  return reply.code >= 500 ? 'reject' : 'defer';
}

/** The first name read is the one the transaction needed; the others are the references it went through. */
function tooLargeReason(names: string[]): string {
  return `${names[0]} expands to more than 4 MiB (${EXPANSION_TOO_LARGE}); postfix-lint stops there, Postfix has no such limit and smtpd would build and use the whole value, so this transaction cannot be simulated`;
}

function tooLargeStep(stage: SmtpStage, names: string[]): TraceStep {
  return { stage, depth: 0, restriction: '(value too large to simulate)', result: 'error', why: tooLargeReason(names) };
}

/** Loads DIR/main.cf and DIR/master.cf and simulates one transaction. */
export function simulateFromDirectory(dir: string, reader: FileReader, tx: Transaction, assumptions: Assumptions = {}): SimulationResult {
  return simulateTransaction(loadSimConfig(dir, reader), tx, assumptions);
}

/** Whether smtpd requires TLS of every client: level encrypt, wrapper mode, or the obsolete smtpd_enforce_tls while no level is set. */
export function serviceRequiresTls(view: ServiceView): boolean {
  const level = view.value('smtpd_tls_security_level').trim();
  return level.toLowerCase() === 'encrypt' || view.bool('smtpd_tls_wrappermode') || (level === '' && view.bool('smtpd_enforce_tls'));
}

/**
 * The default assumptions, one object: values and list tokens are shared by
 * the views of one configuration under the same assumptions object
 * (config.ts), so callers without assumptions share them too.
 */
const NO_ASSUMPTIONS: Assumptions = Object.freeze({});

/** `observe` sees the service view the transaction ran with (the relay matrix asks whether it read $service_name). */
export function simulateTransaction(config: SimConfig, tx: Transaction, assumptions: Assumptions = NO_ASSUMPTIONS, observe?: (view: ServiceView) => void): SimulationResult {
  return drain(simulateTransactionSteps(config, tx, assumptions, observe));
}

/**
 * simulateTransaction in steps: a transaction over a list of a million
 * restrictions yields every RESTRICTIONS_PER_STEP of them (restrictions.ts),
 * and while it first tokenizes such a list (config.ts), so the language
 * server's relay matrix and rules never hold the event loop for long.
 */
export function* simulateTransactionSteps(config: SimConfig, tx: Transaction, assumptions: Assumptions = NO_ASSUMPTIONS, observe?: (view: ServiceView) => void): Steps<SimulationResult> {
  const found = findSmtpdService(config, tx.service);
  const view = new ServiceView(config, found.service, assumptions);
  observe?.(view);
  const serviceKey = found.service?.key ?? '(default)';
  const clientAddr = canonicalAddress(tx.client.address);
  const s = new Session(view, assumptions, { address: clientAddr, hostname: tx.client.hostname?.replace(/\.$/, '') });
  const t = new Transactor(s, view);
  const result = (verdict: Verdict, stage: SmtpStage, reply?: Reply, extra: Partial<SimulationResult> = {}): SimulationResult => {
    s.closeRun();
    const base = { stage, recipients: [], actions: s.actions, trace: s.trace, assumptions: view.assumed, service: serviceKey, logWarnings: s.logWarnings };
    // A value past our expansion limit was taken as empty; smtpd would have built and used it: no verdict.
    if (view.tooLarge.length) return { ...base, verdict: 'unknown', unknown: tooLargeReason(view.tooLarge), trace: [...s.trace, tooLargeStep(s.where, view.tooLarge)] };
    return { ...base, verdict, reply, ...extra };
  };

  try {
    if (found.error) return result('fatal', 'startup', undefined, { fatal: found.error });
    if (!parseIp(clientAddr)) return result('fatal', 'startup', undefined, { fatal: `not a client IP address: ${tx.client.address}` });
    s.where = 'startup';
    yield* matchListsSteps(view);
    const fatal = yield* startupFatalSteps(view, t.ev, (m) => s.warn(m));
    if (fatal) {
      s.step(undefined, { restriction: '(smtpd startup)', result: 'error', why: `smtpd exits: fatal: ${fatal}; the client gets no greeting` });
      return result('fatal', 'startup', undefined, { fatal });
    }

    // Session facts.
    const requiresTls = serviceRequiresTls(view);
    s.tls = assumptions.tls ?? requiresTls;
    if (assumptions.tls === undefined && requiresTls) view.assume('the client uses TLS, as this service requires', 'yes', 'tls');
    s.saslEnabled = view.bool('smtpd_sasl_auth_enable');
    s.saslActive = s.saslEnabled && (s.tls || !view.bool('smtpd_tls_auth_only'));
    if (tx.saslUser) {
      if (s.saslActive) s.saslUser = tx.saslUser;
      else if (s.saslEnabled) {
        s.step(undefined, { restriction: '(AUTH)', result: 'note', why: 'smtpd_tls_auth_only = yes and the session is not encrypted: the client cannot authenticate' });
      } else {
        s.step(undefined, { restriction: '(AUTH)', result: 'note', why: `smtpd_sasl_auth_enable = no for ${serviceKey}: the login of ${tx.saslUser} is not possible and does not count` });
      }
    }
    const delay = view.bool('smtpd_delay_reject');
    const rejected = (stage: SmtpStage, list?: RestrictionList, disconnect = false): SimulationResult => {
      const line = s.errorText;
      const reply = line === '' ? { code: 0, enhanced: '', text: '(connection closed without a reply)', line: '', disconnect: true } : parseReplyLine(line, disconnect || /^[45]21 /.test(line));
      return result(verdictOf(reply), stage, reply, { list });
    };

    // CONNECT
    s.where = 'connect';
    if (!delay) {
      const r = yield* t.client();
      if (r.status === REJECT) return rejected('connect', 'client');
    }
    // HELO
    s.where = 'helo';
    s.helo = tx.helo;
    if (tx.helo !== undefined && !delay) {
      const r = yield* t.helo();
      if (r.status === REJECT) return rejected('helo', 'helo');
    }
    // MAIL
    s.where = 'mail';
    if (tx.helo === undefined && view.bool('smtpd_helo_required')) {
      const reply = parseReplyLine('503 5.5.1 Error: send HELO/EHLO first');
      s.step(undefined, { restriction: 'smtpd_helo_required', result: 'reject', why: 'the client sent no HELO/EHLO' });
      return result('reject', 'mail', reply);
    }
    if (requiresTls && !s.tls) {
      const reply = parseReplyLine('530 5.7.0 Must issue a STARTTLS command first');
      s.step(undefined, { restriction: 'smtpd_tls_security_level = encrypt', result: 'reject', why: 'the session is not encrypted' });
      return result('reject', 'mail', reply);
    }
    s.sender = tx.sender;
    if (!delay) {
      const r = yield* t.mail();
      if (r.status === REJECT) return rejected('mail', 'sender');
    }
    // RCPT
    s.where = 'rcpt';
    const outcomes: RecipientOutcome[] = [];
    for (const rcpt of tx.recipients) {
      const r = yield* t.rcpt(rcpt);
      if (r.status === REJECT) {
        const line = s.errorText;
        const reply = line === '' ? { code: 0, enhanced: '', text: '(connection closed without a reply)', line: '', disconnect: true } : parseReplyLine(line, /^[45]21 /.test(line));
        outcomes.push({ address: rcpt, verdict: verdictOf(reply), reply, stage: 'rcpt', list: r.list });
        if (reply.disconnect) break;
      } else {
        s.rcptCount++;
        outcomes.push({ address: rcpt, verdict: 'accept', reply: parseReplyLine('250 2.1.5 Ok'), stage: 'rcpt' });
      }
    }
    const accepted = outcomes.filter((o) => o.verdict === 'accept');
    if (accepted.length === 0) {
      const first = outcomes.find((o) => o.verdict === 'defer') ?? outcomes[0];
      if (!first) return result('reject', 'rcpt', parseReplyLine('503 5.5.1 Error: need RCPT command'), { recipients: outcomes });
      const verdict = outcomes.some((o) => o.verdict === 'defer') ? 'defer' : 'reject';
      return result(verdict, 'rcpt', first.reply, { recipients: outcomes, list: first.list });
    }
    // The first accepted recipient stays visible to the DATA-stage restrictions.
    s.recipient = accepted[0].address;
    const dataSet = view.value('smtpd_data_restrictions').trim() !== '' || view.value('smtpd_end_of_data_restrictions').trim() !== '';
    const through = tx.through ?? (dataSet ? 'data' : 'rcpt');
    const finalVerdict = (): Verdict => (s.discard ? 'discard' : s.hold ? 'hold' : 'accept');
    if (through === 'rcpt') return result(finalVerdict(), 'rcpt', accepted[accepted.length - 1].reply, { recipients: outcomes });
    // DATA
    s.where = 'data';
    const d = yield* t.endStage('data');
    if (d.status === REJECT) return rejected('data', 'data');
    s.where = 'end-of-data';
    const e = yield* t.endStage('end_of_data');
    if (e.status === REJECT) return rejected('end-of-data', 'end_of_data');
    return result(finalVerdict(), 'end-of-data', parseReplyLine('250 2.0.0 Ok: queued as (queue id)'), { recipients: outcomes });
  } catch (e) {
    if (e instanceof SmtpdCrash) {
      const when = s.where === 'startup' ? 'at startup, looking for the relay guard; the client gets no greeting' : `during ${s.where.toUpperCase()}; the client sees the connection close`;
      s.step(undefined, { restriction: '(smtpd crash)', result: 'error', why: `smtpd crashes ${when}` });
      return result('fatal', s.where, undefined, { fatal: `smtpd crashed ${when}: ${e.message}` });
    }
    // A bug in the simulator must not take down the caller; report it as such.
    return result('fatal', 'startup', undefined, { fatal: `internal simulator error: ${e instanceof Error ? e.message : String(e)}` });
  }
}

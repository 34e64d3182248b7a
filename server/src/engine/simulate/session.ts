// The state of one simulated SMTP session and smtpd's reject bookkeeping:
// warn_if_reject, defer_if_permit / defer_if_reject, soft_bounce, reply
// validation. Mirrors the order in which smtpd applies these, because the
// order decides the reply.

import type { ServiceView } from './config';
import { dsnLength, printable } from './reply';
import type { Actions, Assumptions, RestrictionList, SmtpStage, SourceRef, TraceStep } from './types';

export const DUNNO = 0;
export const OK = 1;
export const REJECT = 2;

/** Error classes that warn_if_reject cannot turn into warnings. */
export type ErrorClass = 'policy' | 'software' | 'resource' | 'data' | 'bounce' | 'protocol';

export interface Deferral {
  active: boolean;
  cls: ErrorClass;
  code: number;
  dsn: string;
  text: string;
}

function emptyDeferral(): Deferral {
  return { active: false, cls: 'policy', code: 0, dsn: '', text: '' };
}

/** Thrown to leave a restriction list at once (smtpd uses longjmp). */
export class Abort {
  constructor(readonly status: number) {}
}

export interface Ctx {
  list: RestrictionList;
  /** Parameter holding the current restriction list (or class name). */
  parameter: string;
  depth: number;
  /** Restriction classes entered directly (class in class), outermost first; an access table result starts afresh. */
  classes?: string[];
}

/** smtpd dies (stack overflow, signal 11): restriction classes call each other, which smtpd does not limit. */
export class SmtpdCrash extends Error {
  constructor(readonly cycle: string[]) {
    super(`restriction classes call each other (${cycle.join(' -> ')}): smtpd follows them without a limit and dies (master: "process /usr/lib/postfix/sbin/smtpd pid N killed by signal 11")`);
  }
}

/** Steps in a row that decide nothing, shown before the rest of the run is summed up. */
export const SHOWN_RUN = 50;

/**
 * The run of steps that decided nothing that the trace ends with. Steps of
 * one run share the stage, recipient, list, parameter and nesting depth.
 */
interface Run {
  stage: SmtpStage;
  recipient?: string;
  list?: RestrictionList;
  parameter?: string;
  depth: number;
  shown: number;
  /** The step that sums up the rest of the run, once SHOWN_RUN are shown; its text is written when the run ends. */
  summary?: TraceStep;
  hidden: number;
  /** The restriction of the last hidden step. */
  last: string;
}

export class Session {
  // Client facts.
  clientName: string;
  clientAddr: string;
  nameStatus: 'ok' | 'perm' | 'temp';
  reverseName: string;
  reverseStatus: 'ok' | 'perm' | 'temp';
  namaddr: string;
  helo?: string;
  saslUser?: string;
  saslActive = false;
  saslEnabled = false;
  tls = false;

  // Transaction.
  sender?: string;
  recipient?: string;
  rcptCount = 0;
  where: SmtpStage = 'connect';
  /** The RCPT TO under evaluation (for the trace; delayed client/helo/sender checks run then too). */
  currentRcpt?: string;
  /** Where the restriction being evaluated is written. */
  currentSource?: SourceRef;

  // Restriction evaluation state.
  recursion = 0;
  warnIfReject = 0;
  deferIfPermit = emptyDeferral();
  deferIfReject = emptyDeferral();
  deferIfPermitClient = false;
  deferIfPermitHelo = false;
  deferIfPermitSender = false;
  recipientRcptmapChecked = false;
  senderRcptmapChecked = false;
  discard = false;
  hold = false;
  errorText = '';

  readonly actions: Actions = { bcc: [], prepend: [], warnings: [] };
  readonly trace: TraceStep[] = [];
  /** Steps taken, shown or summed up (the trace stops growing in a long run of steps that decide nothing). */
  steps = 0;
  /** Restrictions walked so far (restrictions.ts yields every RESTRICTIONS_PER_STEP). */
  walked = 0;
  /** The run of steps that decided nothing that the trace ends with. */
  private run?: Run;
  readonly logWarnings: string[] = [];

  constructor(
    readonly view: ServiceView,
    readonly assumptions: Assumptions,
    client: { address: string; hostname?: string },
  ) {
    this.clientAddr = client.address;
    if (client.hostname) {
      this.clientName = client.hostname;
      this.nameStatus = 'ok';
    } else {
      this.clientName = 'unknown';
      this.nameStatus = 'perm';
    }
    this.reverseName = this.clientName;
    this.reverseStatus = this.nameStatus;
    this.namaddr = `${this.clientName}[${this.clientAddr}]`;
  }

  step(ctx: Ctx | undefined, s: Omit<TraceStep, 'stage' | 'depth' | 'list' | 'parameter'> & { depth?: number }): void {
    this.steps++;
    const depth = s.depth ?? ctx?.depth ?? 0;
    const run = this.run;
    const same = run !== undefined && run.stage === this.where && run.recipient === this.currentRcpt && run.list === ctx?.list && run.parameter === ctx?.parameter && run.depth === depth;
    if (s.result === 'dunno' && same && run.shown >= SHOWN_RUN) {
      this.hide(run, s.restriction, s.source);
      return;
    }
    this.closeRun();
    const step: TraceStep = {
      stage: this.where,
      ...(this.currentRcpt !== undefined ? { recipient: this.currentRcpt } : {}),
      list: ctx?.list,
      parameter: ctx?.parameter,
      depth,
      ...s,
    };
    if (s.result !== 'dunno') this.run = undefined;
    else if (same) run.shown++;
    else this.run = { stage: this.where, recipient: this.currentRcpt, list: ctx?.list, parameter: ctx?.parameter, depth, shown: 1, hidden: 0, last: '' };
    this.trace.push(step);
  }

  /**
   * Sums up a long run of restrictions that decided nothing (a list of a
   * million words, e.g. `$a20` with `a1 = $a0 $a0`): the first SHOWN_RUN
   * steps of the run are kept, the rest become one step that counts them, so
   * that the trace stays small. Steps that decide are always kept.
   */
  private hide(run: Run, restriction: string, source: SourceRef | undefined): void {
    if (!run.summary) {
      run.summary = { stage: run.stage, ...(run.recipient !== undefined ? { recipient: run.recipient } : {}), list: run.list, parameter: run.parameter, depth: run.depth, restriction: '...', result: 'dunno', why: '' };
      this.trace.push(run.summary);
    }
    run.hidden++;
    run.last = restriction;
    if (source) run.summary.source = source;
  }

  /** Writes the summing-up step's text (see hide); the trace is complete after this. */
  closeRun(): void {
    const run = this.run;
    if (!run?.summary) return;
    run.summary.why = `${run.hidden} more restriction${run.hidden === 1 ? '' : 's'} in a row made no decision (not shown; the last: ${run.last.slice(0, 200)})`;
    this.run = undefined;
  }

  warn(msg: string): void {
    if (!this.logWarnings.includes(msg)) this.logWarnings.push(msg);
  }

  /** Resets per-list state (smtpd's SMTPD_CHECK_RESET). */
  resetChecks(): void {
    this.recursion = 0;
    this.warnIfReject = 0;
    this.deferIfReject.active = false;
  }

  /**
   * Formats a reject reply and decides whether it stands: warn_if_reject turns
   * it into a warning; an earlier defer_if_reject turns a 5xx into that 4xx.
   * Returns REJECT, or DUNNO when only a warning was logged.
   */
  reject(cls: ErrorClass, code: number, dsn: string, text: string): number {
    const warnOnly = this.warnIfReject !== 0 && cls !== 'software' && cls !== 'resource' && cls !== 'data';
    let line = `${code} ${dsn} ${text}`;
    if (code < 400 || code > 599) {
      this.warn(`SMTP reply code configuration error: ${line}`);
      line = '450 4.7.1 Service unavailable';
    }
    if (!dsnLength(line.slice(4))) {
      this.warn(`DSN detail code configuration error: ${line}`);
      line = '450 4.7.1 Service unavailable';
    }
    line = printable(line.slice(0, 510));
    if (!warnOnly && this.deferIfReject.active && line[0] === '5') {
      const d = this.deferIfReject;
      this.warnIfReject = 0;
      d.active = false;
      this.noteConversion(`a 5xx reject was turned into the earlier defer_if_reject result (${d.code} ${d.dsn})`);
      return this.reject(d.cls, d.code, d.dsn, d.text);
    }
    if (this.view.bool('soft_bounce') && line[0] === '5') line = `4${line.slice(1)}`;
    line = `${line.slice(0, 4)}${line[0]}${line.slice(5)}`;
    this.errorText = line;
    if (warnOnly) {
      this.actions.warnings.push(`reject_warning: ${line}`);
      return DUNNO;
    }
    return REJECT;
  }

  private noteConversion(why: string): void {
    this.steps++;
    this.closeRun();
    this.trace.push({ stage: this.where, ...(this.currentRcpt !== undefined ? { recipient: this.currentRcpt } : {}), restriction: 'defer_if_reject', result: 'note', why, depth: 0 });
  }

  /** Remembers the first reason for a later change of mind (defer_if_permit / defer_if_reject). */
  deferIf(d: Deferral, cls: ErrorClass, code: number, dsn: string, text: string): number {
    if (!d.active) Object.assign(d, { active: true, cls, code, dsn, text });
    return DUNNO;
  }

  /** defer_if_permit, unless warn_if_reject is in effect or the action is plain defer. */
  deferIfPermit2(actionIsDeferIfPermit: boolean, cls: ErrorClass, code: number, dsn: string, text: string): number {
    if (this.warnIfReject === 0 && actionIsDeferIfPermit) return this.deferIf(this.deferIfPermit, cls, code, dsn, text);
    return this.reject(cls, code, dsn, text);
  }

  /** reject_server_error(): 451 4.3.5, leaves the list. */
  serverError(): never {
    throw new Abort(this.reject('software', 451, '4.3.5', 'Server configuration error'));
  }

  /** reject_dict_retry(): 451 4.3.0 temporary lookup failure, leaves the list. */
  dictRetry(replyName: string): never {
    throw new Abort(this.reject('data', 451, '4.3.0', `<${replyName}>: Temporary lookup failure`));
  }
}

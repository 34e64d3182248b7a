// Evaluation of smtpd restriction lists: every restriction of restrictions.tsv,
// access-table lookups with Postfix's key search order, access-table actions,
// restriction classes, warn_if_reject and defer_if_permit/defer_if_reject.
// What needs DNS, a policy server or address verification is answered from
// the caller's assumptions, and the trace says so.

import { isFinal, isLocalDomain, resolveAddress, validHostaddr, validHostname, validMailhostAddr, type Resolved } from './address';
import type { Located } from './config';
import { splitList } from './config';
import type { SimTable } from './tables';
import { matchList } from './lists';
import { expandValue } from '../expand';
import { dsnFix, dsnSplit } from './reply';
import { Abort, DUNNO, OK, REJECT, SmtpdCrash, type Ctx, type Session } from './session';
import type { Assumptions, SourceRef, TraceStep } from './types';

const CLIENT = 'Client host';
const REV_CLIENT = 'Unverified Client host';
const HELO = 'Helo command';
const SENDER = 'Sender address';
const RECIPIENT = 'Recipient address';
const SASL_USER = 'SASL login name';

export const CHECK_CLIENT_ACL = 'check_client_access';
export const CHECK_HELO_ACL = 'check_helo_access';
export const CHECK_SENDER_ACL = 'check_sender_access';
export const CHECK_RECIP_ACL = 'check_recipient_access';

/** Restriction names smtpd knows, so that anything else is "unknown smtpd restriction". */
const TABLE_COMMANDS = new Set([
  'check_client_access',
  'check_reverse_client_hostname_access',
  'check_ccert_access',
  'check_sasl_access',
  'check_client_ns_access',
  'check_client_mx_access',
  'check_client_a_access',
  'check_reverse_client_hostname_ns_access',
  'check_reverse_client_hostname_mx_access',
  'check_reverse_client_hostname_a_access',
  'check_helo_access',
  'check_helo_ns_access',
  'check_helo_mx_access',
  'check_helo_a_access',
  'check_sender_access',
  'check_sender_ns_access',
  'check_sender_mx_access',
  'check_sender_a_access',
  'check_recipient_access',
  'check_recipient_ns_access',
  'check_recipient_mx_access',
  'check_recipient_a_access',
  'check_etrn_access',
]);

/** Names whose presence satisfies smtpd's relay safety check. */
export const RELAY_REQUIRED = ['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer', 'defer_if_permit', 'check_relay_domains'];

interface Found {
  status: number;
  found: boolean;
}

type TableValue = { value: string; table: SimTable; line?: number } | { error: string; table: SimTable } | undefined;

function tableSource(t: SimTable, line?: number): SourceRef | undefined {
  if (!t.file || line === undefined || line < 0) return undefined;
  return { file: t.file, range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}

export class Evaluator {
  constructor(private readonly s: Session) {}

  private get view() {
    return this.s.view;
  }

  // ---- table lookups ------------------------------------------------------

  /** maps_find(): one lookup; partial lookups skip pattern tables. */
  private find(spec: string, key: string, partial: boolean): TableValue {
    const table = this.view.table(spec);
    if (key === '') return undefined;
    if (partial && !table.fixed) return undefined;
    const data = tableDataFor(this.s.assumptions, table);
    const r = table.lookup(key);
    // smtpd logs these and goes on (a pcre rule at PCRE2's match limit counts as not matching).
    for (const w of r.warnings ?? []) if (!this.s.actions.warnings.includes(`warning: ${w}`)) this.s.actions.warnings.push(`warning: ${w}`);
    if (r.kind === 'found') {
      if (r.value === '') return { error: `${spec} lookup of ${key} returns an empty string result`, table };
      return { value: r.value, table, line: table.lastLine };
    }
    if (r.kind === 'error') return { error: r.reason, table };
    if (r.kind === 'unreadable') {
      const v = data?.[key] ?? data?.[key.toLowerCase()];
      this.view.assume(`lookups in ${spec} (the engine cannot read it)`, data ? 'the keys given in tableData' : 'not found', 'tableData');
      if (v !== undefined) return { value: v, table };
    }
    return undefined;
  }

  /** The mail_addr_find() search order for one address. */
  private findAddress(
    spec: string,
    address: string,
    strategy: { noext: boolean; localpartIfLocal: boolean; atDomain: boolean; domain: boolean; parent?: boolean; localpartAt: boolean },
  ): TableValue {
    const at = address.lastIndexOf('@');
    const delims = this.view.value('recipient_delimiter');
    let bare: string | undefined;
    if (strategy.noext && delims) {
      const local = at >= 0 ? address.slice(0, at) : address;
      let cut = -1;
      for (let i = 1; i < local.length; i++) {
        if (delims.includes(local[i])) {
          cut = i;
          break;
        }
      }
      if (cut > 0) bare = local.slice(0, cut) + (at >= 0 ? address.slice(at) : '');
    }
    const tries: [string, boolean][] = [[address, false]];
    if (bare) tries.push([bare, true]);
    for (const [k, partial] of tries) {
      const r = this.find(spec, k, partial);
      if (r) return r;
    }
    if (at < 0) return undefined;
    const domain = address.slice(at + 1);
    const localPart = (a: string, withAt: boolean) => a.slice(0, a.lastIndexOf('@')) + (withAt ? '@' : '');
    if (strategy.localpartIfLocal) {
      const origin = this.view.value('myorigin').toLowerCase();
      const loc = domain.toLowerCase() === origin ? { local: true } : isLocalDomain(this.view, domain);
      if (loc.local) {
        for (const k of [localPart(address, false), ...(bare ? [localPart(bare, false)] : [])]) {
          const r = this.find(spec, k, true);
          if (r) return r;
        }
      }
    }
    if (strategy.atDomain) {
      const r = this.find(spec, `@${domain}`, true);
      if (r) return r;
    }
    if (strategy.domain) {
      let name = domain;
      for (;;) {
        const r = this.find(spec, name, true);
        if (r) return r;
        if (strategy.parent === undefined) break;
        const dot = name.indexOf('.', 1);
        if (dot < 0) break;
        name = strategy.parent ? name.slice(dot + 1) : name.slice(dot);
      }
    }
    if (strategy.localpartAt) {
      for (const k of [localPart(address, true), ...(bare ? [localPart(bare, true)] : [])]) {
        const r = this.find(spec, k, true);
        if (r) return r;
      }
    }
    return undefined;
  }

  private accessParent(): boolean {
    return this.view.list('parent_domain_matches_subdomains').includes('smtpd_access_maps');
  }

  /** A table lookup found something (or failed): hand it to the access-action logic. */
  private tableHit(hit: NonNullable<TableValue>, datum: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): number {
    if ('error' in hit) {
      this.s.warn(`${hit.table.spec}: ${hit.error}`);
      return this.tableResult(hit.table.spec, '451 4.3.5 Server configuration error', datum, replyName, replyClass, defAcl, ctx, restriction, undefined, `lookup error: ${hit.error}`);
    }
    return this.tableResult(hit.table.spec, hit.value, datum, replyName, replyClass, defAcl, ctx, restriction, tableSource(hit.table, hit.line), `${datum} matches in ${hit.table.spec}: ${hit.value}`);
  }

  checkAccess(spec: string, name: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Found {
    const hit = this.find(spec, name, false);
    if (!hit) return { status: DUNNO, found: false };
    return { status: this.tableHit(hit, name, replyName, replyClass, defAcl, ctx, restriction), found: true };
  }

  checkDomainAccess(spec: string, domain: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Found {
    const parent = this.accessParent();
    let name = domain;
    let partial = false;
    for (;;) {
      const hit = name === '' ? undefined : this.find(spec, name, partial);
      if (hit) return { status: this.tableHit(hit, domain, replyName, replyClass, defAcl, ctx, restriction), found: true };
      if (validHostaddr(domain)) break;
      const dot = name.indexOf('.', 1);
      if (dot < 0) break;
      name = parent ? name.slice(dot + 1) : name.slice(dot);
      partial = true;
    }
    return { status: DUNNO, found: false };
  }

  checkAddrAccess(spec: string, address: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Found {
    const delim = address.includes(':') ? ':' : '.';
    let addr = address;
    let partial = false;
    for (;;) {
      const hit = this.find(spec, addr, partial);
      if (hit) return { status: this.tableHit(hit, address, replyName, replyClass, defAcl, ctx, restriction), found: true };
      partial = true;
      const cut = addr.lastIndexOf(delim);
      if (cut < 0) break;
      addr = addr.slice(0, cut);
    }
    return { status: DUNNO, found: false };
  }

  checkNamadrAccess(spec: string, name: string, addr: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): number {
    const byName = this.checkDomainAccess(spec, name, replyName, replyClass, defAcl, ctx, restriction);
    if (byName.status !== DUNNO || byName.found) return byName.status;
    const byAddr = this.checkAddrAccess(spec, addr, replyName, replyClass, defAcl, ctx, restriction);
    return byAddr.status;
  }

  /** check_sender_access / check_recipient_access: resolve, then user+ext@domain, user@domain, domain (and parents), user@. */
  checkMailAccess(spec: string, addr: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): number {
    const reply = this.resolve(addr, replyName);
    if (!reply.address.includes('@')) return DUNNO;
    const hit = this.findAddress(spec, reply.address, {
      noext: true,
      localpartIfLocal: false,
      atDomain: false,
      domain: true,
      parent: this.accessParent(),
      localpartAt: true,
    });
    if (!hit) return DUNNO;
    const status = this.tableHit(hit, reply.address, replyName, replyClass, defAcl, ctx, restriction);
    // Source-routed recipients are too suspicious for an OK.
    if (status === OK && !this.view.bool('allow_untrusted_routing') && reply.routed && replyClass === RECIPIENT) {
      this.s.step(ctx, { restriction, result: 'dunno', why: `OK is ignored for the source-routed recipient ${reply.address}` });
      return DUNNO;
    }
    return status;
  }

  resolve(addr: string, replyName: string): Resolved {
    const r = resolveAddress(this.view, addr);
    if (r.fail) {
      this.s.warn(r.fail);
      this.s.dictRetry(replyName);
    }
    if (r.assumed) this.view.assume(`lookups in tables the engine cannot read (${r.assumed})`, 'not found', 'tableData');
    return r;
  }

  // ---- access actions -------------------------------------------------------

  /** check_table_result(): what an access-table value (or policy answer) means. */
  tableResult(
    table: string,
    value: string,
    datum: string,
    replyName: string,
    replyClass: string,
    defAcl: string | undefined,
    ctx: Ctx,
    restriction: string,
    tsrc: SourceRef | undefined,
    found: string,
  ): number {
    const s: Session = this.s;
    const sp = value.search(/[ \t]/);
    const cmd = sp < 0 ? value : value.slice(0, sp);
    const text = sp < 0 ? '' : value.slice(sp).replace(/^[ \t\r\n\v\f]+/, '');
    const is = (w: string) => cmd.toLowerCase() === w.toLowerCase();
    const source = s.currentSource;
    const record = (result: TraceStep['result'], why: string) => s.step(ctx, { restriction, source, result, why: `${found} → ${why}`, tableSource: tsrc });
    const rejected = (status: number, what: string) => {
      record(status === REJECT ? (s.errorText[0] === '4' ? 'defer' : 'reject') : 'warn', status === REJECT ? `${what}: ${s.errorText}` : `warn_if_reject: would have replied ${s.errorText}`);
      return status;
    };
    const notInClientHelo = (action: string) => {
      if (s.sender === undefined) {
        s.warn(`access table ${table}: with smtpd_delay_reject=no, action ${action} is always skipped in client or helo restrictions`);
        record('skip', `${action} is skipped in client/helo restrictions when smtpd_delay_reject = no`);
        return false;
      }
      return true;
    };
    const canDelegate = (action: string) => {
      if (this.view.value('smtpd_proxy_filter').trim() !== '') {
        s.warn(`access table ${table}: with smtpd_proxy_filter specified, action ${action} is unavailable`);
        record('skip', `${action} is unavailable with smtpd_proxy_filter`);
        return false;
      }
      return notInClientHelo(action);
    };

    if (is('DUNNO')) {
      record('dunno', 'DUNNO: go on with the next restriction');
      return DUNNO;
    }
    if (is('REJECT')) {
      const d = dsnSplit('5.7.1', text);
      const st = s.reject('policy', this.view.int('access_map_reject_code', 554), dsnFix(d.dsn, replyClass), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
      return rejected(st, 'REJECT');
    }
    if (is('DEFER')) {
      const d = dsnSplit('4.7.1', text);
      const st = s.reject('policy', this.view.int('access_map_defer_code', 450), dsnFix(d.dsn, replyClass), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
      return rejected(st, 'DEFER');
    }
    if (is('HANGUP')) {
      record('reject', 'HANGUP: smtpd drops the connection without a reply');
      s.errorText = '';
      throw new Abort(REJECT);
    }
    if (is('INFO') || is('WARN')) {
      const kind = is('INFO') ? 'info' : 'warn';
      s.actions.warnings.push(`${kind}: <${replyName}>: ${text}`.trim());
      record(kind, `${cmd.toUpperCase()}: logged "${text}", then go on`);
      return DUNNO;
    }
    if (is('FILTER')) {
      if (!canDelegate('FILTER')) return DUNNO;
      if (text === '' || !text.includes(':')) {
        s.warn(`access table ${table} entry "${datum}" ${text === '' ? 'has FILTER entry without value' : 'requires transport:destination'}`);
        record('skip', 'FILTER without transport:destination is ignored');
        return DUNNO;
      }
      s.actions.filter = text;
      record('filter', `FILTER ${text}: the message will go to this content filter`);
      return DUNNO;
    }
    if (is('HOLD')) {
      if (!canDelegate('HOLD') || s.hold) return DUNNO;
      s.hold = true;
      s.actions.hold = text || 'triggers HOLD action';
      record('hold', 'HOLD: the message will be accepted and kept in the hold queue');
      return DUNNO;
    }
    if (is('DISCARD')) {
      if (!canDelegate('DISCARD')) return DUNNO;
      s.discard = true;
      s.actions.discard = text || 'triggers DISCARD action';
      record('discard', 'DISCARD: the message will be accepted and thrown away; no further restrictions are checked');
      return OK;
    }
    if (is('REDIRECT') || is('BCC')) {
      const act = cmd.toUpperCase();
      if (!canDelegate(act)) return DUNNO;
      if (!text.includes('@')) {
        s.warn(`access table ${table} entry "${datum}" requires user@domain target`);
        record('skip', `${act} without user@domain is ignored`);
        return DUNNO;
      }
      if (act === 'REDIRECT') s.actions.redirect = text;
      else s.actions.bcc.push(text);
      record(act === 'REDIRECT' ? 'redirect' : 'bcc', `${act} ${text}`);
      return DUNNO;
    }
    if (is('DEFER_IF_PERMIT')) {
      const d = dsnSplit('4.7.1', text);
      const st = s.deferIfPermit2(true, 'policy', this.view.int('access_map_defer_code', 450), dsnFix(d.dsn, replyClass), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Service unavailable'}`);
      if (st === REJECT) return rejected(st, 'DEFER_IF_PERMIT under warn_if_reject');
      record('defer_if_permit', 'DEFER_IF_PERMIT: a later permit becomes a temporary reject');
      return st;
    }
    if (is('DEFER_IF_REJECT')) {
      const d = dsnSplit('4.7.1', text);
      s.deferIf(s.deferIfReject, 'policy', this.view.int('access_map_defer_code', 450), dsnFix(d.dsn, replyClass), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Service unavailable'}`);
      record('defer_if_reject', 'DEFER_IF_REJECT: a later reject becomes a temporary reject');
      return DUNNO;
    }
    if (is('PREPEND')) {
      if (!notInClientHelo('PREPEND')) return DUNNO;
      if (s.where === 'end-of-data') {
        s.warn(`access table ${table}: action PREPEND must be used before smtpd_end_of_data_restrictions`);
        record('skip', 'PREPEND is not possible after the message was received');
        return DUNNO;
      }
      if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(text)) {
        s.warn(`access table ${table} entry "${datum}" requires header: text`);
        record('skip', 'PREPEND without a "Header: text" argument is ignored');
        return DUNNO;
      }
      s.actions.prepend.push(text);
      record('prepend', `PREPEND ${text}`);
      return DUNNO;
    }
    if (/^\d+$/.test(value)) {
      record('permit', 'an all-numeric result means OK');
      return OK;
    }
    if (cmd.length === 3 && text !== '' && /^[45]\d\d$/.test(cmd)) {
      const d = dsnSplit(`${cmd[0]}.7.1`, text);
      const st = s.reject('policy', Number(cmd), dsnFix(d.dsn, replyClass), `<${replyName}>: ${replyClass} rejected: ${d.text || 'Access denied'}`);
      return rejected(st, `numeric reply ${cmd}`);
    }
    if (is('OK') || is('RELAY')) {
      record('permit', `${cmd.toUpperCase()}: permit; the rest of this restriction list is skipped`);
      return OK;
    }
    if (value.includes(':')) {
      s.warn(`access table ${table} has entry with lookup table: ${value}`);
      s.warn('do not specify lookup tables inside SMTPD access maps');
      record('error', 'a lookup table inside an access table result is a configuration error');
      s.serverError();
    }
    if (s.recursion > 100) {
      s.warn(`access table ${table} entry ${value} causes unreasonable recursion`);
      s.serverError();
    }
    const names = splitList(value);
    if (names.length === 0) {
      s.warn(`access table ${table} entry ${value} has empty value`);
      record('permit', 'an empty result means OK');
      return OK;
    }
    record('note', `the result names restrictions; evaluating: ${names.join(', ')}`);
    const located: Located[] = names.map((text) => ({ text, parameter: table, source: tsrc }));
    return this.generic(located, replyName, replyClass, defAcl, { ...ctx, parameter: `${table} result`, depth: ctx.depth + 1, classes: [] });
  }

  // ---- the restriction list walker -------------------------------------------

  /** generic_checks(): walks a restriction list; returns DUNNO, OK or REJECT. */
  generic(list: Located[], replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx): number {
    const s: Session = this.s;
    const saved = s.recursion++;
    let status = DUNNO;
    for (let i = 0; i < list.length; i++) {
      if (s.discard) break;
      let tok = list[i];
      let name = tok.text;
      const lname = () => name.toLowerCase();
      let source = tok.source;
      s.currentSource = source;
      // A restriction with an argument: the range covers both words.
      const widen = (next: Located) => {
        if (source && next.source && source.file === next.source.file) source = { file: source.file, range: { start: source.range.start, end: next.source.range.end } };
        s.currentSource = source;
      };
      const step = (result: TraceStep['result'], why: string, extra: Partial<TraceStep> = {}) =>
        s.step(ctx, { restriction: shown, source, result, why, ...extra });
      let shown = name;

      if (name.toLowerCase() === 'warn_if_reject') {
        if (s.warnIfReject === 0) s.warnIfReject = s.recursion;
        s.step(ctx, { restriction: name, source, result: 'note', why: 'the next restriction only logs a warning instead of rejecting' });
        continue;
      }
      if (name.includes(':')) {
        if (defAcl === undefined) {
          s.warn(`specify one of (check_client_access, check_reverse_client_hostname_access, check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) before ${replyClass} restriction "${name}"`);
          s.step(ctx, { restriction: name, source, result: 'error', why: 'a bare lookup table is not allowed in this list' });
          s.serverError();
        }
        name = defAcl;
        i -= 1;
      }
      // Table commands take the next token as their argument.
      let arg: string | undefined;
      const takeTable = (): string => {
        const next = list[i + 1];
        if (!next || !next.text.includes(':')) {
          s.warn(`restriction ${name}: bad argument "${next?.text ?? name}": need maptype:mapname`);
          s.step(ctx, { restriction: name, source, result: 'error', why: `${name} needs a type:table argument` });
          s.serverError();
        }
        i += 1;
        tok = next;
        arg = next.text;
        shown = `${name} ${arg}`;
        widen(next);
        return arg;
      };
      const takeDomain = (): string | undefined => {
        const next = list[i + 1];
        if (!next) {
          s.warn(`restriction ${name} requires domain name argument`);
          step('skip', `${name} without a domain argument is ignored`);
          return undefined;
        }
        i += 1;
        arg = next.text;
        shown = `${name} ${arg}`;
        widen(next);
        return arg;
      };
      const n = lname();
      status = DUNNO;
      const before = s.steps;

      if (n === 'permit') {
        status = OK;
        step('permit', 'permit: accept; the rest of this list is skipped');
        if (i + 1 < list.length) s.warn(`restriction \`${list[i + 1].text}' after \`permit' is ignored`);
      } else if (n === 'defer' || n === 'reject') {
        status =
          n === 'defer'
            ? s.reject('policy', this.view.int('defer_code', 450), '4.3.2', `<${replyName}>: ${replyClass} rejected: Try again later`)
            : s.reject('policy', this.view.int('reject_code', 554), '5.7.1', `<${replyName}>: ${replyClass} rejected: Access denied`);
        this.rejectStep(step, status, n);
        if (i + 1 < list.length && s.warnIfReject === 0) s.warn(`restriction \`${list[i + 1].text}' after \`${n}' is ignored`);
      } else if (n === 'reject_unauth_pipelining') {
        if (s.assumptions.improperPipelining) {
          status = s.reject('protocol', 503, '5.5.0', `<${replyName}>: ${replyClass} rejected: Improper use of SMTP command pipelining`);
          this.rejectStep(step, status, n, true);
        } else step('dunno', 'the client is assumed to pipeline correctly', { assumed: true });
        this.view.assume('client pipelining', s.assumptions.improperPipelining ? 'improper' : 'correct', 'improperPipelining');
      } else if (n === 'check_policy_service') {
        const next = list[i + 1];
        if (!next || !next.text.includes(':')) {
          s.warn('restriction check_policy_service must be followed by transport:server');
          step('error', 'check_policy_service needs a transport:server argument');
          s.serverError();
        }
        i += 1;
        shown = `${name} ${next.text}`;
        widen(next);
        const action = s.assumptions.policyServiceAction ?? 'DUNNO';
        this.view.assume(`answer of policy service ${next.text}`, action, 'policyServiceAction');
        status = this.tableResult(next.text, action, replyName, replyName, replyClass, defAcl, ctx, shown, undefined, `policy service ${next.text} (assumed) answers`);
      } else if (n === 'defer_if_permit') {
        status = s.deferIfPermit2(true, 'policy', 450, '4.7.0', `<${replyName}>: ${replyClass} rejected: defer_if_permit requested`);
        if (status === REJECT) this.rejectStep(step, status, n);
        else step('defer_if_permit', 'a later permit in this stage becomes 450 4.7.0 defer_if_permit requested');
      } else if (n === 'defer_if_reject') {
        s.deferIf(s.deferIfReject, 'policy', 450, '4.7.0', `<${replyName}>: ${replyClass} rejected: defer_if_reject requested`);
        step('defer_if_reject', 'a later reject in this list becomes 450 4.7.0 defer_if_reject requested');
      } else if (n === 'sleep') {
        const next = list[i + 1];
        if (!next || !/^\d+$/.test(next.text)) {
          s.warn('restriction sleep must be followed by number');
          step('error', 'sleep needs a number of seconds');
          s.serverError();
        }
        i += 1;
        shown = `sleep ${next.text}`;
        step('dunno', `smtpd pauses ${next.text} s`);
      } else if (n === 'reject_plaintext_session') {
        if (!s.tls) {
          status = s.reject('policy', this.view.int('plaintext_reject_code', 450), '4.7.1', 'Session encryption is required');
          this.rejectStep(step, status, n, true);
        } else step('dunno', 'the session is encrypted (assumed)', { assumed: true });
      }
      // ---- client
      else if (n === 'reject_unknown_client_hostname' || n === 'reject_unknown_client') {
        if (s.nameStatus !== 'ok') {
          status = s.reject('policy', s.nameStatus === 'perm' ? this.view.int('unknown_client_reject_code', 450) : 450, '4.7.25', `Client host rejected: cannot find your hostname, [${s.clientAddr}]`);
          this.rejectStep(step, status, n, true, 'the client has no verified hostname (none given)');
        } else step('dunno', `${s.clientName} is taken as the verified hostname`, { assumed: true });
      } else if (n === 'reject_unknown_reverse_client_hostname') {
        if (s.reverseStatus !== 'ok') {
          status = s.reject('policy', s.reverseStatus === 'perm' ? this.view.int('unknown_client_reject_code', 450) : 450, '4.7.1', `Client host rejected: cannot find your reverse hostname, [${s.clientAddr}]`);
          this.rejectStep(step, status, n, true, 'the client address has no reverse hostname (none given)');
        } else step('dunno', `${s.reverseName} is taken as the reverse hostname`, { assumed: true });
      } else if (n === 'permit_inet_interfaces') {
        const own = this.view.ownAddresses().some((o) => o.addr === s.clientAddr);
        status = own ? OK : DUNNO;
        step(own ? 'permit' : 'dunno', own ? `${s.clientAddr} is one of our addresses` : `${s.clientAddr} is not one of our addresses`);
      } else if (n === 'permit_mynetworks') {
        const m = matchList(this.view, 'mynetworks', 'namadr', [s.clientName, s.clientAddr]);
        if (m.error) {
          s.warn(`mynetworks: ${m.error}`);
          step('error', `mynetworks: ${m.error}; smtpd answers with a temporary lookup failure`);
          s.dictRetry(replyName);
        }
        status = m.matched ? OK : DUNNO;
        step(m.matched ? 'permit' : 'dunno', m.matched ? `${s.namaddr} matches mynetworks (${m.pattern})` : `${s.namaddr} is not in mynetworks = ${this.view.value('mynetworks')}`, {
          source: source,
        });
      } else if (n === CHECK_CLIENT_ACL) {
        const t = takeTable();
        status = this.checkNamadrAccess(t, s.clientName, s.clientAddr, s.namaddr, CLIENT, defAcl, ctx, shown);
        this.noMatch(step, before, `neither ${s.clientName} nor ${s.clientAddr} (or their parents) is in ${t}`);
      } else if (n === 'check_reverse_client_hostname_access') {
        const t = takeTable();
        status = this.checkNamadrAccess(t, s.reverseName, s.clientAddr, s.reverseName, REV_CLIENT, defAcl, ctx, shown);
        this.forbidAllowlist(n, status, s.reverseName);
        this.noMatch(step, before, `neither ${s.reverseName} nor ${s.clientAddr} is in ${t}`);
      } else if (n === 'reject_maps_rbl') {
        s.warn('support for restriction "reject_maps_rbl" will be removed from Postfix; use "reject_rbl_client domain-name" instead');
        for (const d of this.view.list('maps_rbl_domains')) {
          status = this.rbl(step, d, s.clientAddr, CLIENT, 'address');
          if (status !== DUNNO) break;
        }
      } else if (n === 'reject_rbl_client' || n === 'reject_rbl') {
        const d = takeDomain();
        if (d !== undefined) status = this.rbl(step, d, s.clientAddr, CLIENT, 'address');
      } else if (n === 'permit_dnswl_client') {
        const d = takeDomain();
        if (d !== undefined) status = this.dnswl(step, d, s.clientAddr);
      } else if (n === 'reject_rhsbl_client' || n === 'permit_rhswl_client' || n === 'reject_rhsbl_reverse_client') {
        const d = takeDomain();
        const subject = n === 'reject_rhsbl_reverse_client' ? s.reverseName : s.clientName;
        if (d !== undefined && subject.toLowerCase() !== 'unknown') {
          status = n === 'permit_rhswl_client' ? this.dnswl(step, d, subject) : this.rbl(step, d, subject, n === 'reject_rhsbl_client' ? CLIENT : REV_CLIENT, 'domain');
        } else if (d !== undefined) step('dunno', 'the client hostname is unknown: no query');
      } else if (n === 'check_ccert_access') {
        takeTable();
        step('dunno', 'no client certificate (assumed)', { assumed: true });
        this.view.assume('client TLS certificate', 'none', 'tls');
      } else if (n === 'check_sasl_access') {
        const t = takeTable();
        if (s.saslEnabled) {
          if (s.saslUser) {
            const r = this.checkAccess(t, s.saslUser, s.saslUser.replace(/[^\x20-\x7e]/g, '_'), SASL_USER, defAcl, ctx, shown);
            status = r.status;
            this.noMatch(step, before, `${s.saslUser} is not in ${t}`);
          } else step('dunno', 'the client did not authenticate');
        } else {
          s.warn(`restriction \`${n}' ignored: no SASL support`);
          step('skip', 'ignored: smtpd_sasl_auth_enable = no for this service');
        }
      } else if (/^check_(client|reverse_client_hostname)_(ns|mx|a)_access$/.test(n)) {
        takeTable();
        const subject = n.startsWith('check_client') ? s.clientName : s.reverseName;
        if (subject.toLowerCase() !== 'unknown') this.dnsAccessAssumed(step, subject);
        else step('dunno', 'the client hostname is unknown: no lookup');
      }
      // ---- helo
      else if (n === CHECK_HELO_ACL) {
        const t = takeTable();
        if (s.helo !== undefined) {
          const r = this.checkDomainAccess(t, s.helo, s.helo, HELO, defAcl, ctx, shown);
          status = r.status;
          this.noMatch(step, before, `${s.helo} (or a parent domain) is not in ${t}`);
        } else step('dunno', 'no HELO/EHLO was sent');
      } else if (n === 'reject_invalid_helo_hostname' || n === 'reject_invalid_hostname') {
        status = this.heloSyntax(step, n, 'invalid');
      } else if (n === 'reject_unknown_helo_hostname' || n === 'reject_unknown_hostname') {
        if (s.helo === undefined) step('dunno', 'no HELO/EHLO was sent');
        else if (s.helo.startsWith('[')) status = this.heloSyntax(step, n, 'address');
        else {
          const bad = this.unresolvable(s.helo);
          if (bad) {
            status = s.reject('policy', this.view.int('unknown_hostname_reject_code', 450), '4.7.1', `<${s.helo}>: ${HELO} rejected: Host not found`);
            this.rejectStep(step, status, n, true, `${s.helo} is assumed not to resolve`);
          } else step('dunno', `${s.helo} is assumed to have an address or MX record`, { assumed: true });
        }
      } else if (n === 'permit_naked_ip_address') {
        s.warn('restriction permit_naked_ip_address is deprecated. Use permit_mynetworks or permit_sasl_authenticated instead');
        if (s.helo !== undefined && /^[0-9.:]*$/.test(s.helo)) {
          if (validMailhostAddr(s.helo)) {
            status = OK;
            step('permit', `HELO ${s.helo} is a bare IP address`);
          } else {
            status = s.reject('policy', this.view.int('invalid_hostname_reject_code', 501), '5.5.2', `<${s.helo}>: ${HELO} rejected: invalid ip address`);
            this.rejectStep(step, status, n);
          }
        } else step('dunno', 'HELO is not a bare IP address');
      } else if (/^check_helo_(ns|mx|a)_access$/.test(n)) {
        takeTable();
        if (s.helo !== undefined) this.dnsAccessAssumed(step, s.helo);
        else step('dunno', 'no HELO/EHLO was sent');
      } else if (n === 'reject_non_fqdn_helo_hostname' || n === 'reject_non_fqdn_hostname') {
        status = this.heloSyntax(step, n, 'fqdn');
      } else if (n === 'reject_rhsbl_helo') {
        const d = takeDomain();
        if (d !== undefined && s.helo !== undefined) status = this.rbl(step, d, s.helo, HELO, 'domain');
      }
      // ---- sender
      else if (n === CHECK_SENDER_ACL) {
        const t = takeTable();
        if (s.sender) {
          status = this.checkMailAccess(t, s.sender, s.sender, SENDER, defAcl, ctx, shown);
          this.noMatch(step, before, `${s.sender} (address, domain, parent domains, local part) is not in ${t}`);
        } else if (s.sender === '') {
          const key = this.view.value('smtpd_null_access_lookup_key');
          status = this.checkAccess(t, key, s.sender, SENDER, defAcl, ctx, shown).status;
          this.noMatch(step, before, `the null sender key ${key} is not in ${t}`);
        } else step('dunno', 'no MAIL FROM yet');
      } else if (n === 'reject_unknown_sender_domain' || n === 'reject_unknown_address') {
        if (s.sender) status = this.unknownAddress(step, n, s.sender, SENDER);
        else step('dunno', 'null sender: not checked');
      } else if (n === 'reject_unverified_sender') {
        if (s.sender) status = this.unverified(step, n, s.sender, SENDER);
        else step('dunno', 'null sender: not checked');
      } else if (n === 'reject_non_fqdn_sender') {
        if (s.sender) status = this.nonFqdnAddress(step, n, s.sender, SENDER);
        else step('dunno', 'null sender: not checked');
      } else if (n === 'reject_authenticated_sender_login_mismatch' || n === 'reject_known_sender_login_mismatch' || n === 'reject_unauthenticated_sender_login_mismatch') {
        if (!s.saslEnabled) {
          s.warn(`restriction \`${n}' ignored: no SASL support`);
          step('skip', 'ignored: smtpd_sasl_auth_enable = no for this service');
        } else if (!s.sender) step('dunno', 'null sender: not checked');
        else if (n === 'reject_authenticated_sender_login_mismatch') status = this.authMismatch(step, n, s.sender, false);
        else if (n === 'reject_unauthenticated_sender_login_mismatch') status = this.unauthMismatch(step, n, s.sender);
        else status = s.saslUser ? this.authMismatch(step, n, s.sender, true) : this.unauthMismatch(step, n, s.sender);
      } else if (/^check_sender_(ns|mx|a)_access$/.test(n)) {
        takeTable();
        if (s.sender) this.dnsAccessAssumed(step, s.sender);
        else step('dunno', 'null sender: no lookup');
      } else if (n === 'reject_rhsbl_sender') {
        const d = takeDomain();
        if (d !== undefined && s.sender) status = this.rbl(step, d, s.sender, SENDER, 'domain');
      } else if (n === 'reject_unlisted_sender') {
        if (s.sender) status = this.senderRcptMaps(step);
        else step('dunno', 'null sender: not checked');
      }
      // ---- recipient
      else if (n === CHECK_RECIP_ACL) {
        const t = takeTable();
        if (s.recipient !== undefined) {
          status = this.checkMailAccess(t, s.recipient, s.recipient, RECIPIENT, defAcl, ctx, shown);
          this.noMatch(step, before, `${s.recipient} (address, domain, parent domains, local part) is not in ${t}`);
        } else step('dunno', 'no single recipient here');
      } else if (n === 'permit_mx_backup') {
        if (s.recipient !== undefined) {
          this.view.assume('DNS MX records of recipient domains', 'this host is not an MX host', 'unresolvable');
          step('dunno', 'this host is assumed not to be a backup MX for the recipient domain', { assumed: true });
        }
      } else if (n === 'permit_auth_destination') {
        if (s.recipient !== undefined) {
          const r = this.authDestination(s.recipient);
          status = r.ok ? OK : DUNNO;
          step(r.ok ? 'permit' : 'dunno', r.why);
        }
      } else if (n === 'reject_unauth_destination' || n === 'defer_unauth_destination') {
        if (s.recipient !== undefined) {
          const r = this.authDestination(s.recipient);
          if (r.ok) step('dunno', r.why);
          else {
            const code = this.view.int('relay_domains_reject_code', 554);
            status = n === 'reject_unauth_destination' ? s.reject('policy', code, '5.7.1', `<${s.recipient}>: Relay access denied`) : s.reject('policy', code - 100, '4.7.1', `<${s.recipient}>: Relay access denied`);
            this.rejectStep(step, status, n, false, r.why);
          }
        }
      } else if (n === 'check_relay_domains') {
        s.warn('support for restriction "check_relay_domains" will be removed from Postfix; use "reject_unauth_destination" instead');
        if (s.recipient !== undefined) {
          const cm = matchList(this.view, 'relay_domains', 'domain', [s.clientName]);
          const r = this.authDestination(s.recipient);
          if (cm.matched) {
            status = OK;
            step('permit', `the client ${s.clientName} matches relay_domains`);
          } else if (r.ok) {
            status = OK;
            step('permit', r.why);
          } else {
            status = s.reject('policy', this.view.int('relay_domains_reject_code', 554), '5.7.1', `<${s.recipient}>: ${RECIPIENT} rejected: Relay access denied`);
            this.rejectStep(step, status, n, false, r.why);
          }
        }
        if (i + 1 < list.length && s.warnIfReject === 0) s.warn(`restriction \`${list[i + 1].text}' after \`check_relay_domains' is ignored`);
      } else if (n === 'permit_sasl_authenticated') {
        if (s.saslActive && s.saslUser) {
          status = OK;
          step('permit', `the client authenticated as ${s.saslUser}`);
        } else if (!s.saslActive) {
          step('dunno', s.saslEnabled ? 'SASL is not offered in this session (smtpd_tls_auth_only = yes without TLS)' : 'SASL authentication is not enabled for this service (smtpd_sasl_auth_enable = no), so no client counts as authenticated');
        } else step('dunno', 'the client did not authenticate');
      } else if (n === 'permit_tls_all_clientcerts' || n === 'permit_tls_clientcerts') {
        this.view.assume('client TLS certificate', 'none', 'tls');
        step('dunno', 'no client certificate (assumed)', { assumed: true });
      } else if (n === 'reject_unknown_recipient_domain') {
        if (s.recipient !== undefined) status = this.unknownAddress(step, n, s.recipient, RECIPIENT);
      } else if (n === 'reject_non_fqdn_recipient') {
        if (s.recipient !== undefined) status = this.nonFqdnAddress(step, n, s.recipient, RECIPIENT);
      } else if (/^check_recipient_(ns|mx|a)_access$/.test(n)) {
        takeTable();
        if (s.recipient) this.dnsAccessAssumed(step, s.recipient);
      } else if (n === 'reject_rhsbl_recipient') {
        const d = takeDomain();
        if (d !== undefined && s.recipient !== undefined) status = this.rbl(step, d, s.recipient, RECIPIENT, 'domain');
      } else if (n === 'check_recipient_maps' || n === 'reject_unlisted_recipient') {
        if (s.recipient) status = this.recipientRcptMaps(step);
      } else if (n === 'reject_multi_recipient_bounce') {
        if (s.sender === '' && s.rcptCount > (s.where === 'rcpt' ? 0 : 1)) {
          status = s.reject('policy', this.view.int('multi_recipient_bounce_reject_code', 550), '5.5.3', `<${replyName}>: ${replyClass} rejected: Multi-recipient bounce`);
          this.rejectStep(step, status, n);
        } else step('dunno', 'not a bounce to several recipients');
      } else if (n === 'reject_unverified_recipient') {
        if (s.recipient) status = this.unverified(step, n, s.recipient, RECIPIENT);
      } else if (n === 'check_etrn_access') {
        takeTable();
        step('dunno', 'not an ETRN command');
      }
      // ---- restriction classes
      else {
        const cls = this.classes().get(name);
        if (cls) {
          const chain = ctx.classes ?? [];
          if (chain.includes(name)) {
            const cycle = [...chain.slice(chain.indexOf(name)), name];
            s.step(ctx, { restriction: name, source, result: 'error', why: `restriction class ${name} again (${cycle.join(' -> ')}): smtpd recurses without end and crashes; the client sees the connection close` });
            throw new SmtpdCrash(cycle);
          }
          s.step(ctx, { restriction: name, source, result: 'note', why: `restriction class ${name}: ${cls.map((c) => c.text).join(', ')}` });
          status = this.generic(cls, replyName, replyClass, defAcl, { ...ctx, parameter: name, depth: ctx.depth + 1, classes: [...chain, name] });
        } else if (TABLE_COMMANDS.has(n)) {
          takeTable();
        } else {
          s.warn(`unknown smtpd restriction: "${name}"`);
          step('error', `"${name}" is not a restriction smtpd knows; every request that reaches it gets 451 4.3.5`);
          s.serverError();
        }
      }

      if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
      if (status !== DUNNO) break;
      if (s.deferIfPermit.active && s.deferIfReject.active) break;
    }
    s.recursion = saved;
    if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
    return status;
  }

  /** The smtpd_restriction_classes definitions (with `reject_sender_login_mismatch` built in). */
  classes(): Map<string, Located[]> {
    const map = new Map<string, Located[]>();
    for (const name of this.view.list('smtpd_restriction_classes')) map.set(name, this.view.tokens(name));
    map.set('reject_sender_login_mismatch', [
      { text: 'reject_authenticated_sender_login_mismatch', parameter: 'reject_sender_login_mismatch' },
      { text: 'reject_unauthenticated_sender_login_mismatch', parameter: 'reject_sender_login_mismatch' },
    ]);
    return map;
  }

  // ---- helpers for individual restrictions ------------------------------------

  private rejectStep(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, status: number, name: string, assumed = false, why?: string): void {
    const s: Session = this.s;
    const text = s.errorText;
    const pre = why ? `${why}: ` : '';
    if (status === REJECT) step(text[0] === '4' ? 'defer' : 'reject', `${pre}${name} replies ${text}`, assumed ? { assumed } : {});
    else step('warn', `${pre}warn_if_reject: ${name} would have replied ${text}; only logged`, assumed ? { assumed } : {});
  }

  /** Records "no match" unless the lookup already recorded a table result. */
  private noMatch(step: (r: TraceStep['result'], why: string) => void, before: number, why: string): void {
    if (this.s.steps === before) step('dunno', why);
  }

  private forbidAllowlist(name: string, status: number, target: string): void {
    if (!this.s.discard && status === OK) {
      this.s.warn(`restriction ${name} returns OK for ${target}`);
      this.s.warn('this is not allowed for security reasons');
      this.s.serverError();
    }
  }

  private dnsAccessAssumed(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, subject: string): void {
    this.view.assume('DNS records for check_*_{mx,ns,a}_access', 'none found', 'unresolvable');
    step('dunno', `the DNS lookup for ${subject} is assumed to find nothing that matches`, { assumed: true });
  }

  private unresolvable(name: string): boolean {
    const list = (this.s.assumptions.unresolvable ?? []).map((x) => x.toLowerCase());
    this.view.assume('DNS resolution of checked names', list.length ? `every name resolves except ${list.join(', ')}` : 'every name resolves', 'unresolvable');
    const n = name.toLowerCase().replace(/\.$/, '');
    return list.some((x) => n === x || n.endsWith(`.${x}`));
  }

  private listed(domain: string): boolean {
    const d = domain.toLowerCase();
    const list = (this.s.assumptions.dnsListed ?? []).map((x) => x.toLowerCase());
    this.view.assume('DNS block/allow lists', list.length ? `listed in ${list.join(', ')}` : 'not listed anywhere', 'dnsListed');
    return list.includes(d) || list.includes(d.split('=')[0]);
  }

  private rbl(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, domain: string, what: string, replyClass: string, kind: 'address' | 'domain'): number {
    const s: Session = this.s;
    let subject = what;
    if (kind === 'domain') {
      const at = what.lastIndexOf('@');
      subject = at >= 0 ? what.slice(at + 1) : what;
      const last = subject.slice(subject.lastIndexOf('.') + 1);
      if (subject === '' || subject.startsWith('[') || /^\d+$/.test(last) || !validHostname(subject)) {
        step('dunno', `${subject || what} is not looked up in ${domain}`);
        return DUNNO;
      }
    }
    if (!this.listed(domain)) {
      step('dunno', `${subject} is assumed not to be listed in ${domain}`, { assumed: true });
      return DUNNO;
    }
    const rblDomain = domain.split('=')[0];
    const template = this.smtpdExpand(this.view.raw('default_rbl_reply').value ?? '', {
      rbl_code: this.view.value('maps_rbl_reject_code') || '554',
      rbl_domain: rblDomain,
      rbl_reason: '',
      rbl_txt: '',
      rbl_what: what,
      rbl_class: replyClass,
    });
    const m = /^([45]\d\d) (.*)$/s.exec(template);
    let status: number;
    if (!m) status = s.reject('policy', 450, '4.7.1', 'Service unavailable');
    else {
      const d = dsnSplit('4.7.1', m[2]);
      status = s.reject('policy', Number(m[1]), dsnFix(d.dsn, replyClass), d.text || 'Service unavailable');
    }
    this.rejectStep(step, status, `${subject} listed in ${domain}`, true);
    return status;
  }

  /** smtpd's $name expansion in reply templates: client and envelope attributes, plus `extra`. */
  private smtpdExpand(template: string, extra: Record<string, string>): string {
    const s = this.s;
    const addr = (a: string | undefined, suffix: string): string | undefined => {
      if (a === undefined) return undefined;
      const at = a.lastIndexOf('@');
      if (suffix === '') return a;
      if (suffix === '_name') return at >= 0 ? a.slice(0, at) : a;
      if (suffix === '_domain') return at >= 0 ? a.slice(at + 1) : '';
      return undefined;
    };
    const lookup = (name: string): string | undefined => {
      if (name in extra) return extra[name];
      switch (name) {
        case 'server_name':
          return this.view.value('myhostname');
        case 'client':
          return s.namaddr;
        case 'client_address':
          return s.clientAddr;
        case 'client_name':
          return s.clientName;
        case 'reverse_client_name':
          return s.reverseName;
        case 'helo_name':
          return s.helo ?? '';
      }
      if (name.startsWith('sender')) return addr(s.sender, name.slice(6));
      if (name.startsWith('recipient')) return addr(s.recipient, name.slice(9));
      return undefined;
    };
    return expandValue(template, lookup, { recurse: false }).value;
  }

  private dnswl(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, domain: string, what: string): number {
    const s: Session = this.s;
    if (s.where === 'rcpt' && s.recipient !== undefined && !this.authDestination(s.recipient).ok) {
      step('dunno', 'an allow list never permits relaying to an unauthorized destination');
      return DUNNO;
    }
    if (this.listed(domain)) {
      step('permit', `${what} is assumed to be listed in ${domain}`, { assumed: true });
      return OK;
    }
    step('dunno', `${what} is assumed not to be listed in ${domain}`, { assumed: true });
    return DUNNO;
  }

  private heloSyntax(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, what: 'invalid' | 'fqdn' | 'address'): number {
    const s: Session = this.s;
    const helo = s.helo;
    if (helo === undefined) {
      step('dunno', 'no HELO/EHLO was sent');
      return DUNNO;
    }
    let failed: [number, string, string] | undefined;
    if (helo.startsWith('[') || what === 'address') {
      const inner = helo.length > 2 && helo.startsWith('[') && helo.endsWith(']') ? helo.slice(1, -1) : helo;
      if (!validMailhostAddr(inner)) failed = [this.view.int('invalid_hostname_reject_code', 501), '5.5.2', 'invalid ip address'];
    } else {
      const t = helo.length > 1 && helo.endsWith('.') && !helo.endsWith('..') ? helo.slice(0, -1) : helo;
      if (what === 'invalid') {
        if (!validHostname(t) && !validHostaddr(t)) failed = [this.view.int('invalid_hostname_reject_code', 501), '5.5.2', 'Invalid name'];
      } else if (!validHostname(t) || !t.includes('.')) {
        failed = [this.view.int('non_fqdn_reject_code', 504), '5.5.2', 'need fully-qualified hostname'];
      }
    }
    if (!failed) {
      step('dunno', `HELO ${helo} passes`);
      return DUNNO;
    }
    const st = s.reject('policy', failed[0], failed[1], `<${helo}>: ${HELO} rejected: ${failed[2]}`);
    this.rejectStep(step, st, name);
    return st;
  }

  private nonFqdnAddress(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, addr: string, replyClass: string): number {
    const s: Session = this.s;
    const at = addr.lastIndexOf('@');
    const domain = at >= 0 ? addr.slice(at + 1) : '';
    if (domain.startsWith('[') && domain.endsWith(']')) {
      step('dunno', 'an address literal is not checked');
      return DUNNO;
    }
    const t = domain.length > 1 && domain.endsWith('.') && !domain.endsWith('..') ? domain.slice(0, -1) : domain;
    if (t === '' || !validHostname(t) || !t.includes('.')) {
      const st = s.reject('policy', this.view.int('non_fqdn_reject_code', 504), '4.5.2', `<${addr}>: ${replyClass} rejected: need fully-qualified address`);
      this.rejectStep(step, st, name);
      return st;
    }
    step('dunno', `${addr} has a fully-qualified domain`);
    return DUNNO;
  }

  private unknownAddress(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, addr: string, replyClass: string): number {
    const s: Session = this.s;
    const r = this.resolve(addr, addr);
    const at = r.address.lastIndexOf('@');
    if (at < 0 || isFinal(r.cls) || (r.domain.startsWith('[') && r.domain.endsWith(']'))) {
      step('dunno', `${r.domain} is ${isFinal(r.cls) ? 'delivered here' : 'an address literal'}: not looked up`);
      return DUNNO;
    }
    if (this.unresolvable(r.domain)) {
      const st = s.reject('policy', this.view.int('unknown_address_reject_code', 450), replyClass === SENDER ? '4.1.8' : '4.1.2', `<${addr}>: ${replyClass} rejected: Domain not found`);
      this.rejectStep(step, st, name, true, `${r.domain} is assumed not to resolve`);
      return st;
    }
    step('dunno', `${r.domain} is assumed to have an MX or address record`, { assumed: true });
    return DUNNO;
  }

  private unverified(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, addr: string, replyClass: string): number {
    const s: Session = this.s;
    const outcome = s.assumptions.addressVerification ?? 'deliverable';
    this.view.assume('address verification result', outcome, 'addressVerification');
    const sender = replyClass === SENDER;
    const why = this.view.value(sender ? 'unverified_sender_reject_reason' : 'unverified_recipient_reject_reason');
    if (outcome === 'deliverable') {
      step('dunno', `${addr} is assumed to verify as deliverable`, { assumed: true });
      return DUNNO;
    }
    const code = outcome === 'unknown' ? this.view.int(sender ? 'unverified_sender_defer_code' : 'unverified_recipient_defer_code', 450) : this.view.int(sender ? 'unverified_sender_reject_code' : 'unverified_recipient_reject_code', 450);
    const dsn = sender ? '4.1.7' : '4.1.1';
    let st: number;
    if (outcome === 'unknown') {
      const act = this.view.value(sender ? 'unverified_sender_tempfail_action' : 'unverified_recipient_tempfail_action').trim().toLowerCase();
      st = s.deferIfPermit2(act !== 'defer', 'policy', code, dsn, `<${addr}>: ${replyClass} rejected: unverified address: ${why || 'Address verification in progress'}`);
    } else {
      st = s.reject('policy', code, dsn, `<${addr}>: ${replyClass} rejected: undeliverable address: ${why || 'address verification failed'}`);
    }
    if (st === REJECT) this.rejectStep(step, st, name, true);
    else step('defer_if_permit', `verification of ${addr} is assumed to be pending`, { assumed: true });
    return st;
  }

  /** permit_auth_destination(): final delivery here or a relay domain. */
  authDestination(recipient: string): { ok: boolean; why: string } {
    const r = this.resolve(recipient, recipient);
    if (!r.address.includes('@')) return { ok: true, why: 'no domain' };
    if (!this.view.bool('allow_untrusted_routing') && r.routed) return { ok: false, why: `${recipient} is source-routed (${r.address})` };
    if (isFinal(r.cls)) return { ok: true, why: `${r.why}: mail for it is delivered here` };
    if (r.cls === 'relay') return { ok: true, why: r.why };
    return { ok: false, why: r.why };
  }

  private loginOwners(sender: string): { owners?: string[] } {
    const spec = this.view.value('smtpd_sender_login_maps');
    const r = this.resolve(sender, sender);
    for (const t of splitList(spec)) {
      const hit = this.findAddress(t, r.address, { noext: true, localpartIfLocal: true, atDomain: true, domain: false, localpartAt: false });
      if (!hit) continue;
      if ('error' in hit) {
        this.s.warn(`${t}: ${hit.error}`);
        this.s.serverError();
      }
      return { owners: splitList(hit.value) };
    }
    return {};
  }

  private authMismatch(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, sender: string, allowUnknown: boolean): number {
    const s: Session = this.s;
    // An empty smtpd_sender_login_maps still counts as a (table-less) map list
    // in smtpd: a logged-in client then owns no address at all (measured: 553).
    if (!s.saslUser) {
      step('dunno', 'the client did not authenticate');
      return DUNNO;
    }
    const { owners } = this.loginOwners(sender);
    if (!owners && allowUnknown) {
      step('dunno', `${sender} has no owner in smtpd_sender_login_maps`);
      return DUNNO;
    }
    if (owners?.some((o) => o.toLowerCase() === s.saslUser!.toLowerCase())) {
      step('dunno', `${sender} is owned by ${s.saslUser}`);
      return DUNNO;
    }
    const st = s.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not owned by user ${s.saslUser}`);
    this.rejectStep(step, st, name, false, owners ? `${sender} belongs to ${owners.join(', ')}` : `${sender} has no owner in smtpd_sender_login_maps`);
    return st;
  }

  private unauthMismatch(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, name: string, sender: string): number {
    const s: Session = this.s;
    if (this.view.value('smtpd_sender_login_maps').trim() === '' || s.saslUser) {
      step('dunno', s.saslUser ? 'the client authenticated' : 'smtpd_sender_login_maps is empty');
      return DUNNO;
    }
    const { owners } = this.loginOwners(sender);
    if (!owners) {
      step('dunno', `${sender} has no owner in smtpd_sender_login_maps`);
      return DUNNO;
    }
    const st = s.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not logged in`);
    this.rejectStep(step, st, name, false, `${sender} belongs to ${owners.join(', ')} but the client did not authenticate`);
    return st;
  }

  /** check_recipient_maps for the current recipient (reject_unlisted_recipient). */
  recipientRcptMaps(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void): number {
    const s: Session = this.s;
    if (this.unknownRecipientChecksOff()) return DUNNO;
    if (s.recipientRcptmapChecked) return DUNNO;
    if (s.warnIfReject === 0) s.recipientRcptmapChecked = true;
    return this.rcptMaps(step, s.recipient!, RECIPIENT);
  }

  senderRcptMaps(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void): number {
    const s: Session = this.s;
    if (this.unknownRecipientChecksOff()) return DUNNO;
    if (s.senderRcptmapChecked) return DUNNO;
    if (s.warnIfReject === 0) s.senderRcptmapChecked = true;
    return this.rcptMaps(step, s.sender!, SENDER);
  }

  private unknownRecipientChecksOff(): boolean {
    return this.view.list('receive_override_options').includes('no_unknown_recipient_checks');
  }

  /** Whether a recipient-validation table list knows the address (mail_addr_find default strategy). */
  private mapsKnow(param: string, address: string): { hit: boolean; assumed?: boolean } {
    const spec = this.view.value(param);
    for (const t of splitList(spec)) {
      const table = this.view.table(t);
      const hit = this.findAddress(t, address, { noext: true, localpartIfLocal: true, atDomain: true, domain: false, localpartAt: false });
      if (hit && 'value' in hit) return { hit: true };
      if (hit && 'error' in hit) {
        this.s.warn(`${t}: ${hit.error}`);
        this.s.serverError();
      }
      const unreadable = table.lookup(address).kind === 'unreadable';
      if (unreadable && !tableDataFor(this.s.assumptions, table)) {
        const found = (this.s.assumptions.unreadableTables ?? 'found') === 'found';
        this.view.assume(`lookups in ${t} (the engine cannot read it)`, found ? 'every address is found' : 'not found', 'unreadableTables');
        if (found) return { hit: true, assumed: true };
      }
    }
    return { hit: false };
  }

  private rcptMaps(step: (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void, addr: string, replyClass: string): number {
    const s: Session = this.s;
    const r = this.resolve(addr, addr);
    const a = r.address;
    const sender = replyClass === SENDER;
    for (const p of ['recipient_canonical_maps', ...(sender ? ['sender_canonical_maps'] : []), 'canonical_maps', 'virtual_alias_maps']) {
      const k = this.mapsKnow(p, a);
      if (k.hit) {
        step('dunno', `${a} is in ${p}${k.assumed ? ' (assumed)' : ''}`, k.assumed ? { assumed: true } : {});
        return DUNNO;
      }
    }
    const reject = (code: number, table: string, why: string) => {
      const st = s.reject('bounce', code, sender ? '5.1.0' : '5.1.1', `<${addr}>: ${replyClass} rejected: User unknown${this.view.bool('show_user_unknown_table_name') ? ` in ${table}` : ''}`);
      this.rejectStep(step, st, sender ? 'reject_unlisted_sender' : 'reject_unlisted_recipient', false, why);
      return st;
    };
    if (r.cls === 'alias') {
      const st = s.reject('bounce', this.view.int('unknown_virtual_alias_reject_code', 550), dsnFix(sender ? '5.1.0' : '5.1.1', replyClass), `<${addr}>: ${replyClass} rejected: User unknown${this.view.bool('show_user_unknown_table_name') ? ' in virtual alias table' : ''}`);
      this.rejectStep(step, st, sender ? 'reject_unlisted_sender' : 'reject_unlisted_recipient', false, `${r.domain} is a virtual alias domain and ${a} is not in virtual_alias_maps`);
      return st;
    }
    const local = a.slice(0, a.lastIndexOf('@')).toLowerCase();
    if (r.cls === 'local') {
      if (this.view.value('local_recipient_maps').trim() === '') {
        step('dunno', 'local_recipient_maps is empty: every local address is accepted');
        return DUNNO;
      }
      const special = [this.view.value('double_bounce_sender').toLowerCase(), 'postmaster', 'mailer-daemon'];
      if (special.includes(local)) {
        step('dunno', `${a} is always accepted`);
        return DUNNO;
      }
      const k = this.mapsKnow('local_recipient_maps', a);
      if (k.hit) {
        step('dunno', `${a} is in local_recipient_maps${k.assumed ? ' (assumed)' : ''}`, k.assumed ? { assumed: true } : {});
        return DUNNO;
      }
      return reject(this.view.int('unknown_local_recipient_reject_code', 550), 'local recipient table', `${a} is not in local_recipient_maps`);
    }
    if (r.cls === 'virtual') {
      if (this.view.value('virtual_mailbox_maps').trim() === '') return DUNNO;
      const k = this.mapsKnow('virtual_mailbox_maps', a);
      if (k.hit) {
        step('dunno', `${a} is in virtual_mailbox_maps${k.assumed ? ' (assumed)' : ''}`, k.assumed ? { assumed: true } : {});
        return DUNNO;
      }
      return reject(this.view.int('unknown_virtual_mailbox_reject_code', 550), 'virtual mailbox table', `${a} is not in virtual_mailbox_maps`);
    }
    if (r.cls === 'relay') {
      if (this.view.value('relay_recipient_maps').trim() === '') return DUNNO;
      const k = this.mapsKnow('relay_recipient_maps', a);
      if (k.hit) {
        step('dunno', `${a} is in relay_recipient_maps${k.assumed ? ' (assumed)' : ''}`, k.assumed ? { assumed: true } : {});
        return DUNNO;
      }
      return reject(this.view.int('unknown_relay_recipient_reject_code', 550), 'relay recipient table', `${a} is not in relay_recipient_maps`);
    }
    return DUNNO;
  }
}

/** The caller-supplied contents of a table the engine cannot read: by spec, `type:name` or name. */
function tableDataFor(a: Assumptions, table: SimTable): Record<string, string> | undefined {
  const d = a.tableData;
  return d?.[table.spec] ?? d?.[`${table.type}:${table.name}`] ?? d?.[table.name];
}

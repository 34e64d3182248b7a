// Access tables in smtpd restrictions: lookups with Postfix's key search
// order (check_*_access, maps_find and mail_addr_find), and what a table's
// answer means (check_table_result): actions, replies, and restriction lists
// named in the result, which the list walker (restrictions.ts) evaluates.
// In steps, because such a list can be as long as any other.

import { isLocalDomain, resolveAddress, validHostaddr, type Resolved } from './address';
import type { Located } from './config';
import { splitList } from './config';
import type { SimTable } from './tables';
import { dsnFix, dsnSplit } from './reply';
import { Abort, DUNNO, OK, REJECT, type Ctx, type Session } from './session';
import type { Assumptions, SourceRef, TraceStep } from './types';
import type { Steps } from '../steps';

export const CLIENT = 'Client host';
export const REV_CLIENT = 'Unverified Client host';
export const HELO = 'Helo command';
export const SENDER = 'Sender address';
export const RECIPIENT = 'Recipient address';
export const SASL_USER = 'SASL login name';

/** Records one trace step of the restriction under evaluation. */
export type StepFn = (r: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => void;

export interface Found {
  status: number;
  found: boolean;
}

export type TableValue = { value: string; table: SimTable; line?: number } | { error: string; table: SimTable } | undefined;

function tableSource(t: SimTable, line?: number): SourceRef | undefined {
  if (!t.file || line === undefined || line < 0) return undefined;
  return { file: t.file, range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}

export abstract class AccessChecks {
  constructor(protected readonly s: Session) {}

  protected get view() {
    return this.s.view;
  }

  /** generic_checks() (restrictions.ts): walks a restriction list; returns DUNNO, OK or REJECT. */
  abstract walk(list: Located[], replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx): Steps<number>;

  // ---- table lookups ------------------------------------------------------

  /** maps_find(): one lookup; partial lookups skip pattern tables. */
  protected find(spec: string, key: string, partial: boolean): TableValue {
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
  protected findAddress(
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
  private *tableHit(hit: NonNullable<TableValue>, datum: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<number> {
    if ('error' in hit) {
      this.s.warn(`${hit.table.spec}: ${hit.error}`);
      return yield* this.tableResult(hit.table.spec, '451 4.3.5 Server configuration error', datum, replyName, replyClass, defAcl, ctx, restriction, undefined, `lookup error: ${hit.error}`);
    }
    return yield* this.tableResult(hit.table.spec, hit.value, datum, replyName, replyClass, defAcl, ctx, restriction, tableSource(hit.table, hit.line), `${datum} matches in ${hit.table.spec}: ${hit.value}`);
  }

  *checkAccess(spec: string, name: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<Found> {
    const hit = this.find(spec, name, false);
    if (!hit) return { status: DUNNO, found: false };
    return { status: yield* this.tableHit(hit, name, replyName, replyClass, defAcl, ctx, restriction), found: true };
  }

  *checkDomainAccess(spec: string, domain: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<Found> {
    const parent = this.accessParent();
    let name = domain;
    let partial = false;
    for (;;) {
      const hit = name === '' ? undefined : this.find(spec, name, partial);
      if (hit) return { status: yield* this.tableHit(hit, domain, replyName, replyClass, defAcl, ctx, restriction), found: true };
      if (validHostaddr(domain)) break;
      const dot = name.indexOf('.', 1);
      if (dot < 0) break;
      name = parent ? name.slice(dot + 1) : name.slice(dot);
      partial = true;
    }
    return { status: DUNNO, found: false };
  }

  *checkAddrAccess(spec: string, address: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<Found> {
    const delim = address.includes(':') ? ':' : '.';
    let addr = address;
    let partial = false;
    for (;;) {
      const hit = this.find(spec, addr, partial);
      if (hit) return { status: yield* this.tableHit(hit, address, replyName, replyClass, defAcl, ctx, restriction), found: true };
      partial = true;
      const cut = addr.lastIndexOf(delim);
      if (cut < 0) break;
      addr = addr.slice(0, cut);
    }
    return { status: DUNNO, found: false };
  }

  *checkNamadrAccess(spec: string, name: string, addr: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<number> {
    const byName = yield* this.checkDomainAccess(spec, name, replyName, replyClass, defAcl, ctx, restriction);
    if (byName.status !== DUNNO || byName.found) return byName.status;
    const byAddr = yield* this.checkAddrAccess(spec, addr, replyName, replyClass, defAcl, ctx, restriction);
    return byAddr.status;
  }

  /** check_sender_access / check_recipient_access: resolve, then user+ext@domain, user@domain, domain (and parents), user@. */
  *checkMailAccess(spec: string, addr: string, replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx, restriction: string): Steps<number> {
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
    const status = yield* this.tableHit(hit, reply.address, replyName, replyClass, defAcl, ctx, restriction);
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
  *tableResult(
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
  ): Steps<number> {
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
    return yield* this.walk(located, replyName, replyClass, defAcl, { ...ctx, parameter: `${table} result`, depth: ctx.depth + 1, classes: [] });
  }
}

/** The caller-supplied contents of a table the engine cannot read: by spec, `type:name` or name. */
export function tableDataFor(a: Assumptions, table: SimTable): Record<string, string> | undefined {
  const d = a.tableData;
  return d?.[table.spec] ?? d?.[`${table.type}:${table.name}`] ?? d?.[table.name];
}

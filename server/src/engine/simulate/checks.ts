// The checks of individual smtpd restrictions that need more than a table
// lookup: reply bookkeeping, HELO and address syntax, what DNS, address
// verification and DNS lists are assumed to answer, relay authorization,
// SASL sender ownership and recipient validation (reject_unlisted_*).

import { isFinal, validHostaddr, validHostname, validMailhostAddr } from './address';
import { splitList } from './config';
import { expandValue } from '../expand';
import { dsnFix, dsnSplit } from './reply';
import { DUNNO, OK, REJECT, type Session } from './session';
import { AccessChecks, RECIPIENT, SENDER, HELO, tableDataFor, type StepFn } from './access';

/** The recipient table of each address class, its reject code and its name in smtpd's reply. */
const RECIPIENT_MAPS: Record<string, { param: string; code: string; table: string } | undefined> = {
  local: { param: 'local_recipient_maps', code: 'unknown_local_recipient_reject_code', table: 'local recipient table' },
  virtual: { param: 'virtual_mailbox_maps', code: 'unknown_virtual_mailbox_reject_code', table: 'virtual mailbox table' },
  relay: { param: 'relay_recipient_maps', code: 'unknown_relay_recipient_reject_code', table: 'relay recipient table' },
};

export abstract class RestrictionChecks extends AccessChecks {
  protected rejectStep(step: StepFn, status: number, name: string, assumed = false, why?: string): void {
    const s: Session = this.s;
    const text = s.errorText;
    const pre = why ? `${why}: ` : '';
    if (status === REJECT) step(text[0] === '4' ? 'defer' : 'reject', `${pre}${name} replies ${text}`, assumed ? { assumed } : {});
    else step('warn', `${pre}warn_if_reject: ${name} would have replied ${text}; only logged`, assumed ? { assumed } : {});
  }

  /** Records "no match" unless the lookup already recorded a table result. */
  protected noMatch(step: StepFn, before: number, why: string): void {
    if (this.s.steps === before) step('dunno', why);
  }

  protected forbidAllowlist(name: string, status: number, target: string): void {
    if (!this.s.discard && status === OK) {
      this.s.warn(`restriction ${name} returns OK for ${target}`);
      this.s.warn('this is not allowed for security reasons');
      this.s.serverError();
    }
  }

  protected dnsAccessAssumed(step: StepFn, subject: string): void {
    this.view.assume('DNS records for check_*_{mx,ns,a}_access', 'none found', 'unresolvable');
    step('dunno', `the DNS lookup for ${subject} is assumed to find nothing that matches`, { assumed: true });
  }

  protected unresolvable(name: string): boolean {
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

  protected rbl(step: StepFn, domain: string, what: string, replyClass: string, kind: 'address' | 'domain'): number {
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

  protected dnswl(step: StepFn, domain: string, what: string): number {
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

  protected heloSyntax(step: StepFn, name: string, what: 'invalid' | 'fqdn' | 'address'): number {
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

  protected nonFqdnAddress(step: StepFn, name: string, addr: string, replyClass: string): number {
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

  protected unknownAddress(step: StepFn, name: string, addr: string, replyClass: string): number {
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

  protected unverified(step: StepFn, name: string, addr: string, replyClass: string): number {
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

  protected authMismatch(step: StepFn, name: string, sender: string, allowUnknown: boolean): number {
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

  protected unauthMismatch(step: StepFn, name: string, sender: string): number {
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
  recipientRcptMaps(step: StepFn): number {
    const s: Session = this.s;
    if (this.unknownRecipientChecksOff()) return DUNNO;
    if (s.recipientRcptmapChecked) return DUNNO;
    if (s.warnIfReject === 0) s.recipientRcptmapChecked = true;
    return this.rcptMaps(step, s.recipient!, RECIPIENT);
  }

  senderRcptMaps(step: StepFn): number {
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

  private rcptMaps(step: StepFn, addr: string, replyClass: string): number {
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
    const maps = RECIPIENT_MAPS[r.cls];
    if (!maps) return DUNNO;
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
    } else if (this.view.value(maps.param).trim() === '') return DUNNO;
    const k = this.mapsKnow(maps.param, a);
    if (k.hit) {
      step('dunno', `${a} is in ${maps.param}${k.assumed ? ' (assumed)' : ''}`, k.assumed ? { assumed: true } : {});
      return DUNNO;
    }
    return reject(this.view.int(maps.code, 550), maps.table, `${a} is not in ${maps.param}`);
  }
}


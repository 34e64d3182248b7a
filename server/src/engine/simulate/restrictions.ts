// The restriction list walker (smtpd's generic_checks): every restriction of
// restrictions.tsv in the order written, restriction classes, warn_if_reject
// and defer_if_permit/defer_if_reject. Access tables are in access.ts, the
// checks of single restrictions in checks.ts. What needs DNS, a policy server
// or address verification is answered from the caller's assumptions, and the
// trace says so.
//
// In steps (engine/steps.ts): a list can hold a million restrictions
// (`$a20` with `a1 = $a0 $a0`), so the walk yields every
// RESTRICTIONS_PER_STEP restrictions and the language server answers
// requests in between; the CLI drains the same steps.

import { validMailhostAddr } from './address';
import type { Located } from './config';
import { matchList, type ListMatch } from './lists';
import { DUNNO, OK, REJECT, SmtpdCrash, type Ctx, type Session } from './session';
import type { TraceStep } from './types';
import { drain, RESTRICTIONS_PER_STEP, type Steps } from '../steps';
import { CLIENT, HELO, RECIPIENT, REV_CLIENT, SASL_USER, SENDER } from './access';
import { RestrictionChecks } from './checks';

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

export class Evaluator extends RestrictionChecks {
  /** smtpd_restriction_classes with their lists (built in: `reject_sender_login_mismatch`), once per transaction. */
  private classMap?: Map<string, Located[]>;
  /** permit_mynetworks' answer: the client and mynetworks stay the same through a transaction. */
  private mynetworks?: { match: ListMatch; notIn: string };

  /** generic_checks(): walks a restriction list; returns DUNNO, OK or REJECT. */
  *walk(list: Located[], replyName: string, replyClass: string, defAcl: string | undefined, ctx: Ctx): Steps<number> {
    const s: Session = this.s;
    const saved = s.recursion++;
    let status = DUNNO;
    // The restriction under evaluation; the helpers below are made once per walk, not per restriction.
    let i = 0;
    let name = '';
    let shown = '';
    let source: Located['source'];
    // A restriction with an argument: the range covers both words.
    const widen = (next: Located) => {
      if (source && next.source && source.file === next.source.file) source = { file: source.file, range: { start: source.range.start, end: next.source.range.end } };
      s.currentSource = source;
    };
    const step = (result: TraceStep['result'], why: string, extra?: Partial<TraceStep>) => s.step(ctx, extra ? { restriction: shown, source, result, why, ...extra } : { restriction: shown, source, result, why });
    // Table commands take the next token as their argument.
    const takeTable = (): string => {
      const next = list[i + 1];
      if (!next || !next.text.includes(':')) {
        s.warn(`restriction ${name}: bad argument "${next?.text ?? name}": need maptype:mapname`);
        s.step(ctx, { restriction: name, source, result: 'error', why: `${name} needs a type:table argument` });
        s.serverError();
      }
      i += 1;
      shown = `${name} ${next.text}`;
      widen(next);
      return next.text;
    };
    const takeDomain = (): string | undefined => {
      const next = list[i + 1];
      if (!next) {
        s.warn(`restriction ${name} requires domain name argument`);
        step('skip', `${name} without a domain argument is ignored`);
        return undefined;
      }
      i += 1;
      shown = `${name} ${next.text}`;
      widen(next);
      return next.text;
    };
    for (; i < list.length; i++) {
      if (s.discard) break;
      if (++s.walked % RESTRICTIONS_PER_STEP === 0) {
        const [where, walked] = [s.where, s.walked];
        yield () => `simulate ${where}: ${walked} restrictions walked (${ctx.parameter})`;
      }
      const tok = list[i];
      name = tok.text;
      source = tok.source;
      s.currentSource = source;
      shown = name;
      let n = name.toLowerCase();

      if (n === 'warn_if_reject') {
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
        n = name.toLowerCase();
        i -= 1;
      }
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
        status = yield* this.tableResult(next.text, action, replyName, replyName, replyClass, defAcl, ctx, shown, undefined, `policy service ${next.text} (assumed) answers`);
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
        this.mynetworks ??= this.matchMynetworks();
        const m = this.mynetworks.match;
        if (m.error) {
          s.warn(`mynetworks: ${m.error}`);
          step('error', `mynetworks: ${m.error}; smtpd answers with a temporary lookup failure`);
          s.dictRetry(replyName);
        }
        status = m.matched ? OK : DUNNO;
        step(m.matched ? 'permit' : 'dunno', m.matched ? `${s.namaddr} matches mynetworks (${m.pattern})` : this.mynetworks.notIn);
      } else if (n === CHECK_CLIENT_ACL) {
        const t = takeTable();
        status = yield* this.checkNamadrAccess(t, s.clientName, s.clientAddr, s.namaddr, CLIENT, defAcl, ctx, shown);
        this.noMatch(step, before, `neither ${s.clientName} nor ${s.clientAddr} (or their parents) is in ${t}`);
      } else if (n === 'check_reverse_client_hostname_access') {
        const t = takeTable();
        status = yield* this.checkNamadrAccess(t, s.reverseName, s.clientAddr, s.reverseName, REV_CLIENT, defAcl, ctx, shown);
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
            const r = yield* this.checkAccess(t, s.saslUser, s.saslUser.replace(/[^\x20-\x7e]/g, '_'), SASL_USER, defAcl, ctx, shown);
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
          const r = yield* this.checkDomainAccess(t, s.helo, s.helo, HELO, defAcl, ctx, shown);
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
          status = yield* this.checkMailAccess(t, s.sender, s.sender, SENDER, defAcl, ctx, shown);
          this.noMatch(step, before, `${s.sender} (address, domain, parent domains, local part) is not in ${t}`);
        } else if (s.sender === '') {
          const key = this.view.value('smtpd_null_access_lookup_key');
          status = (yield* this.checkAccess(t, key, s.sender, SENDER, defAcl, ctx, shown)).status;
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
          status = yield* this.checkMailAccess(t, s.recipient, s.recipient, RECIPIENT, defAcl, ctx, shown);
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
        const cls = (this.classMap ?? (yield* this.classesSteps())).get(name);
        if (cls) {
          const chain = ctx.classes ?? [];
          if (chain.includes(name)) {
            const cycle = [...chain.slice(chain.indexOf(name)), name];
            s.step(ctx, { restriction: name, source, result: 'error', why: `restriction class ${name} again (${cycle.join(' -> ')}): smtpd recurses without end and crashes; the client sees the connection close` });
            throw new SmtpdCrash(cycle);
          }
          s.step(ctx, { restriction: name, source, result: 'note', why: `restriction class ${name}: ${cls.map((c) => c.text).join(', ')}` });
          status = yield* this.walk(cls, replyName, replyClass, defAcl, { ...ctx, parameter: name, depth: ctx.depth + 1, classes: [...chain, name] });
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

  private matchMynetworks(): { match: ListMatch; notIn: string } {
    const s = this.s;
    return { match: matchList(this.view, 'mynetworks', 'namadr', [s.clientName, s.clientAddr]), notIn: `${s.namaddr} is not in mynetworks = ${this.view.value('mynetworks')}` };
  }

  /** The smtpd_restriction_classes definitions (with `reject_sender_login_mismatch` built in). */
  classes(): Map<string, Located[]> {
    return this.classMap ?? drain(this.classesSteps());
  }

  /** classes() in steps: a class can be as long as any list (its first tokenizing yields, config.ts). */
  *classesSteps(): Steps<Map<string, Located[]>> {
    const map = new Map<string, Located[]>();
    for (const name of this.view.list('smtpd_restriction_classes')) map.set(name, yield* this.view.tokensSteps(name));
    map.set('reject_sender_login_mismatch', [
      { text: 'reject_authenticated_sender_login_mismatch', parameter: 'reject_sender_login_mismatch' },
      { text: 'reject_unauthenticated_sender_login_mismatch', parameter: 'reject_sender_login_mismatch' },
    ]);
    this.classMap = map;
    return map;
  }
}

// smtpd services that only other mail software talks to: the return path of
// a content filter (Amavis, Rspamd proxies, PMG's 10025), a container stack's
// internal relay ports (mailcow 590/591), the hop behind a front proxy that
// speaks XCLIENT (Mailu's 10025). Advice written for clients on the Internet
// (AUTH before STARTTLS, SMTP smuggling) does not apply to them (FP-10 of the
// precision suite).
//
// A listener is judged by what its own -o settings say about it, never by a
// loopback address alone: test instances and small setups run their public
// services on 127.x addresses too (test/oracle/rules-live.test.ts).

import { lastOverride } from '../mastercf';
import type { RuleContext, SmtpdService } from './context';
import { splitWords } from './lists';

const TRUSTED_ONLY_LISTS = ['smtpd_client_restrictions', 'smtpd_helo_restrictions', 'smtpd_sender_restrictions', 'smtpd_recipient_restrictions', 'smtpd_relay_restrictions'];

/** A service on one of the ports the Internet and mail clients use (25, 587, 465), or main.cf alone. */
export function publicPort(svc: SmtpdService): boolean {
  return svc.port25 || svc.submission || svc.smtps || !svc.service;
}

/** The service's last -o of `name` (indexed: a service may carry 100,000 options, and each listener is asked for several). */
function own(svc: SmtpdService, name: string): string | undefined {
  return svc.service ? lastOverride(svc.service, name)?.value.trim() : undefined;
}

function loopbackOnly(value: string): boolean {
  const words = splitWords(value).map((w) => w.text.replace(/^\[|\]$/g, '').replace(/\]\//, '/'));
  return words.length > 0 && words.every((w) => /^(127\.[\d./]+|::1(\/128)?)$/i.test(w));
}

/** Why the service is an internal listener (a phrase for messages), or undefined. */
export function internalListener(ctx: RuleContext, svc: SmtpdService): string | undefined {
  if (publicPort(svc)) return undefined;
  if (own(svc, 'content_filter') === '') return 'it takes mail back from a content filter (-o content_filter= is empty)';
  if (own(svc, 'receive_override_options')) return 'it re-injects mail that was already checked (-o receive_override_options)';
  if (own(svc, 'smtpd_authorized_xforward_hosts')) return 'a content filter hands it the original clients (-o smtpd_authorized_xforward_hosts)';
  const nets = own(svc, 'mynetworks');
  if (nets && loopbackOnly(nets)) return 'it trusts only this host (-o mynetworks)';
  for (const list of TRUSTED_ONLY_LISTS) {
    const v = own(svc, list);
    const words = v === undefined ? [] : splitWords(v).map((w) => w.text.toLowerCase());
    if (words.length === 2 && words[0] === 'permit_mynetworks' && words[1] === 'reject') return `it accepts only trusted networks (-o ${list}=permit_mynetworks,reject)`;
  }
  if (ctx.value('smtpd_authorized_xclient_hosts', svc.service).trim()) return 'a front proxy hands it the clients with XCLIENT (smtpd_authorized_xclient_hosts)';
  return undefined;
}

/**
 * The service's own -o turns a setting away from main.cf's value on a port no
 * Internet server or mail client uses: a deliberate exception for that
 * listener (PMG's port 26 for legacy internal clients, mailcow's 588 for SOGo).
 */
export function deliberateException(ctx: RuleContext, svc: SmtpdService, name: string): boolean {
  if (publicPort(svc)) return false;
  const mine = own(svc, name);
  return mine !== undefined && mine.toLowerCase() !== ctx.value(name).trim().toLowerCase();
}

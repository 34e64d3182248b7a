// PF542: on a public port 25, the policy simulator shows an outside client
// (not in mynetworks, not logged in) accepted with MAIL FROM:<boss@our-domain>
// to one of our users (seed 004). Real senders of our domains log in on
// submission; a forged copy arriving on port 25 is the classic CEO fraud.
// Silent when a milter or policy service may judge senders (SPF/DMARC) or when
// a check_sender_access WARN already logs it.

import { hasExternalSenderChecks, OUTSIDE_ADDRESS, probeSteps, probeDomains, serverRolesSteps } from '../intent/roles';
import { recipeFix } from '../recipes';
import type { Problem } from '../types';
import type { SmtpdService } from './context';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const OWN_DOMAIN_SENDER_SPOOFING = code('PF542', 'own-domain-sender-spoofing', 'warning', 'security', 'Outside clients may use our own domains as sender on port 25');

export const ownDomainSenderSpoofingRule: Rule = {
  codes: [OWN_DOMAIN_SENDER_SPOOFING],
  check(ctx) {
    return drain(ownDomainSenderSpoofingRule.steps!(ctx));
  },
  *steps(ctx) {
    const roles = yield* serverRolesSteps(ctx);
    const found = new ByLocation<{ svc: SmtpdService; domain: string; reply: string; behind?: boolean }>();
    for (let i = 0; i < roles.mx.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF542 MX services';
      const svc = roles.mx[i];
      if (hasExternalSenderChecks(ctx, svc)) continue;
      const d = probeDomains(ctx).find((x) => x.label !== 'relay domain');
      if (!d) continue;
      const p = yield* probeSteps(ctx, svc, { sender: `boss@${d.domain}`, recipient: `postmaster@${d.domain}` });
      const accepted = p.result.verdict === 'accept' || p.result.verdict === 'hold';
      if (!accepted || p.result.actions.warnings.length > 0) continue;
      // An outside address inside mynetworks is PF500/PF501's finding, not this one.
      if (p.result.trace.some((s) => s.result === 'permit' && /^permit_mynetworks\b/i.test(s.restriction))) continue;
      const w = ctx.raw('smtpd_recipient_restrictions', svc.service).where;
      const at = w.kind === 'default' ? whereRange(ctx, ctx.raw('smtpd_relay_restrictions', svc.service).where, svc) : whereRange(ctx, w, svc);
      found.add(at.file, at.range, { svc, domain: d.domain, reply: p.result.reply?.line ?? '250 2.1.5 Ok', behind: p.behind });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF542 problems';
      const { file, range, items } = entries[i];
      const f = items[0];
      const warn = recipeFix(ctx, 'sender-protection', { action: 'WARN' }, true);
      const reject = recipeFix(ctx, 'sender-protection', { action: 'REJECT' });
      const fixes = [warn, reject].filter((x): x is NonNullable<typeof x> => x !== undefined);
      // Copies: recipeFix's are shared.
      if (fixes[0]) fixes[0] = { ...fixes[0], title: 'Log outside mail with our own domains as sender (check_sender_access … WARN)' };
      if (fixes[1]) fixes[1] = { ...fixes[1], title: 'Reject outside mail with our own domains as sender (check_sender_access … REJECT 5.7.1)' };
      out.push(
        problem(
          OWN_DOMAIN_SENDER_SPOOFING,
          file,
          range,
          `On ${listText(items.map((i) => i.svc.label))}, an outside client (${OUTSIDE_ADDRESS}, not in mynetworks, not logged in) sending MAIL FROM:<boss@${f.domain}> to postmaster@${f.domain} gets "${f.reply}": anyone can mail your users as one of your own addresses. Your own users send through submission, so list your domains in a check_sender_access table after permit_mynetworks/permit_sasl_authenticated: WARN first, REJECT 5.7.1 once the log shows no legitimate use (postfix-lint recipe sender-protection).`,
          fixes,
        ),
      );
    }
    return out;
  },
};

// PF543: on a 587/465 service with AUTH, the policy simulator shows a user
// logged in as `user` accepted with MAIL FROM of another address: without
// smtpd_sender_login_maps and reject_sender_login_mismatch, every account
// can send as every other (seed 004's submission settings fix this).

import { hasExternalSenderChecks, OUTSIDE_DOMAIN, ownDomains, PROBE_USER, probeSteps, serverRolesSteps, serviceRange } from '../intent/roles';
import { recipeFix } from '../recipes';
import type { Problem } from '../types';
import type { SmtpdService } from './context';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { ByLocation, listText } from './util';

export const SENDER_NOT_BOUND_TO_LOGIN = code('PF543', 'sender-not-bound-to-login', 'warning', 'security', 'Logged-in users may send as any address (no smtpd_sender_login_maps with reject_sender_login_mismatch)');

export const senderNotBoundToLoginRule: Rule = {
  codes: [SENDER_NOT_BOUND_TO_LOGIN],
  check(ctx) {
    return drain(senderNotBoundToLoginRule.steps!(ctx));
  },
  *steps(ctx) {
    const roles = yield* serverRolesSteps(ctx);
    const d = ownDomains(ctx);
    const domain = d.local[0] ?? d.virtual[0] ?? OUTSIDE_DOMAIN;
    const found = new ByLocation<{ svc: SmtpdService; sender: string; reply: string }>();
    for (let i = 0; i < roles.submission.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF543 submission services';
      const svc = roles.submission[i];
      // A milter or policy service (iRedAPD, rspamd) may bind senders to logins where the simulator cannot see.
      if (hasExternalSenderChecks(ctx, svc)) continue;
      const sender = `ceo@${domain}`;
      const p = yield* probeSteps(ctx, svc, { saslUser: PROBE_USER, sender, recipient: `someone@${OUTSIDE_DOMAIN}` });
      if (p.result.verdict !== 'accept' && p.result.verdict !== 'hold') continue;
      const at = serviceRange(ctx, svc);
      found.add(at.file, at.range, { svc, sender, reply: p.result.reply?.line ?? '250 2.1.5 Ok' });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF543 problems';
      const { file, range, items } = entries[i];
      const f = items[0];
      const fixes = items
        .map((i) => recipeFix(ctx, i.svc.smtps ? 'submissions' : 'submission'))
        .filter((x): x is NonNullable<typeof x> => x !== undefined)
        .slice(0, 1);
      out.push(
        problem(
          SENDER_NOT_BOUND_TO_LOGIN,
          file,
          range,
          `On ${listText(items.map((i) => i.svc.label))}, a user logged in as ${PROBE_USER} may send as ${f.sender} (the simulated transaction gets "${f.reply}"): any account, or a stolen password, can send as anyone. Map addresses to logins with smtpd_sender_login_maps and add reject_sender_login_mismatch to the service's sender restrictions (postfix-lint recipe submission).`,
          fixes,
        ),
      );
    }
    return out;
  },
};

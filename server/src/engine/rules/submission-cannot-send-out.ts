// PF541: a 587/465 service offers AUTH, so its users expect to send mail to
// any domain once logged in; the policy simulator shows a logged-in user's
// mail to an outside domain refused (seed 000: recipient restrictions without
// permit_sasl_authenticated, relay restrictions empty at compatibility level 0).

import { culpritText, itemAtStep, OUTSIDE_ADDRESS, OUTSIDE_DOMAIN, ownDomains, PROBE_USER, probeSteps, serverRolesSteps } from '../intent/roles';
import { recipeFix } from '../recipes';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { setServiceOption } from './edits';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { serviceListsSteps } from './lists';
import { ByLocation, listText } from './util';

export const SUBMISSION_CANNOT_SEND_OUT = code('PF541', 'submission-cannot-send-out', 'error', 'correctness', 'Logged-in users cannot send mail to outside domains through the submission service');

interface Finding {
  svc: SmtpdService;
  reply: string;
  culprit: string;
  fix?: TextEdit[];
  behind?: boolean;
}

/** The service's own copy of the list with permit_sasl_authenticated in front of the culprit. */
function permitFix(ctx: RuleContext, svc: SmtpdService, step: Parameters<typeof itemAtStep>[2]): TextEdit[] | undefined {
  const hit = itemAtStep(ctx, svc, step);
  if (!hit || !svc.service || !/^smtpd_[a-z_]+_restrictions$/.test(hit.parameter)) return undefined;
  const words = hit.tokens.map((t) => t.text);
  if (words.some((w) => /[{}]/.test(w))) return undefined;
  words.splice(hit.item.first, 0, 'permit_sasl_authenticated');
  return setServiceOption(ctx, svc.service, hit.parameter, words.join(', '));
}

export const submissionCannotSendOutRule: Rule = {
  codes: [SUBMISSION_CANNOT_SEND_OUT],
  check(ctx) {
    return drain(submissionCannotSendOutRule.steps!(ctx));
  },
  *steps(ctx) {
    const roles = yield* serverRolesSteps(ctx);
    const d = ownDomains(ctx);
    const domain = d.local[0] ?? d.virtual[0] ?? OUTSIDE_DOMAIN;
    const found = new ByLocation<Finding>();
    for (let i = 0; i < roles.submission.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF541 submission services';
      const svc = roles.submission[i];
      const p = yield* probeSteps(ctx, svc, { saslUser: PROBE_USER, sender: `${PROBE_USER}@${domain}`, recipient: `someone@${OUTSIDE_DOMAIN}` });
      const step = p.culprit;
      if (!step || !step.source || step.assumed) continue;
      // 4.3.x: a table that cannot be opened or a broken setting (their own findings), not a policy that refuses.
      if (p.result.reply?.enhanced.startsWith('4.3.')) continue;
      // Who owns which sender address is PF543's question; here the sender is assumed to be the user's own.
      if (/sender_login_mismatch/i.test(step.restriction)) continue;
      // The fix looks the culprit up in the service's lists: made in their own steps.
      yield* serviceListsSteps(ctx, svc.service);
      found.add(step.source.file, step.source.range, { svc, reply: p.result.reply?.line ?? '', culprit: culpritText(step), fix: permitFix(ctx, svc, step), behind: p.behind });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF541 problems';
      const { file, range, items } = entries[i];
      const f = items[0];
      const edits = items.flatMap((i) => i.fix ?? []);
      const fixes: Fix[] = edits.length ? [{ title: 'Permit logged-in users before it on this service', edits, hardening: true }] : [];
      // Or the whole submission recipe for the service ($mua_* lists, TLS, senders bound to logins).
      const recipe = recipeFix(ctx, f.svc.smtps ? 'submissions' : 'submission');
      if (recipe) fixes.push(recipe);
      out.push(
        problem(
          SUBMISSION_CANNOT_SEND_OUT,
          file,
          range,
          `${listText(items.map((i) => i.svc.label))} ${items.length > 1 ? 'offer' : 'offers'} AUTH, but a user logged in as ${PROBE_USER} (${OUTSIDE_ADDRESS}) sending to someone@${OUTSIDE_DOMAIN} gets "${f.reply}": ${f.culprit} refuses it before anything permits logged-in users. Put permit_sasl_authenticated in front of it for this service (or use postfix-lint recipe submission).`,
          fixes.length ? fixes : undefined,
        ),
      );
    }
    return out;
  },
};

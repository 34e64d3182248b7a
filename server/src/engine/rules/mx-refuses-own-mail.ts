// PF540: the server is an MX (port 25 listens beyond loopback, it has own
// domains), yet the policy simulator shows a well-behaved server on the
// Internet refused when it delivers mail for those domains. The finding names
// the restriction that decides it (seed 000: `smtpd_client_restrictions =
// permit_mynetworks, reject` with inet_interfaces = all).

import { culpritText, OUTSIDE_ADDRESS, OUTSIDE_DOMAIN, OUTSIDE_HOST, itemAtStep, probeSteps, probeDomains, serverRolesSteps } from '../intent/roles';
import { recipeFix } from '../recipes';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { removeTokens, setMainParameter } from './edits';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { serviceListsSteps } from './lists';
import { ByLocation, listText } from './util';

export const MX_REFUSES_OWN_MAIL = code('PF540', 'mx-refuses-own-mail', 'error', 'correctness', 'The server listens on port 25 for its own domains but refuses mail from outside servers');

/** Restrictions that refuse every client that reaches them. */
const REJECT_ALL = new Set(['reject', 'defer']);

interface Finding {
  svc: SmtpdService;
  domain: string;
  reply: string;
  culprit: string;
  fix?: TextEdit[];
  behind?: boolean;
}

function removalFix(ctx: RuleContext, svc: SmtpdService, step: Parameters<typeof itemAtStep>[2]): TextEdit[] | undefined {
  const hit = itemAtStep(ctx, svc, step);
  if (!hit || !REJECT_ALL.has(hit.item.lower) || hit.item.warnOnly || !hit.item.name.token) return undefined;
  return removeTokens(ctx, hit.item.name.token.site, [hit.item.name.token]);
}

export const mxRefusesOwnMailRule: Rule = {
  codes: [MX_REFUSES_OWN_MAIL],
  check(ctx) {
    return drain(mxRefusesOwnMailRule.steps!(ctx));
  },
  *steps(ctx) {
    const roles = yield* serverRolesSteps(ctx);
    const found = new ByLocation<Finding>();
    for (let i = 0; i < roles.mx.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF540 MX services';
      const svc = roles.mx[i];
      for (const d of probeDomains(ctx)) {
        const p = yield* probeSteps(ctx, svc, { sender: `someone@${OUTSIDE_DOMAIN}`, recipient: `postmaster@${d.domain}` });
        const step = p.culprit;
        if (!step || !step.source || step.assumed) continue;
      // 4.3.x: a table that cannot be opened or a broken setting (their own findings), not a policy that refuses.
      if (p.result.reply?.enhanced.startsWith('4.3.')) continue;
        // Recipient validation and address verification judge the recipient, not the promise.
        if (/^(reject_unlisted_recipient|reject_unverified_recipient|reject_.*sender_login_mismatch)\b/i.test(step.restriction)) continue;
        const reply = p.result.reply?.line ?? '';
        // The fix looks the culprit up in the service's lists: made in their own steps.
        yield* serviceListsSteps(ctx, svc.service);
        found.add(step.source.file, step.source.range, { svc, domain: d.domain, reply, culprit: culpritText(step), fix: removalFix(ctx, svc, step), behind: p.behind });
        break;
      }
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF540 problems';
      const { file, range, items } = entries[i];
      const f = items[0];
      const fixes: Fix[] = [];
      if (f.fix) fixes.push({ title: `Remove it: relaying stays limited by reject_unauth_destination`, edits: f.fix });
      const explicitHost = items.some((i) => i.svc.service && i.svc.service.name.text.includes(':'));
      if (!explicitHost) fixes.push({ title: 'This server only sends mail: listen on loopback only (inet_interfaces = loopback-only)', edits: setMainParameter(ctx, 'inet_interfaces', 'loopback-only') });
      // The whole MX promise (relay guard, HELO, pipelining) rather than the one restriction.
      const mx = recipeFix(ctx, 'mx');
      if (mx) fixes.push(mx);
      out.push(
        problem(
          MX_REFUSES_OWN_MAIL,
          file,
          range,
          `${listText(items.map((i) => i.svc.label))} listens beyond loopback for this server's own domains, so it is their MX, but a well-behaved mail server on the Internet (${OUTSIDE_ADDRESS}, ${OUTSIDE_HOST}) delivering to postmaster@${f.domain} gets "${f.reply}": ${f.culprit} refuses it. No outside server can deliver mail to these domains. If the server should only send, set inet_interfaces = loopback-only; if it should receive, limit relaying with reject_unauth_destination instead (postfix-lint recipe mx).`,
          fixes,
        ),
      );
    }
    return out;
  },
};

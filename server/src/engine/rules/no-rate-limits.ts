// PF547: an MX on a public port 25 where one client may hold every smtpd
// process: no anvil rate limit, and the per-client concurrency limit
// (smtpd_client_connection_count_limit) is off or at least the service's
// process limit (seed 000 suggests limits). Postfix's defaults (50 parallel
// connections per client of 100 processes) already stop that, so a stock
// configuration is not reported: on the precision corpus every finding of the
// first version was that default, advice an admin cannot act on usefully.
// Info: the right numbers depend on the traffic; postscreen in front keeps
// most bots out.

import { recipeFix } from '../recipes';
import { postscreenListener, serverRolesSteps, serviceRange, smtpdProcessLimit } from '../intent/roles';
import type { Problem } from '../types';
import type { SmtpdService } from './context';
import { code, problem, Rule } from './rule';
import { ByLocation, listText } from './util';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';

export const NO_RATE_LIMITS = code('PF547', 'no-rate-limits', 'info', 'security', 'One client may hold every smtpd process of a public port 25 (no rate limit, no per-client concurrency limit below the process limit)');

const LIMITS = ['smtpd_client_connection_rate_limit', 'smtpd_client_message_rate_limit', 'smtpd_client_recipient_rate_limit'];

export const noRateLimitsRule: Rule = {
  codes: [NO_RATE_LIMITS],
  check(ctx) {
    return drain(noRateLimitsRule.steps!(ctx));
  },
  *steps(ctx) {
    if (postscreenListener(ctx)) return [];
    const found = new ByLocation<{ svc: SmtpdService; count: number; procs: number }>();
    const mx = (yield* serverRolesSteps(ctx)).mx;
    for (let i = 0; i < mx.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF547 MX services';
      const svc = mx[i];
      if (LIMITS.some((p) => Number(ctx.value(p, svc.service).trim() || '0') > 0)) continue;
      const count = Number(ctx.value('smtpd_client_connection_count_limit', svc.service).trim() || '0');
      const procs = smtpdProcessLimit(ctx, svc);
      // One client is held to fewer processes than the service has: the default case.
      if (count > 0 && (procs === 0 || count < procs)) continue;
      const at = serviceRange(ctx, svc);
      found.add(at.file, at.range, { svc, count, procs });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF547 problems';
      const { file, range, items } = entries[i];
      const fix = recipeFix(ctx, 'rate-limits');
      const { count, procs } = items[0];
      const held = count === 0 ? 'smtpd_client_connection_count_limit = 0 lets one client hold any number of them' : `smtpd_client_connection_count_limit = ${count} lets one client hold all ${procs} smtpd processes`;
      out.push(
        problem(
          NO_RATE_LIMITS,
          file,
          range,
          `${listText(items.map((i) => i.svc.label))} receives mail from the Internet with no per-client connection, message or recipient rate limit (smtpd_client_*_rate_limit are 0), and ${held}: a single client can keep every smtpd busy and lock everyone else out. Set anvil limits that fit your traffic (postfix-lint recipe rate-limits).`,
          fix ? [fix] : undefined,
        ),
      );
    }
    return out;
  },
};

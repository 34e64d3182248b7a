// PF547: an MX on a public port 25 with no anvil limits on how often one
// client may connect or send (seed 000 suggests them). One misbehaving
// client can then hold every smtpd process. Info: the right numbers depend
// on the traffic, and postscreen in front already keeps most bots out.

import { recipeFix } from '../recipes';
import { serverRoles, serviceRange } from '../intent/roles';
import type { Problem } from '../types';
import type { SmtpdService } from './context';
import { code, problem, Rule } from './rule';
import { ByLocation, listText } from './util';

export const NO_RATE_LIMITS = code('PF547', 'no-rate-limits', 'info', 'security', 'No connection or message rate limit on a public port 25');

const LIMITS = ['smtpd_client_connection_rate_limit', 'smtpd_client_message_rate_limit', 'smtpd_client_recipient_rate_limit'];

export const noRateLimitsRule: Rule = {
  codes: [NO_RATE_LIMITS],
  check(ctx) {
    const postscreen = ctx.config.master?.services.some((s) => s.valid && s.program === 'postscreen' && s.type.text === 'inet');
    if (postscreen) return [];
    const found = new ByLocation<{ svc: SmtpdService }>();
    for (const svc of serverRoles(ctx).mx) {
      if (LIMITS.some((p) => Number(ctx.value(p, svc.service).trim() || '0') > 0)) continue;
      const at = serviceRange(ctx, svc);
      found.add(at.file, at.range, { svc });
    }
    return found.entries().map(({ file, range, items }): Problem => {
      const fix = recipeFix(ctx, 'rate-limits');
      return problem(
        NO_RATE_LIMITS,
        file,
        range,
        `${listText(items.map((i) => i.svc.label))} receives mail from the Internet with no per-client connection, message or recipient rate limit (smtpd_client_*_rate_limit are 0): one client can open connection after connection and keep every smtpd busy. Set anvil limits that fit your traffic (postfix-lint recipe rate-limits).`,
        fix ? [fix] : undefined,
      );
    });
  },
};

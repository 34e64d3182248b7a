// PF545: broken_sasl_auth_clients = yes (seed 000) makes smtpd announce AUTH
// twice, once in the pre-RFC 2554 form for Outlook Express 4 and Exchange
// 5.0. No supported client needs it; it only shows up in every EHLO reply.

import type { Problem, TextEdit } from '../types';
import type { SmtpdService } from './context';
import { setMainParameter, setServiceOption } from './edits';
import { code, problem, Rule } from './rule';
import { whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const BROKEN_SASL_AUTH_CLIENTS = code('PF545', 'broken-sasl-auth-clients', 'info', 'correctness', 'broken_sasl_auth_clients = yes serves mail clients from the 1990s');

export const brokenSaslAuthClientsRule: Rule = {
  codes: [BROKEN_SASL_AUTH_CLIENTS],
  check(ctx) {
    const found = new ByLocation<{ svc: SmtpdService; fix: TextEdit[] }>();
    for (const svc of ctx.smtpdServices()) {
      if (!ctx.bool('broken_sasl_auth_clients', svc.service) || !ctx.bool('smtpd_sasl_auth_enable', svc.service)) continue;
      const w = ctx.raw('broken_sasl_auth_clients', svc.service).where;
      if (w.kind === 'default') continue;
      const at = whereRange(ctx, w, svc);
      found.add(at.file, at.range, { svc, fix: w.kind === 'master' ? setServiceOption(ctx, w.service, 'broken_sasl_auth_clients', 'no') : setMainParameter(ctx, 'broken_sasl_auth_clients', 'no') });
    }
    return found.entries().map(({ file, range, items }): Problem =>
      problem(
        BROKEN_SASL_AUTH_CLIENTS,
        file,
        range,
        `broken_sasl_auth_clients = yes on ${listText(items.map((i) => i.svc.label))} adds an "AUTH=" line to every EHLO reply for Outlook Express 4 and Exchange 5.0, which sent AUTH in a form that predates the standard. Current mail clients do not need it.`,
        [{ title: 'Set broken_sasl_auth_clients = no', edits: items[0].fix, hardening: true }],
      ),
    );
  },
};

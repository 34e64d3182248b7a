// PF545: broken_sasl_auth_clients = yes (seed 000) makes smtpd announce AUTH
// twice, once in the pre-RFC 2554 form for Outlook Express 4 and Exchange
// 5.0. No supported client needs it; it only shows up in every EHLO reply.

import type { Problem, TextEdit } from '../types';
import type { SmtpdService } from './context';
import { setMainParameter, setServiceOption } from './edits';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const BROKEN_SASL_AUTH_CLIENTS = code('PF545', 'broken-sasl-auth-clients', 'info', 'correctness', 'broken_sasl_auth_clients = yes serves mail clients from the 1990s');

export const brokenSaslAuthClientsRule: Rule = {
  codes: [BROKEN_SASL_AUTH_CLIENTS],
  check(ctx) {
    return drain(brokenSaslAuthClientsRule.steps!(ctx));
  },
  *steps(ctx) {
    const found = new ByLocation<{ svc: SmtpdService; fix: TextEdit[] }>();
    const services = ctx.smtpdServices();
    for (let i = 0; i < services.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF545 broken_sasl_auth_clients';
      const svc = services[i];
      if (!ctx.bool('broken_sasl_auth_clients', svc.service) || !ctx.bool('smtpd_sasl_auth_enable', svc.service)) continue;
      const w = ctx.raw('broken_sasl_auth_clients', svc.service).where;
      if (w.kind === 'default') continue;
      const at = whereRange(ctx, w, svc);
      found.add(at.file, at.range, { svc, fix: w.kind === 'master' ? setServiceOption(ctx, w.service, 'broken_sasl_auth_clients', 'no') : setMainParameter(ctx, 'broken_sasl_auth_clients', 'no') });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF545 problems';
      const { file, range, items } = entries[i];
      out.push(
        problem(
          BROKEN_SASL_AUTH_CLIENTS,
          file,
          range,
          `broken_sasl_auth_clients = yes on ${listText(items.map((i) => i.svc.label))} adds an "AUTH=" line to every EHLO reply for Outlook Express 4 and Exchange 5.0, which sent AUTH in a form that predates the standard. Current mail clients do not need it.`,
          [{ title: 'Set broken_sasl_auth_clients = no', edits: items[0].fix, hardening: true }],
        ),
      );
    }
    return out;
  },
};

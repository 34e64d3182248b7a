// PF546: the Debian/Ubuntu "snakeoil" certificate (self-signed, made when the
// ssl-cert package was installed, named after the host at that time) on a
// service that listens beyond loopback. Mail clients on submission warn or
// refuse; senders that verify (DANE, MTA-STS) cannot deliver on port 25.

import type { Problem } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { listensPublicly } from '../intent/roles';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const SNAKEOIL_CERTIFICATE = code('PF546', 'snakeoil-certificate', 'warning', 'security', 'The self-signed snakeoil certificate is used on a public service');

const PARAMS = ['smtpd_tls_chain_files', 'smtpd_tls_cert_file', 'smtpd_tls_eccert_file'];

function snakeoil(ctx: RuleContext, svc: SmtpdService): string | undefined {
  // A non-empty smtpd_tls_chain_files overrides the legacy certificate parameters (tls_certkey.c), as the tls recipe relies on.
  const params = ctx.value('smtpd_tls_chain_files', svc.service).trim() ? PARAMS.slice(0, 1) : PARAMS;
  return params.find((p) => /snakeoil/i.test(ctx.value(p, svc.service)));
}

export const snakeoilCertificateRule: Rule = {
  codes: [SNAKEOIL_CERTIFICATE],
  check(ctx) {
    return drain(snakeoilCertificateRule.steps!(ctx));
  },
  *steps(ctx) {
    const found = new ByLocation<{ svc: SmtpdService; param: string }>();
    const services = ctx.smtpdServices();
    for (let i = 0; i < services.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF546 snakeoil certificate';
      const svc = services[i];
      if (!listensPublicly(ctx, svc)) continue;
      const param = snakeoil(ctx, svc);
      if (!param) continue;
      if (ctx.value('smtpd_tls_security_level', svc.service).trim().toLowerCase() === 'none' && !ctx.bool('smtpd_tls_wrappermode', svc.service) && !ctx.bool('smtpd_use_tls', svc.service)) continue;
      const at = whereRange(ctx, ctx.raw(param, svc.service).where, svc);
      found.add(at.file, at.range, { svc, param });
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF546 problems';
      const { file, range, items } = entries[i];
      const users = items.some((i) => i.svc.submission || i.svc.smtps);
      out.push(
        problem(
          SNAKEOIL_CERTIFICATE,
          file,
          range,
          `${items[0].param} names the self-signed "snakeoil" certificate, and ${listText(items.map((i) => i.svc.label))} ${items.length > 1 ? 'serve' : 'serves'} it to the Internet: ${users ? 'mail clients on submission warn about it or refuse to connect, and ' : ''}servers that verify certificates (DANE, MTA-STS) cannot deliver. Use a certificate from a public CA for this host name (postfix-lint recipe tls).`,
          undefined,
          users ? 'warning' : 'info',
        ),
      );
    }
    return out;
  },
};

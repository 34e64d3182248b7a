// TLS per smtpd service: mandatory where mail clients log in, optional where
// other servers deliver.
// - PF509: smtpd_tls_security_level = encrypt on port 25 (servers without
//   STARTTLS can no longer deliver; RFC 3207 forbids it for a public MX)
// - PF513: submission (587) does not require TLS
// - PF514: smtps/submissions (465) without smtpd_tls_wrappermode = yes

import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { setMainParameter, setServiceOption } from './edits';
import { code, problem, Rule } from './rule';
import { hasCertificate, whereRange } from './sasl';
import { ByLocation, listText } from './util';

export const ENCRYPT_ON_PORT_25 = code('PF509', 'tls-encrypt-on-port-25', 'warning', 'correctness', 'smtpd_tls_security_level = encrypt on port 25: servers without STARTTLS cannot deliver');
export const SUBMISSION_WITHOUT_TLS = code('PF513', 'submission-without-encryption', 'warning', 'security', 'The submission service does not require TLS');
export const SMTPS_WITHOUT_WRAPPERMODE = code('PF514', 'smtps-without-wrappermode', 'error', 'security', 'Port 465 service without smtpd_tls_wrappermode = yes');

function level(ctx: RuleContext, svc: SmtpdService): string {
  const v = ctx.value('smtpd_tls_security_level', svc.service).trim().toLowerCase();
  if (v === '' && ctx.bool('smtpd_enforce_tls', svc.service)) return 'encrypt';
  if (v === '' && ctx.bool('smtpd_use_tls', svc.service)) return 'may';
  return v || 'none';
}

function encryptOnPort25(ctx: RuleContext): Problem[] {
  const found = new ByLocation<{ svc: SmtpdService; fix: TextEdit[] }>();
  const services = ctx.smtpdServices();
  for (const svc of services) {
    if (!svc.port25 || level(ctx, svc) !== 'encrypt') continue;
    const w = ctx.raw('smtpd_tls_security_level', svc.service).where;
    const at = whereRange(ctx, w.kind === 'default' ? ctx.raw('smtpd_enforce_tls', svc.service).where : w, svc);
    let fix: TextEdit[];
    if (w.kind === 'master') fix = setServiceOption(ctx, w.service, 'smtpd_tls_security_level', 'may');
    else {
      fix = [...setMainParameter(ctx, 'smtpd_tls_security_level', 'may')];
      // Keep the submission ports encrypted.
      for (const s of services) {
        if (!s.submission || !s.service || s.service.overrides.some((o) => o.name === 'smtpd_tls_security_level' || o.name === 'smtpd_tls_wrappermode')) continue;
        fix.push(...setServiceOption(ctx, s.service, 'smtpd_tls_security_level', 'encrypt'));
      }
    }
    found.add(at.file, at.range, { svc, fix });
  }
  return found.entries().map(({ file, range, items }) =>
    problem(
      ENCRYPT_ON_PORT_25,
      file,
      range,
      `smtpd_tls_security_level = encrypt applies to ${listText(items.map((i) => i.svc.label))}: servers that cannot do STARTTLS get "530 Must issue a STARTTLS command first" and their mail never arrives (RFC 3207 forbids requiring TLS on a publicly referenced server). Use may there, and encrypt with -o on submission.`,
      [{ title: 'Use may on port 25 (encrypt stays on submission)', edits: items[0].fix }],
    ),
  );
}

function submissionWithoutTls(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  for (const svc of ctx.smtpdServices()) {
    if (!svc.submission || !svc.service) continue;
    if (ctx.bool('smtpd_tls_wrappermode', svc.service)) continue;
    const lv = level(ctx, svc);
    if (lv === 'encrypt') continue;
    const w = ctx.raw('smtpd_tls_security_level', svc.service).where;
    const at = w.kind === 'master' ? whereRange(ctx, w, svc) : { file: ctx.config.masterPath, range: svc.service.name.range };
    const cert = hasCertificate(ctx, svc.service);
    const fixes: Fix[] = [{ title: 'Add -o smtpd_tls_security_level=encrypt', edits: setServiceOption(ctx, svc.service, 'smtpd_tls_security_level', 'encrypt'), hardening: cert }];
    out.push(
      problem(
        SUBMISSION_WITHOUT_TLS,
        at.file,
        at.range,
        `${svc.label} does not require TLS (smtpd_tls_security_level = ${lv}): mail clients may log in and send mail in clear text. Add -o smtpd_tls_security_level=encrypt${cert ? '' : ' and configure a certificate (smtpd_tls_chain_files)'}.`,
        fixes,
      ),
    );
  }
  return out;
}

function smtpsWithoutWrapper(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  for (const svc of ctx.smtpdServices()) {
    if (!svc.smtps || !svc.service || ctx.bool('smtpd_tls_wrappermode', svc.service)) continue;
    const w = ctx.raw('smtpd_tls_wrappermode', svc.service).where;
    const at = w.kind === 'master' ? whereRange(ctx, w, svc) : { file: ctx.config.masterPath, range: svc.service.name.range };
    out.push(
      problem(
        SMTPS_WITHOUT_WRAPPERMODE,
        at.file,
        at.range,
        `${svc.label} is the implicit-TLS port: clients start TLS as soon as they connect, but without smtpd_tls_wrappermode = yes smtpd greets them in plain text, so no mail client can use it. Add -o smtpd_tls_wrappermode=yes.`,
        [{ title: 'Add -o smtpd_tls_wrappermode=yes', edits: setServiceOption(ctx, svc.service, 'smtpd_tls_wrappermode', 'yes'), hardening: true }],
      ),
    );
  }
  return out;
}

export const submissionRule: Rule = {
  codes: [ENCRYPT_ON_PORT_25, SUBMISSION_WITHOUT_TLS, SMTPS_WITHOUT_WRAPPERMODE],
  check(ctx) {
    return [...encryptOnPort25(ctx), ...submissionWithoutTls(ctx), ...smtpsWithoutWrapper(ctx)];
  },
};

// TLS per smtpd service: mandatory where mail clients log in, optional where
// other servers deliver.
// - PF509: smtpd_tls_security_level = encrypt on port 25 (servers without
//   STARTTLS can no longer deliver; RFC 3207 forbids it for a public MX)
// - PF513: submission (587) does not require TLS
// - PF514: smtps/submissions (465) without smtpd_tls_wrappermode = yes

import type { MasterService } from '../mastercf';
import { drain, SERVICES_PER_STEP, type Steps } from '../steps';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext, SmtpdService, Where } from './context';
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

function* encryptOnPort25(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ svc: SmtpdService; w: Where }>();
  // The submission services a main.cf fix keeps encrypted, gathered in the same pass (a search of all services per finding is quadratic).
  const keepEncrypted: MasterService[] = [];
  const services = ctx.smtpdServices();
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF509 encrypt on port 25';
    const svc = services[i];
    if (svc.submission && svc.service && !svc.service.overrides.some((o) => o.name === 'smtpd_tls_security_level' || o.name === 'smtpd_tls_wrappermode')) keepEncrypted.push(svc.service);
    if (!svc.port25 || level(ctx, svc) !== 'encrypt') continue;
    const w = ctx.raw('smtpd_tls_security_level', svc.service).where;
    const at = whereRange(ctx, w.kind === 'default' ? ctx.raw('smtpd_enforce_tls', svc.service).where : w, svc);
    found.add(at.file, at.range, { svc, w });
  }
  // Each problem offers its first service's fix.
  const fixOf = (w: Where): TextEdit[] => {
    if (w.kind === 'master') return setServiceOption(ctx, w.service, 'smtpd_tls_security_level', 'may');
    const fix = [...setMainParameter(ctx, 'smtpd_tls_security_level', 'may')];
    // Keep the submission ports encrypted.
    for (const s of keepEncrypted) fix.push(...setServiceOption(ctx, s, 'smtpd_tls_security_level', 'encrypt'));
    return fix;
  };
  return found.entries().map(({ file, range, items }) =>
    problem(
      ENCRYPT_ON_PORT_25,
      file,
      range,
      `smtpd_tls_security_level = encrypt applies to ${listText(items.map((i) => i.svc.label))}: servers that cannot do STARTTLS get "530 Must issue a STARTTLS command first" and their mail never arrives (RFC 3207 forbids requiring TLS on a publicly referenced server). Use may there, and encrypt with -o on submission.`,
      [{ title: 'Use may on port 25 (encrypt stays on submission)', edits: fixOf(items[0].w) }],
    ),
  );
}

function* submissionWithoutTls(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const services = ctx.smtpdServices();
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF513 submission without TLS';
    const svc = services[i];
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

function* smtpsWithoutWrapper(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const services = ctx.smtpdServices();
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF514 smtps without wrapper mode';
    const svc = services[i];
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
    return drain(submissionRule.steps!(ctx));
  },
  // Each part walks the services in steps of SERVICES_PER_STEP: a master.cf may start 50,000 smtpd services.
  *steps(ctx) {
    const encrypt = yield* encryptOnPort25(ctx);
    const submission = yield* submissionWithoutTls(ctx);
    return [...encrypt, ...submission, ...(yield* smtpsWithoutWrapper(ctx))];
  },
};

// SMTP AUTH on the server side:
// - PF511: AUTH offered before TLS (no smtpd_tls_auth_only): PLAIN and LOGIN
//   passwords may cross the network in clear text
// - PF512: AUTH on port 25, where bots guess passwords all day
// - PF515: permit_sasl_authenticated where SASL is off: it never matches
//   (measured on a live smtpd: an XCLIENT LOGIN is ignored, relay denied)
// - PF516: reject_sender_login_mismatch without smtpd_sender_login_maps

import { editDistance } from '../edit-distance';
import type { MasterService } from '../mastercf';
import type { Fix, Problem, Range, TextEdit } from '../types';
import type { RuleContext, SmtpdService, Where } from './context';
import { setMainParameter, setServiceOption } from './edits';
import { deliberateException, internalListener } from './internal-listener';
import { serviceListsSteps, tokenLocation } from './lists';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from '../steps';
import { code, problem, Rule } from './rule';
import { ByLocation, listText } from './util';

export const SASL_WITHOUT_TLS_AUTH_ONLY = code('PF511', 'sasl-without-tls-auth-only', 'warning', 'security', 'AUTH is offered before STARTTLS: passwords may be sent in clear text');
export const SASL_ON_PORT_25 = code('PF512', 'sasl-on-port-25', 'info', 'security', 'SMTP AUTH is enabled on port 25; keep it to the submission ports');
export const PERMIT_SASL_WITHOUT_SASL = code('PF515', 'permit-sasl-without-sasl', 'warning', 'correctness', 'permit_sasl_authenticated where smtpd_sasl_auth_enable = no: it never matches');
export const LOGIN_MISMATCH_WITHOUT_MAPS = code('PF516', 'sender-login-mismatch-without-maps', 'error', 'correctness', 'reject_*_sender_login_mismatch without smtpd_sender_login_maps');

/** Where a parameter is set for a service, as a file and range (the service line when it is only a default). */
export function whereRange(ctx: RuleContext, w: Where, svc?: SmtpdService): { file: string; range: Range } {
  if (w.kind === 'main') return { file: ctx.config.mainPath, range: w.entry.range };
  if (w.kind === 'master') return { file: ctx.config.masterPath, range: w.override.range };
  if (svc?.service) return { file: ctx.config.masterPath, range: svc.service.name.range };
  return { file: ctx.config.mainPath, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

/** smtpd can offer STARTTLS: a security level that enables it and a certificate. */
export function tlsOffered(ctx: RuleContext, service?: MasterService): boolean {
  const level = ctx.value('smtpd_tls_security_level', service).trim().toLowerCase();
  const legacy = ctx.bool('smtpd_use_tls', service) || ctx.bool('smtpd_enforce_tls', service);
  const enabled = level === 'may' || level === 'encrypt' || (level === '' && legacy) || ctx.bool('smtpd_tls_wrappermode', service);
  return enabled && hasCertificate(ctx, service);
}

export function hasCertificate(ctx: RuleContext, service?: MasterService): boolean {
  return ['smtpd_tls_cert_file', 'smtpd_tls_chain_files', 'smtpd_tls_eccert_file', 'smtpd_tls_dcert_file'].some((p) => ctx.value(p, service).trim() !== '');
}

/** The session is encrypted before AUTH: wrapper mode or mandatory STARTTLS. */
export function tlsRequired(ctx: RuleContext, service?: MasterService): boolean {
  const level = ctx.value('smtpd_tls_security_level', service).trim().toLowerCase();
  return ctx.bool('smtpd_tls_wrappermode', service) || level === 'encrypt' || (level === '' && ctx.bool('smtpd_enforce_tls', service));
}

function* authBeforeTls(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ svc: SmtpdService; fix?: TextEdit[] }>();
  const all = ctx.smtpdServices();
  for (let i = 0; i < all.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF511 AUTH before TLS';
    const svc = all[i];
    const s = svc.service;
    if (!ctx.bool('smtpd_sasl_auth_enable', s) || ctx.bool('smtpd_tls_auth_only', s) || tlsRequired(ctx, s)) continue;
    // Mail software, not people, connects there; or the listener allows it on purpose (its own -o against main.cf).
    if (internalListener(ctx, svc) || deliberateException(ctx, svc, 'smtpd_tls_auth_only')) continue;
    if (/\bnoplaintext\b/i.test(ctx.value('smtpd_sasl_security_options', s))) continue;
    const w = ctx.raw('smtpd_sasl_auth_enable', s).where;
    const at = whereRange(ctx, w, svc);
    let fix: TextEdit[] | undefined;
    if (tlsOffered(ctx, s)) fix = w.kind === 'master' ? setServiceOption(ctx, w.service, 'smtpd_tls_auth_only', 'yes') : setMainParameter(ctx, 'smtpd_tls_auth_only', 'yes');
    found.add(at.file, at.range, { svc, fix });
  }
  return found.entries().map(({ file, range, items }) => {
    const services = listText(items.map((i) => i.svc.label));
    const fix = items.every((i) => i.fix) ? items[0].fix : undefined;
    const tls = fix
      ? 'Set smtpd_tls_auth_only = yes so that AUTH is only offered after STARTTLS.'
      : 'TLS is not available there (no smtpd_tls_security_level = may or no certificate): configure TLS, then set smtpd_tls_auth_only = yes.';
    return problem(
      SASL_WITHOUT_TLS_AUTH_ONLY,
      file,
      range,
      `SMTP AUTH is offered on ${services} before the session is encrypted: mail clients may send their password with PLAIN or LOGIN in clear text. ${tls}`,
      fix ? [{ title: 'Set smtpd_tls_auth_only = yes', edits: fix, hardening: true }] : undefined,
    );
  });
}

function* authOnPort25(ctx: RuleContext): Steps<Problem[]> {
  // Port 25 services with AUTH, and the submission ports, in one pass (a search of all services per port 25 service is quadratic).
  const found: { svc: SmtpdService; service: MasterService; w: Where }[] = [];
  const submit: SmtpdService[] = [];
  const services = ctx.smtpdServices();
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF512 AUTH on port 25';
    const svc = services[i];
    if ((svc.submission || svc.smtps) && svc.service) submit.push(svc);
    if (!svc.port25 || !svc.service || !ctx.bool('smtpd_sasl_auth_enable', svc.service)) continue;
    found.push({ svc, service: svc.service, w: ctx.raw('smtpd_sasl_auth_enable', svc.service).where });
  }
  // The same fix for every service that main.cf turns AUTH on for: made once.
  let mainFix: Fix | undefined;
  const out: Problem[] = [];
  for (const { svc, service, w } of found) {
    const at = whereRange(ctx, w, svc);
    let fixes: Fix[] | undefined;
    if (w.kind === 'main' && submit.length) {
      if (!mainFix) {
        const edits = [...setMainParameter(ctx, 'smtpd_sasl_auth_enable', 'no')];
        for (const s of submit) if (!s.service!.overrides.some((o) => o.name === 'smtpd_sasl_auth_enable')) edits.push(...setServiceOption(ctx, s.service!, 'smtpd_sasl_auth_enable', 'yes'));
        mainFix = { title: `Enable SMTP AUTH only on ${listText(submit.map((s) => s.service!.name.text))}`, edits };
      }
      fixes = [mainFix];
    } else if (w.kind === 'master' && submit.length) {
      fixes = [{ title: 'Turn SMTP AUTH off on port 25', edits: setServiceOption(ctx, service, 'smtpd_sasl_auth_enable', 'no') }];
    }
    const scope = w.kind === 'main' ? 'smtpd_sasl_auth_enable = yes in main.cf applies to every smtpd, including' : 'SMTP AUTH is enabled on';
    out.push(
      problem(
        SASL_ON_PORT_25,
        at.file,
        at.range,
        `${scope} ${svc.label}: servers on the Internet deliver there, and bots try passwords there around the clock. Offer AUTH only on submission (587) and submissions (465)${submit.length ? '' : ', which master.cf does not define yet'}.`,
        fixes,
      ),
    );
  }
  return out;
}

/** A -o name that looks like a misspelling of smtpd_sasl_auth_enable. */
function misspelledSaslEnable(service?: MasterService): string | undefined {
  const o = service?.overrides.find((x) => x.name !== 'smtpd_sasl_auth_enable' && editDistance(x.name, 'smtpd_sasl_auth_enable', 3, { transpositions: true }) <= 3);
  return o?.name;
}

function* permitSaslWithoutSasl(ctx: RuleContext): Steps<Problem[]> {
  const uses = new Map<string, { file: string; range: Range; on: boolean; harmful: boolean; services: SmtpdService[]; sites: Set<MasterService | undefined> }>();
  const services = ctx.smtpdServices();
  // Items walked since the last yield, over services: many services of a few items each add up too.
  let work = 0;
  for (let n = 0; n < services.length; n++) {
    if ((n + 1) % SERVICES_PER_STEP === 0) yield 'PF515 permit_sasl_authenticated';
    const svc = services[n];
    const on = ctx.bool('smtpd_sasl_auth_enable', svc.service);
    // Port 25 with its own -o smtpd_sasl_auth_enable=no shares main.cf's lists with the submission
    // services: the standard layout. smtpd skips the permit there without a word, and nobody is
    // meant to log in on port 25, so nothing is refused that should not be.
    if (!on && svc.port25 && ctx.raw('smtpd_sasl_auth_enable', svc.service).where.kind === 'master') continue;
    const sl = yield* serviceListsSteps(ctx, svc.service);
    for (const l of [...sl.lists, ...sl.classLists.values()]) {
      // Whether a plain reject or defer follows each item, in one pass from the end (a scan of the
      // rest per item was quadratic: a doubling list of 2^15 words took 20 s).
      const rejectsAfter: boolean[] = new Array(l.items.length);
      let seen = false;
      for (let i = l.items.length - 1; i >= 0; i--) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield 'PF515 permit_sasl_authenticated';
        }
        rejectsAfter[i] = seen;
        const x = l.items[i];
        if (x.kind === 'builtin' && (x.lower === 'reject' || x.lower === 'defer') && !x.warnOnly) seen = true;
      }
      for (let index = 0; index < l.items.length; index++) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield 'PF515 permit_sasl_authenticated';
        }
        const it = l.items[index];
        if (it.kind !== 'builtin' || it.lower !== 'permit_sasl_authenticated') continue;
        const loc = tokenLocation(it.name);
        if (!loc) continue;
        // Harmless on port 25 behind reject_unauth_destination; harmful where users are meant to log in, or before a plain reject.
        const rejectsRest = rejectsAfter[index];
        const k = `${loc.file}|${loc.range.start.line}:${loc.range.start.character}`;
        const u = uses.get(k) ?? { ...loc, on: false, harmful: false, services: [], sites: new Set() };
        u.on ||= on;
        u.harmful ||= svc.submission || svc.smtps || rejectsRest;
        u.services.push(svc);
        const w = it.name.token?.site.where;
        u.sites.add(w && w.kind === 'master' ? w.service : undefined);
        uses.set(k, u);
      }
    }
  }
  const out: Problem[] = [];
  for (const u of uses.values()) {
    if (u.on || !u.harmful) continue;
    const services = listText(u.services.map((s) => s.label));
    const owner = [...u.sites][0];
    const typo = misspelledSaslEnable(owner ?? u.services[0]?.service);
    const hint = typo ? ` (-o ${typo} looks like a misspelling of smtpd_sasl_auth_enable)` : '';
    const fixes: Fix[] | undefined =
      u.sites.size === 1 && owner ? [{ title: 'Add -o smtpd_sasl_auth_enable=yes to the service', edits: setServiceOption(ctx, owner, 'smtpd_sasl_auth_enable', 'yes') }] : undefined;
    out.push(
      problem(
        PERMIT_SASL_WITHOUT_SASL,
        u.file,
        u.range,
        `permit_sasl_authenticated never matches on ${services}: smtpd_sasl_auth_enable = no there${hint}, so no client can log in, and clients that rely on logging in are refused.`,
        fixes,
      ),
    );
  }
  return out;
}

const MISMATCH_ALL = new Set(['reject_sender_login_mismatch', 'reject_authenticated_sender_login_mismatch']);
const MISMATCH_NONE = new Set(['reject_known_sender_login_mismatch', 'reject_unauthenticated_sender_login_mismatch']);

function* loginMismatchWithoutMaps(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ name: string; svc: SmtpdService; all: boolean }>();
  let work = 0;
  const services = ctx.smtpdServices();
  for (let n = 0; n < services.length; n++) {
    if ((n + 1) % SERVICES_PER_STEP === 0) yield 'PF516 sender login mismatch';
    const svc = services[n];
    if (!ctx.bool('smtpd_sasl_auth_enable', svc.service)) continue;
    if (ctx.value('smtpd_sender_login_maps', svc.service).trim() !== '') continue;
    const sl = yield* serviceListsSteps(ctx, svc.service);
    for (const l of [...sl.lists, ...sl.classLists.values()]) {
      for (const it of l.items) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield 'PF516 sender login mismatch';
        }
        if (it.kind !== 'builtin') continue;
        if (MISMATCH_ALL.has(it.lower) || MISMATCH_NONE.has(it.lower)) found.addToken(it.name, { name: it.name.text, svc, all: MISMATCH_ALL.has(it.lower) });
      }
    }
  }
  return found.entries().map(({ file, range, items }) => {
    const i = items[0];
    const services = listText(items.map((x) => x.svc.label));
    const effect = i.all
      ? `every client that logs in is rejected ("553 5.7.1 <sender>: Sender address rejected: not owned by user ...")`
      : 'it never rejects anything';
    return problem(
      LOGIN_MISMATCH_WITHOUT_MAPS,
      file,
      range,
      `${i.name} on ${services} needs smtpd_sender_login_maps (which login owns which sender address); it is empty, so ${effect}. Set smtpd_sender_login_maps to a table of addresses and logins.`,
      undefined,
      i.all ? 'error' : 'warning',
    );
  });
}

export const saslRule: Rule = {
  codes: [SASL_WITHOUT_TLS_AUTH_ONLY, SASL_ON_PORT_25, PERMIT_SASL_WITHOUT_SASL, LOGIN_MISMATCH_WITHOUT_MAPS],
  check(ctx) {
    return drain(saslRule.steps!(ctx));
  },
  *steps(ctx) {
    const before = [...(yield* authBeforeTls(ctx)), ...(yield* authOnPort25(ctx))];
    const permit = yield* permitSaslWithoutSasl(ctx);
    return [...before, ...permit, ...(yield* loginMismatchWithoutMaps(ctx))];
  },
};

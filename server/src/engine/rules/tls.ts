// TLS settings:
// - PF510: protocol settings that allow SSLv2/SSLv3, or TLSv1/TLSv1.1 where
//   TLS is mandatory (opportunistic TLS only gets a note: refusing old TLS
//   there means plain text instead); only for lists some process reads
//   (tls-usage.ts), and SSLv2 only where Postfix can still build it
// - PF521: cipher grades export, low or null
// - PF517: the SMTP client logs in to a relay host without requiring TLS

import { versionAtLeast } from '../catalog/version';
import type { MasterService } from '../mastercf';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext, Where } from './context';
import { replaceEntryValue, setMainParameter, setServiceOption } from './edits';
import { code, problem, Rule } from './rule';
import { whereRange } from './sasl';
import { protocolListInEffectSteps } from './tls-usage';
import { ByLocation, listText, writtenPlacesSteps, type WrittenPlace } from './util';
import { drain, SERVICES_PER_STEP, type Steps } from '../steps';

export const WEAK_TLS_PROTOCOLS = code('PF510', 'weak-tls-protocols', 'warning', 'security', 'TLS protocol setting allows SSLv2/SSLv3, or TLSv1/TLSv1.1 where TLS is mandatory');
export const SMTP_SASL_WITHOUT_TLS = code('PF517', 'smtp-sasl-without-tls', 'warning', 'security', 'The SMTP client sends its password without requiring TLS');
export const WEAK_TLS_CIPHERS = code('PF521', 'weak-tls-ciphers', 'warning', 'security', 'TLS cipher grade export, low or null');

const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const PROTOCOL_PARAMS = ['smtpd_tls_protocols', 'smtpd_tls_mandatory_protocols', 'smtp_tls_protocols', 'smtp_tls_mandatory_protocols', 'lmtp_tls_protocols', 'lmtp_tls_mandatory_protocols'];
const CIPHER_PARAMS = ['smtpd_tls_ciphers', 'smtpd_tls_mandatory_ciphers', 'smtp_tls_ciphers', 'smtp_tls_mandatory_ciphers', 'lmtp_tls_ciphers', 'lmtp_tls_mandatory_ciphers'];

/** Protocols a Postfix protocol setting leaves enabled (`!SSLv3, !TLSv1`, `TLSv1.2 TLSv1.3`, `>=TLSv1.2`). */
export function enabledProtocols(value: string): string[] {
  const words = value.split(/[\s,:]+/).filter(Boolean);
  const index = (p: string) => PROTOCOLS.findIndex((x) => x.toLowerCase() === p.toLowerCase());
  let min = 0;
  let max = PROTOCOLS.length - 1;
  const excluded = new Set<number>();
  const included = new Set<number>();
  for (const w of words) {
    if (w.startsWith('>=')) {
      const i = index(w.slice(2));
      if (i >= 0) min = Math.max(min, i);
    } else if (w.startsWith('<=')) {
      const i = index(w.slice(2));
      if (i >= 0) max = Math.min(max, i);
    } else if (w.startsWith('!')) {
      const i = index(w.slice(1));
      if (i >= 0) excluded.add(i);
    } else {
      const i = index(w);
      if (i >= 0) included.add(i);
    }
  }
  return PROTOCOLS.filter((_, i) => i >= min && i <= max && !excluded.has(i) && (included.size === 0 || included.has(i)));
}

/** Every place each protocol and cipher parameter is written (main.cf and any -o), found in one walk of master.cf in steps. */
function placesSteps(ctx: RuleContext): Steps<Map<string, WrittenPlace[]>> {
  return writtenPlacesSteps(ctx, [...PROTOCOL_PARAMS, ...CIPHER_PARAMS]);
}

function setAt(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, name: string, value: string): TextEdit[] {
  return where.kind === 'main' ? replaceEntryValue(ctx, where.entry, value) : setServiceOption(ctx, where.service, name, value);
}

function* weakProtocols(ctx: RuleContext, places: Map<string, WrittenPlace[]>): Steps<Problem[]> {
  const out: Problem[] = [];
  const modern = versionAtLeast(ctx.version, '3.6') ? '>=TLSv1.2' : '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';
  // Postfix 3.6 and later need OpenSSL 1.1.1 or later, which has no SSLv2 at all: Postfix then
  // defines TLS_PROTOCOL_SSLv2 as 0 (src/tls/tls.h), so "SSLv2" in a list selects nothing.
  const sslv2Possible = !versionAtLeast(ctx.version, '3.6');
  for (const name of PROTOCOL_PARAMS) {
    const mandatory = name.includes('mandatory');
    for (const { where, value } of places.get(name)!) {
      if (value.includes('$')) continue;
      if (!(yield* protocolListInEffectSteps(ctx, name, where.kind === 'master' ? where.service : undefined))) continue;
      const enabled = enabledProtocols(value).filter((p) => p !== 'SSLv2' || sslv2Possible);
      const ssl = enabled.filter((p) => p.startsWith('SSL'));
      const oldTls = enabled.filter((p) => p === 'TLSv1' || p === 'TLSv1.1');
      if (ssl.length === 0 && oldTls.length === 0) continue;
      const at = whereRange(ctx, where);
      const range = where.kind === 'main' ? where.entry.valueRange : where.override.valueRange;
      const weak = [...ssl, ...oldTls];
      const severe = ssl.length > 0 || mandatory;
      const why = ssl.length
        ? `${listText(ssl)} ${ssl.length > 1 ? 'are' : 'is'} broken (${ssl.map((p) => (p === 'SSLv2' ? 'DROWN' : 'POODLE')).join(', ')}) and must never be used`
        : mandatory
          ? `${listText(oldTls)} ${oldTls.length > 1 ? 'are' : 'is'} deprecated (RFC 8996); where TLS is mandatory, require TLSv1.2 or later`
          : `${listText(oldTls)} ${oldTls.length > 1 ? 'are' : 'is'} deprecated (RFC 8996); with opportunistic TLS, refusing them means plain text with old peers, so weigh that before changing it`;
      const fixes: Fix[] = [{ title: `Set ${name} = ${modern}`, edits: setAt(ctx, where, name, modern), hardening: severe }];
      out.push(problem(WEAK_TLS_PROTOCOLS, at.file, range, `${name} = ${value} enables ${listText(weak)}: ${why}.`, fixes, severe ? 'warning' : 'info'));
    }
  }
  return out;
}

function weakCiphers(ctx: RuleContext, places: Map<string, WrittenPlace[]>): Problem[] {
  const out: Problem[] = [];
  for (const name of CIPHER_PARAMS) {
    for (const { where, value } of places.get(name)!) {
      const v = value.trim().toLowerCase();
      if (v !== 'export' && v !== 'low' && v !== 'null') continue;
      const at = whereRange(ctx, where);
      const range = where.kind === 'main' ? where.entry.valueRange : where.override.valueRange;
      const why = v === 'null' ? 'null ciphers do not encrypt at all' : `the ${v} grade includes ciphers that can be broken today`;
      out.push(
        problem(WEAK_TLS_CIPHERS, at.file, range, `${name} = ${value}: ${why}. Use medium (the default) or high.`, [
          { title: `Set ${name} = medium`, edits: setAt(ctx, where, name, 'medium'), hardening: true },
        ]),
      );
    }
  }
  return out;
}

const STRICT_LEVELS = new Set(['encrypt', 'verify', 'secure', 'dane-only', 'fingerprint']);

/** One SMTP client's settings (a master.cf service, or main.cf's when undefined): AUTH without TLS is added to `found`. */
function judgeClient(ctx: RuleContext, s: MasterService | undefined, found: ByLocation<{ service?: MasterService; fix?: TextEdit[]; level: string }>): void {
  if (!ctx.bool('smtp_sasl_auth_enable', s)) return;
  const level = ctx.value('smtp_tls_security_level', s).trim().toLowerCase() || (ctx.bool('smtp_enforce_tls', s) ? 'encrypt' : ctx.bool('smtp_use_tls', s) ? 'may' : 'none');
  if (STRICT_LEVELS.has(level)) return;
  if (ctx.value('smtp_tls_policy_maps', s).trim() !== '') return;
  if (/\bnoplaintext\b/i.test(ctx.value('smtp_sasl_security_options', s))) return;
  const w = ctx.raw('smtp_sasl_auth_enable', s).where;
  const at = whereRange(ctx, w);
  const relayhost = ctx.value('relayhost', s).trim();
  let fix: TextEdit[] | undefined;
  if (relayhost) {
    const lw = ctx.raw('smtp_tls_security_level', s).where;
    fix = lw.kind === 'master' ? setServiceOption(ctx, lw.service, 'smtp_tls_security_level', 'encrypt') : setMainParameter(ctx, 'smtp_tls_security_level', 'encrypt');
  }
  found.add(at.file, at.range, { service: s, fix, level });
}

function* smtpSaslWithoutTls(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ service?: MasterService; fix?: TextEdit[]; level: string }>();
  // The SMTP clients master.cf lists (main.cf's settings alone when none), judged SERVICES_PER_STEP master.cf services at a time.
  const services = ctx.config.master?.services ?? [];
  let listed = 0;
  for (let i = 0; i < services.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield 'PF517 SMTP client AUTH without TLS';
    const s = services[i];
    if (!s.valid || s.program !== 'smtp' || s.type.text !== 'unix') continue;
    listed++;
    judgeClient(ctx, s, found);
  }
  if (listed === 0) judgeClient(ctx, undefined, found);
  return found.entries().map(({ file, range, items }) => {
    const i = items[0];
    const how = i.fix
      ? 'Set smtp_tls_security_level = encrypt: all mail goes to the relay host, which must then offer TLS.'
      : 'Require TLS for the servers you log in to with smtp_tls_policy_maps (for example "[relay.example.com]:587 encrypt").';
    return problem(
      SMTP_SASL_WITHOUT_TLS,
      file,
      range,
      `The SMTP client logs in (smtp_sasl_auth_enable = yes) with smtp_tls_security_level = ${i.level} and plaintext mechanisms allowed (smtp_sasl_security_options lacks noplaintext): if the relay host does not offer STARTTLS, or an attacker strips it, the password is sent in clear text. ${how}`,
      i.fix ? [{ title: 'Set smtp_tls_security_level = encrypt', edits: i.fix, hardening: true }] : undefined,
    );
  });
}

export const tlsRule: Rule = {
  codes: [WEAK_TLS_PROTOCOLS, SMTP_SASL_WITHOUT_TLS, WEAK_TLS_CIPHERS],
  check(ctx) {
    return drain(tlsRule.steps!(ctx));
  },
  // master.cf may hold 100,000 services: each part walks them in steps of SERVICES_PER_STEP.
  *steps(ctx) {
    const places = yield* placesSteps(ctx);
    const protocols = yield* weakProtocols(ctx, places);
    const ciphers = weakCiphers(ctx, places);
    return [...protocols, ...ciphers, ...(yield* smtpSaslWithoutTls(ctx))];
  },
};

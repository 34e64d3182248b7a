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
import { protocolListInEffect } from './tls-usage';
import { ByLocation, listText } from './util';

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

/** Every place a parameter is written: main.cf and any -o. */
function placesOf(ctx: RuleContext, name: string): { where: Exclude<Where, { kind: 'default' }>; value: string }[] {
  const out: { where: Exclude<Where, { kind: 'default' }>; value: string }[] = [];
  const entry = ctx.config.main?.byName.get(name);
  if (entry) out.push({ where: { kind: 'main', entry }, value: entry.value });
  for (const s of ctx.config.master?.services ?? []) {
    for (const o of s.overrides) if (o.name === name) out.push({ where: { kind: 'master', service: s, override: o }, value: o.value });
  }
  return out;
}

function setAt(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, name: string, value: string): TextEdit[] {
  return where.kind === 'main' ? replaceEntryValue(ctx, where.entry, value) : setServiceOption(ctx, where.service, name, value);
}

function weakProtocols(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  const modern = versionAtLeast(ctx.version, '3.6') ? '>=TLSv1.2' : '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';
  // Postfix 3.6 and later need OpenSSL 1.1.1 or later, which has no SSLv2 at all: Postfix then
  // defines TLS_PROTOCOL_SSLv2 as 0 (src/tls/tls.h), so "SSLv2" in a list selects nothing.
  const sslv2Possible = !versionAtLeast(ctx.version, '3.6');
  for (const name of PROTOCOL_PARAMS) {
    const mandatory = name.includes('mandatory');
    for (const { where, value } of placesOf(ctx, name)) {
      if (value.includes('$')) continue;
      if (!protocolListInEffect(ctx, name, where.kind === 'master' ? where.service : undefined)) continue;
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

function weakCiphers(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  for (const name of CIPHER_PARAMS) {
    for (const { where, value } of placesOf(ctx, name)) {
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

function smtpSaslWithoutTls(ctx: RuleContext): Problem[] {
  const listed = (ctx.config.master?.services ?? []).filter((s) => s.valid && s.program === 'smtp' && s.type.text === 'unix');
  const clients: (MasterService | undefined)[] = listed.length ? listed : [undefined];
  const found = new ByLocation<{ service?: MasterService; fix?: TextEdit[]; level: string }>();
  for (const s of clients) {
    if (!ctx.bool('smtp_sasl_auth_enable', s)) continue;
    const level = ctx.value('smtp_tls_security_level', s).trim().toLowerCase() || (ctx.bool('smtp_enforce_tls', s) ? 'encrypt' : ctx.bool('smtp_use_tls', s) ? 'may' : 'none');
    if (STRICT_LEVELS.has(level)) continue;
    if (ctx.value('smtp_tls_policy_maps', s).trim() !== '') continue;
    if (/\bnoplaintext\b/i.test(ctx.value('smtp_sasl_security_options', s))) continue;
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
    return [...weakProtocols(ctx), ...weakCiphers(ctx), ...smtpSaslWithoutTls(ctx)];
  },
};

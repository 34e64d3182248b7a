// Which TLS protocol list a Postfix process actually reads, so that PF510
// does not give advice about a setting that has no effect (FP-15 of the
// precision suite). Postfix picks one list per connection:
// - smtpd (and postscreen's tlsproxy): the mandatory list when TLS is
//   enforced (level encrypt or stronger, smtpd_enforce_tls, or wrapper mode),
//   the other list when TLS is only offered (src/smtpd/smtpd.c, the
//   "protocols = var_smtpd_enforce_tls ? ..." argument of TLS_SERVER_INIT);
// - the SMTP/LMTP client: the opportunistic list at level may, the mandatory
//   list at every stronger level (src/smtp/smtp_tls_policy.c,
//   "tls->level == TLS_LEV_MAY ? var_smtp_tls_proto : var_smtp_tls_mand_proto");
//   dane falls back to may without TLSA records, and a policy table can pick
//   any level per destination, so both lists count there.

import type { MasterService } from '../mastercf';
import type { RuleContext } from './context';

export interface ProtocolUse {
  mandatory: boolean;
  opportunistic: boolean;
}

const BOTH: ProtocolUse = { mandatory: true, opportunistic: true };
const NEITHER: ProtocolUse = { mandatory: false, opportunistic: false };
const MANDATORY: ProtocolUse = { mandatory: true, opportunistic: false };
const OPPORTUNISTIC: ProtocolUse = { mandatory: false, opportunistic: true };

const SERVER_MANDATORY = new Set(['encrypt', 'verify', 'secure', 'fingerprint']);
const CLIENT_MANDATORY = new Set(['encrypt', 'verify', 'secure', 'fingerprint', 'dane-only']);

/** The list a `<prefix>_tls_security_level` (or the legacy enforce/use switches) selects. */
function levelUse(ctx: RuleContext, prefix: string, service: MasterService | undefined, strict: Set<string>): ProtocolUse {
  const level = ctx.value(`${prefix}_tls_security_level`, service).trim().toLowerCase();
  if (level) {
    if (strict.has(level)) return MANDATORY;
    if (level === 'may') return OPPORTUNISTIC;
    if (level === 'none') return NEITHER;
    return BOTH;
  }
  if (ctx.bool(`${prefix}_enforce_tls`, service)) return MANDATORY;
  return ctx.bool(`${prefix}_use_tls`, service) ? OPPORTUNISTIC : NEITHER;
}

/** smtpd (prefix smtpd) or postscreen (prefix postscreen): which protocol list it uses. */
function serverUse(ctx: RuleContext, prefix: 'smtpd' | 'postscreen', service?: MasterService): ProtocolUse {
  if (prefix === 'smtpd' && ctx.bool('smtpd_tls_wrappermode', service)) return MANDATORY;
  return levelUse(ctx, prefix, service, SERVER_MANDATORY);
}

/** The SMTP or LMTP client: which protocol list it uses. */
function clientUse(ctx: RuleContext, prefix: 'smtp' | 'lmtp', service?: MasterService): ProtocolUse {
  if (ctx.value(`${prefix}_tls_policy_maps`, service).trim() || ctx.value(`${prefix}_tls_per_site`, service).trim()) return BOTH;
  return levelUse(ctx, prefix, service, CLIENT_MANDATORY);
}

/** The processes that read a `<prefix>_tls_*` parameter, each with the function that says which list it uses. */
function readers(ctx: RuleContext, prefix: string): { service?: MasterService; use: () => ProtocolUse }[] {
  const services = (ctx.config.master?.services ?? []).filter((s) => s.valid);
  if (prefix === 'smtpd') {
    const out: { service?: MasterService; use: () => ProtocolUse }[] = ctx.smtpdServices().map((s) => ({ service: s.service, use: () => serverUse(ctx, 'smtpd', s.service) }));
    // postscreen's STARTTLS goes through tlsproxy, whose settings default to smtpd's.
    for (const s of services) if (s.program === 'postscreen') out.push({ service: s, use: () => serverUse(ctx, 'postscreen', s) });
    return out;
  }
  if (prefix === 'smtp' || prefix === 'lmtp') {
    if (!ctx.config.master) return [{ use: () => clientUse(ctx, prefix) }];
    return services.filter((s) => s.program === prefix && s.type.text === 'unix').map((s) => ({ service: s, use: () => clientUse(ctx, prefix, s) }));
  }
  return [];
}

/**
 * Whether a protocol parameter (smtpd_tls_protocols, smtp_tls_mandatory_protocols, ...)
 * written in main.cf (service undefined) or by an -o of `service` is read by
 * any process of this configuration. Unknown prefixes count as read.
 */
export function protocolListInEffect(ctx: RuleContext, name: string, service?: MasterService): boolean {
  const m = /^(smtpd|smtp|lmtp)_tls_(mandatory_)?protocols$/.exec(name);
  if (!m) return true;
  const mandatory = m[2] !== undefined;
  const all = readers(ctx, m[1]);
  // An -o on a service that is not a reader of this kind (tlsproxy, say): judge it as written.
  if (service && !all.some((r) => r.service === service)) return true;
  // main.cf's value reaches the readers that do not override it.
  const reached = all.filter((r) => (service ? r.service === service : ctx.raw(name, r.service).where.kind !== 'master'));
  return reached.some((r) => {
    const u = r.use();
    return mandatory ? u.mandatory : u.opportunistic;
  });
}

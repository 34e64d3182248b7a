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
import { SERVICES_PER_STEP, type Steps } from '../steps';

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

interface Reader {
  service?: MasterService;
  use: () => ProtocolUse;
}

/** The processes that read `<prefix>_tls_*` parameters, and each service's among them. */
interface Readers {
  all: Reader[];
  byService: Map<MasterService | undefined, Reader[]>;
}

/**
 * The processes that read a `<prefix>_tls_*` parameter, each with the function that says which list it uses;
 * gathered once per prefix, SERVICES_PER_STEP master.cf services at a time.
 */
function* readersSteps(ctx: RuleContext, prefix: string): Steps<Readers> {
  return yield* ctx.onceSteps(`tls-usage:readers:${prefix}`, function* () {
    const all: Reader[] = [];
    const byService = new Map<MasterService | undefined, Reader[]>();
    const add = (r: Reader) => {
      all.push(r);
      const l = byService.get(r.service);
      if (l) l.push(r);
      else byService.set(r.service, [r]);
    };
    const label = `TLS readers of ${prefix}_tls_*`;
    const services = ctx.config.master?.services ?? [];
    if (prefix === 'smtpd') {
      const smtpd = ctx.smtpdServices();
      for (let i = 0; i < smtpd.length; i++) {
        if ((i + 1) % SERVICES_PER_STEP === 0) yield label;
        const s = smtpd[i];
        add({ service: s.service, use: () => serverUse(ctx, 'smtpd', s.service) });
      }
      // postscreen's STARTTLS goes through tlsproxy, whose settings default to smtpd's.
      for (let i = 0; i < services.length; i++) {
        if ((i + 1) % SERVICES_PER_STEP === 0) yield label;
        const s = services[i];
        if (s.valid && s.program === 'postscreen') add({ service: s, use: () => serverUse(ctx, 'postscreen', s) });
      }
    } else if (prefix === 'smtp' || prefix === 'lmtp') {
      if (!ctx.config.master) add({ use: () => clientUse(ctx, prefix) });
      else {
        for (let i = 0; i < services.length; i++) {
          if ((i + 1) % SERVICES_PER_STEP === 0) yield label;
          const s = services[i];
          if (s.valid && s.program === prefix && s.type.text === 'unix') add({ service: s, use: () => clientUse(ctx, prefix, s) });
        }
      }
    }
    return { all, byService };
  });
}

/**
 * Whether a protocol parameter (smtpd_tls_protocols, smtp_tls_mandatory_protocols, ...)
 * written in main.cf (service undefined) or by an -o of `service` is read by
 * any process of this configuration. Unknown prefixes count as read. In steps:
 * main.cf's value is weighed against every reader, SERVICES_PER_STEP at a time.
 */
export function* protocolListInEffectSteps(ctx: RuleContext, name: string, service?: MasterService): Steps<boolean> {
  const m = /^(smtpd|smtp|lmtp)_tls_(mandatory_)?protocols$/.exec(name);
  if (!m) return true;
  const mandatory = m[2] !== undefined;
  const readers = yield* readersSteps(ctx, m[1]);
  const reads = (r: Reader) => {
    const u = r.use();
    return mandatory ? u.mandatory : u.opportunistic;
  };
  if (service) {
    // An -o on a service that is not a reader of this kind (tlsproxy, say): judge it as written.
    const own = readers.byService.get(service);
    return !own || own.some(reads);
  }
  // main.cf's value reaches the readers that do not override it.
  for (let i = 0; i < readers.all.length; i++) {
    if ((i + 1) % SERVICES_PER_STEP === 0) yield () => `TLS readers of ${name}`;
    const r = readers.all[i];
    if (ctx.raw(name, r.service).where.kind !== 'master' && reads(r)) return true;
  }
  return false;
}

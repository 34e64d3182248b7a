// PF544: reject_unknown_client_hostname on a public port 25 (seed 000). It
// demands that the client's address→name→address lookups agree exactly,
// which many legitimate mail servers (shared hosting, big providers' pools)
// fail, and it turns DNS trouble into temporary rejections.
// reject_unknown_reverse_client_hostname only asks for a PTR record.

import type { Problem, Range } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { listensPublicly } from '../intent/roles';
import { replaceToken } from './edits';
import { serviceListsSteps, tokenLocation, type Item, type ListToken } from './lists';
import { code, problem, Rule } from './rule';
import { drain, PROBLEMS_PER_STEP, SERVICES_PER_STEP } from '../steps';
import { ByLocation, listText } from './util';

export const UNKNOWN_CLIENT_HOSTNAME = code('PF544', 'unknown-client-hostname-on-port-25', 'warning', 'correctness', 'reject_unknown_client_hostname on port 25 rejects many legitimate mail servers');

/** The code smtpd answers when the names do not agree (Postfix's default 450: the sender retries for days, then bounces). */
function rejectCode(ctx: RuleContext): string {
  return ctx.value('unknown_client_reject_code').trim() || '450';
}

const NAMES = new Set(['reject_unknown_client_hostname', 'reject_unknown_client']);

export const unknownClientHostnameRule: Rule = {
  codes: [UNKNOWN_CLIENT_HOSTNAME],
  check(ctx) {
    return drain(unknownClientHostnameRule.steps!(ctx));
  },
  *steps(ctx) {
    const found = new ByLocation<{ svc: SmtpdService; token: ListToken; name: string }>();
    // Services without -o settings share main.cf's lists: each list is searched once, not once per service.
    const hits = new Map<readonly Item[], { it: Item; loc: { file: string; range: Range } }[]>();
    const hitsOf = (items: readonly Item[]) => {
      let h = hits.get(items);
      if (!h) {
        h = [];
        for (const it of items) {
          if (it.kind !== 'builtin' || !NAMES.has(it.lower) || it.warnOnly) continue;
          const loc = tokenLocation(it.name);
          if (loc) h.push({ it, loc });
        }
        hits.set(items, h);
      }
      return h;
    };
    const services = ctx.smtpdServices();
    for (let i = 0; i < services.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF544 reject_unknown_client_hostname';
      const svc = services[i];
      if (!svc.port25 || !listensPublicly(ctx, svc)) continue;
      // Lists of 2^17 words are made in their own steps (most are made by the restriction rules already).
      const sl = yield* serviceListsSteps(ctx, svc.service);
      for (const l of [...sl.lists, ...sl.classLists.values()]) {
        for (const { it, loc } of hitsOf(l.items)) found.add(loc.file, loc.range, { svc, token: it.name, name: it.name.text });
      }
    }
    const out: Problem[] = [];
    const entries = found.entries();
    for (let i = 0; i < entries.length; i++) {
      // Up to a finding per service (100,000): made PROBLEMS_PER_STEP at a time.
      if (i > 0 && i % PROBLEMS_PER_STEP === 0) yield 'PF544 problems';
      const { file, range, items } = entries[i];
      const t = items[0].token.token;
      out.push(
        problem(
          UNKNOWN_CLIENT_HOSTNAME,
          file,
          range,
          `${items[0].name} on ${listText(items.map((i) => i.svc.label))} refuses every server whose reverse and forward DNS do not agree exactly (${rejectCode(ctx)} 4.7.25, unknown_client_reject_code; 450 while DNS is slow): many legitimate mail servers fail that test. reject_unknown_reverse_client_hostname only requires a PTR record and rejects far fewer real servers.`,
          t ? [{ title: 'Use reject_unknown_reverse_client_hostname', edits: [replaceToken(t, 'reject_unknown_reverse_client_hostname')] }] : undefined,
        ),
      );
    }
    return out;
  },
};

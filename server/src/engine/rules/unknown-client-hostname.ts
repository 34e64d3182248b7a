// PF544: reject_unknown_client_hostname on a public port 25 (seed 000). It
// demands that the client's address→name→address lookups agree exactly,
// which many legitimate mail servers (shared hosting, big providers' pools)
// fail, and it turns DNS trouble into temporary rejections.
// reject_unknown_reverse_client_hostname only asks for a PTR record.

import type { Problem } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { listensPublicly } from '../intent/roles';
import { replaceToken } from './edits';
import { serviceLists, tokenLocation, type ListToken } from './lists';
import { code, problem, Rule } from './rule';
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
    const found = new ByLocation<{ svc: SmtpdService; token: ListToken; name: string }>();
    for (const svc of ctx.smtpdServices()) {
      if (!svc.port25 || !listensPublicly(ctx, svc)) continue;
      const sl = serviceLists(ctx, svc.service);
      for (const l of [...sl.lists, ...sl.classLists.values()]) {
        for (const it of l.items) {
          if (it.kind !== 'builtin' || !NAMES.has(it.lower) || it.warnOnly) continue;
          const loc = tokenLocation(it.name);
          if (loc) found.add(loc.file, loc.range, { svc, token: it.name, name: it.name.text });
        }
      }
    }
    const out: Problem[] = [];
    for (const { file, range, items } of found.entries()) {
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

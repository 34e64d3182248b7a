// PF523: a Spamhaus zone queried with the wrong kind of key.
// - DBL and ZRD list domain names. reject_rbl_client, permit_dnswl_client and
//   postscreen_dnsbl_sites look up the client's IP address (reversed, as
//   4.3.2.1.dbl.spamhaus.org): DBL lists no address, and Spamhaus answers such
//   queries with 127.0.1.255 ("IP queries prohibited"), which smtpd and
//   postscreen count as a listing unless a reply filter drops it. With a
//   filter the entry is merely useless, so a filter is not the fix: the zone
//   belongs with reject_rhsbl_* (or nowhere).
// - ZEN, SBL, XBL, PBL list IP addresses. reject_rhsbl_* and permit_rhswl_client
//   look up a domain name (example.com.zen.spamhaus.org), which these zones
//   never list: a DNS query per message that can never match.

import type { Fix, Problem } from '../types';
import type { RuleContext } from './context';
import { lookupKind, removeUse, spamhausFilter, spamhausKind, splitSpec, uses, weightOf } from './dnsbl';
import { tokenLocation } from './lists';
import { code, problem, Rule } from './rule';
import { countOf } from './util';

export const SPAMHAUS_WRONG_KIND = code('PF523', 'spamhaus-wrong-list-kind', 'warning', 'correctness', 'Spamhaus domain list queried with IP addresses, or address list with domain names');

function wrongKind(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  for (const u of uses(ctx)) {
    const { domain, filter, rest } = splitSpec(u.spec.text);
    const kind = spamhausKind(domain);
    const loc = tokenLocation(u.spec);
    if (!kind || !loc) continue;
    if (kind === lookupKind(u.item)) continue;
    const how = u.item ? u.item.name.text : 'postscreen_dnsbl_sites';
    const rm = removeUse(ctx, u);
    const fixes: Fix[] = rm ? [{ title: `Remove ${domain} from ${u.where}`, edits: rm, hardening: true }] : [];
    let message: string;
    let severity: 'error' | 'warning' = 'warning';
    if (kind === 'domain') {
      let effect: string;
      if (filter !== undefined) effect = 'with the reply filter it can never match, so it only costs a DNS query per client';
      else if (!u.item) effect = `every client scores its weight (${countOf(weightOf(rest), 'point')}) toward postscreen_dnsbl_threshold`;
      else {
        severity = 'error';
        effect = u.item.lower === 'permit_dnswl_client' ? 'every client is permitted' : 'every client is rejected';
      }
      const answer = filter === undefined ? ' Spamhaus answers such queries with 127.0.1.255 ("IP queries prohibited"), which counts as a listing:' : '';
      message = `${domain} lists domain names, but ${how} looks up the client's IP address in it.${answer} ${effect}. Remove it here; to check domain names against it, use reject_rhsbl_sender, reject_rhsbl_helo or reject_rhsbl_reverse_client ${domain}=${spamhausFilter(domain)}.`;
    } else {
      message = `${domain} lists IP addresses, but ${how} looks up a domain name in it, which it never lists: the check can never match and only costs a DNS query. Query it with reject_rbl_client ${domain}=${spamhausFilter(domain)} instead, or use dbl.spamhaus.org for domain names.`;
    }
    out.push(problem(SPAMHAUS_WRONG_KIND, loc.file, loc.range, message, fixes, severity));
  }
  return out;
}

export const spamhausListKindRule: Rule = {
  codes: [SPAMHAUS_WRONG_KIND],
  check: wrongKind,
};

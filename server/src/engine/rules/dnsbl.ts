// DNS block lists in restriction lists (reject_rbl_client and friends) and
// in postscreen_dnsbl_sites:
// - PF504: lists that were shut down (some answer every query as "listed")
// - PF505: Spamhaus zones without a reply filter: through a public or
//   forwarding resolver Spamhaus answers 127.255.255.x ("query refused"),
//   which smtpd counts as a listing, so every client is rejected (postscreen:
//   every client scores the entry's weight, see postscreenEffect)
// (PF523, a zone of the wrong kind for the lookup, is spamhaus-list-kind.ts.)
// - PF506: Spamhaus checked before permit_sasl_authenticated: your own users
//   on home and mobile addresses (the PBL part of zen) are rejected

import type { Fix, Problem, Range, TextEdit } from '../types';
import type { RuleContext } from './context';
import { insertBefore, removeTokens, replaceToken } from './edits';
import { allListsSteps, Item, ListToken, serviceListsSteps, Site, siteSteps, tokenLocation } from './lists';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from '../steps';
import { code, problem, Rule } from './rule';
import { ByLocation, countOf, listText, writtenPlacesSteps } from './util';

export const DEAD_DNSBL = code('PF504', 'dead-dnsbl', 'warning', 'correctness', 'DNS block list that was shut down (some answer every query as listed)');
export const SPAMHAUS_NO_FILTER = code('PF505', 'spamhaus-without-filter', 'error', 'correctness', 'Spamhaus zone without a reply filter: an error answer rejects every client');
export const DNSBL_BEFORE_OWN_USERS = code('PF506', 'dnsbl-before-own-users', 'warning', 'correctness', 'Spamhaus is checked before permit_mynetworks or permit_sasl_authenticated: your own users are rejected');

interface DeadList {
  suffix: string;
  severity: 'error' | 'warning' | 'info';
  why: string;
}

const DEAD: DeadList[] = [
  { suffix: 'ahbl.org', severity: 'error', why: 'AHBL shut down in 2015 and since then answers every query as listed: every client is rejected' },
  { suffix: 'dnsbl.cyberlogic.net', severity: 'error', why: 'dnsbl.cyberlogic.net is gone and answers every query as listed: every client is rejected' },
  { suffix: 'sorbs.net', severity: 'warning', why: 'SORBS shut down in June 2024; its zones no longer give useful answers, and each query only adds delay' },
  { suffix: 'njabl.org', severity: 'warning', why: 'NJABL shut down in 2013; each query only adds delay, and a domain that changes hands may start listing everyone' },
  { suffix: 'spamcannibal.org', severity: 'warning', why: 'SpamCannibal shut down in 2019; each query only adds delay, and a domain that changes hands may start listing everyone' },
  { suffix: 'dsbl.org', severity: 'warning', why: 'DSBL shut down in 2009; each query only adds delay' },
  { suffix: 'ordb.org', severity: 'warning', why: 'ORDB shut down in 2006; each query only adds delay' },
  { suffix: 'rfc-ignorant.org', severity: 'warning', why: 'rfc-ignorant.org shut down in 2012; each query only adds delay' },
  { suffix: 'cbl.abuseat.org', severity: 'info', why: 'the CBL is published as part of Spamhaus XBL (included in zen.spamhaus.org)' },
];

/** The Spamhaus zone a DNS list domain names (zen, dbl, ...), directly or through DQS (`KEY.zen.dq.spamhaus.net`). */
function spamhausZone(domain: string): string | undefined {
  return /(?:^|\.)(zen|sbl|xbl|pbl|sbl-xbl|dbl|zrd)\.(?:spamhaus\.org|dq\.spamhaus\.net)$/i.exec(domain)?.[1].toLowerCase();
}

/** Reply filters for Spamhaus zones: every real listing, none of the 127.255.255.x error answers. */
export function spamhausFilter(domain: string): string | undefined {
  const zone = spamhausZone(domain);
  if (!zone) return undefined;
  if (zone === 'dbl') return '127.0.1.[2..99]';
  if (zone === 'zrd') return '127.0.2.[2..24]';
  return '127.0.0.[2..11]';
}

const ADDRESS_LOOKUPS = new Set(['reject_rbl_client', 'reject_rbl', 'permit_dnswl_client']);

/** `domain` for DBL/ZRD (domain-name lists), `address` for ZEN/SBL/XBL/PBL. */
export function spamhausKind(domain: string): 'domain' | 'address' | undefined {
  const zone = spamhausZone(domain);
  if (!zone) return undefined;
  return zone === 'dbl' || zone === 'zrd' ? 'domain' : 'address';
}

/** What a use of a DNS list looks up: the client address (reject_rbl_client, postscreen), or a domain name (reject_rhsbl_*). */
export function lookupKind(item: { lower: string } | undefined): 'domain' | 'address' {
  if (!item) return 'address'; // postscreen_dnsbl_sites
  return ADDRESS_LOOKUPS.has(item.lower) ? 'address' : 'domain';
}

/** zen and pbl list dynamic (home, mobile) addresses. */
function listsDynamicAddresses(domain: string): boolean {
  return /(?:^|\.)(zen|pbl)\.(?:spamhaus\.org|dq\.spamhaus\.net)$/i.test(domain);
}

function deadList(domain: string): DeadList | undefined {
  const d = domain.toLowerCase();
  return DEAD.find((x) => d === x.suffix || d.endsWith(`.${x.suffix}`));
}

/** `domain[=filter][*weight]` (postscreen) or `domain[=filter]` (smtpd). */
export function splitSpec(spec: string): { domain: string; filter?: string; rest: string } {
  const star = spec.indexOf('*');
  const head = star < 0 ? spec : spec.slice(0, star);
  const rest = star < 0 ? '' : spec.slice(star);
  const eq = head.indexOf('=');
  return eq < 0 ? { domain: head, rest } : { domain: head.slice(0, eq), filter: head.slice(eq + 1), rest };
}

export interface Use {
  /** The DNS list spec word. */
  spec: ListToken;
  /** Restriction item (smtpd), or undefined (postscreen_dnsbl_sites). */
  item?: Item;
  /** Words to remove to drop this use. */
  words: ListToken[];
  where: string;
}

/** Where postscreen_dnsbl_sites is written, in steps (master.cf's services walked a few hundred at a time). */
function* postscreenSites(ctx: RuleContext): Steps<Site[]> {
  const out: Site[] = [];
  for (const { where } of (yield* writtenPlacesSteps(ctx, ['postscreen_dnsbl_sites'])).get('postscreen_dnsbl_sites')!) out.push(yield* siteSteps(ctx, where, 'postscreen_dnsbl_sites'));
  return out;
}

/** Every DNS list a restriction or postscreen_dnsbl_sites queries, once per place it is written. */
export function uses(ctx: RuleContext): Use[] {
  return drain(usesSteps(ctx));
}

/** uses in steps of ITEMS_PER_STEP list items (the lists built in steps too). */
export function* usesSteps(ctx: RuleContext): Steps<Use[]> {
  return yield* ctx.onceSteps('dnsbl:uses', function* () {
    const out: Use[] = [];
    const seen = new Set<string>();
    let work = 0;
    for (const list of yield* allListsSteps(ctx)) {
      for (const it of list.items) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield 'DNS lists in restrictions';
        }
        if (it.kind !== 'builtin' || it.fact?.takes !== 'domain=filter' || !it.args[0]) continue;
        const loc = tokenLocation(it.args[0]);
        const key = loc ? `${loc.file}:${loc.range.start.line}:${loc.range.start.character}` : `${list.parameter}:${it.args[0].text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ spec: it.args[0], item: it, words: [it.name, it.args[0]], where: list.parameter });
      }
    }
    for (const site of yield* postscreenSites(ctx)) {
      for (const t of site.tokens) {
        const lt: ListToken = { text: t.text, token: t, parameter: site.parameter };
        out.push({ spec: lt, words: [lt], where: site.parameter });
      }
    }
    return out;
  });
}

export function removeUse(ctx: RuleContext, u: Use): TextEdit[] | undefined {
  if (u.words.some((w) => !w.token)) return undefined;
  const site = u.words[0].token!.site;
  if (u.words.some((w) => w.token!.site !== site)) return undefined;
  return removeTokens(ctx, site, u.words.map((w) => w.token!));
}

const ZEN_OR_XBL = /(?:^|\.)(zen|xbl)\.spamhaus\.org$/i;

function* deadLists(ctx: RuleContext, all: Use[]): Steps<Problem[]> {
  const out: Problem[] = [];
  // The parameters that query zen or xbl, found once (a search of every use per CBL use is quadratic).
  let zenOrXbl: Set<string> | undefined;
  for (let i = 0; i < all.length; i++) {
    if ((i + 1) % ITEMS_PER_STEP === 0) yield 'PF504 dead DNS lists';
    const u = all[i];
    const { domain } = splitSpec(u.spec.text);
    const dead = deadList(domain);
    if (!dead) continue;
    const loc = tokenLocation(u.spec);
    if (!loc) continue;
    const fixes: Fix[] = [];
    const rm = removeUse(ctx, u);
    if (dead.suffix === 'cbl.abuseat.org') {
      zenOrXbl ??= new Set(all.filter((o) => ZEN_OR_XBL.test(splitSpec(o.spec.text).domain)).map((o) => o.where));
      // Another use of the same parameter (this one, a CBL domain, is not zen or xbl).
      const zenToo = zenOrXbl.has(u.where);
      if (zenToo && rm) fixes.push({ title: `Remove ${domain} (already covered by Spamhaus)`, edits: rm, hardening: true });
      else if (u.spec.token) {
        const rest = splitSpec(u.spec.text).rest;
        fixes.push({ title: 'Query xbl.spamhaus.org instead', edits: [replaceToken(u.spec.token, `xbl.spamhaus.org=127.0.0.[4..7]${rest}`)] });
      }
      out.push(problem(DEAD_DNSBL, loc.file, loc.range, `${domain}: ${dead.why}; query zen.spamhaus.org (or xbl.spamhaus.org) instead.`, fixes, 'info'));
      continue;
    }
    if (rm) fixes.push({ title: `Remove ${domain}`, edits: rm, hardening: true });
    out.push(problem(DEAD_DNSBL, loc.file, loc.range, `${domain}: ${dead.why}. Remove it from ${u.where}.`, fixes, dead.severity));
  }
  return out;
}

/** postscreen's weight of a site spec (`*N`, default 1). */
export function weightOf(rest: string): number {
  const m = /^\*(-?\d+)$/.exec(rest.trim());
  return m ? Number(m[1]) : 1;
}

/**
 * What an unfiltered Spamhaus entry does in postscreen_dnsbl_sites, where an error answer is a
 * listing with the entry's weight: every client then scores the weights of all such entries at
 * once, and is only refused when that reaches postscreen_dnsbl_threshold and the action is not ignore
 * (src/postscreen/postscreen_early.c: a score below var_psc_dnsbl_thresh passes; ignore unfails).
 */
function postscreenEffect(ctx: RuleContext, u: Use, scores: Map<Site | undefined, number>): { text: string; severity: 'error' | 'warning' } {
  const site = u.spec.token?.site;
  const w = site?.where;
  const service = w && w.kind === 'master' ? w.service : undefined;
  const score = scores.get(site) ?? 0;
  const threshold = Number(ctx.value('postscreen_dnsbl_threshold', service).trim() || '1');
  const action = ctx.value('postscreen_dnsbl_action', service).trim().toLowerCase() || 'ignore';
  if (score < threshold) {
    return {
      text: `postscreen counts any answer as a listing, so every client would score ${score} of the ${countOf(threshold, 'point')} of postscreen_dnsbl_threshold: not enough to refuse it alone, but a client that any other list names with ${countOf(threshold - score, 'more point')} fails the test`,
      severity: 'warning',
    };
  }
  if (action === 'ignore') {
    return {
      text: `postscreen counts any answer as a listing, so every client would reach postscreen_dnsbl_threshold (${score} of ${countOf(threshold, 'point')}); postscreen_dnsbl_action = ignore only logs that today, and the day it becomes enforce or drop every client is refused`,
      severity: 'warning',
    };
  }
  return { text: `postscreen counts any answer as a listing (${countOf(score, 'point')}, threshold ${threshold}, action ${action}), so every client would be rejected`, severity: 'error' };
}

/**
 * What every client scores at each postscreen_dnsbl_sites place from its unfiltered Spamhaus entries,
 * summed once for all of them (a sum per entry over every use is quadratic).
 */
function postscreenScores(all: Use[]): Map<Site | undefined, number> {
  const out = new Map<Site | undefined, number>();
  for (const o of all) {
    if (o.item) continue;
    const x = splitSpec(o.spec.text);
    // DBL answers every address query with 127.0.1.255 (PF523), filtered or not by the resolver: it scores too.
    if (x.filter !== undefined || spamhausKind(x.domain) === undefined) continue;
    const site = o.spec.token?.site;
    out.set(site, (out.get(site) ?? 0) + Math.max(0, weightOf(x.rest)));
  }
  return out;
}

function* missingFilters(ctx: RuleContext, all: Use[]): Steps<Problem[]> {
  const out: Problem[] = [];
  let scores: Map<Site | undefined, number> | undefined;
  for (let i = 0; i < all.length; i++) {
    if ((i + 1) % ITEMS_PER_STEP === 0) yield 'PF505 Spamhaus without a filter';
    const u = all[i];
    const { domain, filter, rest } = splitSpec(u.spec.text);
    if (filter !== undefined) continue;
    const want = spamhausFilter(domain);
    if (!want) continue;
    const loc = tokenLocation(u.spec);
    if (!loc) continue;
    // A zone of the wrong kind for the lookup is PF523's: a filter would only make it silently useless.
    if (spamhausKind(domain) !== lookupKind(u.item)) continue;
    const fixed = `${domain}=${want}${rest}`;
    const fixes: Fix[] = u.spec.token ? [{ title: `Write ${fixed}`, edits: [replaceToken(u.spec.token, fixed)], hardening: true }] : [];
    const effect = u.item ? { text: 'smtpd counts any answer as a listing, so every client would be rejected', severity: 'error' as const } : postscreenEffect(ctx, u, (scores ??= postscreenScores(all)));
    out.push(
      problem(
        SPAMHAUS_NO_FILTER,
        loc.file,
        loc.range,
        `${domain} without a reply filter: Spamhaus answers queries that come through public or shared resolvers with 127.255.255.x error codes, and ${effect.text}. Add =${want} to accept only real listings.`,
        fixes,
        effect.severity,
      ),
    );
  }
  return out;
}

const OWN_PERMITS = ['permit_mynetworks', 'permit_sasl_authenticated'];

function* beforeOwnUsers(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ label: string; domain: string; list: string; permits: string[]; fix?: TextEdit }>();
  const services = ctx.smtpdServices();
  // Items walked since the last yield, over services: many services of a few items each add up too.
  let work = 0;
  for (let n = 0; n < services.length; n++) {
    if ((n + 1) % SERVICES_PER_STEP === 0) yield 'PF506 DNS lists before own users';
    const svc = services[n];
    const sasl = ctx.bool('smtpd_sasl_auth_enable', svc.service);
    const sl = yield* serviceListsSteps(ctx, svc.service);
    for (const l of sl.lists) {
      const before = new Set<string>();
      const label = `PF506 ${l.parameter} of ${svc.key}`;
      // The own permits after each item, as bits of OWN_PERMITS, in one pass from the end (a scan
      // of the rest per item is quadratic on a doubling list).
      const after: number[] = new Array(l.items.length);
      let bits = 0;
      for (let i = l.items.length - 1; i >= 0; i--) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield label;
        }
        after[i] = bits;
        const x = l.items[i];
        const k = x.kind === 'builtin' ? OWN_PERMITS.indexOf(x.lower) : -1;
        if (k >= 0) bits |= 1 << k;
      }
      for (let index = 0; index < l.items.length; index++) {
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield label;
        }
        const it = l.items[index];
        if (it.kind === 'builtin' && OWN_PERMITS.includes(it.lower)) before.add(it.lower);
        if (it.kind !== 'builtin' || it.fact?.takes !== 'domain=filter' || !it.lower.startsWith('reject_rbl') || it.warnOnly || !it.args[0]) continue;
        const domain = splitSpec(it.args[0].text).domain;
        if (!listsDynamicAddresses(domain)) continue;
        // Own permits that come later in the same list (clearly meant to go first), and SASL users where they can log in.
        const later = new Set(OWN_PERMITS.filter((_, k) => after[index] & (1 << k)));
        if (sasl && !before.has('permit_sasl_authenticated')) later.add('permit_sasl_authenticated');
        const permits = OWN_PERMITS.filter((p) => later.has(p) && !before.has(p));
        if (permits.length === 0) continue;
        found.addToken(it.name, { label: svc.label, domain, list: l.parameter, permits, fix: it.name.token ? insertBefore(it.name.token, permits.join(', ')) : undefined });
      }
    }
  }
  return found.entries().map(({ file, range, items }: { file: string; range: Range; items: { label: string; domain: string; list: string; permits: string[]; fix?: TextEdit }[] }) => {
    const i = items[0];
    const who = i.permits.includes('permit_sasl_authenticated')
      ? 'your users who log in from home or mobile addresses (which Spamhaus PBL, part of zen, lists) are rejected'
      : 'your own networks are rejected when their addresses are listed (PBL lists dynamic and end-user ranges)';
    return problem(
      DNSBL_BEFORE_OWN_USERS,
      file,
      range,
      `${i.domain} is checked in ${i.list} before ${listText(i.permits)} on ${listText(items.map((x) => x.label))}: ${who}. Put ${listText(i.permits)} first.`,
      i.fix ? [{ title: `Insert ${i.permits.join(', ')} before it`, edits: [i.fix] }] : undefined,
    );
  });
}

export const dnsblRule: Rule = {
  codes: [DEAD_DNSBL, SPAMHAUS_NO_FILTER, DNSBL_BEFORE_OWN_USERS],
  check(ctx) {
    return drain(dnsblRule.steps!(ctx));
  },
  *steps(ctx) {
    const all = yield* usesSteps(ctx);
    const dead = yield* deadLists(ctx, all);
    const filters = yield* missingFilters(ctx, all);
    return [...dead, ...filters, ...(yield* beforeOwnUsers(ctx))];
  },
};

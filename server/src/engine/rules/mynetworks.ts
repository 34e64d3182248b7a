// mynetworks: the clients smtpd trusts (permit_mynetworks lets them relay).
// - PF501: a network far too wide (0.0.0.0/0, ::/0, any /8 or wider other
//   than 127/8, large public ranges).
// - PF502: mynetworks unset and mynetworks_style = class or subnet: every
//   machine on the networks of this host's interfaces is trusted.
// - PF503: an IPv6 network without [brackets]: smtpd reads it as a
//   `type:table` and dies ("expecting type:name") or fails every lookup.

import type { MasterService } from '../mastercf';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext } from './context';
import { overlayReader } from '../overlay-reader';
import { loadSimConfigSteps, type SimConfig } from '../simulate/config';
import { dictFormFatal } from '../tables/open';
import { applyTextEdits, removeTokens, replaceToken, setMainParameter, setServiceOption } from './edits';
import { Site, siteOf, siteSteps, SiteToken } from './lists';
import { drain, ITEMS_PER_STEP, PROBLEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from '../steps';
import { code, problem, Rule } from './rule';
import { pushAll } from '../arrays';
import { ByLocation, isLoopbackNet, isPrivateNet, listText, Net, parseNet } from './util';

export const MYNETWORKS_TOO_BROAD = code('PF501', 'mynetworks-too-broad', 'error', 'security', 'mynetworks trusts far more clients than your own (0.0.0.0/0, a /8, public ranges)');
export const MYNETWORKS_STYLE = code('PF502', 'mynetworks-style', 'warning', 'security', 'mynetworks is unset and mynetworks_style is class or subnet: neighbours are trusted');
export const MYNETWORKS_IPV6_BRACKETS = code('PF503', 'mynetworks-ipv6-brackets', 'error', 'postfix', 'IPv6 network in mynetworks without [brackets]: read as a lookup table');

const LOOPBACK = ['127.0.0.0/8', '[::1]/128'];

/** Every place mynetworks is written: main.cf and the -o settings of master.cf; made once per lint. */
const SITES_KEY = 'mynetworks:sites';

/**
 * mynetworksSites in steps (rules/lists.ts siteSteps): a mynetworks of 100,000
 * networks is made a few thousand words at a time, and master.cf's services
 * are looked at SERVICES_PER_STEP at a time.
 */
function* mynetworksSitesSteps(ctx: RuleContext): Steps<{ site: Site; service?: MasterService }[]> {
  return yield* ctx.onceSteps(SITES_KEY, function* () {
    const out: { site: Site; service?: MasterService }[] = [];
    const entry = ctx.config.main?.byName.get('mynetworks');
    if (entry) out.push({ site: yield* siteSteps(ctx, { kind: 'main', entry }, 'mynetworks') });
    const services = ctx.config.master?.services ?? [];
    for (let i = 0; i < services.length; i++) {
      const s = services[i];
      // ctx.raw: a service's winning -o, by a scan or by lastOverride's index for a service with many options.
      const w = ctx.raw('mynetworks', s).where;
      if (w.kind === 'master') out.push({ site: yield* siteSteps(ctx, w, 'mynetworks'), service: s });
      if ((i + 1) % SERVICES_PER_STEP === 0) yield 'mynetworks: -o settings';
    }
    return out;
  });
}

interface Judged {
  token: SiteToken;
  net: Net & { bracketed: boolean };
  level: 'error' | 'warning';
  why: string;
}

function addresses(net: Net): string {
  const bits = (net.version === 4 ? 32 : 128) - net.prefix;
  if (bits === (net.version === 4 ? 32 : 128)) return net.version === 4 ? 'every IPv4 address' : 'every IPv6 address';
  if (bits <= 40) return `${(2 ** bits).toLocaleString('en-US')} addresses`;
  return `2^${bits} addresses`;
}

/** A dotted quad with its prefix, written as parseNet reads them. */
const NARROW_V4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/(\d{1,3}))?$/;

/** Whether a pattern is too wide, and how bad that is. */
function judge(token: SiteToken): Judged | undefined {
  if (token.text.startsWith('!')) return undefined;
  // An IPv4 network of /24 or narrower is never too broad, private or not (and
  // a dotted quad with a part over 255 is no network): one match instead of
  // parsing and the bit-by-bit range checks, as mynetworks can list 100,000 hosts.
  const quad = NARROW_V4.exec(token.text);
  if (quad && (quad[1] === undefined || Number(quad[1]) >= 24)) return undefined;
  const net = parseNet(token.text);
  if (!net || (net.version === 6 && !net.bracketed)) return undefined;
  const isPrivate = isPrivateNet(net);
  if (isLoopbackNet(net)) return undefined;
  if (net.prefix === 0) return { token, net, level: 'error', why: `${token.text} trusts ${addresses(net)}` };
  if (net.version === 4) {
    if (net.prefix <= 8 && !isPrivate) return { token, net, level: 'error', why: `${token.text} trusts ${addresses(net)}, most of them on the Internet` };
    if (net.prefix <= 8) return { token, net, level: 'warning', why: `${token.text} trusts ${addresses(net)}: every container, VPN client and guest device on that network may relay` };
    if (!isPrivate && net.prefix < 24) return { token, net, level: 'warning', why: `${token.text} is a public network of ${addresses(net)}; machines there you do not run may relay` };
  } else {
    if (net.prefix <= 16 && !isPrivate) return { token, net, level: 'error', why: `${token.text} trusts ${addresses(net)} on the Internet` };
    if (!isPrivate && net.prefix < 48) return { token, net, level: 'warning', why: `${token.text} is a public network of ${addresses(net)}; machines there you do not run may relay` };
  }
  return undefined;
}

/** The site's words that are too wide (judge), in order; once per site. */
const judgedWords = new WeakMap<Site, Judged[]>();

function judgedOf(site: Site): Judged[] {
  return judgedWords.get(site) ?? drain(judgedSteps(site));
}

/** judgedOf in steps of ITEMS_PER_STEP words (100,000 networks were one piece of 35-70 ms). */
function* judgedSteps(site: Site): Steps<Judged[]> {
  let found = judgedWords.get(site);
  if (found) return found;
  found = [];
  const tokens = site.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const j = judge(tokens[i]);
    if (j) found.push(j);
    if ((i + 1) % ITEMS_PER_STEP === 0) yield 'mynetworks: networks judged';
  }
  judgedWords.set(site, found);
  return found;
}

/** Indices of the site's words that are loopback networks (not negated), by IP version; once per site. */
const loopbackWords = new WeakMap<Site, Map<4 | 6, number[]>>();

function loopbackIndices(site: Site): Map<4 | 6, number[]> {
  let found = loopbackWords.get(site);
  if (found) return found;
  found = new Map([
    [4, []],
    [6, []],
  ]);
  for (const t of site.tokens) {
    if (t.text.startsWith('!')) continue;
    const n = parseNet(t.text);
    if (n && isLoopbackNet(n)) found.get(n.version)!.push(t.index);
  }
  loopbackWords.set(site, found);
  return found;
}

/** Replaces the first bad word with the loopback networks the list lacks, and removes the others. */
function replaceEdits(ctx: RuleContext, site: Site, bad: SiteToken[]): TextEdit[] {
  const badSet = new Set(bad.map((t) => t.index));
  const loopback = loopbackIndices(site);
  const need = LOOPBACK.filter((lb) => {
    const want = parseNet(lb)!;
    return !loopback.get(want.version)!.some((i) => !badSet.has(i));
  });
  if (need.length === 0) return removeTokens(ctx, site, bad);
  return [replaceToken(bad[0], need.join(' ')), ...removeTokens(ctx, site, bad.slice(1))];
}

/** The fix for the error-level networks of the mynetworks a service uses (shared with the open-relay rule). */
export function broadNetworkFix(ctx: RuleContext, service?: MasterService): Fix | undefined {
  const w = ctx.raw('mynetworks', service).where;
  if (w.kind === 'default') return undefined;
  const site = siteOf(ctx, w, 'mynetworks');
  const bad = judgedOf(site).filter((j) => j.level === 'error');
  if (bad.length === 0) return undefined;
  // Unbracketed IPv6 networks make smtpd fail on this list anyway: bracket them in the same change.
  const edits = [...replaceEdits(ctx, site, bad.map((b) => b.token)), ...site.tokens.flatMap((t) => bracketed(t)?.edits ?? [])];
  return { title: `Replace ${listText(bad.map((b) => b.token.text))} in mynetworks with the loopback networks`, edits, hardening: true };
}

const TOO_BROAD_ADVICE = 'Clients in mynetworks pass permit_mynetworks and may relay mail anywhere; list only your own hosts (127.0.0.0/8 [::1]/128 for a server that only sends its own mail).';

/**
 * One finding per mynetworks setting and severity, however many networks it
 * lists (a line of 19 public netblocks is one mistake): reported on the first,
 * with the others as related locations.
 */
function* tooBroadSteps(ctx: RuleContext, sites: readonly { site: Site }[]): Steps<Problem[]> {
  const out: Problem[] = [];
  for (let i = 0; i < sites.length; i++) {
    // A site per -o mynetworks: 100,000 services may each have one.
    if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF501 mynetworks too broad';
    const site = sites[i].site;
    const judged = yield* judgedSteps(site);
    for (const level of ['error', 'warning'] as const) {
      const group = judged.filter((j) => j.level === level);
      if (group.length === 0) continue;
      const first = group[0];
      const edits = replaceEdits(ctx, site, group.map((x) => x.token));
      const words = listText(group.map((j) => j.token.text));
      const title = level === 'error' ? `Replace ${words} with the loopback networks` : `Remove ${words} from mynetworks`;
      const message =
        group.length === 1
          ? `${first.why}. ${TOO_BROAD_ADVICE}`
          : `mynetworks trusts ${group.length} networks that are ${level === 'error' ? 'mostly the Internet' : 'far wider than your own hosts'} (${first.why}; the others are related). ${TOO_BROAD_ADVICE}`;
      const p = problem(MYNETWORKS_TOO_BROAD, site.file, first.token.range, message, [{ title, edits, hardening: level === 'error' }], level);
      if (group.length > 1) p.related = group.slice(1).map((j) => ({ file: site.file, range: j.token.range, message: `${j.why}.` }));
      out.push(p);
    }
  }
  return out;
}

/** The bracketed form of an unbracketed IPv6 network word, and the edit that writes it. */
function bracketed(t: SiteToken): { text: string; fixed: string; edits: TextEdit[] } | undefined {
  // Most words of a long mynetworks are IPv4: no colon, nothing more to look at.
  if (!t.text.includes(':')) return undefined;
  const text = t.text.charCodeAt(0) === 33 ? t.text.slice(1) : t.text;
  if (text.startsWith('[')) return undefined;
  const net = parseNet(text);
  if (!net || net.version !== 6) return undefined;
  const slash = text.indexOf('/');
  const fixed = `${t.text.startsWith('!') ? '!' : ''}[${slash < 0 ? text : text.slice(0, slash)}]${slash < 0 ? '' : text.slice(slash)}`;
  return { text, fixed, edits: [replaceToken(t, fixed)] };
}

/**
 * The edits that bracket every unbracketed IPv6 network of mynetworks (main.cf
 * and -o settings): PF503's fixes, all at once. Once per lint (the relay rule
 * and bracketedSimSteps both ask; mynetworks may hold 100,000 words); shared: do not change it.
 */
export function bracketEdits(ctx: RuleContext): readonly TextEdit[] {
  return ctx.made<readonly TextEdit[]>(BRACKET_EDITS_KEY) ?? drain(bracketEditsSteps(ctx));
}

const BRACKET_EDITS_KEY = 'mynetworks:bracket-edits';

/** bracketEdits in steps: the sites made, then their words looked at, ITEMS_PER_STEP at a time (one piece of 110-190 ms before). */
export function* bracketEditsSteps(ctx: RuleContext): Steps<readonly TextEdit[]> {
  return yield* ctx.onceSteps(BRACKET_EDITS_KEY, function* () {
    const out: TextEdit[] = [];
    for (const { site } of yield* mynetworksSitesSteps(ctx)) {
      const tokens = site.tokens;
      for (let i = 0; i < tokens.length; i++) {
        const b = bracketed(tokens[i]);
        if (b) pushAll(out, b.edits);
        if ((i + 1) % ITEMS_PER_STEP === 0) yield 'mynetworks: brackets';
      }
    }
    return out;
  });
}

/** The simulator's configuration with `edits` applied (the files on disk stay as they are), in steps: the patched directory loaded as the linter loads it (its table references, a few thousand -o settings at a time) and its services made. */
export function* patchedSimSteps(ctx: RuleContext, edits: readonly TextEdit[]): Steps<SimConfig> {
  const patched = new Map<string, string>();
  for (const file of new Set(edits.map((e) => e.file))) patched.set(file, applyTextEdits(ctx.text(file) ?? '', edits.filter((e) => e.file === file)));
  yield 'mynetworks: patched files';
  return yield* loadSimConfigSteps(ctx.config.dir, overlayReader(ctx.reader, (p) => patched.get(p)));
}

/**
 * The simulator's view as if PF503 were fixed. An IPv6 network without
 * brackets in mynetworks stops smtpd at start-up ("::1/128") or fails every
 * lookup past it ("2001:db8::/32"); PF503 reports that, and the rules that
 * judge what the server lets through look past it, or they would judge nothing.
 */
export function* bracketedSimSteps(ctx: RuleContext): Steps<SimConfig> {
  // In steps (bracketEditsSteps, patchedSimSteps, RuleContext.simSteps), once per lint.
  return yield* ctx.onceSteps('sim:bracketed', function* () {
    const edits = yield* bracketEditsSteps(ctx);
    return edits.length ? yield* patchedSimSteps(ctx, edits) : yield* ctx.simSteps();
  });
}

/** PF503, in steps of ITEMS_PER_STEP words, SERVICES_PER_STEP sites or PROBLEMS_PER_STEP findings, whichever comes first. */
function* ipv6BracketsSteps(sites: readonly { site: Site }[]): Steps<Problem[]> {
  const out: Problem[] = [];
  let words = 0;
  let made = 0;
  for (let i = 0; i < sites.length; i++) {
    if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF503 IPv6 brackets';
    const site = sites[i].site;
    for (const t of site.tokens) {
      if (++words % ITEMS_PER_STEP === 0) yield 'PF503 IPv6 brackets';
      const b = bracketed(t);
      if (!b) continue;
      if (++made % PROBLEMS_PER_STEP === 0) yield 'PF503 IPv6 brackets';
      const { text, fixed } = b;
      const colon = text.indexOf(':');
      const fatal = dictFormFatal(text);
      const postfixSays = fatal ? `fatal: ${fatal}` : `error: unsupported dictionary type: ${text.slice(0, colon)}`;
      const effect =
        fatal
          ? 'smtpd stops at once and no client gets a greeting'
          : 'every client outside the networks before it gets "451 4.3.0 Temporary lookup failure"';
      out.push(
        problem(
          MYNETWORKS_IPV6_BRACKETS,
          site.file,
          t.range,
          `IPv6 networks in mynetworks need brackets: smtpd reads "${text}" as a lookup table (${postfixSays}), so ${effect}. Write ${fixed}.`,
          [{ title: `Write ${fixed}`, edits: b.edits, hardening: true }],
        ),
      );
    }
  }
  return out;
}

/** PF502, SERVICES_PER_STEP services at a time, then main.cf alone. */
function* styleSteps(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ label: string; style: string; fix: TextEdit[]; fromLevel: boolean }>();
  const services = ctx.smtpdServices();
  const count = services.length + (ctx.config.master ? 1 : 0);
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'PF502 mynetworks_style';
    const c: { service?: MasterService; label: string } = i < services.length ? services[i] : { label: 'main.cf' };
    if (ctx.isSet('mynetworks', c.service)) continue;
    const value = ctx.value('mynetworks_style', c.service).trim().toLowerCase();
    if (value !== 'class' && value !== 'subnet') continue;
    const w = ctx.raw('mynetworks_style', c.service).where;
    const level = ctx.config.main?.byName.get('compatibility_level');
    let file = ctx.config.mainPath;
    let range = level?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    let fix: TextEdit[];
    if (w.kind === 'main') {
      range = w.entry.range;
      fix = setMainParameter(ctx, 'mynetworks_style', 'host');
    } else if (w.kind === 'master') {
      file = ctx.config.masterPath;
      range = w.override.range;
      fix = setServiceOption(ctx, w.service, 'mynetworks_style', 'host');
    } else fix = setMainParameter(ctx, 'mynetworks_style', 'host');
    found.add(file, range, { label: c.label, style: value, fix, fromLevel: w.kind === 'default' });
  }
  const out: Problem[] = [];
  const entries = found.entries();
  for (let k = 0; k < entries.length; k++) {
    // Up to a finding per service's -o mynetworks_style: made PROBLEMS_PER_STEP at a time.
    if (k > 0 && k % PROBLEMS_PER_STEP === 0) yield 'PF502 problems';
    const { file, range, items } = entries[k];
    const i = items[0];
    const what =
      i.style === 'class'
        ? 'every host in the whole class A/B/C network of each interface address (on a hosting provider: its other customers)'
        : 'every host on the subnets of this machine\'s interfaces (in a container: the whole container network, often every client behind a proxy)';
    const origin = i.fromLevel ? ' (the default below compatibility_level 2)' : '';
    out.push(
      problem(
        MYNETWORKS_STYLE,
        file,
        range,
        `mynetworks is not set, so with mynetworks_style = ${i.style}${origin} Postfix trusts ${what}; trusted clients may relay. Set mynetworks_style = host, or list your networks in mynetworks.`,
        [{ title: 'Set mynetworks_style = host', edits: i.fix, hardening: true }],
      ),
    );
  }
  return out;
}

export const mynetworksRule: Rule = {
  codes: [MYNETWORKS_TOO_BROAD, MYNETWORKS_STYLE, MYNETWORKS_IPV6_BRACKETS],
  check(ctx) {
    return drain(mynetworksRule.steps!(ctx));
  },
  *steps(ctx) {
    const sites = yield* mynetworksSitesSteps(ctx);
    const tooBroad = yield* tooBroadSteps(ctx, sites);
    const brackets = yield* ipv6BracketsSteps(sites);
    return [...tooBroad, ...brackets, ...(yield* styleSteps(ctx))];
  },
};

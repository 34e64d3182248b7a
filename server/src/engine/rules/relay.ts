// Relay protection, the one thing an SMTP server must get right:
// - PF400: neither smtpd_relay_restrictions nor smtpd_recipient_restrictions
//   has a working reject_unauth_destination (or reject, defer, ...): smtpd
//   refuses to start (smtpd_check.c has_required/fail_required, searched
//   through restriction classes, stopping at `permit`).
// - PF500: smtpd starts, but the relay matrix of the policy simulator shows an
//   outside, unauthenticated client relaying to an outside domain.

import type { MasterService } from '../mastercf';
import { reusedRelayMatrixSteps } from '../simulate/matrix-memo';
import { drain, ITEMS_PER_STEP, PieceClock, SERVICES_PER_STEP, type Steps } from '../steps';
import { simulateTransactionSteps } from '../simulate/simulate';
import { smtpdServices as simServices, type SimConfig } from '../simulate/config';
import type { Fix, Problem, Range, TextEdit } from '../types';
import type { RuleContext, SmtpdService } from './context';
import { insertAfter, insertBefore, setMainParameter, setServiceOption } from './edits';
import { Item, ListToken, serviceLists, ServiceLists, serviceListsSteps, tokenLocation } from './lists';
import { bracketEditsSteps, bracketedSimSteps, broadNetworkFix, patchedSimSteps } from './mynetworks';
import { code, problem, Rule } from './rule';
import { ByLocation, listText } from './util';

export const RELAY_GUARD_MISSING = code('PF400', 'relay-guard-missing', 'error', 'postfix', 'No working reject_unauth_destination (or reject/defer): smtpd refuses to start');
export const OPEN_RELAY = code('PF500', 'open-relay', 'error', 'security', 'Open relay: an outside client may send mail to outside domains');

/** Names whose presence satisfies smtpd's relay safety check, in smtpd's order. */
export const RELAY_REQUIRED = ['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer', 'defer_if_permit', 'check_relay_domains'];

const FATAL_TEXT = `in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: ${RELAY_REQUIRED.slice(0, -1).join(', ')} or ${RELAY_REQUIRED[RELAY_REQUIRED.length - 1]}`;

/** Permits that only let trusted clients through; the relay guard belongs right after them. */
const TRUSTED_PERMITS = new Set(['permit_mynetworks', 'permit_sasl_authenticated', 'permit_tls_clientcerts', 'permit_tls_all_clientcerts', 'permit_inet_interfaces']);

const DEFAULT_RELAY_LIST = 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination';

/** smtpd's has_required(): a required name before any `permit`, also inside restriction classes; in steps of ITEMS_PER_STEP words. */
function* hasRequired(tokens: ListToken[], sl: ServiceLists, depth: number, work = { done: 0 }): Steps<{ ok: boolean; permit?: ListToken }> {
  for (let i = 0; i < tokens.length; i++) {
    if (++work.done % ITEMS_PER_STEP === 0) yield 'relay guard: has_required';
    const lt = tokens[i].text.toLowerCase();
    if (lt === 'warn_if_reject' && i + 1 < tokens.length) {
      i++;
      continue;
    }
    if (lt === 'permit') return { ok: false, permit: tokens[i] };
    if (RELAY_REQUIRED.includes(lt)) return { ok: true };
    const cls = sl.classLists.get(tokens[i].text);
    if (cls && depth < 20 && (yield* hasRequired(cls.tokens, sl, depth + 1, work)).ok) return { ok: true };
  }
  return { ok: false };
}

/**
 * Edits that put reject_unauth_destination into a list: right after its
 * leading trusted permits (permit_mynetworks, permit_sasl_authenticated, ...)
 * or before `stopAt`, so that nothing untrusted can permit before it.
 */
export function guardEdits(ctx: RuleContext, items: Item[], stopAt?: Item): TextEdit[] | undefined {
  const literal = items.filter((it) => it.name.token);
  if (literal.length === 0) return undefined;
  const target = stopAt ?? literal.find((it) => !TRUSTED_PERMITS.has(it.lower));
  if (target) return target.name.token ? [insertBefore(target.name.token, 'reject_unauth_destination')] : undefined;
  const last = literal[literal.length - 1];
  const lastWord = last.args.length ? last.args[last.args.length - 1] : last.name;
  return lastWord.token ? [insertAfter(lastWord.token, 'reject_unauth_destination')] : undefined;
}

function* relayGuard(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ svc: SmtpdService; permit?: ListToken; fix?: TextEdit[] }>();
  let judged = 0;
  const clock = new PieceClock();
  for (const svc of yield* ctx.smtpdServicesSteps()) {
    // One service's lists at a time, built in steps: thousands of services, or one list of 2^17 words, are long.
    // A yield every SERVICES_PER_STEP services (one per service was 50,000 steps of 0.1 ms), or PIECE_MS; its label names the last one.
    const done = () => `relay guard ${svc.key}`;
    const pause = () => ++judged % SERVICES_PER_STEP === 0 || clock.due();
    const sl = yield* serviceListsSteps(ctx, svc.service);
    const rcpt = sl.lists.find((l) => l.stage === 'recipient')!;
    const relay = sl.lists.find((l) => l.stage === 'relay')!;
    const r1 = yield* hasRequired(rcpt.tokens, sl, 0);
    const r2 = r1.ok ? r1 : yield* hasRequired(relay.tokens, sl, 0);
    if (r2.ok) {
      if (pause()) {
        yield done;
        clock.restart();
      }
      continue;
    }
    // Where to report and fix: the relay list as written, else the recipient list, else main.cf.
    const written = [relay, rcpt].find((l) => l.tokens.some((t) => tokenLocation(t)));
    let file = ctx.config.mainPath;
    let range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    let fix: TextEdit[] | undefined;
    if (written) {
      const locs = written.tokens.map(tokenLocation).filter((x): x is { file: string; range: Range } => x !== undefined);
      const lastLoc = locs[locs.length - 1];
      file = locs[0].file;
      range = lastLoc.file === file ? { start: locs[0].range.start, end: lastLoc.range.end } : locs[0].range;
      fix = guardEdits(ctx, written.items);
    } else {
      // Both lists empty (or left at a default that is empty below compatibility level 1).
      const wRelay = ctx.raw(relay.parameter, svc.service).where;
      const wRcpt = ctx.raw(rcpt.parameter, svc.service).where;
      const level = ctx.config.main?.byName.get('compatibility_level');
      const w = wRelay.kind !== 'default' ? wRelay : wRcpt;
      if (w.kind === 'main') range = w.entry.range;
      else if (w.kind === 'master') {
        file = ctx.config.masterPath;
        range = w.override.range;
      } else if (level) range = level.range;
      fix = wRelay.kind === 'master' ? setServiceOption(ctx, wRelay.service, relay.parameter, DEFAULT_RELAY_LIST) : setMainParameter(ctx, relay.parameter, DEFAULT_RELAY_LIST);
    }
    found.add(file, range, { svc, permit: r1.permit ?? r2.permit, fix });
    if (pause()) {
      yield done;
      clock.restart();
    }
  }
  const out: Problem[] = [];
  for (const { file, range, items } of found.entries()) {
    const services = listText(items.map((i) => i.svc.label));
    const permit = items.find((i) => i.permit)?.permit;
    const why = permit ? ` A plain permit comes before any of them, and smtpd ignores everything after it.` : ' Neither list stops mail to domains this server does not handle.';
    const fixEdits = items.find((i) => i.fix)?.fix;
    const fixes: Fix[] = fixEdits ? [{ title: 'Insert reject_unauth_destination', edits: fixEdits, hardening: true }] : [];
    out.push(problem(RELAY_GUARD_MISSING, file, range, `smtpd refuses to start on ${services}: fatal: ${FATAL_TEXT}.${why}`, fixes));
  }
  return out;
}

const OUTSIDE = '203.0.113.5';

/** The smtpd service of a matrix cell; by key from an index made once (a master.cf can hold 100,000 services, each an open relay). */
function serviceByKey(ctx: RuleContext, key: string): SmtpdService | undefined {
  const byKey = ctx.once('relay:services by key', () => {
    const m = new Map<string, SmtpdService>();
    for (const s of ctx.smtpdServices()) if (!m.has(s.key)) m.set(s.key, s);
    return m;
  });
  return byKey.get(key) ?? (key === '(default)' ? ctx.smtpdServices()[0] : undefined);
}

/**
 * A service on a loopback address and a port of its own (content-filter
 * re-injection, for example 127.0.0.1:10025): clients on the Internet cannot
 * reach it. Loopback services on 25/587/465 still count: a proxy in front may
 * hand them Internet clients.
 */
function loopbackOnly(svc: SmtpdService): boolean {
  if (svc.port25 || svc.submission || svc.smtps) return false;
  const name = svc.service?.name.text ?? '';
  const colon = name.lastIndexOf(':');
  if (colon < 0) return false;
  const host = name.slice(0, colon).replace(/^\[|\]$/g, '').toLowerCase();
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}

/** Which list item a trace step's source points at. */
function itemAt(sl: ServiceLists, file: string, range: Range): { item: Item; items: Item[] } | undefined {
  for (const l of sl.lists) {
    for (const item of l.items) {
      const loc = tokenLocation(item.name);
      if (loc && loc.file === file && loc.range.start.line === range.start.line && loc.range.start.character === range.start.character) return { item, items: l.items };
    }
  }
  return undefined;
}

function mynetworksLocation(ctx: RuleContext, service?: MasterService): { file: string; range: Range } | undefined {
  const w = ctx.raw('mynetworks', service).where;
  if (w.kind === 'main') return { file: ctx.config.mainPath, range: w.entry.valueRange };
  if (w.kind === 'master') return { file: ctx.config.masterPath, range: w.override.valueRange };
  return undefined;
}

interface RelayFinding {
  svc: SmtpdService;
  culprit: string;
  reply: string;
  fix?: TextEdit[];
  mynetworks?: boolean;
  /** Found only once the mynetworks problem is assumed fixed. */
  behind?: boolean;
  /** What the client claimed to get through (a forged sender or HELO name). */
  claim?: string;
}

/** Open-relay cells of the relay matrix of a (possibly patched) configuration, each traced to the restriction that permitted it. */
function* relayFindings(ctx: RuleContext, sim: SimConfig, found: ByLocation<RelayFinding>, behind: boolean, skipLines: Set<string>, variant = ''): Steps<TextEdit[][]> {
  const matrix = yield* reusedRelayMatrixSteps(sim, behind ? 'patched' : variant);
  const mynetworksFixes: TextEdit[][] = [];
  if (!matrix.openRelay) return mynetworksFixes;
  const names = new Map(simServices(sim).map((s) => [s.key, s.name]));
  for (const cell of matrix.cells) {
    if (!cell.openRelay) continue;
    const svc = serviceByKey(ctx, cell.service);
    if (!svc || loopbackOnly(svc)) continue;
    yield () => `open relay ${cell.service}: tracing ${cell.client} -> ${cell.recipient}`;
    const recipient = matrix.recipients.find((r) => r.label === cell.recipient)!.address;
    const p = cell.probe;
    const res = yield* simulateTransactionSteps(sim, {
      service: names.get(cell.service),
      client: { address: OUTSIDE },
      helo: p?.helo ?? matrix.helo,
      sender: p?.sender ?? matrix.sender,
      recipients: [recipient],
      through: 'rcpt',
    });
    const claim = p ? (p.helo !== matrix.helo ? `HELO ${p.helo}` : `MAIL FROM:<${p.sender}>`) : undefined;
    const reply = res.reply?.line ?? cell.reply?.line ?? '250 2.1.5 Ok';
    const sl = serviceLists(ctx, svc.service);
    const permits = res.trace.filter((s) => s.stage === 'rcpt' && s.depth === 0 && s.result === 'permit' && (s.list === 'relay' || s.list === 'recipient'));
    let placed = false;
    for (const step of permits) {
      const name = step.restriction.split(/\s+/)[0].toLowerCase();
      if (name === 'permit_mynetworks') {
        const loc = mynetworksLocation(ctx, svc.service);
        if (loc && !behind) {
          const fix = broadNetworkFix(ctx, svc.service);
          if (fix) mynetworksFixes.push(fix.edits);
          found.add(loc.file, loc.range, { svc, culprit: `mynetworks = ${ctx.value('mynetworks', svc.service)}`, reply, fix: fix?.edits, mynetworks: true, claim });
          placed = true;
          continue;
        }
      }
      if (!step.source || skipLines.has(`${step.source.file}:${step.source.range.start.line}`)) continue;
      const hit = itemAt(sl, step.source.file, step.source.range);
      const fix = hit && !['permit_mynetworks', 'permit_sasl_authenticated'].includes(hit.item.lower) ? guardEdits(ctx, hit.items, hit.item) : undefined;
      found.add(step.source.file, step.source.range, { svc, culprit: step.restriction, reply, fix, behind, claim });
      placed = true;
    }
    if (!placed && !behind) {
      const relay = sl.lists.find((l) => l.stage === 'relay')!;
      const loc = relay.tokens.map(tokenLocation).find((x) => x);
      const w = ctx.raw('smtpd_relay_restrictions', svc.service).where;
      const at = loc ?? (w.kind === 'main' ? { file: ctx.config.mainPath, range: w.entry.range } : w.kind === 'master' ? { file: ctx.config.masterPath, range: w.override.range } : { file: ctx.config.mainPath, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
      found.add(at.file, at.range, { svc, culprit: 'no restriction rejects it', reply, claim });
    }
  }
  return mynetworksFixes;
}

const uniqueEdits = (edits: TextEdit[]) => [...new Map(edits.map((e) => [JSON.stringify(e), e])).values()];

function* openRelay(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<RelayFinding>();
  // An IPv6 network without brackets in mynetworks (PF503) stops smtpd at start-up ("::1/128") or fails every
  // lookup past it ("2001:db8::/32"): either hides an open relay that its fix would open. Judge as if bracketed.
  // In steps: mynetworks may hold 100,000 words on one line.
  const brackets = yield* bracketEditsSteps(ctx);
  const sim = yield* bracketedSimSteps(ctx);
  yield 'open relay: mynetworks as if bracketed';
  const mynetworksFixes = yield* relayFindings(ctx, sim, found, false, new Set(), brackets.length ? 'bracketed' : '');
  // A mynetworks that trusts everyone hides what else would let outsiders relay: look again as if it were fixed.
  const edits = uniqueEdits(mynetworksFixes.flat());
  if (edits.length) {
    const skip = new Set(edits.map((e) => `${e.file}:${e.range.start.line}`));
    yield 'open relay: the configuration as written';
    yield* relayFindings(ctx, yield* patchedSimSteps(ctx, uniqueEdits([...edits, ...brackets])), found, true, skip);
  }
  const out: Problem[] = [];
  for (const { file, range, items } of found.entries()) {
    const first = items[0];
    const services = listText(items.map((i) => i.svc.label));
    const who = (first.mynetworks ? `${OUTSIDE}, not logged in` : `${OUTSIDE}, not in mynetworks, not logged in`) + (first.claim ? `, sending ${first.claim}` : '');
    const because = first.mynetworks
      ? `${first.culprit} includes any Internet address, and permit_mynetworks lets it relay.`
      : first.culprit === 'no restriction rejects it'
        ? 'No restriction rejects it.'
        : `"${first.culprit}" permits it before any reject_unauth_destination${first.behind ? ' (this shows once mynetworks no longer trusts everyone)' : ''}.`;
    const forged = first.claim ? ` Any client can claim ${first.claim}.` : '';
    const msg = `Open relay on ${services}: a client on the Internet (${who}) may send mail to an outside domain; the simulated RCPT TO gets "${first.reply}". ${because}${forged}`;
    const fixEdits = items.find((i) => i.fix)?.fix;
    const title = first.mynetworks ? 'Remove the networks that trust the whole Internet from mynetworks' : 'Insert reject_unauth_destination before it';
    out.push(problem(OPEN_RELAY, file, range, msg, fixEdits ? [{ title, edits: fixEdits, hardening: true }] : undefined));
  }
  return out;
}

export const relayRule: Rule = {
  codes: [RELAY_GUARD_MISSING, OPEN_RELAY],
  check(ctx) {
    return drain(relayRule.steps!(ctx));
  },
  *steps(ctx) {
    const guard = yield* relayGuard(ctx);
    const open = yield* openRelay(ctx);
    return [...guard, ...open];
  },
};

// PF522: reject_unverified_recipient evaluated before the relay guard
// (reject_unauth_destination / defer_unauth_destination). Address
// verification probes the recipient by trying to deliver to it; ahead of the
// guard, any client makes this server send probes to any address on the
// Internet (a backscatter and reputation risk, and a way to make it connect
// wherever one likes), and the probe result answers the client before
// "Relay access denied" would.

import type { Problem } from '../types';
import { drain, type Steps } from '../steps';
import type { RuleContext } from './context';
import { insertBefore } from './edits';
import { ListPace, ServiceLists, serviceListsSteps, tokenLocation, type Item } from './lists';
import { code, problem, Rule } from './rule';
import { ByLocation, listText } from './util';

export const UNVERIFIED_BEFORE_GUARD = code('PF522', 'unverified-recipient-before-relay-guard', 'warning', 'security', 'reject_unverified_recipient comes before reject_unauth_destination: outside addresses get probed');

const GUARDS = new Set(['reject_unauth_destination', 'defer_unauth_destination']);

const LABEL = 'PF522 reject_unverified_recipient before the relay guard';

/**
 * Index of the first item of a list that is the guard, or a class whose body
 * has it; `guarding` keeps each class body's answer (a list may name a class
 * thousands of times), `pace` ends a step every ITEMS_PER_STEP items walked.
 */
function* guardIndex(items: Item[], sl: ServiceLists, guarding: WeakMap<Item[], boolean>, pace: ListPace): Steps<number> {
  for (let i = 0; i < items.length; i++) {
    if (pace.item()) yield LABEL;
    const it = items[i];
    if (GUARDS.has(it.lower)) return i;
    if (it.kind !== 'class') continue;
    const body = sl.classLists.get(it.name.text)?.items;
    if (!body) continue;
    let guards = guarding.get(body);
    if (guards === undefined) {
      guards = false;
      for (const x of body) {
        if (pace.item()) yield LABEL;
        if (GUARDS.has(x.lower)) {
          guards = true;
          break;
        }
      }
      guarding.set(body, guards);
    }
    if (guards) return i;
  }
  return -1;
}

/** Index of the first reject_unverified_recipient that rejects (not under warn_if_reject), in steps. */
function* unverifiedIndex(items: Item[], pace: ListPace): Steps<number> {
  for (let i = 0; i < items.length; i++) {
    if (pace.item()) yield LABEL;
    if (items[i].lower === 'reject_unverified_recipient' && !items[i].warnOnly) return i;
  }
  return -1;
}

function* unverifiedBeforeGuard(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ label: string; item: Item; items: Item[] }>();
  const guarding = new WeakMap<Item[], boolean>();
  // A step every SERVICES_PER_STEP services (each with its lists and a parameter expanded), or ITEMS_PER_STEP items of long lists.
  const pace = new ListPace();
  for (const svc of ctx.smtpdServices()) {
    const sl = yield* serviceListsSteps(ctx, svc.service);
    if (pace.list(sl)) yield LABEL;
    const relay = sl.lists.find((l) => l.stage === 'relay')!;
    const rcpt = sl.lists.find((l) => l.stage === 'recipient')!;
    // smtpd_relay_before_recipient_restrictions (yes from level 3.6) decides which list runs first.
    const relayFirst = /^(yes|true|1)$/i.test(ctx.value('smtpd_relay_before_recipient_restrictions', svc.service).trim());
    const order = relayFirst ? [relay, rcpt] : [rcpt, relay];
    let guarded = false;
    for (const list of order) {
      const g = yield* guardIndex(list.items, sl, guarding, pace);
      const v = yield* unverifiedIndex(list.items, pace);
      if (!guarded && v >= 0 && (g < 0 || v < g)) found.add(tokenLocation(list.items[v].name)?.file ?? ctx.config.mainPath, tokenLocation(list.items[v].name)?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, { label: svc.label, item: list.items[v], items: list.items });
      if (g >= 0) guarded = true;
    }
  }
  return found.entries().map(({ file, range, items }) => {
    const { item, items: list } = items[0];
    const guard = list.find((it) => GUARDS.has(it.lower))?.name.text ?? 'reject_unauth_destination';
    const fixes = item.name.token ? [{ title: `Insert ${guard} before reject_unverified_recipient`, edits: [insertBefore(item.name.token, guard)], hardening: true }] : undefined;
    return problem(
      UNVERIFIED_BEFORE_GUARD,
      file,
      range,
      `reject_unverified_recipient runs before reject_unauth_destination on ${listText(items.map((i) => i.label))}: any client can make this server probe arbitrary outside addresses. Put the relay guard first.`,
      fixes,
    );
  });
}

export const unverifiedBeforeGuardRule: Rule = {
  codes: [UNVERIFIED_BEFORE_GUARD],
  check(ctx) {
    return drain(unverifiedBeforeGuard(ctx));
  },
  steps: unverifiedBeforeGuard,
};

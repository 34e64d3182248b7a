// PF412: restriction classes that call each other. smtpd expands a class name
// by walking the class's own list (generic_checks), with no limit on the
// nesting when one class names another directly; only a class reached through
// an access table result is cut off after 100 levels. A loop therefore never
// ends: smtpd runs out of stack and dies with signal 11, at startup when its
// search for the relay guard enters the loop, else as soon as a request
// reaches it (the client sees the connection close).

import type { Problem } from '../types';
import { allServiceListsSteps, ListPace, type ListToken, type ServiceLists } from './lists';
import { drain, type Steps } from '../steps';
import { code, problem, Rule } from './rule';
import { ByLocation } from './util';

export const CLASS_LOOP = code('PF412', 'restriction-class-loop', 'error', 'postfix', 'Restriction classes call each other in a loop: smtpd crashes when it follows them');

/**
 * Each loop of classes reachable from the service's restriction lists, as the
 * names along it and the word that closes it; `pace` ends a step after
 * ITEMS_PER_STEP restrictions walked, class bodies included, or
 * SERVICES_PER_STEP services.
 */
function* loops(sl: ServiceLists, pace: ListPace): Steps<{ cycle: string[]; closing: ListToken; from: string }[]> {
  const label = 'PF412 restriction classes';
  const found: { cycle: string[]; closing: ListToken; from: string }[] = [];
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  // Iterative depth-first search: a configuration may define thousands of classes.
  function* visit(root: string, from: string): Steps<void> {
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'active');
    path.push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const items = sl.classLists.get(top.name)?.items ?? [];
      if (top.next >= items.length) {
        state.set(top.name, 'done');
        path.pop();
        stack.pop();
        continue;
      }
      if (pace.item()) yield label;
      const it = items[top.next++];
      if (it.kind !== 'class') continue;
      const callee = it.name.text;
      const s = state.get(callee);
      if (s === 'active') found.push({ cycle: [...path.slice(path.indexOf(callee)), callee], closing: it.name, from });
      else if (s === undefined && sl.classLists.has(callee)) {
        state.set(callee, 'active');
        path.push(callee);
        stack.push({ name: callee, next: 0 });
      }
    }
  }
  if (pace.list(sl)) yield label;
  for (const list of sl.lists) {
    for (const it of list.items) {
      if (pace.item()) yield label;
      if (it.kind === 'class' && !state.has(it.name.text) && sl.classLists.has(it.name.text)) yield* visit(it.name.text, list.parameter);
    }
  }
  return found;
}

function* classLoops(ctx: Parameters<Rule['check']>[0]): Steps<Problem[]> {
  const found = new ByLocation<{ cycle: string[]; from: string }>();
  // A service without -o settings has main.cf's lists (the same objects): their loops are main.cf's, found once.
  const seen = new Set<ServiceLists['lists']>();
  const pace = new ListPace();
  for (const sl of yield* allServiceListsSteps(ctx)) {
    if (seen.has(sl.lists)) continue;
    seen.add(sl.lists);
    for (const l of yield* loops(sl, pace)) found.addToken(l.closing, { cycle: l.cycle, from: l.from });
  }
  return found.entries().map(({ file, range, items }) => {
    const { cycle, from } = items[0];
    const what = cycle.length === 2 ? `restriction class ${cycle[0]} names itself` : `restriction classes call each other: ${cycle.join(' -> ')}`;
    return problem(
      CLASS_LOOP,
      file,
      range,
      `${what} (reached from ${from}). smtpd follows class names without a limit, so it crashes (master: "process smtpd killed by signal 11"): at startup when its search for reject_unauth_destination enters the loop, otherwise when a request reaches it, and the client sees the connection close. Break the loop.`,
    );
  });
}

export const classLoopRule: Rule = {
  codes: [CLASS_LOOP],
  check(ctx) {
    return drain(classLoops(ctx));
  },
  steps: classLoops,
};

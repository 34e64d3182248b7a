// Computations in steps: generators that yield between pieces of work, so the
// language server can answer requests in between (features/priority.ts) and
// drop the rest when a newer edit makes the result stale. The CLI and other
// synchronous callers run them to the end in one go.
//
// A step may yield a label naming the piece it has just done (`relay matrix
// smtp: outside -> outside domain`): the server shows them in its protocol
// trace (`$/setTrace verbose`), so a slow step can be named, and a test can
// see by the order of messages what a request was answered between.

/**
 * What a step yields: its label, or a function that makes it, for a label
 * that takes formatting (names joined, a service's key): called only when
 * someone reads it (the server's trace when it is on), never by `drain`.
 */
export type StepLabel = string | (() => string);

/** A computation in steps that returns T; each yield ends a step, with a label or none. */
export type Steps<T> = Generator<StepLabel | void, T, unknown>;

/** The text of a step's label. */
export function labelText(label: StepLabel): string {
  return typeof label === 'string' ? label : label();
}

/** Runs a stepped computation to its end without pausing. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

// How much a loop that walks something possibly huge does between two
// yields, each sized for at most ~10 ms of CPU on a quiet machine (a hover
// waits behind one step; issue 8 asks for p95 < 50 ms), and a counter's cost
// only on inputs of ordinary size, which never reach one step. Gathered here
// so the sizes can be read, and weighed, side by side.

/** Restriction-list words grouped or walked by the rules (rules/lists.ts): a doubled list holds 2^17 words and more. */
export const ITEMS_PER_STEP = 8192;

/** Findings turned into problems or given quick fixes: each may look for a near name in the catalog (tens of µs). */
export const PROBLEMS_PER_STEP = 256;

/** Problems turned into LSP diagnostics (features/diagnostics.ts): a few µs each, 10,000 findings on a main.cf of 100,000 settings. */
export const DIAGNOSTICS_PER_STEP = 1024;

/** Restrictions the simulator walks (simulate/restrictions.ts): each may look up a table or match a list. */
export const RESTRICTIONS_PER_STEP = 2048;

/** Match-list words compiled or indexed by pattern (simulate/lists.ts): a lower-casing and a Map entry each. */
export const COMPILED_PER_STEP = 1 << 13;

/** Network patterns parsed into the address index of a host/address list (simulate/lists.ts): a parse each, dearer than a word. */
export const NETWORKS_PER_STEP = 1 << 12;

/** List tokens copied from a referenced list or into a word array (simulate/config.ts): ~0.1 µs each. */
export const TOKENS_PER_STEP = 1 << 15;

/** Words of a list scanned with a cheap test each, nothing made (simulate.ts's table forms, listSteps' check of a value). */
export const SCANNED_WORDS_PER_STEP = 1 << 15;

/** Words written in a value, split from it and located in the file (a slice and an object each): 100,000 were 300-400 ms in one piece. */
export const WRITTEN_WORDS_PER_STEP = 1 << 12;

/** smtpd services a rule judges between two yields: each reads a dozen parameters for the service and walks its lists (tens of µs). */
export const SERVICES_PER_STEP = 256;

/** main.cf and -o settings read with their ranges and `$name`s (navigation/occurrences.ts, semantic/tokens.ts): a few µs each, 100,000 services' worth. */
export const SETTINGS_PER_STEP = 2048;

/** master.cf services copied into the simulator's view, indexed or compared with a kept copy (a few objects or a short JSON text each): 100,000 were 150-450 ms in one piece. */
export const MASTER_SERVICES_PER_STEP = 1 << 11;

/** main.cf settings parsed (maincf/parse.ts): a name, a value and a logical line each (ranges and `$name`s are made when asked), 1-3 µs. */
export const PARSED_SETTINGS_PER_STEP = 1 << 10;

/**
 * The longest a loop over services goes between two yields however few it
 * has judged: the counts above are sized on a quiet machine, and the same 256
 * services took 80-200 ms after an edit of a master.cf of 100,000 services,
 * when garbage collection ran in every piece. Wall time, so a loaded machine
 * cuts pieces shorter; what is computed does not depend on where it is cut.
 */
export const PIECE_MS = 10;

/** Tells a loop when PIECE_MS have passed since it last yielded (`restart` after each yield). */
export class PieceClock {
  private start = performance.now();

  due(): boolean {
    return performance.now() - this.start >= PIECE_MS;
  }

  restart(): void {
    this.start = performance.now();
  }
}

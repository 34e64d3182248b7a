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

/**
 * How many words or list items a loop handles between two yields when it
 * walks something that may be huge (a restriction list built by doubling
 * holds 2^17 words and more): about 10 ms of work for the costliest such
 * loops, a counter's cost on a list of ordinary size, which never yields.
 */
export const ITEMS_PER_STEP = 8192;

/**
 * How many findings a loop turns into problems, or gives quick fixes, between
 * two yields: each may look for a near name in the catalog (tens of µs), and
 * a configuration may have 10,000 of them.
 */
export const PROBLEMS_PER_STEP = 256;

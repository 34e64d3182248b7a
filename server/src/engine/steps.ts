// Computations in steps: generators that yield between pieces of work, so the
// language server can answer requests in between (features/priority.ts) and
// drop the rest when a newer edit makes the result stale. The CLI and other
// synchronous callers run them to the end in one go.
//
// A step may yield a label naming the piece it has just done (`relay matrix
// smtp: outside -> outside domain`): the server shows them in its protocol
// trace (`$/setTrace verbose`), so a slow step can be named, and a test can
// see by the order of messages what a request was answered between.

/** A computation in steps that returns T; each yield ends a step, with a label or none. */
export type Steps<T> = Generator<string | void, T, unknown>;

/** Runs a stepped computation to its end without pausing. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

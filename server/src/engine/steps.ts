// Computations in steps: generators that yield between pieces of work, so the
// language server can answer requests in between (features/priority.ts) and
// drop the rest when a newer edit makes the result stale. The CLI and other
// synchronous callers run them to the end in one go.

/** Runs a stepped computation to its end without pausing. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

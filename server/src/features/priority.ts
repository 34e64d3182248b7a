// Requests before analyses. Analyses run in steps on the one thread that also
// answers the client (analysis.ts, workspaceDiagnostics.ts); between two steps
// they give way here until every message that has arrived has been handled:
// a hover, a completion or a newer edit never waits for more than the step
// under way, and a newer edit makes the analysis stale before it goes on.
//
// vscode-jsonrpc handles one message per setImmediate turn, queued when the
// message is read. A single setImmediate of ours, queued earlier, would run
// first and start the next step before the queued message; so we wait two
// turns and go on only after a pair of turns in which no message was handled.

import type { ConnectionOptions } from './lsp';
import type { Steps } from '../engine/steps';

/** Messages handled so far (counted as the connection hands them to the server). */
let handled = 0;

/** Passed to createConnection (server.ts): counts the messages it handles. */
export const messageStrategy: NonNullable<ConnectionOptions['messageStrategy']> = {
  handleMessage(message, next) {
    handled++;
    return next(message);
  },
};

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Resolves once the messages that have arrived are handled (see above). */
export async function yieldToRequests(): Promise<void> {
  for (;;) {
    const before = handled;
    await turn();
    await turn();
    if (handled === before) return;
  }
}

/**
 * Runs a computation in steps (engine/steps.ts), giving way to requests
 * between them; undefined as soon as `isStale()` turns true (a newer edit
 * arrived), the rest of the work dropped.
 */
export async function runSteps<T>(steps: Steps<T>, isStale: () => boolean = () => false): Promise<T | undefined> {
  for (;;) {
    if (isStale()) return undefined;
    const r = steps.next();
    if (r.done) return r.value;
    await yieldToRequests();
  }
}

// What every feature module receives: the connection, the open documents, the
// workspace view of the file system, and a guard that keeps one failing
// handler from taking the server down.

import type { ClientCapabilities, Connection, ServerCapabilities } from './lsp';
import type { DocumentStore } from './documents';
import type { Analyses } from './analysis';
import type { Workspace } from './workspace';

export interface ServerContext {
  connection: Connection;
  /** Open Postfix configuration documents (not logs). */
  documents: DocumentStore;
  /** Open Postfix logs (the postfix-log language). */
  logs: DocumentStore;
  workspace: Workspace;
  /** The shared analysis of each configuration directory (analysis.ts). */
  analyses: Analyses;
  /** The workspace folders' paths, from `initialize` (empty without a workspace). */
  roots: string[];
  /** Logs to the client's output channel (window/logMessage). */
  log: Logger;
  /**
   * Wraps a handler so that an exception (a bug in the engine or a feature) is
   * logged and answered with `fallback` instead of escaping into the server.
   */
  guard<P extends unknown[], R>(name: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R>;
}

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/** One LSP feature: the capabilities it announces and the handlers it registers. */
export interface Feature {
  name: string;
  capabilities: ServerCapabilities;
  /** Capabilities that depend on what the client supports (merged after `capabilities`). */
  capabilitiesFor?(client: ClientCapabilities): ServerCapabilities;
  register(ctx: ServerContext): void;
  /** After the `initialized` notification: dynamic registrations go here. */
  initialized?(ctx: ServerContext, client: ClientCapabilities): void;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export function makeGuard(log: Logger): ServerContext['guard'] {
  return (name, fallback, handler) =>
    async (...args) => {
      try {
        return await handler(...args);
      } catch (e) {
        log.error(`${name} failed: ${describeError(e)}`);
        return fallback;
      }
    };
}

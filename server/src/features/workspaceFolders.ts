// Workspace folders added or removed while the server runs
// (workspace/didChangeWorkspaceFolders): ctx.roots follows them, and the
// features that work on the whole workspace (workspace diagnostics, symbols,
// the log explainer's configuration) hear of it.

import type { WorkspaceFoldersChangeEvent } from './lsp';
import { describeError, type Feature } from './context';
import { uriToPath } from './workspace';

const listeners: (() => void)[] = [];

/** Called after ctx.roots changed. */
export function onWorkspaceFoldersChanged(listener: () => void): void {
  listeners.push(listener);
}

/** The folder paths after an event: removed ones go, added ones come (once each). Untrusted input: malformed entries are skipped. */
export function applyFolderChange(roots: string[], event: WorkspaceFoldersChangeEvent | undefined): string[] {
  const paths = (list: unknown) => (Array.isArray(list) ? list : []).map((f) => (typeof f?.uri === 'string' ? uriToPath(f.uri) : undefined)).filter((p): p is string => p !== undefined);
  const removed = new Set(paths(event?.removed));
  const out = roots.filter((r) => !removed.has(r));
  for (const p of paths(event?.added)) if (!out.includes(p)) out.push(p);
  return out;
}

export const workspaceFolders: Feature = {
  name: 'workspaceFolders',
  // changeNotifications: true registers the notification statically (no client/registerCapability round trip).
  capabilities: { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } },
  initialized(ctx, client) {
    if (!client.workspace?.workspaceFolders) return;
    ctx.connection.workspace.onDidChangeWorkspaceFolders((event) => {
      try {
        const next = applyFolderChange(ctx.roots, event);
        if (next.length === ctx.roots.length && next.every((r, i) => r === ctx.roots[i])) return;
        ctx.roots = next;
        ctx.log.info(`workspace folders: ${next.length ? next.join(', ') : 'none'}`);
        for (const l of listeners) l();
      } catch (e) {
        ctx.log.error(`workspace folders change failed: ${describeError(e)}`);
      }
    });
  },
  register() {
    // Handlers are set once the client's capabilities are known (initialized).
  },
};

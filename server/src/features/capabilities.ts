// The server's capabilities: the union of what each feature announces.
// Object.assign is not enough: two features that run commands must both list
// theirs in executeCommandProvider, or the client never sends one of them.

import type { ServerCapabilities } from './lsp';

export function mergeCapabilities(base: ServerCapabilities, ...parts: (ServerCapabilities | undefined)[]): ServerCapabilities {
  const out: ServerCapabilities = { ...base };
  for (const part of parts) {
    if (!part) continue;
    const commands = [...(out.executeCommandProvider?.commands ?? []), ...(part.executeCommandProvider?.commands ?? [])];
    Object.assign(out, part);
    if (commands.length) out.executeCommandProvider = { ...out.executeCommandProvider, commands: [...new Set(commands)] };
  }
  return out;
}

// workspace/symbol: parameters (main.cf lines, master.cf -o) and services of
// every configuration directory under the workspace folders and of every
// open main.cf/master.cf (engine/navigation/symbols.ts).

import { SymbolKind, type SymbolInformation, type WorkspaceSymbolParams } from './lsp';
import { loadConfig } from '../engine/config';
import { configSymbols, matchesQuery } from '../engine/navigation';
import { findConfigDirs } from '../disk/find-config-dirs';
import type { Feature, ServerContext } from './context';
import { analysisOptions } from './settings';
import { pathToUri } from './workspace';

/** Enough for any picker; a workspace of a hundred configurations stays responsive. */
const MAX_RESULTS = 1000;

export function workspaceSymbolsFor(ctx: ServerContext, params: WorkspaceSymbolParams): SymbolInformation[] {
  const query = typeof params?.query === 'string' ? params.query : '';
  const dirs = new Set(findConfigDirs(ctx.roots).dirs);
  // Open documents first: their configuration is the one being edited (unsaved text included).
  const configs = ctx.workspace
    .open()
    .filter((od) => od.kind !== 'map' && !od.path.startsWith('/nonexistent-untitled/'))
    .map((od) => ctx.analyses.current(od.document).config);
  for (const c of configs) dirs.delete(c.dir);
  for (const dir of [...dirs].sort()) configs.push(loadConfig(dir, ctx.workspace, analysisOptions()));
  const out: SymbolInformation[] = [];
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.dir)) continue;
    seen.add(config.dir);
    for (const s of configSymbols(config)) {
      if (!matchesQuery(s.name, query)) continue;
      out.push({ name: s.name, kind: s.kind === 'service' ? SymbolKind.Module : SymbolKind.Property, location: { uri: pathToUri(s.file), range: s.range }, containerName: `${s.container} (${config.dir})` });
      if (out.length >= MAX_RESULTS) return out;
    }
  }
  return out;
}

export const workspaceSymbols: Feature = {
  name: 'workspaceSymbols',
  capabilities: { workspaceSymbolProvider: true },
  register(ctx) {
    ctx.connection.onWorkspaceSymbol(ctx.guard('workspaceSymbol', [] as SymbolInformation[], (p: WorkspaceSymbolParams) => workspaceSymbolsFor(ctx, p)));
  },
};

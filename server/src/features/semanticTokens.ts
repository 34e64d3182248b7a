// textDocument/semanticTokens/full: colours the grammar cannot know (unknown,
// user-defined, deprecated and undefined names, restriction classes, dead
// settings, unreachable restrictions); engine/semantic/tokens.ts decides,
// package.json's semanticTokenScopes maps the custom types to theme scopes.

import type { CancellationToken, SemanticTokens, SemanticTokensParams } from './lsp';
import { encodeTokens, semanticTokensSteps, TOKEN_MODIFIERS, TOKEN_TYPES } from '../engine/semantic/tokens';
import type { Feature, ServerContext } from './context';
import { navigationSubject } from './navigation';
import { runSteps } from './priority';

export const SEMANTIC_LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

/**
 * The tokens of an open main.cf or master.cf, after the shared analysis (joined
 * if under way: its lint registers postconf's parameters, which the tokens
 * reuse) and in steps, so hovers are answered meanwhile. A cancelled request
 * gets no tokens (the client has dropped it).
 */
export async function semanticTokensFor(ctx: ServerContext, params: SemanticTokensParams, token?: CancellationToken): Promise<SemanticTokens> {
  const uri = params?.textDocument?.uri;
  const document = typeof uri === 'string' ? ctx.documents.get(uri) : undefined;
  if (!document || ctx.workspace.describe(document).kind === 'map') return { data: [] };
  const isStale = () => token?.isCancellationRequested === true;
  if (!(await ctx.analyses.compute(document, isStale))) return { data: [] };
  const s = navigationSubject(ctx, uri);
  if (!s) return { data: [] };
  const tokens = await runSteps(semanticTokensSteps(s.config, s.file), isStale);
  return { data: tokens ? encodeTokens(tokens) : [] };
}

export const semanticTokens: Feature = {
  name: 'semanticTokens',
  capabilities: { semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: false } },
  register(ctx) {
    ctx.connection.languages.semanticTokens.on(
      ctx.guard('semanticTokens', { data: [] } as SemanticTokens, (p: SemanticTokensParams, token: CancellationToken) => semanticTokensFor(ctx, p, token)),
    );
  },
};

// textDocument/semanticTokens/full: colours the grammar cannot know (unknown,
// user-defined, deprecated and undefined names, restriction classes, dead
// settings, unreachable restrictions); engine/semantic/tokens.ts decides,
// package.json's semanticTokenScopes maps the custom types to theme scopes.

import type { SemanticTokens, SemanticTokensParams } from './lsp';
import { encodeTokens, semanticTokens as tokensOf, TOKEN_MODIFIERS, TOKEN_TYPES } from '../engine/semantic/tokens';
import type { Feature, ServerContext } from './context';
import { navigationSubject } from './navigation';

export const SEMANTIC_LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export function semanticTokensFor(ctx: ServerContext, params: SemanticTokensParams): SemanticTokens {
  const uri = params?.textDocument?.uri;
  const s = typeof uri === 'string' ? navigationSubject(ctx, uri) : undefined;
  if (!s) return { data: [] };
  return { data: encodeTokens(tokensOf(s.config, s.file)) };
}

export const semanticTokens: Feature = {
  name: 'semanticTokens',
  capabilities: { semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: false } },
  register(ctx) {
    ctx.connection.languages.semanticTokens.on(ctx.guard('semanticTokens', { data: [] } as SemanticTokens, (p: SemanticTokensParams) => semanticTokensFor(ctx, p)));
  },
};

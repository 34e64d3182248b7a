// textDocument/semanticTokens/full (and full/delta after an edit): colours the grammar cannot know (unknown,
// user-defined, deprecated and undefined names, restriction classes, dead
// settings, unreachable restrictions); engine/semantic/tokens.ts decides,
// package.json's semanticTokenScopes maps the custom types to theme scopes.

import type { CancellationToken, SemanticTokens, SemanticTokensDelta, SemanticTokensDeltaParams, SemanticTokensEdit, SemanticTokensParams } from './lsp';
import { encodeTokens, semanticTokensSteps, TOKEN_MODIFIERS, TOKEN_TYPES } from '../engine/semantic/tokens';
import type { Feature, ServerContext } from './context';
import { navigationSubject } from './navigation';
import { runSteps } from './priority';

export const SEMANTIC_LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

/**
 * The encoded tokens of an open main.cf or master.cf, after the shared
 * analysis (joined if under way: its lint registers postconf's parameters,
 * which the tokens reuse) and in steps, so hovers are answered meanwhile.
 * Undefined for a table, a document we do not have, or a cancelled request
 * (the client has dropped it).
 */
async function tokenData(ctx: ServerContext, uri: unknown, token?: CancellationToken): Promise<number[] | undefined> {
  const document = typeof uri === 'string' ? ctx.documents.get(uri) : undefined;
  if (!document || ctx.workspace.describe(document).kind === 'map') return undefined;
  const isStale = () => token?.isCancellationRequested === true;
  if (!(await ctx.analyses.compute(document, isStale))) return undefined;
  const s = navigationSubject(ctx, document.uri);
  if (!s) return undefined;
  const tokens = await runSteps(semanticTokensSteps(s.config, s.file), isStale);
  return tokens && encodeTokens(tokens);
}

/**
 * The last answer per open document, for the client's next request after an
 * edit (textDocument/semanticTokens/full/delta): 190,000 tokens are 950,000
 * numbers, 4 MB of JSON and 50 ms in the protocol library per answer; the
 * change an edit makes is usually a few.
 */
const lastResults = new Map<string, { resultId: string; data: number[] }>();
let resultCount = 0;

function remembered(uri: string, data: number[]): SemanticTokens & { resultId: string } {
  const resultId = String(++resultCount);
  lastResults.set(uri, { resultId, data });
  return { resultId, data };
}

/** The edit from one encoding to another: what lies between their common start and common end (none when equal). */
function tokensDelta(before: readonly number[], after: readonly number[]): SemanticTokensEdit[] {
  const n = Math.min(before.length, after.length);
  let start = 0;
  while (start < n && before[start] === after[start]) start++;
  let end = 0;
  while (end < n - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  if (start === before.length && start === after.length) return [];
  return [{ start, deleteCount: before.length - start - end, data: after.slice(start, after.length - end) }];
}

export async function semanticTokensFor(ctx: ServerContext, params: SemanticTokensParams, token?: CancellationToken): Promise<SemanticTokens> {
  const data = await tokenData(ctx, params?.textDocument?.uri, token);
  return data ? remembered(params.textDocument.uri, data) : { data: [] };
}

/** The change since the client's last result when it is the one we keep, else the tokens whole. */
export async function semanticTokensDeltaFor(ctx: ServerContext, params: SemanticTokensDeltaParams, token?: CancellationToken): Promise<SemanticTokens | SemanticTokensDelta> {
  const data = await tokenData(ctx, params?.textDocument?.uri, token);
  if (!data) return { data: [] };
  const uri = params.textDocument.uri;
  const before = lastResults.get(uri);
  const now = remembered(uri, data);
  return before && before.resultId === params.previousResultId ? { resultId: now.resultId, edits: tokensDelta(before.data, data) } : now;
}

export const semanticTokens: Feature = {
  name: 'semanticTokens',
  capabilities: { semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: { delta: true }, range: false } },
  register(ctx) {
    ctx.connection.languages.semanticTokens.on(
      ctx.guard('semanticTokens', { data: [] } as SemanticTokens, (p: SemanticTokensParams, token: CancellationToken) => semanticTokensFor(ctx, p, token)),
    );
    ctx.connection.languages.semanticTokens.onDelta(
      ctx.guard('semanticTokens/delta', { data: [] } as SemanticTokens, (p: SemanticTokensDeltaParams, token: CancellationToken) => semanticTokensDeltaFor(ctx, p, token)),
    );
    ctx.documents.onDidClose((e) => lastResults.delete(e.document.uri));
  },
};

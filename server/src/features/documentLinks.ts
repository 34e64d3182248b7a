// textDocument/documentLink: table paths in main.cf and master.cf open the
// table file (or a database table's client configuration); the type word of
// an indexed table opens its compiled .db/.lmdb sibling (engine/navigation/links.ts).

import type { DocumentLink, DocumentLinkParams } from './lsp';
import { documentLinks as linksOf } from '../engine/navigation';
import type { Feature, ServerContext } from './context';
import { fileExists, navigationSubject } from './navigation';
import { pathToUri } from './workspace';

export function documentLinksFor(ctx: ServerContext, params: DocumentLinkParams): DocumentLink[] | null {
  const uri = params?.textDocument?.uri;
  if (typeof uri !== 'string') return null;
  const s = navigationSubject(ctx, uri);
  if (!s) return null;
  return linksOf(s.config, s.file, fileExists(ctx)).map((l) => ({ range: l.range, target: pathToUri(l.file), tooltip: l.tooltip }));
}

export const documentLinks: Feature = {
  name: 'documentLinks',
  capabilities: { documentLinkProvider: { resolveProvider: false } },
  register(ctx) {
    ctx.connection.onDocumentLinks(ctx.guard('documentLink', null, (p: DocumentLinkParams) => documentLinksFor(ctx, p)));
  },
};

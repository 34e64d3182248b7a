// Outline: main.cf parameters; master.cf services with their -o overrides as
// children. Lookup tables have no outline (a table can hold 100k keys).

import { DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { parseMainCf } from '../engine/maincf/parse';
import type { Feature } from './context';
import type { DocumentKind } from './documentKind';

const DETAIL_MAX = 60;

function shorten(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > DETAIL_MAX ? `${flat.slice(0, DETAIL_MAX - 1)}…` : flat;
}

function mainCfSymbols(text: string): DocumentSymbol[] {
  const cf = parseMainCf(text);
  return cf.entries.map((e) => ({
    name: e.name,
    // The last setting wins; say so on the ones it overrides.
    detail: cf.byName.get(e.name) === e ? shorten(e.value) : `(overridden) ${shorten(e.value)}`,
    kind: SymbolKind.Property,
    range: e.range,
    selectionRange: e.nameRange,
  }));
}

export function documentSymbolsFor(text: string, kind: DocumentKind): DocumentSymbol[] {
  if (kind === 'main') return mainCfSymbols(text);
  return [];
}

export const documentSymbols: Feature = {
  name: 'documentSymbols',
  capabilities: { documentSymbolProvider: { label: 'Postfix' } },
  register(ctx) {
    ctx.connection.onDocumentSymbol(
      ctx.guard('documentSymbol', null, (params) => {
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return null;
        return documentSymbolsFor(document.getText(), ctx.workspace.describe(document).kind);
      }),
    );
  },
};

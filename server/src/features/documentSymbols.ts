// Outline: main.cf parameters; master.cf services with their -o overrides as
// children. Lookup tables have no outline (a table can hold 100k keys).

import { DocumentSymbol, SymbolKind } from './lsp';
import { parseMainCf } from '../engine/maincf/parse';
import { parseMasterCf } from '../engine/mastercf';
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

function masterCfSymbols(text: string): DocumentSymbol[] {
  return parseMasterCf(text).services.map((s) => ({
    name: s.key,
    detail: shorten(s.command.text),
    kind: SymbolKind.Module,
    range: s.range,
    selectionRange: s.name.range,
    children: s.overrides.map((o) => ({
      name: o.name,
      detail: shorten(o.value),
      kind: SymbolKind.Property,
      range: o.range,
      selectionRange: o.nameRange,
    })),
  }));
}

export function documentSymbolsFor(text: string, kind: DocumentKind): DocumentSymbol[] {
  if (kind === 'main') return mainCfSymbols(text);
  if (kind === 'master') return masterCfSymbols(text);
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

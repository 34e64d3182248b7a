// Go to definition/declaration, references, document highlights and rename,
// over the configuration the document belongs to (engine/navigation).
//
//   textDocument/definition, /declaration → the setting a name gets its value from,
//                                           a table file, a transport's service
//   textDocument/references               → every use of a parameter or class in main.cf and master.cf
//   textDocument/documentHighlight        → the same, in this document (Write where it is set)
//   textDocument/prepareRename, /rename   → user-defined parameters and restriction classes only

import {
  DocumentHighlight,
  DocumentHighlightKind,
  Location,
  LocationLink,
  ResponseError,
  ErrorCodes,
  type Position,
  type TextDocumentPositionParams,
  type TextEdit,
  type WorkspaceEdit,
} from './lsp';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PostfixConfig } from '../engine/config';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, renameAt } from '../engine/navigation';
import { openVersion, versionedEdit } from './annotated-edit';
import { assistConfig } from './assist-config';
import type { Feature, ServerContext } from './context';
import { pathToUri } from './workspace';

export interface NavigationSubject {
  document: TextDocument;
  config: PostfixConfig;
  /** The document's file as the configuration names it (main.cf.proto stands in for main.cf). */
  file: string;
  toUri(file: string): string;
}

/** The configuration of an open main.cf or master.cf, with the mapping between its file names and URIs. */
export function navigationSubject(ctx: ServerContext, uri: string): NavigationSubject | undefined {
  const document = ctx.documents.get(uri);
  if (!document) return undefined;
  const od = ctx.workspace.describe(document);
  if (od.kind === 'map') return undefined;
  const { config } = assistConfig(ctx, od);
  const file = od.kind === 'main' ? config.mainPath : config.masterPath;
  const toUri = (f: string) => (f === file ? document.uri : pathToUri(f));
  return { document, config, file, toUri };
}

function isPositionParams(p: unknown): p is TextDocumentPositionParams {
  const x = p as TextDocumentPositionParams;
  return !!x && typeof x.textDocument?.uri === 'string' && Number.isInteger(x.position?.line) && Number.isInteger(x.position?.character);
}

let linkSupport = false;

/** A file on disk or an open buffer. */
export function fileExists(ctx: ServerContext): (path: string) => boolean {
  return (p) => ctx.workspace.mtimeMs(p) !== undefined || ctx.workspace.readText(p) !== undefined;
}

export function definition(ctx: ServerContext, params: TextDocumentPositionParams): Location[] | LocationLink[] | null {
  if (!isPositionParams(params)) return null;
  const s = navigationSubject(ctx, params.textDocument.uri);
  if (!s) return null;
  const targets = definitionAt(s.config, s.file, params.position, fileExists(ctx));
  if (targets.length === 0) return null;
  if (linkSupport) {
    return targets.map((t) => ({ originSelectionRange: t.origin, targetUri: s.toUri(t.file), targetRange: t.range, targetSelectionRange: t.range }));
  }
  return targets.map((t) => ({ uri: s.toUri(t.file), range: t.range }));
}

export function references(ctx: ServerContext, params: TextDocumentPositionParams & { context?: { includeDeclaration?: boolean } }): Location[] | null {
  if (!isPositionParams(params)) return null;
  const s = navigationSubject(ctx, params.textDocument.uri);
  if (!s) return null;
  return referencesAt(s.config, s.file, params.position, params.context?.includeDeclaration !== false).map((l) => ({ uri: s.toUri(l.file), range: l.range }));
}

export function documentHighlights(ctx: ServerContext, params: TextDocumentPositionParams): DocumentHighlight[] | null {
  if (!isPositionParams(params)) return null;
  const s = navigationSubject(ctx, params.textDocument.uri);
  if (!s) return null;
  return highlightsAt(s.config, s.file, params.position).map((h) => ({ range: h.range, kind: h.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

export function prepareRename(ctx: ServerContext, params: TextDocumentPositionParams) {
  if (!isPositionParams(params)) return null;
  const s = navigationSubject(ctx, params.textDocument.uri);
  if (!s) return null;
  const p = prepareRenameAt(s.config, s.file, params.position);
  if (!p) return null;
  if ('error' in p) throw new ResponseError(ErrorCodes.InvalidRequest, p.error);
  return p;
}

export function rename(ctx: ServerContext, params: TextDocumentPositionParams & { newName: string }): WorkspaceEdit | null {
  if (!isPositionParams(params) || typeof params.newName !== 'string') return null;
  const s = navigationSubject(ctx, params.textDocument.uri);
  if (!s) return null;
  const r = renameAt(s.config, s.file, params.position, params.newName.trim());
  if (!r) return null;
  if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
  const changes: Record<string, TextEdit[]> = {};
  for (const e of r.edits) (changes[s.toUri(e.file)] ??= []).push({ range: e.range, newText: e.newText });
  return versionedEdit({ changes }, openVersion(ctx));
}

/** The guard turns exceptions into a fallback; refusals must reach the client as errors. */
function passErrors<P, R>(ctx: ServerContext, name: string, fallback: R, handler: (p: P) => R) {
  return async (p: P): Promise<R | ResponseError<void>> => {
    try {
      return handler(p);
    } catch (e) {
      if (e instanceof ResponseError) return e;
      return ctx.guard(name, fallback, () => {
        throw e;
      })();
    }
  };
}

export const navigation: Feature = {
  name: 'navigation',
  capabilities: {
    definitionProvider: true,
    declarationProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    renameProvider: { prepareProvider: true },
  },
  initialized(_ctx, client) {
    linkSupport = client.textDocument?.definition?.linkSupport ?? false;
  },
  register(ctx) {
    ctx.connection.onDefinition(ctx.guard('definition', null, (p) => definition(ctx, p)));
    ctx.connection.onDeclaration(ctx.guard('declaration', null, (p) => definition(ctx, p)));
    ctx.connection.onReferences(ctx.guard('references', null, (p) => references(ctx, p)));
    ctx.connection.onDocumentHighlight(ctx.guard('documentHighlight', null, (p) => documentHighlights(ctx, p)));
    ctx.connection.onPrepareRename(passErrors(ctx, 'prepareRename', null, (p: TextDocumentPositionParams) => prepareRename(ctx, p)) as any);
    ctx.connection.onRenameRequest(passErrors(ctx, 'rename', null, (p: TextDocumentPositionParams & { newName: string }) => rename(ctx, p)) as any);
  },
};

export type { Position };

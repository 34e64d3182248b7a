// WorkspaceEdits whose parts the user confirms one by one: each part (a safe
// fix, a recipe) gets a change annotation with needsConfirmation, so VS Code
// opens its refactor preview with a checkbox per part instead of applying at
// once. Clients that did not announce changeAnnotationSupport get the same
// edit without annotations (LSP: servers must not send them otherwise).
//
// Every WorkspaceEdit the server sends (quick fixes, harden, recipes, rename)
// goes through versionedEdit: a client that announced documentChanges gets
// the edits of each open document as a TextDocumentEdit with the version it
// was computed from, so it refuses the edit once the text has moved on;
// files not open keep version null, and `changes` stays for other clients.

import type { AnnotatedTextEdit, ChangeAnnotation, ClientCapabilities, CreateFile, TextDocumentEdit, TextEdit as LspTextEdit, WorkspaceEdit } from './lsp';
import type { TextEdit } from '../engine/types';
import type { ServerContext } from './context';

export interface EditPart {
  label: string;
  description?: string;
  edits: TextEdit[];
  newFiles: { file: string; text: string }[];
}

let annotationSupport = false;
let documentChangesSupport = false;

/** Called once the client's capabilities are known (features/recipes.ts initialized). */
export function noteClientCapabilities(client: ClientCapabilities): void {
  const we = client.workspace?.workspaceEdit;
  documentChangesSupport = !!we?.documentChanges;
  annotationSupport = documentChangesSupport && !!we?.changeAnnotationSupport && (we?.resourceOperations?.includes('create') ?? false);
}

/** The version of a URI's open text (undefined: not open), for versionedEdit. */
export function openVersion(ctx: ServerContext): (uri: string) => number | undefined {
  return (uri) => ctx.documents.get(uri)?.version;
}

/**
 * The edit as sent to this client: with documentChanges support, each
 * existing document's edits as a TextDocumentEdit carrying `versionOf(uri)`,
 * the version of the open text the edit was made from (null for a file not
 * open). Call it while those texts are still the ones the edit was computed
 * from (the features check that before answering). `changes` is kept.
 */
export function versionedEdit(edit: WorkspaceEdit, versionOf: (uri: string) => number | undefined): WorkspaceEdit {
  if (!documentChangesSupport) return edit;
  const changes = Object.entries(edit.changes ?? {});
  if (!edit.documentChanges && changes.length === 0) return edit;
  const documentChanges = edit.documentChanges ?? changes.map(([uri, edits]): TextDocumentEdit => ({ textDocument: { uri, version: null }, edits }));
  return {
    ...edit,
    documentChanges: documentChanges.map((c) => ('textDocument' in c && c.textDocument.version === null ? { ...c, textDocument: { uri: c.textDocument.uri, version: versionOf(c.textDocument.uri) ?? null } } : c)),
  };
}

export function clientTakesAnnotations(): boolean {
  return annotationSupport;
}

const START = { line: 0, character: 0 };

/**
 * The parts as one WorkspaceEdit: `changes` for simple clients, and
 * `documentChanges` (files created and filled first, then one edit per
 * existing file) whose edits carry their part's annotation.
 */
export function annotatedWorkspaceEdit(parts: EditPart[], toUri: (file: string) => string): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  const byUri = new Map<string, AnnotatedTextEdit[]>();
  const changeAnnotations: Record<string, ChangeAnnotation> = {};
  const documentChanges: (CreateFile | TextDocumentEdit)[] = [];
  parts.forEach((part, i) => {
    const annotationId = `postfix-${i + 1}`;
    changeAnnotations[annotationId] = { label: part.label, needsConfirmation: true, ...(part.description ? { description: part.description } : {}) };
    for (const f of part.newFiles) {
      const uri = toUri(f.file);
      documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true }, annotationId });
      documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: { start: START, end: START }, newText: f.text, annotationId }] });
    }
    for (const e of part.edits) {
      const uri = toUri(e.file);
      (changes[uri] ??= []).push({ range: e.range, newText: e.newText });
      let list = byUri.get(uri);
      if (!list) byUri.set(uri, (list = []));
      list.push({ range: e.range, newText: e.newText, annotationId });
    }
  });
  for (const [uri, edits] of byUri) documentChanges.push({ textDocument: { uri, version: null }, edits });
  return { changes, documentChanges, changeAnnotations };
}

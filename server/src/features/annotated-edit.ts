// WorkspaceEdits whose parts the user confirms one by one: each part (a safe
// fix, a recipe) gets a change annotation with needsConfirmation, so VS Code
// opens its refactor preview with a checkbox per part instead of applying at
// once. Clients that did not announce changeAnnotationSupport get the same
// edit without annotations (LSP: servers must not send them otherwise).

import type { AnnotatedTextEdit, ChangeAnnotation, ClientCapabilities, CreateFile, TextDocumentEdit, TextEdit as LspTextEdit, WorkspaceEdit } from './lsp';
import type { TextEdit } from '../engine/types';

export interface EditPart {
  label: string;
  description?: string;
  edits: TextEdit[];
  newFiles: { file: string; text: string }[];
}

let annotationSupport = false;

/** Called once the client's capabilities are known (features/recipes.ts initialized). */
export function noteClientCapabilities(client: ClientCapabilities): void {
  const we = client.workspace?.workspaceEdit;
  annotationSupport = !!we?.documentChanges && !!we?.changeAnnotationSupport && (we.resourceOperations?.includes('create') ?? false);
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

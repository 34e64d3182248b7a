// textDocument/formatting and /rangeFormatting for main.cf and master.cf
// (engine/format): whole-line replacements, only where a line changes, so
// format-on-save leaves untouched lines (and the undo history) alone.
// Continuation lines in main.cf follow the editor's indentation settings.

import type { DocumentFormattingParams, DocumentRangeFormattingParams, FormattingOptions, TextEdit } from './lsp';
import { formatDocument } from '../engine/format';
import type { Feature, ServerContext } from './context';

function indentOf(options: FormattingOptions | undefined): string {
  const size = Number.isInteger(options?.tabSize) && options!.tabSize > 0 && options!.tabSize <= 16 ? options!.tabSize : 4;
  return options?.insertSpaces === false ? '\t' : ' '.repeat(size);
}

export function formattingEdits(ctx: ServerContext, params: DocumentFormattingParams | DocumentRangeFormattingParams): TextEdit[] | null {
  if (!params || typeof params.textDocument?.uri !== 'string') return null;
  const document = ctx.documents.get(params.textDocument.uri);
  if (!document) return null;
  const { kind } = ctx.workspace.describe(document);
  const range = 'range' in params && params.range ? params.range : undefined;
  const lines = range && Number.isInteger(range.start?.line) && Number.isInteger(range.end?.line) ? { from: range.start.line, to: range.end.line } : undefined;
  const text = document.getText();
  return formatDocument(kind, text, { indent: indentOf(params.options) }, lines).map((e) => ({
    range: { start: { line: e.line, character: 0 }, end: { line: e.line, character: lineLength(document.getText({ start: { line: e.line, character: 0 }, end: { line: e.line + 1, character: 0 } })) } },
    newText: e.newText,
  }));
}

/** Characters of a line without its end of line (`\r` stays in the file: the engine keeps it). */
function lineLength(withEol: string): number {
  return withEol.replace(/\r?\n$/, '').length;
}

export const formatting: Feature = {
  name: 'formatting',
  capabilities: { documentFormattingProvider: true, documentRangeFormattingProvider: true },
  register(ctx) {
    ctx.connection.onDocumentFormatting(ctx.guard('formatting', null, (p) => formattingEdits(ctx, p)));
    ctx.connection.onDocumentRangeFormatting(ctx.guard('rangeFormatting', null, (p) => formattingEdits(ctx, p)));
  },
};

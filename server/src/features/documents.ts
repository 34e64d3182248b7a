// The open documents, split by what they are: Postfix configuration files
// (main.cf, master.cf, tables), which every configuration feature serves, and
// Postfix logs (the `postfix-log` language: mail.log, maillog), which only the
// log explanation serves. A log is never linted as a lookup table.

import type { Disposable, TextDocumentChangeEvent, TextDocuments } from './lsp';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export const LOG_LANGUAGE = 'postfix-log';

/** The part of TextDocuments the features use, over one kind of document. */
export interface DocumentStore {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
  onDidOpen(listener: (e: TextDocumentChangeEvent<TextDocument>) => void): Disposable;
  onDidChangeContent(listener: (e: TextDocumentChangeEvent<TextDocument>) => void): Disposable;
  onDidClose(listener: (e: TextDocumentChangeEvent<TextDocument>) => void): Disposable;
}

export function isLogDocument(document: TextDocument): boolean {
  return document.languageId === LOG_LANGUAGE;
}

function filtered(documents: TextDocuments<TextDocument>, keep: (d: TextDocument) => boolean): DocumentStore {
  const when = (listener: (e: TextDocumentChangeEvent<TextDocument>) => void) => (e: TextDocumentChangeEvent<TextDocument>) => {
    if (keep(e.document)) listener(e);
  };
  return {
    get: (uri) => {
      const d = documents.get(uri);
      return d && keep(d) ? d : undefined;
    },
    all: () => documents.all().filter(keep),
    onDidOpen: (l) => documents.onDidOpen(when(l)),
    onDidChangeContent: (l) => documents.onDidChangeContent(when(l)),
    onDidClose: (l) => documents.onDidClose(when(l)),
  };
}

/** Configuration documents: everything but logs. */
export function configDocuments(documents: TextDocuments<TextDocument>): DocumentStore {
  return filtered(documents, (d) => !isLogDocument(d));
}

export function logDocuments(documents: TextDocuments<TextDocument>): DocumentStore {
  return filtered(documents, isLogDocument);
}

// textDocument/completion and completionItem/resolve. The items come from the
// engine's assist module as plain data; documentation is attached only on
// resolve (about 950 parameter descriptions would otherwise travel with every
// list), and resolve never touches the label, sort or filter text.

import { readdirSync, statSync } from 'node:fs';
import {
  Command,
  CompletionItem,
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  MarkupKind,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AssistCompletion, completeAt, ConfigCache, DirEntry, DocRef, ItemKind, resolveDocumentation } from '../engine/assist';
import { joinPath, PostfixConfig } from '../engine/config';
import type { FileReader } from '../engine/types';
import type { Feature, ServerContext } from './context';
import { currentSettings } from './settings';
import type { OpenDocument } from './workspace';

const KIND: Record<ItemKind, CompletionItemKind> = {
  parameter: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  restriction: CompletionItemKind.Function,
  class: CompletionItemKind.Class,
  tableType: CompletionItemKind.Module,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
  reference: CompletionItemKind.Variable,
  snippet: CompletionItemKind.Snippet,
  serviceType: CompletionItemKind.EnumMember,
  flag: CompletionItemKind.EnumMember,
  daemon: CompletionItemKind.Module,
  action: CompletionItemKind.Keyword,
  transport: CompletionItemKind.Reference,
  keyword: CompletionItemKind.Keyword,
};

const RETRIGGER: Command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

/** What resolve needs, carried in `data`. */
interface ItemData {
  doc: DocRef;
  version: string;
}

/** One configuration cache for completion and hover. */
export const configCache = new ConfigCache();

/**
 * The document's directory as a configuration, with the document's own text
 * for its path (untitled buffers too). A main.cf or master.cf under another
 * name (main.cf.proto, master.cf.dist) stands in for main.cf or master.cf.
 */
export function assistConfig(ctx: ServerContext, od: OpenDocument, version: string): { config: PostfixConfig; reader: FileReader } {
  const text = od.document.getText();
  const standIn = od.kind === 'main' ? joinPath(od.dir, 'main.cf') : od.kind === 'master' ? joinPath(od.dir, 'master.cf') : od.path;
  const reader: FileReader = {
    readText: (p) => (p === od.path || p === standIn ? text : ctx.workspace.readText(p)),
    mtimeMs: (p) => ctx.workspace.mtimeMs(p),
  };
  return { config: configCache.get(od.path, od.dir, reader, version, Date.now()), reader };
}

export function listDirectory(dir: string): DirEntry[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          isDir = statSync(`${dir.replace(/\/+$/, '')}/${e.name}`).isDirectory();
        } catch {
          isDir = false;
        }
      }
      return { name: e.name, dir: isDir };
    });
  } catch {
    return undefined;
  }
}

export function toCompletionItem(a: AssistCompletion, version: string): CompletionItem {
  const item: CompletionItem = {
    label: a.label,
    kind: KIND[a.kind],
    sortText: a.sortText,
    textEdit: { range: a.range, newText: a.insertText },
  };
  if (a.detail) item.detail = a.detail;
  if (a.filterText) item.filterText = a.filterText;
  if (a.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
  if (a.deprecated) item.tags = [CompletionItemTag.Deprecated];
  if (a.retrigger) item.command = RETRIGGER;
  if (a.doc) item.data = { doc: a.doc, version } satisfies ItemData;
  return item;
}

export function completionsFor(ctx: ServerContext, document: TextDocument, position: { line: number; character: number }): CompletionItem[] {
  const od = ctx.workspace.describe(document);
  const version = currentSettings().version;
  const { config } = assistConfig(ctx, od, version);
  const items = completeAt(od.kind, od.path, document.getText(), position, { config, version, listDir: listDirectory });
  return items.map((a) => toCompletionItem(a, version));
}

export function resolveCompletionItem(item: CompletionItem): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data?.doc) return item;
  const markdown = resolveDocumentation(data.doc, data.version ?? currentSettings().version);
  if (markdown) item.documentation = { kind: MarkupKind.Markdown, value: markdown };
  return item;
}

export const completion: Feature = {
  name: 'completion',
  capabilities: {
    completionProvider: {
      // `$`/`{`: references; `:` after a table type; `=` after -o name; `,`/space: next list item; `/`: paths.
      triggerCharacters: ['$', '{', '(', ':', '=', ',', ' ', '/'],
      resolveProvider: true,
    },
  },
  register(ctx) {
    ctx.connection.onCompletion(
      ctx.guard('completion', null, (params) => {
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return null;
        return { isIncomplete: false, items: completionsFor(ctx, document, params.position) };
      }),
    );
    ctx.connection.onCompletionResolve((item) => ctx.guard('completionItem/resolve', item, resolveCompletionItem)(item));
  },
};

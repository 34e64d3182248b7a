// textDocument/completion and completionItem/resolve. The items come from the
// engine's assist module as plain data; documentation is attached only on
// resolve (about 950 parameter descriptions would otherwise travel with every
// list), and resolve never touches the label, sort or filter text.

import { readdirSync, statSync } from 'node:fs';
import {
  Command,
  CompletionItem,
  CompletionList,
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  MarkupKind,
  Range,
} from './lsp';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AssistCompletion, completeListAt, DirEntry, DocRef, ItemKind, parameterDetail, resolveDocumentation } from '../engine/assist';
import type { Feature, ServerContext } from './context';
import { currentSettings } from './settings';
import { quickAssistConfig } from './assist-config';

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

/**
 * What resolve needs, carried in `data` and kept small: a list of ~950
 * parameter names is the largest answer the server gives. `'p'` stands for
 * "the parameter named by the label"; 0 for no documentation (in a list
 * whose default data is 'p'); anything else carries its DocRef.
 */
type ItemData = 'p' | 0 | { doc: DocRef };

function itemData(a: AssistCompletion): ItemData | undefined {
  if (!a.doc) return undefined;
  if (a.doc.t === 'parameter' && !a.doc.service && a.doc.name === a.label) return 'p';
  return { doc: a.doc };
}

function docRefOf(item: CompletionItem): DocRef | undefined {
  const data = item.data as ItemData | undefined;
  if (data === 'p') return { t: 'parameter', name: item.label };
  return data && typeof data === 'object' ? data.doc : undefined;
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

/** `editRange` shared by the items that have it (LSP 3.17 itemDefaults), when the client supports it. */
let clientTakesEditRange = false;
/** `data` shared the same way: the parameter-name items all carry `'p'`. */
let clientTakesData = false;
/** The client fills `detail` in on completionItem/resolve (VS Code does), so lists can leave it out. */
let clientResolvesDetail = false;

/** Lists at least this long are sent lean (see leanList); short ones are cheap as they are. */
const LEAN_FROM = 100;

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function toCompletionItem(a: AssistCompletion, sharedRange?: Range): CompletionItem {
  const item: CompletionItem = { label: a.label, kind: KIND[a.kind], sortText: a.sortText };
  if (sharedRange && sameRange(a.range, sharedRange)) item.textEditText = a.insertText;
  else item.textEdit = { range: a.range, newText: a.insertText };
  if (a.detail) item.detail = a.detail;
  if (a.filterText) item.filterText = a.filterText;
  if (a.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
  if (a.deprecated) item.tags = [CompletionItemTag.Deprecated];
  if (a.retrigger) item.command = RETRIGGER;
  const data = itemData(a);
  if (data) item.data = data;
  return item;
}

/**
 * The answer for a position. With clients that take `itemDefaults.editRange`
 * the range most items replace travels once instead of once per item; long
 * lists are made lean (leanList). A list of the names a huge configuration
 * makes is cut to what is typed and marked incomplete (engine/assist/name-items.ts):
 * the client asks again as the user types. So is a list made from a
 * provisional configuration (assist-config.ts: a huge main.cf or master.cf the
 * analysis has not loaded yet); the names it lacks come with a later request.
 */
export function completionsFor(ctx: ServerContext, document: TextDocument, position: { line: number; character: number }): CompletionList {
  const od = ctx.workspace.describe(document);
  const version = currentSettings().version;
  const { config, reader, provisional } = quickAssistConfig(ctx, od);
  const { items, incomplete } = completeListAt(od.kind, od.path, document.getText(), position, { config, version, listDir: listDirectory, reader });
  const shared = clientTakesEditRange && items.length > 1 ? items[0].range : undefined;
  const list: CompletionList = { isIncomplete: incomplete || provisional !== undefined, items: items.map((a) => toCompletionItem(a, shared)) };
  if (shared) list.itemDefaults = { editRange: shared };
  if (items.length >= LEAN_FROM) leanList(list, { data: clientTakesData, detail: clientResolvesDetail });
  return list;
}

/**
 * Makes a long list cheaper to send and parse (the ~950 parameter names are
 * the largest answer; most of its time is JSON on both sides):
 *  - `data: 'p'` travels once in itemDefaults when the client takes it
 *    and most items carry it;
 *  - `detail` is left for completionItem/resolve when the client resolves it;
 *  - the items of the most common sort group lose their sortText: a client
 *    sorts an item without one by its label, and `1_name` sorts among its
 *    group as `name` does. The other items keep keys that sort before
 *    (`0_name`) or after (`~3_name`, `~8_01`) every such label, checked
 *    here; when the labels do not allow it, every item keeps its sortText.
 */
export function leanList(list: CompletionList, client: { data: boolean; detail: boolean }): void {
  const items = list.items;
  // Resolve computes a parameter name's detail again (resolveCompletionItem); other items keep theirs.
  // Properties are dropped by building new items, not with `delete`, which
  // leaves objects in V8's dictionary mode: JSON.stringify of 950 such items
  // took 0.32 ms against 0.21 ms for new ones (Node 20, best of 30).
  const without = (i: CompletionItem, key: 'detail' | 'data' | 'sortText'): CompletionItem => {
    const { [key]: _dropped, ...rest } = i;
    return rest;
  };
  if (client.detail) for (let n = 0; n < items.length; n++) if (items[n].data === 'p') items[n] = without(items[n], 'detail');
  if (client.data && items.filter((i) => i.data === 'p').length * 2 > items.length) {
    // Items with their own data keep it (it wins over the default); an item
    // without documentation gets 0, which is no DocRef (null or a missing value
    // would take the default: clients apply it with `??`).
    list.itemDefaults = { ...list.itemDefaults, data: 'p' };
    for (let n = 0; n < items.length; n++) {
      if (items[n].data === 'p') items[n] = without(items[n], 'data');
      else if (items[n].data === undefined) items[n].data = 0;
    }
  }
  // The most common group among the `<digit>_<label>` keys.
  const groupOf = (i: CompletionItem) => {
    const g = /^(\d)_/.exec(i.sortText ?? '')?.[1];
    return g !== undefined && i.sortText === `${g}_${i.label}` ? g : undefined;
  };
  const counts = new Map<string, number>();
  for (const i of items) {
    const g = groupOf(i);
    if (g !== undefined) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  const common = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (common === undefined) return;
  // Client order: sortText, else label, compared as lower-case strings.
  const low = (s: string) => s.toLowerCase();
  const plain = items.filter((i) => groupOf(i) === common).map((i) => low(i.label));
  const minPlain = plain.reduce((a, b) => (b < a ? b : a));
  const maxPlain = plain.reduce((a, b) => (b > a ? b : a));
  // Every other key sorted before or after the whole common group; it must stay so against bare labels.
  const keys = new Map<CompletionItem, string>();
  for (const i of items) {
    if (groupOf(i) === common) continue;
    const k = i.sortText ?? i.label;
    if (k < `${common}_`) {
      if (low(k) >= minPlain) return;
      keys.set(i, k);
    } else if (k > `${common}_\uffff`) {
      const after = `~${k}`;
      if (low(after) <= maxPlain) return;
      keys.set(i, after);
    } else return;
  }
  for (let n = 0; n < items.length; n++) {
    const k = keys.get(items[n]);
    if (k === undefined) items[n] = without(items[n], 'sortText');
    else items[n].sortText = k;
  }
}

export function resolveCompletionItem(item: CompletionItem): CompletionItem {
  const ref = docRefOf(item);
  if (!ref) return item;
  const version = currentSettings().version;
  // Lean lists leave the detail of a parameter name for now: its value type.
  if (item.detail === undefined && ref.t === 'parameter' && !ref.service) {
    const detail = parameterDetail(ref.name);
    if (detail) item.detail = detail;
  }
  const markdown = resolveDocumentation(ref, version);
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
  initialized(_ctx, client) {
    const completion = client.textDocument?.completion;
    clientTakesEditRange = completion?.completionList?.itemDefaults?.includes('editRange') ?? false;
    clientTakesData = completion?.completionList?.itemDefaults?.includes('data') ?? false;
    clientResolvesDetail = completion?.completionItem?.resolveSupport?.properties?.includes('detail') ?? false;
  },
  register(ctx) {
    ctx.connection.onCompletion(
      ctx.guard('completion', null, (params) => {
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return null;
        return completionsFor(ctx, document, params.position);
      }),
    );
    ctx.connection.onCompletionResolve((item) => ctx.guard('completionItem/resolve', item, resolveCompletionItem)(item));
  },
};

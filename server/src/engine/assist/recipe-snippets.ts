// The recipes' snippets (engine/recipes/snippets.ts) as completion items: in
// main.cf where a parameter name is typed, in master.cf where a service line
// starts, on an empty line of a check_sender_access table. They sort after the names, so typing a name still finds it first.

import { mainListSnippets, masterServiceSnippets, senderTableSnippets } from '../recipes/snippets';
import { RuleContext } from '../rules/context';
import type { Range } from '../types';
import type { AssistCompletion, CompletionEnv } from './completion';

export function recipeSnippetItems(where: 'main' | 'master' | 'senders', range: Range, env: CompletionEnv): AssistCompletion[] {
  if (!env.config?.main || !env.reader) return [];
  const ctx = new RuleContext(env.config, env.reader);
  const snippets = where === 'main' ? mainListSnippets(ctx) : where === 'master' ? masterServiceSnippets(ctx) : senderTableSnippets(ctx);
  return snippets.map((s, i) => ({
    label: s.label,
    kind: 'snippet',
    detail: s.detail,
    insertText: s.body,
    snippet: true,
    range,
    filterText: s.filter,
    sortText: `8_${String(i).padStart(2, '0')}`,
    doc: { t: 'text', markdown: s.doc },
  }));
}

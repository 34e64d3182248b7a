// "Postfix: Insert hardened recipe…" and the "Apply recipe … with your
// values…" code actions. The server does the work (workspace/executeCommand
// postfix.recipes / postfix.applyRecipe, features/recipes.ts) and applies the
// edit with workspace/applyEdit; its change annotations make VS Code show the
// refactor preview first. This side only asks: a quick pick of the recipes,
// then one input box per parameter, filled in with the configuration's value.

import { commands, ExtensionContext, window } from 'vscode';
import type { LanguageClient, Middleware } from 'vscode-languageclient/node';
import { pickConfig } from './pick-config';

export const INSERT_RECIPE_COMMAND = 'postfix.insertRecipe';
const LIST = 'postfix.recipes';
const APPLY = 'postfix.applyRecipe';

interface RecipeInfo {
  name: string;
  title: string;
  summary: string;
  parameters: { key: string; description: string; value: string }[];
}

interface ApplyResult {
  applied: boolean;
  notes: string[];
  error?: string;
}

let client: LanguageClient | undefined;

async function ask(uri: string, preset?: string): Promise<{ uri: string; recipe: string; values: Record<string, string> } | undefined> {
  const list = await client?.sendRequest<RecipeInfo[] | null>('workspace/executeCommand', { command: LIST, arguments: [{ uri }] });
  if (!list?.length) {
    void window.showErrorMessage('Postfix: no main.cf beside this file, so there is no configuration to apply a recipe to.');
    return undefined;
  }
  let recipe = list.find((r) => r.name === preset);
  if (!recipe) {
    const pick = await window.showQuickPick(
      list.map((r) => ({ label: r.name, description: r.title, detail: r.summary, recipe: r })),
      { title: 'Postfix: Insert hardened recipe', placeHolder: 'Which recipe?', matchOnDescription: true, matchOnDetail: true },
    );
    recipe = pick?.recipe;
  }
  if (!recipe) return undefined;
  const values: Record<string, string> = {};
  for (const [i, p] of recipe.parameters.entries()) {
    const v = await window.showInputBox({
      title: `Recipe ${recipe.name} (${i + 1}/${recipe.parameters.length}): ${p.key}`,
      prompt: p.description,
      value: p.value,
      ignoreFocusOut: true,
      validateInput: (s) => (s.trim() ? undefined : 'A value is needed'),
    });
    if (v === undefined) return undefined;
    values[p.key] = v.trim();
  }
  return { uri, recipe: recipe.name, values };
}

/** Asks before postfix.applyRecipe runs when its arguments say `ask: true`; shows what is left to do after. */
export const recipeMiddleware: Middleware = {
  async executeCommand(command, args, next) {
    if (command !== APPLY) return next(command, args);
    let arg = args[0] as { uri?: string; recipe?: string; ask?: boolean } | undefined;
    if (arg?.ask && typeof arg.uri === 'string') {
      const answer = await ask(arg.uri, arg.recipe);
      if (!answer) return undefined;
      arg = answer;
    }
    const result = (await next(command, [arg, ...args.slice(1)])) as ApplyResult | undefined;
    if (result?.error) void window.showWarningMessage(`Postfix: ${result.error}`);
    else if (result?.applied && result.notes.length) void window.showInformationMessage(`Postfix: ${result.notes.join(' ')}`);
    return result;
  },
};

export function registerRecipeCommand(context: ExtensionContext, languageClient: LanguageClient): void {
  client = languageClient;
  context.subscriptions.push(
    commands.registerCommand(INSERT_RECIPE_COMMAND, async () => {
      const uri = await pickConfig();
      if (!uri) return;
      // The server's command (registered by the language client) goes through recipeMiddleware, which asks.
      await commands.executeCommand(APPLY, { uri: uri.toString(), ask: true });
    }),
  );
}

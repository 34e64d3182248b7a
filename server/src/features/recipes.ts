// Hardening recipes in the editor, over workspace/executeCommand so that any
// LSP client can use them (VS Code's "Postfix: Insert hardened recipe…",
// Neovim's vim.lsp.buf.execute_command):
//
//   postfix.recipes      [{ uri }]                          → the recipes, each parameter
//                                                             with the value the configuration gives
//   postfix.applyRecipe  [{ uri, recipe, values?, apply? }] → builds the recipe's WorkspaceEdit (new
//                                                             table files as CreateFile), sends it with
//                                                             workspace/applyEdit unless apply = false,
//                                                             answers { applied, notes, edit }
//
// `ask: true` in the arguments asks an editor with a prompt (the VS Code
// client's middleware) to let the user pick the recipe and its values first;
// the server itself fills in the configuration's values.
// recipeCommandActions() adds "… with your values" code actions to the intent
// findings whose recipe takes parameters (features/codeActions.ts calls it).

import { EXPLAIN_LOG_LINE_COMMAND, explainLogLine } from './logExplain';
import { CodeActionKind, type CancellationToken, type ClientCapabilities, type CodeAction, type Diagnostic, type ExecuteCommandParams, type WorkspaceEdit } from './lsp';
import { buildRecipe, findRecipe, recipeForCode, RECIPES } from '../engine/recipes';
import { RuleContext } from '../engine/rules/context';
import type { Problem } from '../engine/types';
import { annotatedWorkspaceEdit, clientTakesAnnotations, noteClientCapabilities, openVersion, versionedEdit } from './annotated-edit';
import { analysedConfig, forCurrentTexts, toWorkspaceEdit } from './codeActions';
import type { Feature, ServerContext } from './context';
import { uriToPath } from './workspace';

export const LIST_RECIPES_COMMAND = 'postfix.recipes';
export const APPLY_RECIPE_COMMAND = 'postfix.applyRecipe';

export interface RecipeInfo {
  name: string;
  title: string;
  summary: string;
  parameters: { key: string; description: string; value: string }[];
}

export interface ApplyRecipeArgs {
  uri: string;
  recipe: string;
  values?: Record<string, string>;
  /** false: only answer the edit, do not send workspace/applyEdit. */
  apply?: boolean;
}

export interface ApplyRecipeResult {
  applied: boolean;
  /** What the user must still do (fill in a table, postfix reload). */
  notes: string[];
  edit: WorkspaceEdit;
  /** Why nothing was applied (unknown recipe, no main.cf, nothing to change, editor refused). */
  error?: string;
}

let clientAppliesEdits = false;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/**
 * The rule context of the configuration `uri` belongs to, from the shared analysis (codeActions.ts
 * analysedConfig: in steps, joined with a re-lint under way), or undefined: no main.cf, or a text
 * changed while it was analysed (`isStale`).
 */
async function ruleContextFor(ctx: ServerContext, uri: string, isStale: () => boolean): Promise<{ rc: RuleContext; toUri(file: string): string } | undefined> {
  if (!uriToPath(uri) && !ctx.documents.get(uri)) return undefined;
  const c = await analysedConfig(ctx, uri, isStale);
  if (!c) return undefined;
  return { rc: new RuleContext(c.config, c.reader), toUri: c.toUri };
}

export async function listRecipes(ctx: ServerContext, uri: unknown, token?: CancellationToken): Promise<RecipeInfo[]> {
  const c = typeof uri === 'string' ? await forCurrentTexts(ctx, token, (isStale) => ruleContextFor(ctx, uri, isStale)) : undefined;
  if (!c) return [];
  return RECIPES.map((r) => ({
    name: r.name,
    title: r.title,
    summary: r.summary,
    parameters: r.parameters.map((p) => ({ key: p.key, description: p.description, value: p.fallback(c.rc) })),
  }));
}

function stringValues(x: unknown): Record<string, string> | undefined {
  if (x === undefined) return {};
  if (!isObject(x)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

const NOTHING: WorkspaceEdit = { changes: {} };

export async function applyRecipe(ctx: ServerContext, raw: unknown, token?: CancellationToken): Promise<ApplyRecipeResult> {
  const fail = (error: string): ApplyRecipeResult => ({ applied: false, notes: [], edit: NOTHING, error });
  if (!isObject(raw) || typeof raw.uri !== 'string' || typeof raw.recipe !== 'string') return fail('expected { uri, recipe, values? }');
  const values = stringValues(raw.values);
  if (!values) return fail('values must map parameter names to strings');
  const uri = raw.uri;
  // Built from the texts as they are when the edit is sent (made again if one changed meanwhile).
  const c = await forCurrentTexts(ctx, token, (isStale) => ruleContextFor(ctx, uri, isStale));
  if (!c) return fail(token?.isCancellationRequested ? 'cancelled' : `no main.cf for ${uri}`);
  let built;
  try {
    built = buildRecipe(c.rc, raw.recipe, values);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const { edits, newFiles } = built.change;
  if (edits.length === 0 && newFiles.length === 0) return { applied: false, notes: built.notes, edit: NOTHING, error: `recipe ${raw.recipe}: nothing to change` };
  const label = `Recipe ${built.recipe.name}: ${built.recipe.title}`;
  const made = clientTakesAnnotations()
    ? annotatedWorkspaceEdit([{ label, description: built.notes.join(' '), edits, newFiles }], c.toUri)
    : toWorkspaceEdit({ title: label, edits, newFiles }, c.toUri);
  // Built without a pause since forCurrentTexts: from the open texts as they are.
  const edit = versionedEdit(made, openVersion(ctx));
  if (raw.apply === false || !clientAppliesEdits) return { applied: false, notes: built.notes, edit };
  const r = await ctx.connection.workspace.applyEdit({ label, edit });
  return { applied: r.applied, notes: built.notes, edit, ...(r.applied ? {} : { error: r.failureReason ?? 'the editor did not apply the edit' }) };
}

/**
 * "Apply recipe NAME with your values…" for a diagnostic: the recipes its
 * problems' fixes apply, and the one its code calls for when no fix can
 * (PF546 needs certificate paths only the user knows), if they take parameters.
 */
export function recipeCommandActions(uri: string, d: Diagnostic, problems: Problem[]): CodeAction[] {
  const names = new Set(problems.flatMap((p) => (p.fixes ?? []).map((f) => f.recipe).filter((n): n is string => !!n)));
  const forCode = recipeForCode(String(d.code));
  if (forCode) names.add(forCode);
  const out: CodeAction[] = [];
  for (const name of names) {
    const recipe = findRecipe(name);
    if (!recipe || recipe.parameters.length === 0) continue;
    const title = `Apply recipe ${name} with your values (${recipe.parameters.map((p) => p.key).join(', ')})…`;
    out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: APPLY_RECIPE_COMMAND, arguments: [{ uri, recipe: name, ask: true }] } });
  }
  return out;
}

export const recipes: Feature = {
  name: 'recipes',
  capabilities: {
    // One handler answers every server command: the log explanation's too (logExplain.ts).
    executeCommandProvider: { commands: [LIST_RECIPES_COMMAND, APPLY_RECIPE_COMMAND, EXPLAIN_LOG_LINE_COMMAND] },
  },
  initialized(_ctx, client: ClientCapabilities) {
    clientAppliesEdits = client.workspace?.applyEdit ?? false;
    noteClientCapabilities(client);
  },
  register(ctx) {
    ctx.connection.onExecuteCommand(
      ctx.guard('workspace/executeCommand', null as unknown, async (params: ExecuteCommandParams, token?: CancellationToken) => {
        const arg = Array.isArray(params?.arguments) ? params.arguments[0] : undefined;
        if (params?.command === LIST_RECIPES_COMMAND) return listRecipes(ctx, isObject(arg) ? arg.uri : undefined, token);
        if (params?.command === APPLY_RECIPE_COMMAND) return applyRecipe(ctx, arg, token);
        if (params?.command === EXPLAIN_LOG_LINE_COMMAND) return explainLogLine(arg);
        return null;
      }),
    );
  },
};

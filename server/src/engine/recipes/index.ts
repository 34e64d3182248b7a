// Hardening recipes: list them, fill in their parameters from the
// configuration (or --set), and turn them into edits and new files.

import type { RuleContext } from '../rules/context';
import type { Fix } from '../types';
import { findRecipe, RECIPES, type Recipe } from './catalog';
import { planEdits, type PlannedChange } from './plan';

export { RECIPES, findRecipe } from './catalog';
export type { Recipe } from './catalog';
export type { PlannedChange } from './plan';

export interface BuiltRecipe {
  recipe: Recipe;
  values: Record<string, string>;
  change: PlannedChange;
  notes: string[];
}

/** The recipe's change for this configuration; unknown --set keys are an error. */
export function buildRecipe(ctx: RuleContext, name: string, sets: Record<string, string> = {}): BuiltRecipe {
  const recipe = findRecipe(name);
  if (!recipe) throw new Error(`unknown recipe "${name}"; known: ${RECIPES.map((r) => r.name).join(', ')}`);
  for (const k of Object.keys(sets)) {
    if (!recipe.parameters.some((p) => p.key === k)) throw new Error(`recipe ${name} has no parameter "${k}"${recipe.parameters.length ? `; it takes ${recipe.parameters.map((p) => p.key).join(', ')}` : ''}`);
  }
  const values: Record<string, string> = {};
  for (const p of recipe.parameters) values[p.key] = sets[p.key] ?? p.fallback(ctx);
  const plan = recipe.plan(ctx, values);
  return { recipe, values, change: planEdits(ctx, plan), notes: plan.notes };
}

/**
 * Findings whose recipe needs values only the user knows, so that no fix can
 * carry it (the editor asks for them): PF546's snakeoil certificate → tls.
 */
const RECIPE_FOR_CODE: Record<string, string> = { PF546: 'tls' };

export function recipeForCode(code: string): string | undefined {
  return RECIPE_FOR_CODE[code];
}

/**
 * A recipe as a quick fix (new files travel with it). Built once per lint and
 * shared, so copy it before changing it: the intent rules offer it on every
 * finding, and a finding per service built a recipe that walks every service
 * once per finding (2,000 MX services: 14 s).
 */
export function recipeFix(ctx: RuleContext, name: string, sets: Record<string, string> = {}, hardening = false): Fix | undefined {
  return ctx.once(`recipe fix:${name}:${JSON.stringify(sets)}:${hardening}`, () => {
    const built = buildRecipe(ctx, name, sets);
    if (built.change.edits.length === 0 && built.change.newFiles.length === 0) return undefined;
    const fix: Fix = { title: `Apply recipe ${name}: ${built.recipe.title}`, edits: built.change.edits, hardening, recipe: name };
    if (built.change.newFiles.length) fix.newFiles = built.change.newFiles;
    return fix;
  });
}

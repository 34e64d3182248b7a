// Quick fixes for findings whose repair is evident, added to the problems of a
// configuration after they are found (rules that know their fix better attach
// it themselves). Each fix is text edits only; the engine never writes files.
//
// Fixes by code: PF102, PF103, PF109, PF111, PF112, PF113, PF181 (main.cf),
// PF208, PF212, PF213, PF220, PF230 (master.cf), PF302, PF303, PF320, PF343, PF350, PF351 (tables); see docs/rules/README.md.

import type { PostfixConfig } from '../config';
import type { Fix, Problem } from '../types';
import { FixContext } from './context';
import { MAIN_FIXES } from './main-cf';
import { MASTER_FIXES } from './master-cf';
import { TABLE_FIXES } from './tables';
import { drain, PROBLEMS_PER_STEP, type Steps } from '../steps';

type FixMaker = (ctx: FixContext, p: Problem) => Fix[];

/** Codes with a fix of their own here, and the file each applies to. */
function makerFor(config: PostfixConfig, p: Problem): FixMaker | undefined {
  if (p.file === config.mainPath) return MAIN_FIXES[p.code];
  if (p.file === config.masterPath) return MASTER_FIXES[p.code];
  return TABLE_FIXES[p.code];
}

/** The problems with their evident fixes added (problems that carry fixes already keep theirs). */
export function withQuickFixes(config: PostfixConfig, problems: Problem[], readText?: (file: string) => string | undefined): Problem[] {
  return drain(withQuickFixesSteps(config, problems, readText));
}

/** withQuickFixes in steps of PROBLEMS_PER_STEP problems (10,000 unused parameters each look for a near name). */
export function* withQuickFixesSteps(config: PostfixConfig, problems: Problem[], readText?: (file: string) => string | undefined): Steps<Problem[]> {
  const ctx = new FixContext(config, readText);
  const out: Problem[] = [];
  for (const p of problems) {
    out.push(withFixes(ctx, config, p));
    if (out.length % PROBLEMS_PER_STEP === 0) yield 'quick fixes';
  }
  return out;
}

function withFixes(ctx: FixContext, config: PostfixConfig, p: Problem): Problem {
  if (p.fixes?.length) return p;
  const make = makerFor(config, p);
  if (!make) return p;
  let fixes: Fix[];
  try {
    fixes = make(ctx, p).filter((f) => f.edits.length > 0);
  } catch {
    // A fix is a convenience: a problem without one is still reported.
    fixes = [];
  }
  return fixes.length ? { ...p, fixes } : p;
}

/** The codes fixed here. */
export const FIXABLE_CODES: readonly string[] = [...Object.keys(MAIN_FIXES), ...Object.keys(MASTER_FIXES), ...Object.keys(TABLE_FIXES)].sort();

export { renamedTo } from './main-cf';

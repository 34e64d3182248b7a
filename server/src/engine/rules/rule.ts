// The shape of a rule: the codes it reports (each with a default severity, a
// category and a one-line summary) and a check over the whole configuration.
// Codes PF400–PF499 are smtpd restriction-list semantics; PF500–PF599 are
// security and correctness advice. A code never changes meaning; each has a
// page in docs/rules/<CODE>.md.

import type { Fix, Problem, ProblemCategory, Range, Severity } from '../types';
import type { RuleContext } from './context';
import type { RuleCode as BaseRuleCode } from '../rule-code';
import type { Steps } from '../steps';

export interface RuleCode extends BaseRuleCode {
  /** Short name used in docs and settings (`open-relay`). */
  name: string;
}

export interface Rule {
  codes: RuleCode[];
  check(ctx: RuleContext): Problem[];
  /**
   * The same check in steps (engine/steps.ts), for a rule that can take long
   * (a simulated transaction per matrix cell, a pass per service): the
   * language server answers requests between them. Runs to what check gives.
   */
  steps?(ctx: RuleContext): Steps<Problem[]>;
}

export function code(code: string, name: string, severity: Severity, category: ProblemCategory, summary: string): RuleCode {
  return { code, name, severity, category, summary };
}

export function problem(c: RuleCode, file: string, range: Range, message: string, fixes?: Fix[], severity?: Severity): Problem {
  const p: Problem = { code: c.code, severity: severity ?? c.severity, category: c.category, file, range, message };
  if (fixes && fixes.length) p.fixes = fixes;
  return p;
}

// The shape of a rule code, shared by every area's code table (main.cf,
// master.cf, tables, rules): a stable code, its default severity, its category
// and a one-line summary.

import type { Problem, ProblemCategory, Range, Severity } from './types';

export interface RuleCode {
  code: string;
  severity: Severity;
  category: ProblemCategory;
  summary: string;
}

export function ruleCode(code: string, severity: Severity, category: ProblemCategory, summary: string): RuleCode {
  return { code, severity, category, summary };
}

/** A problem of a rule, with the rule's code, severity and category. */
export function problemOf(rule: RuleCode, file: string, range: Range, message: string): Problem {
  return { code: rule.code, severity: rule.severity, category: rule.category, file, range, message };
}

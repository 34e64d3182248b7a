// Rule codes for main.cf (PF100–PF199). A code never changes meaning; each
// has a page in docs/rules/.

import type { Problem, Range } from '../types';
import { problemOf, ruleCode, RuleCode } from '../rule-code';

export type MainCode = RuleCode;

const c = ruleCode;

export const MAIN_CODES = {
  missingEquals: c('PF100', 'error', 'postfix', "Line is not 'name = value'; Postfix stops reading main.cf"),
  leadingWhitespace: c('PF101', 'warning', 'postfix', 'Logical line starts with whitespace; Postfix ignores it'),
  overriding: c('PF102', 'warning', 'postfix', 'Parameter set twice with different values; the last one wins'),
  unusedParameter: c('PF103', 'warning', 'postfix', 'Parameter that nothing uses: an unknown name, a typo, or a name from another version'),
  undefinedParameter: c('PF104', 'warning', 'postfix', '$name refers to a parameter that has no value anywhere'),
  macroSyntax: c('PF105', 'error', 'postfix', 'Bad $name expression; Postfix stops with "macro processing error"'),
  readOnlyParameter: c('PF106', 'warning', 'postfix', 'Read-only parameter; Postfix ignores the setting'),
  braceSyntax: c('PF107', 'warning', 'postfix', "Unbalanced '{ }' in a value"),
  databaseClient: c('PF108', 'warning', 'postfix', 'Problem in a database client file (ldap:, mysql:, pgsql:, sqlite:, memcache:)'),
  deprecatedParameter: c('PF109', 'warning', 'postfix', 'Parameter is deprecated or removed; use its replacement'),
  tooNewParameter: c('PF110', 'warning', 'correctness', 'Parameter does not exist in the target Postfix version'),
  hashNotComment: c('PF111', 'warning', 'correctness', "'#' after a value is not a comment: it becomes part of the value"),
  indentedAssignment: c('PF112', 'error', 'correctness', "Indented 'name = value' line continues the previous value instead of setting a parameter"),
  duplicateSameValue: c('PF113', 'hint', 'style', 'Parameter set twice with the same value'),
  nulByte: c('PF180', 'error', 'correctness', 'NUL byte in a line: Postfix ignores the rest of the line'),
  byteOrderMark: c('PF181', 'error', 'postfix', 'UTF-8 byte order mark at the start of main.cf: Postfix reads it as part of line 1'),
} as const;

export type MainCodeKey = keyof typeof MAIN_CODES;

export function mainProblem(key: MainCodeKey, file: string, range: Range, message: string): Problem {
  return problemOf(MAIN_CODES[key], file, range, message);
}

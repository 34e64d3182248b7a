// Rule codes for master.cf (PF200–PF299). A code never changes meaning.
// `postfix` rules mirror a fatal error or warning of real Postfix 3.7 (postconf,
// the master daemon, or a daemon starting from master.cf); the message then
// carries Postfix's own wording. The others are our advice.

import type { Problem, Range } from '../types';
import { problemOf, ruleCode, RuleCode } from '../rule-code';

export type MasterCode = RuleCode;

const c = ruleCode;

export const MASTER_CODES = {
  // postconf rejects the file (fatal: nothing else is read or shown).
  badFieldCount: c('PF200', 'error', 'postfix', 'A service line needs at least 8 fields'),
  invalidType: c('PF201', 'error', 'postfix', 'Service type is not inet, unix, unix-dgram, fifo or pass'),
  invalidFlag: c('PF202', 'error', 'postfix', 'private, unpriv and chroot take y, n or -'),
  invalidWakeup: c('PF203', 'error', 'postfix', 'wakeup takes a number, a number followed by ?, or -'),
  invalidMaxproc: c('PF204', 'error', 'postfix', 'maxproc takes a number or -'),

  // Reading and brace syntax.
  leadingWhitespace: c('PF205', 'warning', 'postfix', 'Logical line starts with whitespace; Postfix ignores it'),
  braces: c('PF206', 'error', 'postfix', "Unbalanced '{ }' or text after '}'; the master daemon refuses the line"),
  bracedOptionSyntax: c('PF207', 'error', 'postfix', "'-o { ... }' without 'name = value' inside"),

  // The daemon named in the command field dies at start-up.
  optionMissingEquals: c('PF208', 'error', 'postfix', "'-o' value without '=' (often 'name = value' with spaces)"),
  unexpectedArgument: c('PF209', 'error', 'postfix', 'Stray command-line argument (often a -o value with a space)'),
  optionMissingValue: c('PF210', 'error', 'postfix', "'-o' (or another option that takes a value) at the end of the line"),
  invalidOption: c('PF211', 'error', 'postfix', 'Command-line option the Postfix daemon does not know'),
  attachedBraces: c('PF212', 'error', 'postfix', "'-o{...}': the daemon does not remove braces written against '-o'"),

  // The master daemon.
  duplicateService: c('PF213', 'warning', 'postfix', 'Same service twice; the master uses the last entry'),
  inetPrivate: c('PF214', 'error', 'postfix', 'An inet service cannot be private'),
  wakeupRejectedByMaster: c('PF215', 'error', 'postfix', 'wakeup value postconf accepts but the master daemon rejects'),
  commandMissing: c('PF216', 'error', 'postfix', "Command field '-' (it has no default)"),
  inetEndpoint: c('PF217', 'error', 'postfix', 'inet service name is not a valid [host:]port'),

  // Advice.
  fifoType: c('PF218', 'info', 'style', "Type 'fifo' is legacy; Postfix's own services use 'unix'"),
  unixDgramType: c('PF219', 'warning', 'correctness', "Type 'unix-dgram' only works for postlogd"),
  postconfSplitsOption: c('PF220', 'info', 'style', "postconf misreads '-oname=value' when the text after -o contains 'o'"),
  argumentIgnored: c('PF221', 'warning', 'correctness', 'Extra argument that this daemon silently ignores'),

  // postconf's parameter checks on -o settings.
  unusedParameter: c('PF230', 'warning', 'postfix', "'-o' sets a parameter that nothing uses (unknown name or typo)"),
  undefinedParameter: c('PF231', 'warning', 'postfix', "'$name' in a -o value refers to a parameter with no value"),
  readOnlyParameter: c('PF232', 'warning', 'postfix', "'-o' assigns a read-only parameter; Postfix ignores it"),
  macroSyntax: c('PF233', 'error', 'postfix', 'Bad $name syntax in a -o value'),
  valueBraces: c('PF234', 'warning', 'postfix', "Unbalanced '{ }' inside a -o value (postconf warns when it looks for tables)"),
} as const;

export type MasterCodeKey = keyof typeof MASTER_CODES;

export function masterProblem(key: MasterCodeKey, file: string, range: Range, message: string): Problem {
  return problemOf(MASTER_CODES[key], file, range, message);
}

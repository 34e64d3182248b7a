// Rule codes for lookup tables (PF300–PF399). A code never changes meaning.
// `postfix` rules mirror a warning or fatal error of real Postfix 3.7 (the
// message then carries Postfix's own wording); the others are our advice.

import type { Problem, Range } from '../types';
import { problemOf, ruleCode, RuleCode } from '../rule-code';

export type TableCode = RuleCode;

const c = ruleCode;

export const TABLE_CODES = {
  // Text source of indexed tables (hash, btree, cdb, lmdb, dbm, sdbm) and texthash.
  expectedFormat: c('PF300', 'error', 'postfix', 'Line is not "key whitespace value"; Postfix ignores it'),
  unbalancedQuote: c('PF301', 'error', 'postfix', "Unbalanced '\"' in a key; Postfix ignores the line"),
  aliasFormat: c('PF302', 'warning', 'postfix', 'Key ends in ":" (alias-file syntax in a lookup table)'),
  duplicateKey: c('PF303', 'warning', 'postfix', 'Duplicate key; the first entry wins'),
  nonUtf8: c('PF304', 'error', 'postfix', 'Line is not valid UTF-8; Postfix ignores it'),
  leadingWhitespace: c('PF305', 'error', 'postfix', 'Logical line starts with whitespace; Postfix ignores it'),
  cidrKeyInIndexed: c('PF306', 'warning', 'correctness', 'Network/prefix key in an exact-match table never matches'),
  keyOnlyContinued: c('PF307', 'warning', 'correctness', 'Key alone on its line: the indented next line became its value'),
  valueContinued: c('PF308', 'info', 'correctness', 'Indented line continues the previous entry\'s value'),
  staleIndex: c('PF309', 'warning', 'correctness', 'Source file is newer than its indexed file: run postmap'),
  missingIndex: c('PF310', 'error', 'postfix', 'Indexed file is missing: run postmap'),

  // cidr:
  cidrHostBits: c('PF320', 'error', 'postfix', 'Network address has host bits set; Postfix skips the rule'),
  cidrBadNetwork: c('PF321', 'error', 'postfix', 'Bad network address; Postfix skips the rule'),
  cidrBadMaskLength: c('PF322', 'error', 'postfix', 'Prefix length too large; Postfix skips the rule'),
  cidrBadMaskValue: c('PF323', 'error', 'postfix', 'Prefix length is not a number; Postfix skips the rule'),
  cidrBadAddress: c('PF324', 'error', 'postfix', 'Not an IP address pattern; Postfix skips the rule'),
  cidrNoResult: c('PF325', 'error', 'postfix', 'Rule has no lookup result; Postfix skips it'),
  cidrNoPattern: c('PF326', 'error', 'postfix', 'Rule has no address pattern; Postfix skips it'),
  cidrBrackets: c('PF327', 'error', 'postfix', 'Bad [address] brackets; Postfix skips the rule'),
  cidrEndif: c('PF328', 'error', 'postfix', 'Bad ENDIF; Postfix skips it'),
  ifWithoutEndif: c('PF329', 'warning', 'postfix', 'IF has no matching ENDIF'),

  // pcre: and regexp:
  reNoRegexp: c('PF340', 'error', 'postfix', 'Rule has no pattern; Postfix skips it'),
  reNoClosingDelimiter: c('PF341', 'error', 'postfix', 'Pattern has no closing delimiter; Postfix skips the rule'),
  reUnknownOption: c('PF342', 'error', 'postfix', 'Unknown pattern flag; Postfix skips the rule'),
  reObsoleteOption: c('PF343', 'warning', 'postfix', 'Obsolete pattern flag is ignored'),
  reNoReplacement: c('PF344', 'warning', 'postfix', 'Rule has no result text; lookups return an empty string'),
  reBadReplacement: c('PF345', 'error', 'postfix', 'Bad $number in the result text; Postfix skips the rule'),
  reNegativeSubst: c('PF346', 'error', 'postfix', '$number in the result of a negated pattern; Postfix skips the rule'),
  reSubstOutOfRange: c('PF347', 'error', 'postfix', '$number larger than the number of groups; Postfix skips the rule'),
  reSyntax: c('PF348', 'error', 'postfix', 'Regular expression does not compile; Postfix skips the rule'),
  reIfExtraText: c('PF349', 'warning', 'postfix', 'Extra text after IF pattern is ignored'),
  reEndifWithoutIf: c('PF350', 'error', 'postfix', 'ENDIF without IF is ignored'),
  reEndifExtraText: c('PF351', 'warning', 'postfix', 'Extra text after ENDIF is ignored'),
  reUnrecognized: c('PF352', 'error', 'postfix', 'Line is not a rule, IF or ENDIF; Postfix ignores it'),
  reUnsupported: c('PF354', 'info', 'correctness', 'Pattern uses a feature the linter cannot simulate'),
  inlinePatternBraces: c('PF356', 'error', 'postfix', 'Rule of an inline pcre:/regexp:/cidr: table not in braces; every lookup fails'),
  reCaseFlagTrap: c('PF355', 'warning', 'correctness', 'The "i" flag turns case-insensitive matching OFF in Postfix'),

  // inline:, static:, unionmap:, pipemap:, randmap:, and table references.
  inlineSyntax: c('PF370', 'error', 'postfix', 'Bad inline: table syntax; Postfix stops'),
  staticSyntax: c('PF371', 'error', 'postfix', 'Bad static: table syntax; Postfix stops'),
  compositeSyntax: c('PF372', 'error', 'postfix', 'Bad unionmap:/pipemap:/randmap: syntax; Postfix stops'),
  unsupportedType: c('PF373', 'error', 'postfix', 'Lookup table type is not supported by Postfix 3.7 on Debian'),
  tableMissing: c('PF374', 'error', 'postfix', 'Lookup table file does not exist'),
  typeNameForm: c('PF375', 'error', 'postfix', 'Table reference is not in "type:name" form'),
  emptyResult: c('PF376', 'warning', 'postfix', 'Lookup result is an empty string, which Postfix does not allow'),

  // aliases(5) files (alias_maps, alias_database), compiled by postalias.
  aliasNeedPair: c('PF377', 'error', 'postfix', 'Alias line is not "name: value"; postalias ignores it'),
  aliasNotLocal: c('PF378', 'error', 'postfix', 'Alias name has a domain; postalias ignores the line'),

  // Configurations kept in a repository (see config-files.ts).
  notInRepository: c('PF379', 'info', 'correctness', 'Table is not in the repository copy, so it is not checked'),
  builtAtDeploy: c('PF380', 'hint', 'correctness', 'Compiled table is built at deploy time: run postmap/postalias after installing'),
  relativeTablePath: c('PF381', 'warning', 'correctness', 'Table path is relative: Postfix daemons look for it in the queue directory'),
} as const;

export type TableCodeKey = keyof typeof TABLE_CODES;

export function tableProblem(key: TableCodeKey, file: string, range: Range, message: string): Problem {
  return problemOf(TABLE_CODES[key], file, range, message);
}

/** All codes, for documentation and settings. */
export function tableCodeList(): TableCode[] {
  return Object.values(TABLE_CODES);
}

// Rule codes for reading the files a configuration names (PF001–PF009, and
// PF183 for a file that is no table at all), whatever kind of file they are. A code never changes meaning.

import type { Problem, Range, UnreadableFile } from './types';
import { problemOf, ruleCode } from './rule-code';

const c = ruleCode;

export const FILE_CODES = {
  unreadable: c('PF001', 'error', 'postfix', 'File cannot be read (not a regular file, no permission, a loop)'),
  tooLarge: c('PF002', 'warning', 'correctness', 'File is too large to check'),
  notATable: c('PF183', 'error', 'postfix', 'A file named as a lookup table is not one (a key, a .env); its content is not shown'),
} as const;

export type FileCodeKey = keyof typeof FILE_CODES;

export function fileProblem(key: FileCodeKey, file: string, range: Range, message: string): Problem {
  return problemOf(FILE_CODES[key], file, range, message);
}

/** The finding for a file the reader refused: too large, or unreadable for the reason given. */
export function unreadableProblem(file: string, range: Range, what: string | undefined, path: string, why: UnreadableFile): Problem {
  const prefix = what ? `${what}: ` : '';
  if (why.code === 'EFBIG') return fileProblem('tooLarge', file, range, `${prefix}${path} is ${why.reason}; it is not checked.`);
  return fileProblem('unreadable', file, range, `${prefix}cannot ${why.op} ${path}: ${why.reason}.`);
}

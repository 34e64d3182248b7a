// Every rule code the engine can report, in one list: for the CLI's SARIF
// rule table, the docs pages and the test that each code has a page.

import { FILE_CODES } from './file-codes';
import { MAIN_CODES } from './maincf/codes';
import { MASTER_CODES } from './mastercf/codes';
import { TABLE_CODES } from './tables/codes';
import { RULE_CODES } from './rules';
import type { RuleCode } from './rule-code';

export type RuleInfo = RuleCode;

export const DOCS_BASE_URL = 'https://github.com/postfix-tools/postfix-config-tools/blob/main/docs/rules/';

export function allRules(): RuleInfo[] {
  const rules = [...Object.values(FILE_CODES), ...Object.values(MAIN_CODES), ...Object.values(MASTER_CODES), ...Object.values(TABLE_CODES), ...Object.values(RULE_CODES)];
  const byCode = new Map<string, RuleInfo>();
  for (const r of rules) if (!byCode.has(r.code)) byCode.set(r.code, r);
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export function ruleDocUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}.md`;
}

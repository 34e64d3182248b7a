// Inline pattern tables written in main.cf or master.cf (Postfix 3.7):
// `pcre:{ {/a/ x}, ... }`, `regexp:{...}`, `cidr:{...}`. They name no file, so
// the table checks of lint.ts never see them; this rule parses each one as
// Postfix reads it (tables/stream.ts) and reports what the file parser would
// report, placed on the rule inside the parameter value.
//
// PF356: a rule is not enclosed in braces. Postfix cannot open the table, and
// every lookup in it fails (smtpd answers with a temporary error). Unbalanced
// braces are left to PF107, which postconf reports too.

import type { TableUse } from '../config';
import { parseCidrTable } from '../tables/cidr';
import { tableProblem } from '../tables/codes';
import { parseRegexTable } from '../tables/regexp';
import { inlineToText, isInlineName } from '../tables/stream';
import type { Problem, Range } from '../types';
import type { RuleContext } from './context';
import type { Rule } from './rule';

const TYPES = new Set(['pcre', 'regexp', 'cidr']);

/**
 * The name as Postfix sees it after $-expansion, when that is only `$$` → `$`
 * (other macros need a value: skipped), with the offset of each character
 * in the raw text.
 */
function unescaped(raw: string): { text: string; at: number[] } | undefined {
  let text = '';
  const at: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '$') {
      if (raw[i + 1] !== '$') return undefined;
      i++;
    }
    at.push(i);
    text += raw[i];
  }
  at.push(raw.length);
  return { text, at };
}

function check(use: TableUse): Problem[] {
  const { ref } = use;
  if (!TYPES.has(ref.type) || !isInlineName(ref.name)) return [];
  const name = unescaped(ref.name);
  if (!name) return [];
  // Offsets inside the name → the main.cf/master.cf range, when the reference sits on one line.
  const oneLine = use.range.start.line === use.range.end.line && use.range.end.character - use.range.start.character === use.spec.length;
  const nameBase = use.range.start.character + ref.nameStart - ref.start;
  const rangeIn = (a: number, b: number): Range =>
    oneLine ? { start: { line: use.range.start.line, character: nameBase + name.at[a] }, end: { line: use.range.start.line, character: nameBase + name.at[b] } } : use.range;
  const stream = inlineToText(name.text);
  if ('error' in stream) {
    // Unbalanced braces are PF107 already (postconf warns about them); a rule
    // without braces is found only here.
    if (!stream.error.startsWith("no '{'")) return [];
    return [tableProblem('inlinePatternBraces', use.file, use.range, `${ref.type} map: ${stream.error}. Postfix cannot open this table, so every lookup in it fails.`)];
  }
  const parsed = ref.type === 'cidr' ? parseCidrTable(stream.text, name.text) : parseRegexTable(ref.type as 'pcre' | 'regexp', stream.text, name.text);
  return parsed.problems.map((p) => {
    const line = stream.lines[p.range.start.line];
    const range = line ? rangeIn(line.start + p.range.start.character, Math.min(line.end, line.start + (p.range.end.line === p.range.start.line ? p.range.end.character : line.end - line.start))) : use.range;
    // Fixes edit a table file; here there is none.
    const { fixes: _fixes, ...rest } = p;
    return { ...rest, file: use.file, range };
  });
}

/** Its codes are table codes (PF3xx: lib tables/codes.ts), listed with those. */
export const inlinePatternTablesRule: Rule = {
  codes: [],
  check(ctx: RuleContext) {
    const out: Problem[] = [];
    const seen = new Set<string>();
    for (const use of ctx.config.tables) {
      const k = `${use.file}|${use.range.start.line}:${use.range.start.character}|${use.spec}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(...check(use));
    }
    return out;
  },
};

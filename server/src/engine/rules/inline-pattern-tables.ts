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

function check(use: TableUse): Problem[] {
  const { ref } = use;
  if (!TYPES.has(ref.type) || !isInlineName(ref.name)) return [];
  // A token written with `$` was expanded (ref.name is what Postfix reads):
  // its problems go on the whole token; otherwise on the rule itself.
  const exact = ref.written === undefined && use.range.start.line === use.range.end.line && use.range.end.character - use.range.start.character === ref.end - ref.start;
  const nameBase = use.range.start.character + ref.nameStart - ref.start;
  const rangeIn = (a: number, b: number): Range =>
    exact ? { start: { line: use.range.start.line, character: nameBase + a }, end: { line: use.range.start.line, character: nameBase + b } } : use.range;
  const stream = inlineToText(ref.name);
  if ('error' in stream) {
    // Unbalanced braces are PF107 already (postconf warns about them); a rule
    // without braces is found only here.
    if (!stream.error.startsWith("no '{'")) return [];
    return [tableProblem('inlinePatternBraces', use.file, use.range, `${ref.type} map: ${stream.error}. Postfix cannot open this table, so every lookup in it fails.`)];
  }
  const parsed = ref.type === 'cidr' ? parseCidrTable(stream.text, ref.name) : parseRegexTable(ref.type as 'pcre' | 'regexp', stream.text, ref.name);
  return parsed.problems.map((p) => {
    const line = stream.lines[p.range.start.line];
    const range = line ? rangeIn(line.start + p.range.start.character, Math.min(line.end, line.start + (p.range.end.line === p.range.start.line ? p.range.end.character : line.end - line.start))) : use.range;
    // Fixes edit a table file; here there is none.
    const { fixes: _fixes, ...rest } = p;
    return { ...rest, file: use.file, range };
  });
}

/** Its codes are table codes (PF3xx, tables/codes.ts), listed with those. */
export const inlinePatternTablesRule: Rule = {
  codes: [],
  check(ctx: RuleContext) {
    const out: Problem[] = [];
    const seen = new Set<string>();
    for (const use of ctx.config.tables) {
      const k = `${use.file}|${use.range.start.line}:${use.range.start.character}|${use.ref.text}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(...check(use));
    }
    return out;
  },
};

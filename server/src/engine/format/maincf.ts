// main.cf formatting: `name = value` with one space either side of `=`, one
// indentation for continuation lines, no trailing blanks. Only whitespace
// Postfix ignores is touched: the blanks around `=` and at the end of a value
// always; the blanks between the pieces of a continued value only for list
// values (restriction, table, domain and network lists), where any amount of
// whitespace separates the same words, unless the name is set twice (see
// below). A banner or other text value keeps
// its continuation lines byte for byte, and so does a value whose `{...}` group
// spans lines (inline tables and regular expressions). Comments, blank
// lines, lines Postfix ignores, and everything after a line Postfix would
// stop at are left alone. Formatting twice changes nothing more.

import { parameterInfo, parameterType } from '../catalog/docs';
import { parseMainCf, type MainCfEntry } from '../maincf/parse';
import { splitBraced } from '../tables/text';
import { bracesSpanLines, Edits, LineEdit, sourceLines, trimEndSpace, trimStartSpace } from './lines';

export interface FormatOptions {
  /** Indentation of continuation lines; default four spaces. */
  indent?: string;
}

const LIST_KINDS = new Set(['tables', 'domains', 'networks', 'hosts', 'list', 'enumlist', 'restrictions']);

/** Whitespace between the words of this value carries no meaning. */
function isListValue(e: MainCfEntry, classes: Set<string>): boolean {
  if (bracesSpanLines(e.logical.pieces)) return false;
  // Names Postfix does not know are quoted as written in its "unused parameter" warning.
  if (classes.has(e.name)) return true;
  return parameterInfo(e.name) !== undefined && LIST_KINDS.has(parameterType(e.name).kind);
}

const FIRST_LINE = /^([^ \t\v\f\r=]+)[ \t\v\f\r]*=[ \t\v\f\r]*(.*)$/;

export function formatMainCf(text: string, options: FormatOptions = {}): LineEdit[] {
  const indent = options.indent ?? '    ';
  const lines = sourceLines(text);
  const edits = new Edits(lines);
  const cf = parseMainCf(text);
  const classesValue = cf.byName.get('smtpd_restriction_classes')?.value ?? '';
  const classes = new Set(splitBraced(classesValue).map(([a, b]) => classesValue.slice(a, b)));
  const inEntry = new Set<number>();
  // postconf's "overriding earlier entry" warning quotes a duplicated
  // setting's value as written, blanks included: keep those values' blanks.
  const seen = new Map<string, number>();
  for (const e of cf.entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);

  for (const e of cf.entries) {
    const { firstLine, lastLine } = e.logical;
    for (const p of e.logical.pieces) inEntry.add(p.line);
    const m = FIRST_LINE.exec(lines[firstLine].text);
    // `name` alone with `=` on the next line: leave the entry as written.
    if (!m) continue;
    const list = seen.get(e.name) === 1 && isListValue(e, classes);
    const last = e.logical.pieces.length === 1;
    let rest = m[2];
    if (last || list) rest = trimEndSpace(rest);
    edits.set(firstLine, rest.length > 0 ? `${m[1]} = ${rest}` : `${m[1]} =`, firstLine, lastLine);
    e.logical.pieces.slice(1).forEach((p, k, pieces) => {
      const line = lines[p.line].text;
      const isLast = k === pieces.length - 1;
      if (list) edits.set(p.line, indent + trimEndSpace(trimStartSpace(line)), firstLine, lastLine);
      else if (isLast) edits.set(p.line, trimEndSpace(line), firstLine, lastLine);
    });
  }
  // Blank lines that hold only blanks become empty (Postfix skips both alike).
  const stop = cf.fatal ? cf.fatal.range.start.line : lines.length;
  for (let i = 0; i < stop; i++) {
    if (!inEntry.has(i) && lines[i].text.length > 0 && trimStartSpace(lines[i].text).length === 0) edits.set(i, '');
  }
  return edits.list;
}

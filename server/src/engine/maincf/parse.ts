// main.cf: a lossless view of `name = value` logical lines, with exact ranges.
// Postfix reads the file with readllines() + split_nameval(); so do we.

import { isSpace, LogicalLine, logicalRange, readLogicalLines, CommentLine } from '../lines';
import type { Problem, Range } from '../types';
import { parseReferences, Reference } from './references';
import { mainProblem } from './codes';

export interface MainCfEntry {
  name: string;
  nameRange: Range;
  /** The value exactly as Postfix stores it: pieces joined, outer whitespace trimmed. */
  value: string;
  /** From the first to the last value character (an empty value: just after `=`). */
  valueRange: Range;
  /** The whole logical line, all its physical lines. */
  range: Range;
  /** Offset of `value` inside the logical line (for mapping value offsets to positions). */
  valueOffset: number;
  logical: LogicalLine;
  /** `$name` references inside the value, with ranges. */
  references: Reference[];
  /** Zero-based number of the first physical line (Postfix reports this line + 1). */
  line: number;
}

export interface MainCf {
  file: string;
  entries: MainCfEntry[];
  comments: CommentLine[];
  /** The entry that wins for each name: the last one. */
  byName: Map<string, MainCfEntry>;
  problems: Problem[];
  /** Set when Postfix would stop reading (fatal `missing '='`): later lines are not read. */
  fatal?: Problem;
  lineCount: number;
}


/** Maps an offset inside an entry's value to a document range. */
export function valueRange(entry: MainCfEntry, start: number, end: number): Range {
  return logicalRange(entry.logical, entry.valueOffset + start, entry.valueOffset + end);
}

/**
 * The last parse, by text and file name. The lint reads main.cf twice (the
 * configuration and the simulator's view of it); a parse is never modified,
 * so the second reader gets the same result instead of another parse.
 */
let lastParse: { text: string; file: string; result: MainCf } | undefined;

export function parseMainCf(text: string, file = 'main.cf'): MainCf {
  if (lastParse && lastParse.file === file && lastParse.text === text) return lastParse.result;
  const result = parseMainCfText(text, file);
  lastParse = { text, file, result };
  return result;
}

function parseMainCfText(text: string, file: string): MainCf {
  const ll = readLogicalLines(text);
  const entries: MainCfEntry[] = [];
  const byName = new Map<string, MainCfEntry>();
  const problems: Problem[] = [];
  let fatal: Problem | undefined;

  for (const orphan of ll.orphans) {
    const shown = orphan.text.length > 30 ? `${orphan.text.slice(0, 30)}...` : orphan.text;
    problems.push(
      mainProblem(
        'leadingWhitespace',
        file,
        logicalRange(orphan, 0, orphan.text.length),
        `logical line must not start with whitespace: "${shown}" (an indented line continues the previous line; this one has none, so Postfix ignores it)`,
      ),
    );
  }

  for (const logical of ll.lines) {
    if (fatal) break;
    const t = logical.text;
    let i = 0;
    while (i < t.length && isSpace(t[i])) i++;
    const nameStart = i;
    while (i < t.length && !isSpace(t[i]) && t[i] !== '=') i++;
    const nameEnd = i;
    while (i < t.length && isSpace(t[i])) i++;
    const whole = logicalRange(logical, 0, t.length);
    if (nameStart === nameEnd || t[i] !== '=') {
      const reason = nameStart === nameEnd ? 'missing attribute name' : "missing '=' after attribute name";
      fatal = mainProblem('missingEquals', file, whole, `line ${logical.firstLine + 1}: ${reason}: "${t}"`);
      problems.push(fatal);
      break;
    }
    i++; // '='
    while (i < t.length && isSpace(t[i])) i++;
    let end = t.length;
    while (end > i && isSpace(t[end - 1])) end--;
    const value = t.slice(i, end);
    const entry: MainCfEntry = {
      name: t.slice(nameStart, nameEnd),
      nameRange: logicalRange(logical, nameStart, nameEnd),
      value,
      valueRange: logicalRange(logical, i, end),
      range: whole,
      valueOffset: i,
      logical,
      references: [],
      line: logical.firstLine,
    };
    entry.references = parseReferences(value).map((r) => ({ ...r, range: valueRange(entry, r.start, r.end) }));
    const earlier = byName.get(entry.name);
    if (earlier && earlier.value !== entry.value) {
      problems.push(
        mainProblem(
          'overriding',
          file,
          entry.nameRange,
          `line ${entry.line + 1}: overriding earlier entry: ${entry.name}=${earlier.value} (line ${earlier.line + 1}); the last setting wins`,
        ),
      );
    }
    byName.set(entry.name, entry);
    entries.push(entry);
  }

  return { file, entries, comments: ll.comments, byName, problems, fatal, lineCount: ll.lineCount };
}

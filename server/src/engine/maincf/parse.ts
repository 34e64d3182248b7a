// main.cf: a lossless view of `name = value` logical lines, with exact ranges.
// Postfix reads the file with readllines() + split_nameval(); so do we.

import { isSpace, LogicalLine, logicalRange, readLogicalLinesSteps, CommentLine } from '../lines';
import { drain, PARSED_SETTINGS_PER_STEP, type Steps } from '../steps';
import type { Problem, Range } from '../types';
import { parseReferences, Reference } from './references';
import { mainProblem } from './codes';

export interface MainCfEntry {
  readonly name: string;
  readonly nameRange: Range;
  /** The value exactly as Postfix stores it: pieces joined, outer whitespace trimmed. */
  readonly value: string;
  /** From the first to the last value character (an empty value: just after `=`). */
  readonly valueRange: Range;
  /** The whole logical line, all its physical lines. */
  readonly range: Range;
  /** Offset of `value` inside the logical line (for mapping value offsets to positions). */
  readonly valueOffset: number;
  readonly logical: LogicalLine;
  /** `$name` references inside the value, with ranges. */
  readonly references: Reference[];
  /** Zero-based number of the first physical line (Postfix reports this line + 1). */
  readonly line: number;
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


/** Length of a UTF-8 byte order mark at the start of the text (decoded as UTF-8 or byte by byte), or 0. */
export function byteOrderMark(text: string): number {
  if (text.startsWith('\ufeff')) return 1;
  if (text.startsWith('\u00ef\u00bb\u00bf')) return 3;
  return 0;
}

function bomProblem(file: string, first: LogicalLine | undefined, length: number): Problem {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: length } };
  const eq = first && first.firstLine === 0 ? first.text.indexOf('=') : -1;
  const name = eq > 0 ? first!.text.slice(length, eq).trim() : '';
  const effect =
    name !== '' && !/\s/.test(name)
      ? `Postfix reads it as part of the name "${printable(name)}", does not know that name and ignores this setting (postconf: unused parameter)`
      : `Postfix reads it as line 1, which then has no '=', and every Postfix program stops (missing '=' after attribute name)`;
  return mainProblem('byteOrderMark', file, range, `the file starts with a UTF-8 byte order mark (EF BB BF), which editors hide: ${effect}. Save the file without it.`);
}

/** Text for a message: control characters shown as `?`, long text shortened. */
function printable(s: string): string {
  const t = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/** Maps an offset inside an entry's value to a document range. */
export function valueRange(entry: MainCfEntry, start: number, end: number): Range {
  return logicalRange(entry.logical, entry.valueOffset + start, entry.valueOffset + end);
}

/**
 * The last parse of each file, by text. The lint reads main.cf twice (the
 * configuration and the simulator's view of it); a parse is never modified,
 * so the second reader gets the same result instead of another parse.
 */
// One per file (a few files: each open configuration's), so the configuration-level
// results kept per directory (engine/lint.ts) see the same object while the text is the same.
const lastParses = new Map<string, { text: string; result: MainCf }>();
const MAX_PARSES = 16;

/** Whether parseMainCf(text, file) would give the last parse of the file (no work). */
export function mainParsedAlready(text: string, file: string): boolean {
  return lastParses.get(file)?.text === text;
}

export function parseMainCf(text: string, file = 'main.cf'): MainCf {
  return drain(parseMainCfSteps(text, file));
}

/**
 * parseMainCf in steps (engine/steps.ts): a main.cf of 100,000 settings was
 * one piece of about a second; its logical lines are read, and its settings
 * made, a few thousand at a time.
 */
export function* parseMainCfSteps(text: string, file = 'main.cf'): Steps<MainCf> {
  const last = lastParses.get(file);
  if (last && last.text === text) return last.result;
  const result = yield* parseMainCfText(text, file);
  lastParses.delete(file);
  lastParses.set(file, { text, result });
  if (lastParses.size > MAX_PARSES) lastParses.delete(lastParses.keys().next().value as string);
  return result;
}

/**
 * A setting as the parser made it: its ranges and references are made when
 * first asked. A main.cf of 100,000 settings made about a million range
 * objects up front, most never read by a hover or a completion (half the parse
 * was garbage collection).
 */
class ParsedEntry implements MainCfEntry {
  readonly line: number;
  #nameRange?: Range;
  #valueRange?: Range;
  #range?: Range;
  #references?: Reference[];

  constructor(
    readonly name: string,
    readonly value: string,
    readonly logical: LogicalLine,
    private readonly nameStart: number,
    private readonly nameEnd: number,
    readonly valueOffset: number,
    private readonly valueEnd: number,
  ) {
    this.line = logical.firstLine;
  }

  get nameRange(): Range {
    return (this.#nameRange ??= logicalRange(this.logical, this.nameStart, this.nameEnd));
  }

  get valueRange(): Range {
    return (this.#valueRange ??= logicalRange(this.logical, this.valueOffset, this.valueEnd));
  }

  get range(): Range {
    return (this.#range ??= logicalRange(this.logical, 0, this.logical.text.length));
  }

  get references(): Reference[] {
    return (this.#references ??= parseReferences(this.value).map((r) => ({ ...r, range: valueRange(this, r.start, r.end) })));
  }
}

function* parseMainCfText(text: string, file: string): Steps<MainCf> {
  const ll = yield* readLogicalLinesSteps(text);
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

  const bom = byteOrderMark(text);
  if (bom > 0) problems.push(bomProblem(file, ll.lines[0], bom));

  for (let n = 0; n < ll.lines.length; n++) {
    if (fatal) break;
    if (n > 0 && n % PARSED_SETTINGS_PER_STEP === 0) yield 'main.cf: settings';
    const logical = ll.lines[n];
    // Postfix keeps a logical line as a C string, which ends at the first NUL byte.
    const nul = logical.text.indexOf('\0');
    const t = nul < 0 ? logical.text : logical.text.slice(0, nul);
    if (nul >= 0) {
      const rest = logical.text.slice(nul + 1);
      problems.push(
        mainProblem(
          'nulByte',
          file,
          logicalRange(logical, nul, logical.text.length),
          `line ${logical.firstLine + 1}: NUL byte: Postfix reads this line only up to here and ignores the rest${rest.trim() === '' ? '' : `: "${printable(rest)}"`}`,
        ),
      );
    }
    let i = 0;
    while (i < t.length && isSpace(t[i])) i++;
    const nameStart = i;
    while (i < t.length && !isSpace(t[i]) && t[i] !== '=') i++;
    const nameEnd = i;
    while (i < t.length && isSpace(t[i])) i++;
    if (nameStart === nameEnd || t[i] !== '=') {
      const reason = nameStart === nameEnd ? 'missing attribute name' : "missing '=' after attribute name";
      fatal = mainProblem('missingEquals', file, logicalRange(logical, 0, logical.text.length), `line ${logical.firstLine + 1}: ${reason}: "${t}"`);
      problems.push(fatal);
      break;
    }
    i++; // '='
    while (i < t.length && isSpace(t[i])) i++;
    let end = t.length;
    while (end > i && isSpace(t[end - 1])) end--;
    const entry = new ParsedEntry(t.slice(nameStart, nameEnd), t.slice(i, end), logical, nameStart, nameEnd, i, end);
    const earlier = byName.get(entry.name);
    if (earlier && earlier.value !== entry.value) {
      const p = mainProblem(
        'overriding',
        file,
        entry.nameRange,
        `line ${entry.line + 1}: overriding earlier entry: ${entry.name}=${earlier.value} (line ${earlier.line + 1}); the last setting wins`,
      );
      // The overridden setting is dead text: editors fade it.
      p.related = [{ file, range: earlier.range, message: `${entry.name} is set again on line ${entry.line + 1}, so this setting never takes effect`, tags: ['unnecessary'] }];
      problems.push(p);
    }
    byName.set(entry.name, entry);
    entries.push(entry);
  }

  return { file, entries, comments: ll.comments, byName, problems, fatal, lineCount: ll.lineCount };
}

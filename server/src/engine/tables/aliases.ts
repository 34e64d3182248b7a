// aliases(5) files, the source of alias_maps that postalias (newaliases)
// compiles: `name: value, value`, continued on indented lines. Lines are read
// as for every table (readllines); each is then split into RFC 822 tokens, as
// postalias does, so that a quoted local part may hold ':' or '@'. The checks
// are postalias's own: a line needs a name, a ':' and a value, and the name
// must be a bare local part.

import type { Problem, Range } from '../types';
import { memoParse } from './memo';
import { tableProblem } from './codes';
import { foldKey } from './fold';
import { asDecodedText, forEachTableLine, SourceText, spanLine, TableLine, textRange, wholeLineRange } from './text';

export interface AliasEntry {
  /** The name as postalias stores it (unquoted, lower case). */
  name: string;
  line: number;
  nameRange: Range;
}

export interface AliasTable {
  kind: 'aliases';
  entries: AliasEntry[];
  problems: Problem[];
}

type TokenType = 'atom' | 'qstring' | 'comment' | 'domlit' | 'op';

interface Token {
  type: TokenType;
  /** Operator character, or the token's text without its delimiters. */
  text: string;
  start: number;
  end: number;
}

// Single-character operators of Postfix's RFC 822 tokenizer (tok822_parse.c).
const OPERATORS = '|%!()<>@,;:\\".[]';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Collects s[i..] while `more` holds, a backslash taking the next character literally. */
function collect(s: string, i: number, more: (c: string) => boolean): { text: string; end: number } {
  let text = '';
  while (i < s.length) {
    let c = s[i];
    if (c === '\\') {
      if (++i >= s.length) break;
      c = s[i];
    } else if (!more(c)) break;
    text += isSpace(c) ? ' ' : c;
    i++;
  }
  return { text, end: i };
}

/** A parenthesised comment, nested comments included (tok822_comment). */
function comment(s: string, i: number): { text: string; end: number } {
  let depth = 1;
  let text = '';
  while (i < s.length) {
    let c = s[i++];
    if (c === '\\') {
      if (i >= s.length) break;
      c = s[i++];
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) break;
    text += c;
  }
  return { text, end: i };
}

export function tokenizeAddressList(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    const start = i;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      const r = comment(s, i + 1);
      out.push({ type: 'comment', text: r.text, start, end: (i = r.end) });
    } else if (c === '[' || c === '"') {
      const close = c === '[' ? ']' : '"';
      const r = collect(s, i + 1, (x) => x !== close);
      i = r.end < s.length ? r.end + 1 : r.end;
      out.push({ type: c === '[' ? 'domlit' : 'qstring', text: r.text, start, end: i });
    } else if (c !== '\\' && OPERATORS.includes(c)) {
      out.push({ type: 'op', text: c, start, end: ++i });
    } else {
      const r = collect(s, i, (x) => !isSpace(x) && !OPERATORS.includes(x));
      i = Math.max(r.end, i + 1);
      out.push({ type: 'atom', text: r.text, start, end: i });
    }
  }
  return out;
}

/** The name as postalias stores it: words joined by one space, operators by none. */
function storedName(tokens: Token[]): string {
  let out = '';
  let prevWord = false;
  for (const t of tokens) {
    const word = t.type !== 'op';
    if (word && prevWord) out += ' ';
    out += t.type === 'comment' ? `(${t.text})` : t.type === 'domlit' ? `[${t.text}]` : t.text;
    prevWord = word;
  }
  return foldKey(out);
}

/** Parses an aliases(5) file. Never throws. */
/** Parsed once per text (tables/memo.ts); the result is shared and must not be changed. */
export function parseAliasTable(raw: string, file: string): AliasTable {
  return memoParse(`aliases|${file}`, raw, () => parseAliasTableUncached(raw, file));
}

function parseAliasTableUncached(raw: string, file: string): AliasTable {
  const text = asDecodedText(raw);
  const src = new SourceText(text);
  const entries: AliasEntry[] = [];
  const problems: Problem[] = [];
  const first = new Map<string, AliasEntry>();
  const lineRange = (tl: TableLine) => wholeLineRange(src, tl);

  const onLine = (tl: TableLine) => {
    // Invalid UTF-8 arrives as U+FFFD from the decoder; postalias skips such lines.
    if (tl.text.includes('\ufffd')) {
      problems.push(tableProblem('nonUtf8', file, lineRange(tl), 'non-UTF-8 input -- ignoring this line.'));
      return;
    }
    const tokens = tokenizeAddressList(tl.text);
    if (tokens.length === 0) return;
    const colon = tokens.findIndex((t) => t.type === 'op' && t.text === ':');
    const before = colon < 0 ? tokens : tokens.slice(0, colon);
    if (colon <= 0 || colon === tokens.length - 1 || before.some((t) => t.type === 'op' && t.text === ',')) {
      problems.push(
        tableProblem('aliasNeedPair', file, lineRange(tl), 'need name:value pair. An alias line is "name: address, ..." (quote an empty name or value); postalias ignores this one.'),
      );
      return;
    }
    const nameRange = textRange(src, tl, before[0].start, before[before.length - 1].end);
    if (before.some((t) => t.type === 'op' && (t.text === '@' || t.text === '%'))) {
      problems.push(tableProblem('aliasNotLocal', file, nameRange, 'name must be local. An alias name has no @domain (aliases for whole addresses belong in virtual_alias_maps); postalias ignores this line.'));
      return;
    }
    const entry: AliasEntry = { name: storedName(before), line: tl.line, nameRange };
    const earlier = first.get(entry.name);
    if (earlier) {
      problems.push(
        tableProblem('duplicateKey', file, nameRange, `duplicate entry: "${entry.name}". Line ${earlier.line + 1} defines it first, and the first entry wins; this one is never used.`),
      );
    } else first.set(entry.name, entry);
    entries.push(entry);
  };

  forEachTableLine(
    text,
    onLine,
    (tl) => problems.push(tableProblem('leadingWhitespace', file, lineRange(tl), 'logical line must not start with whitespace. An indented line continues the line before it; here there is none, so postalias ignores it.')),
    (start, end, line) => onLine(spanLine(text, start, end, line)),
  );
  return { kind: 'aliases', entries, problems };
}

// Text edits for quick fixes: insert, replace or remove words of a list,
// set a main.cf parameter, set a master.cf -o option. Every edit touches only
// the words being fixed: comment lines inside a continued value are never
// part of a replaced range, and other words keep their text and layout.

import type { MainCfEntry } from '../maincf/parse';
import type { MasterService } from '../mastercf';
import { lastOverride } from '../mastercf/overrides';
import { fileLines, removeLines } from '../fixes/text';
import type { Position, Range, TextEdit } from '../types';
import type { RuleContext } from './context';
import type { Site, SiteToken } from './lists';

function lines(ctx: RuleContext, file: string): string[] {
  return ctx.once(`lines:${file}`, () => (ctx.text(file) ?? '').split('\n'));
}

function edit(file: string, start: Position, end: Position, newText: string): TextEdit {
  return { file, range: { start, end }, newText };
}

/** Separator the list already uses between words (no space inside a master.cf -o word). */
function separator(site: Site): string {
  if (site.where.kind === 'master' && site.where.override.form !== 'braced') return ',';
  return site.value.includes(',') || site.tokens.length <= 1 ? ', ' : ' ';
}

/** Inserts words before a word of a list. */
export function insertBefore(token: SiteToken, text: string): TextEdit {
  return edit(token.site.file, token.range.start, token.range.start, `${text}${separator(token.site)}`);
}

/** Puts a word and a space in front of a word (`hash:x` → `check_client_access hash:x`). */
export function prefixWord(token: SiteToken, word: string): TextEdit {
  return edit(token.site.file, token.range.start, token.range.start, `${word} `);
}

/** Inserts words after a word of a list. */
export function insertAfter(token: SiteToken, text: string): TextEdit {
  return edit(token.site.file, token.range.end, token.range.end, `${separator(token.site)}${text}`);
}

/** Appends words at the end of a list (or fills an empty value). */
export function appendToSite(ctx: RuleContext, site: Site, text: string): TextEdit {
  const last = site.tokens[site.tokens.length - 1];
  if (last) return insertAfter(last, text);
  const at = site.rangeOf(0, 0).start;
  const line = lines(ctx, site.file)[at.line] ?? '';
  const before = line[at.character - 1];
  return edit(site.file, at, at, `${before === '=' ? ' ' : ''}${text}`);
}

export function replaceToken(token: SiteToken, text: string): TextEdit {
  return edit(token.site.file, token.range.start, token.range.end, text);
}

const isSep = (c: string | undefined) => c === ',' || c === ' ' || c === '\t' || c === '\r';

/**
 * Removes words of a list. A continuation line left with nothing but
 * separators is removed whole; a comma left dangling at the end of the list is
 * removed; comment lines are never touched.
 */
export function removeTokens(ctx: RuleContext, site: Site, remove: SiteToken[]): TextEdit[] {
  const gone = new Set(remove.map((t) => t.index).filter((i) => site.tokens[i] !== undefined));
  if (gone.size === 0) return [];
  const text = lines(ctx, site.file);
  const firstLine = site.rangeOf(0, 0).start.line;
  const { byLine, position } = tokensByLine(site);
  // A braced word over several lines: remove its exact range (no comment can be inside a word).
  const multi = [...gone].filter((i) => position[i] < 0).sort((a, b) => a - b);
  if (multi.length) {
    const t = site.tokens[multi[0]];
    return [edit(site.file, t.range.start, t.range.end, '')];
  }
  // Per physical line: character intervals to delete; or the whole line.
  // Only the lines of removed words are visited, so removing one word of a
  // list of a million costs no more than removing it from a list of ten.
  const cut = new Map<number, [number, number][]>();
  const wholeLines = new Set<number>();
  const add = (line: number, a: number, b: number) => {
    if (b <= a) return;
    const l = cut.get(line) ?? [];
    l.push([a, b]);
    cut.set(line, l);
  };
  const removedByLine = new Map<number, number[]>();
  for (const i of gone) {
    const line = site.tokens[i].range.start.line;
    const l = removedByLine.get(line);
    if (l) l.push(position[i]);
    else removedByLine.set(line, [position[i]]);
  }
  // Lines in the order their words come in the list.
  const order = [...removedByLine.keys()].sort((a, b) => byLine.get(a)![0].index - byLine.get(b)![0].index);
  for (const line of order) {
    const toks = byLine.get(line)!;
    const removed = removedByLine.get(line)!.sort((a, b) => a - b);
    const lineText = text[line] ?? '';
    if (removed.length === toks.length && line !== firstLine) {
      // Only separators besides the words: the whole continuation line goes.
      let rest = lineText;
      for (const t of [...toks].reverse()) rest = rest.slice(0, t.range.start.character) + rest.slice(t.range.end.character);
      if (/^[\s,]*$/.test(rest)) {
        wholeLines.add(line);
        continue;
      }
    }
    for (let r = 0; r < removed.length; r++) {
      const i = removed[r];
      let j = i;
      while (r + 1 < removed.length && removed[r + 1] === j + 1) {
        j++;
        r++;
      }
      const a = toks[i];
      const b = toks[j];
      if (j + 1 < toks.length) add(line, a.range.start.character, toks[j + 1].range.start.character);
      else if (i > 0) add(line, toks[i - 1].range.end.character, b.range.end.character);
      else {
        let end = b.range.end.character;
        while (end < lineText.length && isSep(lineText[end])) end++;
        add(line, a.range.start.character, end);
      }
    }
  }
  // The list's last word removed: drop a comma dangling after the new last word.
  let k = site.tokens.length - 1;
  while (k >= 0 && gone.has(site.tokens[k].index)) k--;
  const lastKept = k >= 0 ? site.tokens[k] : undefined;
  if (lastKept && gone.has(site.tokens[site.tokens.length - 1].index)) {
    const line = lastKept.range.end.line;
    const lineText = text[line] ?? '';
    // Every word after the last kept one is removed: is one of them on its line?
    const onLine = byLine.get(line);
    const sameLineRemoved = onLine !== undefined && onLine[onLine.length - 1].index > lastKept.index;
    if (!sameLineRemoved) {
      let end = lastKept.range.end.character;
      while (end < lineText.length && isSep(lineText[end])) end++;
      if (end === lineText.length && lineText.slice(lastKept.range.end.character, end).includes(',')) {
        add(line, lastKept.range.end.character, lineText.replace(/\r$/, '').length);
      }
    }
  }
  const edits: TextEdit[] = [];
  for (const line of [...wholeLines].sort((a, b) => a - b)) edits.push(edit(site.file, { line, character: 0 }, { line: line + 1, character: 0 }, ''));
  for (const [line, intervals] of cut) {
    if (wholeLines.has(line)) continue;
    intervals.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const iv of intervals) {
      const top = merged[merged.length - 1];
      if (top && iv[0] <= top[1]) top[1] = Math.max(top[1], iv[1]);
      else merged.push([...iv]);
    }
    for (const [a, b] of merged) edits.push(edit(site.file, { line, character: a }, { line, character: b }, ''));
  }
  return edits;
}

/** A site's one-line words grouped by line, and each word's position in its line (-1: a word over several lines). */
const lineIndex = new WeakMap<Site, { byLine: Map<number, SiteToken[]>; position: number[] }>();

function tokensByLine(site: Site): { byLine: Map<number, SiteToken[]>; position: number[] } {
  let index = lineIndex.get(site);
  if (index) return index;
  const byLine = new Map<number, SiteToken[]>();
  const position: number[] = [];
  for (const t of site.tokens) {
    if (t.range.start.line !== t.range.end.line) {
      position[t.index] = -1;
      continue;
    }
    const l = byLine.get(t.range.start.line);
    if (l) {
      position[t.index] = l.length;
      l.push(t);
    } else {
      position[t.index] = 0;
      byLine.set(t.range.start.line, [t]);
    }
  }
  index = { byLine, position };
  lineIndex.set(site, index);
  return index;
}

/** The file's line ending: new lines in a CRLF file end in CRLF too. */
function eol(ctx: RuleContext, file: string): string {
  return ctx.once(`eol:${file}`, () => ((ctx.text(file) ?? '').includes('\r\n') ? '\r\n' : '\n'));
}

/** Where a new last line goes in a file, and the text to insert for it. */
function appendLine(ctx: RuleContext, file: string, lineText: string): TextEdit {
  const text = ctx.text(file) ?? '';
  const ls = lines(ctx, file);
  const nl = eol(ctx, file);
  if (text === '' || text.endsWith('\n')) {
    const line = text === '' ? 0 : ls.length - 1;
    return edit(file, { line, character: 0 }, { line, character: 0 }, `${lineText}${nl}`);
  }
  const line = ls.length - 1;
  const character = ls[line].replace(/\r$/, '').length;
  return edit(file, { line, character }, { line, character }, `${nl}${lineText}`);
}

/** Replaces the value of a main.cf entry, keeping comment lines inside a continued value. */
export function replaceEntryValue(ctx: RuleContext, entry: MainCfEntry, value: string): TextEdit[] {
  const file = ctx.config.mainPath;
  const pieces = entry.logical.pieces;
  const start = entry.valueRange.start;
  if (entry.value === '') {
    const line = lines(ctx, file)[start.line] ?? '';
    const pad = line[start.character - 1] === '=' ? ' ' : '';
    return [edit(file, start, start, `${pad}${value}`)];
  }
  if (pieces.length === 1 || entry.valueRange.end.line === start.line) return [edit(file, start, entry.valueRange.end, value)];
  // Value continued over several lines: new value on the first, continuation lines removed, comments kept.
  const edits: TextEdit[] = [];
  const firstPiece = pieces.find((p) => p.line === start.line) ?? pieces[0];
  edits.push(edit(file, start, { line: firstPiece.line, character: firstPiece.text.replace(/[\s]+$/, '').length }, value));
  for (const p of pieces) {
    if (p.line <= start.line) continue;
    edits.push(edit(file, { line: p.line, character: 0 }, { line: p.line + 1, character: 0 }, ''));
  }
  return edits;
}

/** Sets a main.cf parameter: replaces the value that wins, or appends `name = value`. */
export function setMainParameter(ctx: RuleContext, name: string, value: string): TextEdit[] {
  const entry = ctx.config.main?.byName.get(name);
  if (entry) return replaceEntryValue(ctx, entry, value);
  return [appendLine(ctx, ctx.config.mainPath, `${name} = ${value}`)];
}

/** `-o name=value`, with braces when the value has white space (Postfix ≥ 3.0). */
function optionText(name: string, value: string): string {
  return /[\s]/.test(value) ? `-o { ${name} = ${value} }` : `-o ${name}=${value}`;
}

/** Sets an -o option of a master.cf service: replaces the last one, or adds `  -o name=value` below the service. */
export function setServiceOption(ctx: RuleContext, service: MasterService, name: string, value: string): TextEdit[] {
  const file = ctx.config.masterPath;
  const existing = lastOverride(service, name);
  if (existing) {
    if (/[\s]/.test(value) && existing.form !== 'braced') return [edit(file, existing.range.start, existing.range.end, optionText(name, value))];
    return [edit(file, existing.valueRange.start, existing.valueRange.end, value)];
  }
  const ls = lines(ctx, file);
  const after = service.lastLine;
  const text = ctx.text(file) ?? '';
  const nl = eol(ctx, file);
  if (after + 1 < ls.length || text.endsWith('\n')) {
    return [edit(file, { line: after + 1, character: 0 }, { line: after + 1, character: 0 }, `  ${optionText(name, value)}${nl}`)];
  }
  const character = (ls[after] ?? '').replace(/\r$/, '').length;
  return [edit(file, { line: after, character }, { line: after, character }, `${nl}  ${optionText(name, value)}`)];
}

/**
 * Removes every main.cf entry of these names (an earlier, overridden one
 * too), whole physical lines; comment lines inside a continued value stay.
 */
export function removeMainEntries(ctx: RuleContext, names: string[], except?: MainCfEntry): TextEdit[] {
  const gone = (ctx.config.main?.entries ?? []).filter((e) => names.includes(e.name) && e !== except);
  return removeWholeLines(ctx, ctx.config.mainPath, gone.flatMap((e) => e.logical.pieces.map((p) => p.line)));
}

/**
 * Writes `name = value` in place of an existing entry (a superseded
 * parameter's line becomes its successor's, where the admin will look for
 * it): the entry's first line is rewritten, its continuation lines removed.
 */
export function rewriteEntry(ctx: RuleContext, entry: MainCfEntry, name: string, value: string): TextEdit[] {
  const file = ctx.config.mainPath;
  const ls = lines(ctx, file);
  const [first, ...rest] = entry.logical.pieces.map((p) => p.line);
  return [edit(file, { line: first, character: 0 }, { line: first, character: (ls[first] ?? '').replace(/\r$/, '').length }, `${name} = ${value}`), ...removeWholeLines(ctx, file, rest)];
}

/** Removes an -o option of a master.cf service: its whole line when nothing else is on it, else the option and the blanks before it. */
export function removeServiceOption(ctx: RuleContext, o: { range: Range }): TextEdit[] {
  const file = ctx.config.masterPath;
  const ls = lines(ctx, file);
  const { start, end } = o.range;
  const before = (ls[start.line] ?? '').slice(0, start.character);
  const after = (ls[end.line] ?? '').slice(end.character).replace(/\r$/, '');
  if (/^\s*$/.test(before) && /^\s*$/.test(after) && start.character > 0) {
    const all: number[] = [];
    for (let l = start.line; l <= end.line; l++) all.push(l);
    return removeWholeLines(ctx, file, all);
  }
  const from = before.replace(/\s+$/, '').length;
  return [edit(file, { line: start.line, character: from }, end, '')];
}

/** Whole physical lines removed with their line breaks (consecutive ones as one edit). */
function removeWholeLines(ctx: RuleContext, file: string, lineNumbers: number[]): TextEdit[] {
  return removeLines(fileLines(file, ctx.text(file) ?? ''), lineNumbers);
}

/** Sets a parameter where it takes effect for a service: its -o when it has one (or when asked), else main.cf. */
export function setForService(ctx: RuleContext, service: MasterService | undefined, name: string, value: string, preferService = false): TextEdit[] {
  if (service && (preferService || service.overrides.some((o) => o.name === name))) return setServiceOption(ctx, service, name, value);
  return setMainParameter(ctx, name, value);
}

function comparePos(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Applies edits of one file to its text (for tests, the CLI and hardening previews). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: Position) => {
    if (p.line >= starts.length) return text.length;
    const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length;
    return Math.min(starts[p.line] + p.character, lineEnd);
  };
  const indexed = edits.map((e, i) => ({ e, i, a: offset(e.range.start), b: offset(e.range.end) }));
  indexed.sort((x, y) => y.a - x.a || y.i - x.i);
  let out = text;
  for (const { e, a, b } of indexed) out = out.slice(0, a) + e.newText + out.slice(b);
  return out;
}

/** Whether two ranges share characters (touching ends do not count). */
export function rangesOverlap(a: Range, b: Range): boolean {
  const aEmpty = comparePos(a.start, a.end) === 0;
  const bEmpty = comparePos(b.start, b.end) === 0;
  if (aEmpty && bEmpty) return false;
  if (aEmpty) return comparePos(b.start, a.start) < 0 && comparePos(a.start, b.end) < 0;
  if (bEmpty) return comparePos(a.start, b.start) < 0 && comparePos(b.start, a.end) < 0;
  return comparePos(a.start, b.end) < 0 && comparePos(b.start, a.end) < 0;
}

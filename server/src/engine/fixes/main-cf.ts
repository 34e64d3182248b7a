// Quick fixes for main.cf findings whose repair is evident: a name the target
// Postfix knows for a misspelt one (PF103), a deprecated name's replacement
// where Postfix itself reads the old value as the new one's default (PF109),
// a `#` note moved onto its own comment line (PF111), an indented assignment
// made a line of its own (PF112), and the setting that does nothing of a pair
// (PF102 the earlier, overridden one; PF113 the repeat), and a byte order
// mark Postfix reads as part of line 1 (PF181) deleted.

import { parameterFact } from '../catalog/parameters';
import { versionAtLeast } from '../catalog/version';
import type { MainCfEntry } from '../maincf/parse';
import { byteOrderMark, valueRange } from '../maincf/parse';
import { closestParameter } from '../mastercf/parameter-problems';
import type { Fix, Problem } from '../types';
import { FixContext, samePosition } from './context';
import { insertLineAbove, removeLines, textEdit } from './text';

/**
 * main.cf entries in line order, found by binary search: quick fixes are
 * worked out for every finding, and a main.cf of 100,000 settings can have
 * 10,000 findings (a linear search each was most of such a lint).
 */
const byFirstLine = new WeakMap<object, MainCfEntry[]>();

function entriesInOrder(ctx: FixContext): MainCfEntry[] {
  const main = ctx.config.main;
  if (!main) return [];
  let sorted = byFirstLine.get(main);
  if (!sorted) byFirstLine.set(main, (sorted = [...main.entries].sort((a, b) => a.logical.firstLine - b.logical.firstLine)));
  return sorted;
}

/** The last entry starting at or before `line`. */
function lastStartingBy(ctx: FixContext, line: number): MainCfEntry | undefined {
  const sorted = entriesInOrder(ctx);
  let lo = 0;
  let hi = sorted.length - 1;
  let found: MainCfEntry | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].logical.firstLine <= line) {
      found = sorted[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function entryAt(ctx: FixContext, p: Problem): MainCfEntry | undefined {
  const e = lastStartingBy(ctx, p.range.start.line);
  return e && samePosition(e.nameRange.start, p.range.start) ? e : undefined;
}

function entryContaining(ctx: FixContext, line: number): MainCfEntry | undefined {
  const e = lastStartingBy(ctx, line);
  return e && line <= e.logical.lastLine ? e : undefined;
}

/** The physical lines of an entry's text (comment lines inside a continued value are not among them). */
function entryLines(e: MainCfEntry): number[] {
  return e.logical.pieces.map((piece) => piece.line);
}

/** Whether anything in the configuration refers to `$name` (a rename would leave it undefined). */
function isReferenced(ctx: FixContext, name: string): boolean {
  if (ctx.config.main?.entries.some((e) => e.references.some((r) => r.name === name))) return true;
  const ref = new RegExp(`\\$(\\{|\\()?\\s*${name}(?![A-Za-z0-9_])`);
  return ctx.config.master?.services.some((s) => s.overrides.some((o) => ref.test(o.value))) ?? false;
}

function isSet(ctx: FixContext, name: string): boolean {
  return ctx.config.main?.byName.has(name) ?? false;
}

/**
 * The parameter that took over `name` unchanged: Postfix's own default for it
 * reads the old parameter (`smtp_fallback_relay = $fallback_relay`), so moving
 * the value across changes nothing. Replacements that need a different value
 * (smtpd_use_tls → smtpd_tls_security_level) are not renames.
 */
export function renamedTo(name: string): string | undefined {
  const replacement = parameterFact(name)?.replacement;
  if (!replacement || !/^[a-z0-9_]+$/.test(replacement)) return undefined;
  const dflt = parameterFact(replacement)?.default ?? '';
  return new RegExp(`\\$(\\{|\\()?${name}(?![A-Za-z0-9_])`).test(dflt) ? replacement : undefined;
}

function rename(ctx: FixContext, e: MainCfEntry, to: string, title: string, safe: boolean): Fix {
  return { title, edits: [textEdit(ctx.config.mainPath, e.nameRange.start, e.nameRange.end, to)], ...(safe ? { safe } : {}) };
}

function removeEntry(ctx: FixContext, e: MainCfEntry, title: string, safe: boolean): Fix | undefined {
  const f = ctx.lines(ctx.config.mainPath);
  if (!f) return undefined;
  return { title, edits: removeLines(f, entryLines(e)), ...(safe ? { safe } : {}) };
}

/** PF103: a removed parameter's successor, or the closest name the target version knows. */
function unusedFixes(ctx: FixContext, p: Problem): Fix[] {
  const e = entryAt(ctx, p);
  if (!e) return [];
  const fact = parameterFact(e.name);
  if (fact?.removedIn && versionAtLeast(ctx.config.version, fact.removedIn)) {
    const to = renamedTo(e.name);
    if (to && !isSet(ctx, to)) return [rename(ctx, e, to, `Rename to ${to}`, true)];
    if (fact.replacement === '(do not specify)') return [removeEntry(ctx, e, `Remove ${e.name} (Postfix no longer has it)`, false)].filter((x): x is Fix => !!x);
    return [];
  }
  const near = closestParameter(e.name, ctx.config.version, (c) => isSet(ctx, c));
  // The message names the same candidate unless that one is already set (a rename would only make a duplicate).
  return near && near !== e.name ? [rename(ctx, e, near, `Change to ${near}`, false)] : [];
}

/** PF109: rename to the replacement when it is a plain rename; "do not specify" → remove. */
function deprecatedFixes(ctx: FixContext, p: Problem): Fix[] {
  const e = entryAt(ctx, p);
  if (!e) return [];
  const fact = parameterFact(e.name);
  if (fact?.replacement === '(do not specify)') return [removeEntry(ctx, e, `Remove ${e.name} (leave it to the default)`, false)].filter((x): x is Fix => !!x);
  const to = renamedTo(e.name);
  if (!to || isSet(ctx, to) || isReferenced(ctx, e.name)) return [];
  return [rename(ctx, e, to, `Rename to ${to}`, true)];
}

/** PF111: `name = value # note` → `# note` on its own line above, `name = value`. */
function hashFixes(ctx: FixContext, p: Problem): Fix[] {
  const e = entryContaining(ctx, p.range.start.line);
  const f = ctx.lines(ctx.config.mainPath);
  if (!e || !f) return [];
  const hash = e.value.search(/\s#/);
  if (hash < 0) return [];
  const before = e.value.slice(0, hash).trimEnd();
  const note = e.value.slice(hash + 1).trim();
  // A `#` inside braces (an inline table, a `{ name = value }`) is data, not a stray note.
  const open = (before.match(/\{/g) ?? []).length - (before.match(/\}/g) ?? []).length;
  const cut = valueRange(e, before.length, e.value.length);
  if (open > 0 || before === '' || cut.start.line !== cut.end.line) return [];
  const indent = /^[ \t]*/.exec(f.lines[e.logical.firstLine] ?? '')?.[0] ?? '';
  return [
    {
      title: 'Move the note onto its own comment line',
      edits: [insertLineAbove(f, e.logical.firstLine, `${indent}${note}`), textEdit(f.file, cut.start, cut.end, '')],
      safe: true,
    },
  ];
}

/** PF112: the indented assignment becomes a setting of its own. */
function indentedAssignmentFixes(ctx: FixContext, p: Problem): Fix[] {
  const line = p.range.start.line;
  const f = ctx.lines(ctx.config.mainPath);
  const text = f?.lines[line];
  if (!f || text === undefined || !/^[ \t]+$/.test(text.slice(0, p.range.start.character))) return [];
  return [{ title: 'Remove the indentation so that the line sets its own parameter', edits: [textEdit(f.file, { line, character: 0 }, p.range.start, '')], safe: true }];
}

/** PF102 (on the later setting): the earlier one never takes effect. */
function overridingFixes(ctx: FixContext, p: Problem): Fix[] {
  const main = ctx.config.main;
  const later = entryAt(ctx, p);
  if (!main || !later) return [];
  const i = main.entries.indexOf(later);
  const earlier = main.entries.slice(0, i).reverse().find((x) => x.name === later.name);
  if (!earlier) return [];
  const fix = removeEntry(ctx, earlier, `Remove the overridden setting on line ${earlier.line + 1}`, true);
  return fix ? [fix] : [];
}

/** PF113: the repeat of a setting with the same value. */
function repeatFixes(ctx: FixContext, p: Problem): Fix[] {
  const e = entryAt(ctx, p);
  const fix = e && removeEntry(ctx, e, 'Remove this repeated setting', true);
  return fix ? [fix] : [];
}

/**
 * PF181: delete the byte order mark. Only where the text holds it (the CLI,
 * an editor that shows it): an editor that hides the mark cannot delete it
 * with an edit (byte-order-mark.ts drops this fix there).
 */
function byteOrderMarkFixes(ctx: FixContext, p: Problem): Fix[] {
  const f = ctx.lines(ctx.config.mainPath);
  const first = f?.lines[0] ?? '';
  const length = byteOrderMark(first);
  if (!f || length === 0 || p.range.end.character !== length) return [];
  return [{ title: 'Remove the byte order mark', edits: [textEdit(f.file, { line: 0, character: 0 }, { line: 0, character: length }, '')], safe: true }];
}

export const MAIN_FIXES: Record<string, (ctx: FixContext, p: Problem) => Fix[]> = {
  PF102: overridingFixes,
  PF181: byteOrderMarkFixes,
  PF103: unusedFixes,
  PF109: deprecatedFixes,
  PF111: hashFixes,
  PF112: indentedAssignmentFixes,
  PF113: repeatFixes,
};

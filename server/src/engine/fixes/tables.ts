// Quick fixes for lookup-table findings whose repair is evident: a cidr
// pattern with host bits set (PF320), which Postfix skips, written as the
// network Postfix itself suggests; the colon of an alias-style key (PF302)
// and the obsolete pcre flag X (PF343) removed; what Postfix never uses
// deleted: a later entry for a key (PF303, the first wins), an ENDIF without
// IF (PF350) and text after ENDIF (PF351).

import { cidrNetworkPattern } from '../tables/cidr';
import type { Fix, Problem } from '../types';
import type { FixContext } from './context';
import { lineSlice, removeLines, textEdit } from './text';

function cidrHostBitsFixes(ctx: FixContext, p: Problem): Fix[] {
  const { start, end } = p.range;
  const f = ctx.lines(p.file);
  if (!f || start.line !== end.line) return [];
  const pattern = lineSlice(f, start.line, start.character, end.character);
  const network = pattern === undefined ? undefined : cidrNetworkPattern(pattern);
  // Not `safe`: the rule starts to match the whole network; the author may have meant a single host.
  return network ? [{ title: `Use the network address ${network}`, edits: [textEdit(p.file, start, end, network)] }] : [];
}

/**
 * PF302: `key: value` → `key value`. Not `safe`: the file may be an alias file
 * named as a table by mistake (then postalias is the fix). A key that is an
 * IPv6 address or prefix ends in `:` legitimately and gets none.
 */
function aliasColonFixes(ctx: FixContext, p: Problem): Fix[] {
  const { start, end } = p.range;
  const f = ctx.lines(p.file);
  const key = f && start.line === end.line ? lineSlice(f, start.line, start.character, end.character) : undefined;
  if (!key || !key.endsWith(':') || key.length < 2 || /^[0-9a-f:.[\]/]+$/i.test(key)) return [];
  const colon = { line: end.line, character: end.character - 1 };
  return [{ title: `Remove the colon: key ${key.slice(0, -1)}`, edits: [textEdit(p.file, colon, end, '')] }];
}

/** PF343: delete the flag X, which Postfix ignores (so the rule reads the same). */
function obsoleteFlagFixes(ctx: FixContext, p: Problem): Fix[] {
  const { start, end } = p.range;
  const f = ctx.lines(p.file);
  if (!f || start.line !== end.line || lineSlice(f, start.line, start.character, end.character) !== 'X') return [];
  return [{ title: 'Remove the obsolete flag X', edits: [textEdit(p.file, start, end, '')], safe: true }];
}

/** Whether physical line `line` is a whole logical line (the next one does not continue it). */
function standsAlone(lines: string[], line: number): boolean {
  const next = lines[line + 1];
  return next === undefined || !/^[ \t]/.test(next) || next.trim() === '';
}

/** PF303: the later entry for a key is never used: delete it (one physical line only). */
function duplicateKeyFixes(ctx: FixContext, p: Problem): Fix[] {
  const f = ctx.lines(p.file);
  const line = p.range.start.line;
  if (!f || p.range.start.character !== 0 || !standsAlone(f.lines, line)) return [];
  return [{ title: 'Remove this entry (the first one for the key wins)', edits: removeLines(f, [line]), safe: true }];
}

/** PF350: an ENDIF without IF, which Postfix ignores: delete the line. */
function strayEndifFixes(ctx: FixContext, p: Problem): Fix[] {
  const f = ctx.lines(p.file);
  const line = p.range.start.line;
  if (!f || !/^ENDIF\b/i.test(f.lines[line] ?? '') || !standsAlone(f.lines, line)) return [];
  return [{ title: 'Remove the ENDIF without IF', edits: removeLines(f, [line]), safe: true }];
}

/** PF351: text after ENDIF, which Postfix ignores: delete it with the blanks before it. */
function endifTextFixes(ctx: FixContext, p: Problem): Fix[] {
  const { start, end } = p.range;
  const f = ctx.lines(p.file);
  const text = f?.lines[start.line];
  if (!f || text === undefined || start.line !== end.line || !/^ENDIF$/i.test(text.slice(0, start.character).trimEnd())) return [];
  return [{ title: 'Remove the text after ENDIF', edits: [textEdit(p.file, { line: start.line, character: 5 }, end, '')], safe: true }];
}

export const TABLE_FIXES: Record<string, (ctx: FixContext, p: Problem) => Fix[]> = {
  PF302: aliasColonFixes,
  PF303: duplicateKeyFixes,
  PF320: cidrHostBitsFixes,
  PF343: obsoleteFlagFixes,
  PF350: strayEndifFixes,
  PF351: endifTextFixes,
};

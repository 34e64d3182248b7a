// Quick fixes for master.cf findings whose repair is evident: `-o name = value`
// written with spaces (PF208) joined into one word, `-oname=value` that
// postconf misreads (PF220) and `-o{ ... }` (PF212) split after `-o`, and the closest known name for
// an `-o` name nothing uses (PF230); the earlier copy of a service the
// master daemon never uses (PF213).

import { closestParameter } from '../mastercf/parameter-problems';
import { daemonView, DAEMONS_WITHOUT_ARGUMENTS, smtpClientArgumentError } from '../mastercf/daemon-view';
import type { MasterService, MasterWord } from '../mastercf';
import type { Fix, Problem } from '../types';
import { FixContext, sameRange, samePosition } from './context';
import { removeLines, textEdit } from './text';

function services(ctx: FixContext, p: Problem): MasterService[] {
  const line = p.range.start.line;
  return ctx.config.master?.services.filter((s) => s.line <= line && line <= s.lastLine) ?? [];
}

function wordAt(ctx: FixContext, p: Problem): { service: MasterService; index: number } | undefined {
  for (const service of services(ctx, p)) {
    const index = service.args.findIndex((w) => sameRange(w.range, p.range));
    if (index >= 0) return { service, index };
  }
  return undefined;
}

/** Whether the daemon accepts these arguments (options and what follows them). */
function daemonAccepts(service: MasterService, words: { text: string; start: number; end: number }[]): boolean {
  const view = daemonView(words);
  if (view.issues.some((i) => i.kind !== 'postconf-split')) return false;
  const positional = view.values.slice(view.firstPositional);
  if (positional.length === 0) return true;
  if (DAEMONS_WITHOUT_ARGUMENTS.has(service.program)) return false;
  if (service.program === 'smtp' || service.program === 'lmtp') return !smtpClientArgumentError(positional);
  return true;
}

/** PF208: `-o name = value` / `-o name =value` → `-o name=value`, when the words are on one line. */
function spacedOptionFixes(ctx: FixContext, p: Problem): Fix[] {
  const at = wordAt(ctx, p);
  if (!at) return [];
  const { service, index } = at;
  const args = service.args;
  const name = args[index];
  const eq = args[index + 1];
  if (!eq || eq.text[0] !== '=' || !/^[A-Za-z0-9_]+$/.test(name.text)) return [];
  const joined: MasterWord[] = eq.text === '=' ? [name, eq, args[index + 2]].filter((w): w is MasterWord => !!w) : [name, eq];
  const last = joined[joined.length - 1];
  if (joined.some((w) => w.range.start.line !== name.range.start.line) || last.text[0] === '{') return [];
  if (eq.text === '=' && joined.length < 3) return [];
  const text = joined.map((w) => w.text).join('');
  const words = args.map((w) => ({ text: w.text, start: w.start, end: w.end }));
  words.splice(index, joined.length, { text, start: name.start, end: last.end });
  if (!daemonAccepts(service, words)) return [];
  return [{ title: `Write -o ${text}`, edits: [textEdit(ctx.config.masterPath, name.range.start, last.range.end, text)], safe: true }];
}

/**
 * A space after `-o`: PF220 `-oname=value` (the daemon reads both alike;
 * postconf only the second) and PF212 `-o{ name = value }` (the daemon
 * removes braces only from a word of their own).
 */
function spaceAfterOption(word: RegExp): (ctx: FixContext, p: Problem) => Fix[] {
  return (ctx, p) => {
    const at = wordAt(ctx, p);
    const w = at?.service.args[at.index];
    if (!w || !word.test(w.text)) return [];
    const after = { line: w.range.start.line, character: w.range.start.character + 2 };
    return [{ title: `Write -o ${w.text.slice(2)}`, edits: [textEdit(ctx.config.masterPath, after, after, ' ')], safe: true }];
  };
}

/** PF230: the closest name the target version knows, not already set on this service. */
function unusedOptionFixes(ctx: FixContext, p: Problem): Fix[] {
  for (const service of services(ctx, p)) {
    const o = service.overrides.find((x) => samePosition(x.nameRange.start, p.range.start) && samePosition(x.nameRange.end, p.range.end));
    if (!o) continue;
    const near = closestParameter(o.name, ctx.config.version, (c) => service.overrides.some((x) => x.name === c));
    return near && near !== o.name ? [{ title: `Change to ${near}`, edits: [textEdit(ctx.config.masterPath, o.nameRange.start, o.nameRange.end, near)] }] : [];
  }
  return [];
}

/**
 * PF213: delete the earlier entry of a service defined twice; the master
 * daemon uses the last one. Comment and blank lines inside it stay. Not for
 * "Fix all": the earlier entry may hold settings meant to be merged.
 */
function duplicateServiceFixes(ctx: FixContext, p: Problem): Fix[] {
  const all = ctx.config.master?.services ?? [];
  const at = all.findIndex((s) => s.valid && sameRange(s.name.range, p.range));
  if (at < 0) return [];
  const later = all[at];
  const earlier = all
    .slice(0, at)
    .reverse()
    .find((s) => s.valid && s.type.text === later.type.text && s.endpoint === later.endpoint);
  const f = ctx.lines(ctx.config.masterPath);
  if (!earlier || !f) return [];
  const lines: number[] = [];
  for (let l = earlier.line; l <= earlier.lastLine; l++) if (!/^\s*(#|$)/.test(f.lines[l] ?? '')) lines.push(l);
  return [{ title: `Remove the earlier entry on line ${earlier.line + 1} (the master daemon uses this one)`, edits: removeLines(f, lines) }];
}

export const MASTER_FIXES: Record<string, (ctx: FixContext, p: Problem) => Fix[]> = {
  PF208: spacedOptionFixes,
  PF212: spaceAfterOption(/^-o\{/),
  PF213: duplicateServiceFixes,
  PF220: spaceAfterOption(/^-o[^{]/),
  PF230: unusedOptionFixes,
};

// Inlay hints: values the reader would otherwise look up by hand.
//   after a $reference (main.cf and -o values)  `= <its expansion>` for that service
//   after a `-` in a master.cf column           what it stands for (y, n, 0, the process limit)
//   after a master.cf -o                        the main.cf value (or default) it replaces
// Labels are short (truncated); the tooltip carries the whole value.

import { effectiveLookup, valueSource, type PostfixConfig } from '../config';
import { expandValue } from '../expand';
import { logicalRange, type LogicalLine } from '../lines';
import { parseReferences } from '../maincf/references';
import type { MasterService } from '../mastercf';
import type { Position, Range } from '../types';
import { flagDefault, processLimitDefault, type FlagColumn } from './master-defaults';

export interface InlayHintItem {
  position: Position;
  label: string;
  tooltip: string;
  kind: 'value' | 'column' | 'override';
}

export interface InlayHintOptions {
  /** `= value` after each $reference (postfix.inlayHints.expandedValues). */
  expandedValues: boolean;
  /** Only hints on these lines (the editor asks for the visible range). */
  range?: Range;
}

export const LABEL_MAX = 32;
const TOOLTIP_MAX = 1000;

/** One line, at most `max` characters: long values end in `…`. */
export function shortLabel(value: string, max = LABEL_MAX): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function clip(value: string): string {
  return value.length > TOOLTIP_MAX ? `${value.slice(0, TOOLTIP_MAX)}…` : value;
}

export function inlayHints(config: PostfixConfig, file: string, options: InlayHintOptions): InlayHintItem[] {
  const out: InlayHintItem[] = [];
  const inRange = (line: number) => overlaps(line, line);
  const overlaps = (first: number, last: number) => !options.range || (last >= options.range.start.line && first <= options.range.end.line);
  if (file === config.mainPath) {
    for (const e of config.main?.entries ?? []) {
      if (!options.expandedValues || !overlaps(e.logical.firstLine, e.logical.lastLine)) continue;
      referenceHints(config, e.value, e.logical, e.valueOffset, undefined, inRange, out);
    }
  }
  if (file === config.masterPath) {
    for (const s of config.master?.services ?? []) {
      if (!overlaps(s.line, s.lastLine)) continue;
      columnHints(config, s, inRange, out);
      for (const o of s.overrides) {
        if (options.expandedValues) referenceHints(config, o.value, s.logical, o.valueStart, s.key, inRange, out);
        if (inRange(o.range.end.line)) out.push(overrideHint(config, o.name, o.range.end));
      }
    }
  }
  return out;
}

function referenceHints(config: PostfixConfig, value: string, logical: LogicalLine, offset: number, service: string | undefined, inRange: (line: number) => boolean, out: InlayHintItem[]): void {
  if (!value.includes('$')) return;
  const lookup = effectiveLookup(config, service);
  let coveredTo = -1;
  for (const r of parseReferences(value)) {
    // Nested references are part of the outer one's expansion; `$1` in an inline regexp is a match group.
    if (r.start < coveredTo) continue;
    coveredTo = r.end;
    if (!r.name || /^[0-9]+$/.test(r.name)) continue;
    const position = logicalRange(logical, offset + r.start, offset + r.end).end;
    if (!inRange(position.line)) continue;
    const expanded = expandValue(value.slice(r.start, r.end), lookup).value;
    out.push({
      position,
      label: `= ${expanded === '' ? '""' : shortLabel(expanded)}`,
      tooltip: `${value.slice(r.start, r.end)}${service ? ` (for ${service})` : ''} expands to: ${expanded === '' ? '(nothing)' : clip(expanded)}`,
      kind: 'value',
    });
  }
}

const FLAG_COLUMNS: [keyof MasterService, FlagColumn][] = [
  ['private', 'private'],
  ['unprivileged', 'unpriv'],
  ['chroot', 'chroot'],
];

function columnHints(config: PostfixConfig, s: MasterService, inRange: (line: number) => boolean, out: InlayHintItem[]): void {
  const push = (word: MasterService['private'], label: string, tooltip: string) => {
    if (word.text === '-' && inRange(word.range.end.line)) out.push({ position: word.range.end, label, tooltip, kind: 'column' });
  };
  for (const [key, column] of FLAG_COLUMNS) {
    const v = flagDefault(column, config);
    push(s[key] as MasterService['private'], `=${v}`, `${column}: '-' means ${v} for ${s.key}${column === 'chroot' ? ' (n since compatibility_level 1, y before)' : ''}`);
  }
  push(s.wakeup, '=0', `wakeup: '-' means 0 for ${s.key}: no wake-up timer`);
  const limit = processLimitDefault(config).expanded ?? '';
  push(s.maxproc, `=${shortLabel(limit, 8)}`, `maxproc: '-' means $default_process_limit = ${clip(limit)} for ${s.key}`);
}

function overrideHint(config: PostfixConfig, name: string, position: Position): InlayHintItem {
  const { raw, source } = valueSource(config, name);
  const where = source.kind === 'main' ? 'main.cf' : 'default';
  const shown = raw === undefined ? '(none)' : raw === '' ? '""' : shortLabel(raw);
  return { position, label: `${where}: ${shown}`, tooltip: `This -o replaces ${name} = ${raw === undefined ? '(no value)' : clip(raw)} (${where === 'main.cf' ? 'set in main.cf' : "Postfix's default"}) for this service only.`, kind: 'override' };
}

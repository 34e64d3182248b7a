// A restriction list read the way smtpd's generic_checks() walks it: each word
// is a restriction, the argument of the restriction before it, a restriction
// class, or a bare table. The walk also knows what never runs: everything
// after an unconditional `permit`, `reject` or `defer` (smtpd logs "restriction
// X after permit is ignored" for the permit case; the others simply end the
// list), unless `warn_if_reject` turned that reject into a warning.

import { restrictionInfo, RestrictionInfo, RestrictionStage } from '../catalog/docs';
import { splitBraced } from '../tables/text';
import { parseTableSpec } from '../tables/references';

export type ListWordRole = 'restriction' | 'argument' | 'class' | 'table' | 'unknown';

export interface ListWord {
  text: string;
  /** Offsets inside the list value. */
  start: number;
  end: number;
  role: ListWordRole;
  info?: RestrictionInfo;
  /** For arguments: the index of the restriction word they belong to. */
  owner?: number;
  /** Preceded by warn_if_reject: a reject becomes a logged warning. */
  warnOnly?: boolean;
  /** The word that ends the list before this one (it never runs). */
  unreachableAfter?: ListWord;
}

/** Words of a restriction list with their roles; `classes` are the smtpd_restriction_classes names. */
export function analyzeRestrictionList(value: string, classes: ReadonlySet<string> = new Set()): ListWord[] {
  const out: ListWord[] = [];
  let pendingOwner: number | undefined;
  let warnNext = false;
  let terminator: ListWord | undefined;
  for (const [start, end] of splitBraced(value)) {
    const text = value.slice(start, end);
    const word: ListWord = { text, start, end, role: 'unknown' };
    if (terminator) word.unreachableAfter = terminator;
    if (pendingOwner !== undefined) {
      word.role = 'argument';
      word.owner = pendingOwner;
      pendingOwner = undefined;
      out.push(word);
      continue;
    }
    const info = restrictionInfo(text);
    if (info) {
      word.role = 'restriction';
      word.info = info;
      if (warnNext) word.warnOnly = true;
      warnNext = false;
      if (info.takes === 'restriction') warnNext = true;
      else if (info.takes !== 'none') pendingOwner = out.length;
      if (info.terminal && !word.warnOnly && !terminator) terminator = word;
    } else if (classes.has(text)) {
      word.role = 'class';
      warnNext = false;
    } else if (parseTableSpec(value, start, end, { expectTables: true })) {
      word.role = 'table';
      warnNext = false;
    }
    out.push(word);
  }
  return out;
}

/** Index of the word containing `offset` (its end counts), or -1. */
export function wordIndexAt(words: readonly ListWord[], offset: number): number {
  return words.findIndex((w) => offset >= w.start && offset <= w.end);
}

export type StageFit = 'yes' | 'delayed' | 'no';

/**
 * Whether a restriction has its data in a list of that stage: `delayed` when
 * it only works because smtpd_delay_reject = yes postpones the check.
 */
export function stageFit(info: RestrictionInfo, stage: RestrictionStage): StageFit {
  if (info.stages.includes(stage)) return 'yes';
  if (info.delayedStages.includes(stage)) return 'delayed';
  return 'no';
}

/** Usable in lists of any of `stages` (with smtpd_delay_reject's help when `delayReject`). */
export function fitsStages(info: RestrictionInfo, stages: readonly RestrictionStage[], delayReject: boolean): boolean {
  return stages.some((s) => {
    const f = stageFit(info, s);
    return f === 'yes' || (f === 'delayed' && delayReject);
  });
}

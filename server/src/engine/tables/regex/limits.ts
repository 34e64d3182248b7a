// What PCRE2 10.42 (pcre2_match.c, as Postfix calls it: interpreter, default
// match context) decides before and while it matches, modelled on our tree:
//
// - the match limit: 10,000,000 backtracking frames, counted afresh at each
//   start position (pcre2_match.c: `match_call_count = 0` before each match()
//   call; `if (mb->match_call_count++ >= mb->match_limit) return
//   PCRE2_ERROR_MATCHLIMIT`);
// - the start-up checks that fail a match with no frames at all: a subject
//   shorter than the pattern's minimum length, and a "last required code
//   unit" (the last literal byte every match contains) missing from the rest
//   of the subject. The second is what makes /(a|a)*X/ fail at once on a key
//   without an X, while a key with one runs into the limit.
//
// Our frame count is that of a plain backtracker; PCRE2's differs by a small
// factor (it skips some frames, auto-possessifies some repeats), so counts
// near the limit are reported as undecidable rather than guessed.

import type { Node } from './ast';
import { widthOf } from './ast';

/** PCRE2's default match limit (pcre2test -C: "Default match limit = 10000000"). */
export const PCRE2_MATCH_LIMIT = 10_000_000;
/** Counts this far below or above the limit are trusted. */
export const LIMIT_MARGIN = 4;

/** A literal byte, or a caseless pair (a, A). */
export interface Lit {
  a: number;
  b: number;
}

function litOf(bits: Uint8Array): Lit | undefined {
  const on: number[] = [];
  for (let c = 0; c < 256 && on.length < 3; c++) if (bits[c]) on.push(c);
  if (on.length === 1) return { a: on[0], b: on[0] };
  if (on.length === 2 && on[0] >= 65 && on[0] <= 90 && on[1] === on[0] + 32) return { a: on[0], b: on[1] };
  return undefined;
}

function sameLit(x: Lit | undefined, y: Lit | undefined): boolean {
  return !!x && !!y && x.a === y.a && x.b === y.b;
}

interface Info {
  first?: Lit;
  req?: Lit;
}

function zeroWidth(n: Node): boolean {
  return n.t === 'assert' || n.t === 'look';
}

function seqInfo(items: Node[]): Info {
  let started = false;
  let first: Lit | undefined;
  let req: Lit | undefined;
  for (const it of items) {
    if (zeroWidth(it)) continue;
    if (it.t === 'rep' && it.min === 0) {
      started = true;
      continue;
    }
    const info = itemInfo(it);
    if (!started) {
      first = info.first;
      req = info.req;
      started = true;
    } else {
      const cand = info.req ?? info.first;
      if (cand) req = cand;
    }
  }
  return { first, req };
}

function itemInfo(n: Node): Info {
  switch (n.t) {
    case 'set':
      return { first: litOf(n.bits) };
    case 'seq':
      return seqInfo(n.items);
    case 'alt': {
      const infos = n.alts.map((a) => itemInfo(a));
      const f0 = infos[0].first;
      const first = infos.every((i) => sameLit(i.first, f0)) ? f0 : undefined;
      const r0 = infos[0].req ?? infos[0].first;
      const req = infos.every((i) => sameLit(i.req ?? i.first, r0)) ? r0 : undefined;
      return { first, req: first && sameLit(req, first) && infos.every((i) => !i.req) ? undefined : req };
    }
    case 'cap':
    case 'group':
    case 'atomic':
      return itemInfo(n.body);
    case 'rep': {
      if (n.min === 0) return {};
      const inner = itemInfo(n.body);
      if (n.body.t === 'set' && n.min >= 2) return { first: inner.first, req: inner.first };
      return inner;
    }
    default:
      return {};
  }
}

export interface StartChecks {
  minLength: number;
  /** PCRE2's first code unit (only used to place the required-byte search). */
  first?: Lit;
  /** PCRE2's last required code unit, as far as we can tell. */
  req?: Lit;
}

export function startChecks(root: Node): StartChecks {
  const info = itemInfo(root);
  const [minLength] = widthOf(root);
  return { minLength: Math.min(minLength, 65535), first: info.first, req: info.req };
}

/** Does PCRE2 skip matching from `start` on (and every later start)? */
export function failsBeforeMatching(c: StartChecks, subject: string, start: number): boolean {
  if (subject.length - start < c.minLength) return true;
  if (!c.req) return false;
  for (let p = start + (c.first ? 1 : 0); p < subject.length; p++) {
    const x = subject.charCodeAt(p);
    if (x === c.req.a || x === c.req.b) return false;
  }
  return true;
}

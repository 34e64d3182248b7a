// Bounded matching of a translated pattern against a key (a byte string).
//
// A first run backtracks plainly under a small budget; nearly every lookup
// ends there. A pattern that backtracks heavily is run again with memoized
// failures (vm.ts), which decides it in polynomial time and yields the frame
// count PCRE2 would have reached. For pcre: that count decides whether
// Postfix's lookup stops with "match limit exceeded" (limits.ts); glibc's
// regexec (regexp:) has no such limit and does not backtrack exponentially
// for the patterns we simulate, so regexp: only gets the true answer.

import { AstError, parseJsRegex } from './ast';
import { LIMIT_MARGIN, PCRE2_MATCH_LIMIT, StartChecks, failsBeforeMatching, startChecks } from './limits';
import { Abort, Machine, Program, compileProgram } from './vm';

export interface CompiledPattern {
  prog: Program;
  checks: StartChecks;
}

export function compilePattern(source: string): CompiledPattern | { error: string } {
  try {
    const { node, hasBackref } = parseJsRegex(source);
    return { prog: compileProgram(node, hasBackref), checks: startChecks(node) };
  } catch (e) {
    if (e instanceof AstError) return { error: e.message };
    throw e;
  }
}

export type MatchOutcome =
  /** caps: [start, end] of group n at 2n, 2n+1 (-1: unset). */
  | { kind: 'match'; caps: Int32Array }
  | { kind: 'nomatch' }
  /** PCRE2 gives up with PCRE2_ERROR_MATCHLIMIT ("match limit exceeded"). */
  | { kind: 'limit' }
  /**
   * We cannot tell: PCRE2's frame count is too close to its limit, or the
   * pattern is too costly even for the memoized run. `truth` is the answer
   * without any limit, when known.
   */
  | { kind: 'unknown'; reason: string; truth?: 'match' | 'nomatch' };

/** Plain run: frames per start position and total instructions. */
const QUICK = { frames: 20_000, work: 400_000 };
/** Memoized run: total instructions (each costs well under a microsecond). */
const THOROUGH_WORK = 4_000_000;

export interface MatchOptions {
  /** Model PCRE2's start-up checks and match limit (pcre:); off for regexp:. */
  pcre: boolean;
}

export function matchPattern(c: CompiledPattern, subject: string, opts: MatchOptions): MatchOutcome {
  try {
    return search(new Machine(c.prog, subject, { ...QUICK }, false), c, subject, opts);
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
  }
  if (!c.prog.memoOk) return { kind: 'unknown', reason: 'a back reference in a pattern that backtracks heavily' };
  try {
    return search(new Machine(c.prog, subject, { frames: Infinity, work: THOROUGH_WORK }, true), c, subject, opts);
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
    return { kind: 'unknown', reason: 'a pattern too costly to simulate on this key' };
  }
}

function search(m: Machine, c: CompiledPattern, subject: string, opts: MatchOptions): MatchOutcome {
  const low = PCRE2_MATCH_LIMIT / LIMIT_MARGIN;
  const high = PCRE2_MATCH_LIMIT * LIMIT_MARGIN;
  let unsure = false;
  for (let start = 0; start <= subject.length; start++) {
    if (failsBeforeMatching(c.checks, subject, start)) break;
    m.frames = 0;
    const end = m.exec(start);
    if (opts.pcre) {
      // Past an unsure start PCRE2 either stopped there or got here: a count
      // far over the limit here means it stopped in both cases.
      if (m.frames > high) return { kind: 'limit' };
      if (m.frames >= low) unsure = true;
    }
    if (end >= 0) {
      if (unsure) return { kind: 'unknown', reason: 'PCRE2 may reach its match limit on this key', truth: 'match' };
      return { kind: 'match', caps: m.caps.slice() };
    }
  }
  if (unsure) return { kind: 'unknown', reason: 'PCRE2 may reach its match limit on this key', truth: 'nomatch' };
  return { kind: 'nomatch' };
}

/**
 * glibc's overall match for a regexp: pattern: leftmost, then longest. Given
 * the leftmost match (JS semantics), finds the longest end at the same start
 * and the first path in pattern order reaching it. Undefined: too costly.
 */
export function longestMatch(c: CompiledPattern, subject: string, first: Int32Array): Int32Array | undefined {
  const start = first[0];
  try {
    const m = new Machine(c.prog, subject, { frames: Infinity, work: THOROUGH_WORK }, true);
    for (let end = subject.length; end > first[1]; end--) {
      if (m.exec(start, end) >= 0) return m.caps.slice();
    }
    return first;
  } catch (e) {
    if (e instanceof Abort) return undefined;
    throw e;
  }
}

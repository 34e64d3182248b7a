// Shared by the tests of parses in steps (engine/steps.ts): a parse cut
// into pieces of any size must give the table the parse in one piece gives.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelText, type Steps } from '../../server/src/engine/steps';

/**
 * Runs steps to the end: the labels of its yields in order ('' for none) and
 * counted by label ('(unlabelled)' for none); `between` runs at every yield.
 */
export function stepped<T>(steps: Steps<T>, between: () => void = () => {}): { value: T; yields: number; labels: Map<string, number>; sequence: string[] } {
  const labels = new Map<string, number>();
  const sequence: string[] = [];
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, yields: sequence.length, labels, sequence };
    const label = r.value ? labelText(r.value) : '';
    sequence.push(label);
    const key = label || '(unlabelled)';
    labels.set(key, (labels.get(key) ?? 0) + 1);
    between();
  }
}

/** Runs steps to their end, counting the yields (labels are not made: property tests run it thousands of times). */
export function countYields<T>(steps: Steps<T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, yields };
    yields++;
  }
}

/**
 * For random texts and piece sizes, and for the given samples (cut every 3
 * characters), `pieces(text, chars)` gives the view `pieces(text, Infinity)`
 * gives, and the latter never yields.
 */
export function assertSameInPieces<T>(pieces: (text: string, chars: number) => { value: T; yields: number }, view: (t: T) => unknown, texts: fc.Arbitrary<string>, samples: string[]): void {
  fc.assert(
    fc.property(texts, fc.integer({ min: 1, max: 64 }), (text, chars) => {
      const whole = pieces(text, Infinity);
      assert.equal(whole.yields, 0);
      assert.deepEqual(view(pieces(text, chars).value), view(whole.value));
    }),
    { numRuns: 400 },
  );
  for (const text of samples) assert.deepEqual(view(pieces(text, 3).value), view(pieces(text, Infinity).value));
}

// The one edit distance behind every "did you mean": the banded computation
// must give the full table's answer whenever that answer is within `max`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { editDistance } from '../../server/src/engine/edit-distance';

/** The textbook full table (Levenshtein, or optimal string alignment with `swaps`). */
function reference(a: string, b: string, swaps: boolean): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([]);
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) d[i][j] = i + j;
      else {
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (swaps && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

test('known distances, with and without transpositions', () => {
  const osa = { transpositions: true };
  assert.equal(editDistance('smtpd_sasl_auth_enbale', 'smtpd_sasl_auth_enable'), 2);
  assert.equal(editDistance('smtpd_sasl_auth_enbale', 'smtpd_sasl_auth_enable', Infinity, osa), 1);
  assert.equal(editDistance('sender_acces', 'sender_access', 1, osa), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  // Optimal string alignment, not Damerau: a swapped pair is not edited again.
  assert.equal(editDistance('ca', 'abc', Infinity, osa), 3);
});

test('beyond max the answer is max + 1, however long the words', () => {
  assert.equal(editDistance('kitten', 'sitting', 2), 3);
  assert.equal(editDistance('a', 'abcdef', 2), 3);
  assert.equal(editDistance('x'.repeat(2_000_000), 'y'.repeat(2_000_000), 3, { transpositions: true }), 4);
  assert.equal(editDistance('x'.repeat(2_000_000), 'x'.repeat(1_999_999) + 'y', 3), 1);
});

test('the banded result equals the full table within max, for both kinds', () => {
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_'), maxLength: 12 });
  fc.assert(
    fc.property(word, word, fc.integer({ min: 0, max: 6 }), fc.boolean(), (a, b, max, swaps) => {
      const want = reference(a, b, swaps);
      const got = editDistance(a, b, max, { transpositions: swaps });
      assert.equal(got, want <= max ? want : max + 1);
      assert.equal(editDistance(a, b, Infinity, { transpositions: swaps }), want);
    }),
    { numRuns: 3000 },
  );
});

// commonPrefix/commonSuffix (tables/splice.ts) compare long runs a slice at a
// time (64 Ki, then 4 Ki characters); they must find the same lengths as a
// character-by-character loop wherever the difference lies, also right at
// and around the run boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commonPrefix, commonSuffix } from '../../server/src/engine/tables/splice';

function naivePrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function naiveSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i < max && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

test('common prefix and suffix equal a character loop on long texts', () => {
  const base = 'user1@example.com REJECT\n'.repeat(12_000); // 300,000 characters
  const boundary = fc.constantFrom(0, 1, 4095, 4096, 4097, 65535, 65536, 65537, 131072, 200000, base.length - 1, base.length);
  fc.assert(
    fc.property(fc.oneof(boundary, fc.nat(base.length)), fc.nat(3), fc.constantFrom('', 'x', '\n', 'ab'), (at, del, ins) => {
      const pos = Math.min(at, base.length);
      const next = base.slice(0, pos) + ins + base.slice(Math.min(base.length, pos + del));
      const p = commonPrefix(base, next);
      assert.equal(p, naivePrefix(base, next));
      const max = Math.min(base.length, next.length) - p;
      assert.equal(commonSuffix(base, next, max), naiveSuffix(base, next, max));
    }),
    { numRuns: 200 },
  );
});

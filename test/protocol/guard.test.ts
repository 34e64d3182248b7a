// The guard every request handler goes through: an exception becomes a logged
// error and the fallback answer, never an escaped error.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeGuard } from '../../server/src/features/context';

test('a throwing handler is logged with its name and answered with the fallback', async () => {
  const errors: string[] = [];
  const guard = makeGuard({ info: () => {}, error: (m) => errors.push(m) });
  const handler = guard('documentSymbol', null, (n: number) => {
    if (n < 0) throw new RangeError('negative');
    return n * 2;
  });
  assert.equal(await handler(21), 42);
  assert.equal(await handler(-1), null);
  const rejecting = guard('foldingRange', [] as number[], async () => Promise.reject(new Error('async boom')));
  assert.deepEqual(await rejecting(), []);
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^documentSymbol failed: RangeError: negative/);
  assert.match(errors[1], /^foldingRange failed: Error: async boom/);
});

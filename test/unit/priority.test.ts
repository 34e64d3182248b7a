// Requests before analyses (server/src/features/priority.ts): between two
// steps an analysis gives way until every message that arrived has been
// handled, with vscode-jsonrpc's dispatch (one message per setImmediate turn)
// reproduced here; and an analysis made stale on the way is dropped
// (features/analysis.ts compute); the next analysis of the same text resumes
// the table parse it left (tables/memo.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Message } from 'vscode-languageserver/node';
import { messageStrategy, yieldToRequests } from '../../server/src/features/priority';
import { Analyses } from '../../server/src/features/analysis';
import { Workspace } from '../../server/src/features/workspace';
import { parseMemoStats } from '../../server/src/engine/tables/memo';
import { mapConfig } from '../helpers/map-config';

/** vscode-jsonrpc's way: each message is handled in its own setImmediate turn, the next one queued by the one before. */
function dispatchLikeJsonRpc(names: string[], order: string[]): void {
  const next = (i: number) =>
    setImmediate(() => {
      messageStrategy.handleMessage({ jsonrpc: '2.0' } as Message, () => {
        order.push(names[i]);
      });
      if (i + 1 < names.length) next(i + 1);
    });
  next(0);
}

test('a step of an analysis waits until the messages that arrived are handled', async () => {
  const order: string[] = [];
  const resumed = yieldToRequests().then(() => order.push('next step'));
  dispatchLikeJsonRpc(['didChange', 'hover', 'completion'], order);
  await resumed;
  assert.deepEqual(order, ['didChange', 'hover', 'completion', 'next step']);
});

test('with no message waiting, a step goes on at once (after two turns)', async () => {
  const order: string[] = [];
  await yieldToRequests().then(() => order.push('next step'));
  assert.deepEqual(order, ['next step']);
});

test('an analysis made stale half-way is dropped (none is completed); the next one resumes its table parse', async () => {
  const { dir, uri, docs, store } = mapConfig('pf-priority-', 50_000, (i) => `user${i}@example${i % 100}.test REJECT`);
  try {
    const analyses = new Analyses(new Workspace(store as never));
    const document = docs.get(uri)!;

    // Stale a few steps into the map's parse (it yields every 128 KiB), however many steps came before it.
    let checks = 0;
    const misses = parseMemoStats().misses;
    const dropped = await analyses.compute(document, () => parseMemoStats().misses > misses && ++checks > 2);
    assert.equal(dropped, undefined);
    assert.equal(analyses.computed, 0, 'no analysis was completed');
    assert.equal(analyses.last(document), undefined);
    assert.equal(parseMemoStats().misses, misses + 1, 'the map parse was started');

    // The same analysis run to the end: the map's parse goes on where it was left (no second parse).
    const done = await analyses.compute(document, () => false);
    assert.ok(done);
    assert.equal(analyses.computed, 1);
    assert.equal(parseMemoStats().misses, misses + 1);
    assert.equal(analyses.last(document), done);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

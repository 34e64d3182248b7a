// The server's capabilities are the union of the features': commands of two
// features both reach executeCommandProvider; other entries are taken as given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCapabilities } from '../../server/src/features/capabilities';
import { features } from '../../server/src/features';

test('commands of several features are all announced, once each', () => {
  const merged = mergeCapabilities(
    { textDocumentSync: 2 },
    { executeCommandProvider: { commands: ['a', 'b'] }, hoverProvider: true },
    undefined,
    { executeCommandProvider: { commands: ['b', 'c'] }, codeLensProvider: { resolveProvider: false } },
  );
  assert.deepEqual(merged, { textDocumentSync: 2, hoverProvider: true, codeLensProvider: { resolveProvider: false }, executeCommandProvider: { commands: ['a', 'b', 'c'] } });
});

test('every command a feature announces is in the merged capabilities', () => {
  const merged = mergeCapabilities({}, ...features.map((f) => f.capabilities));
  const announced = features.flatMap((f) => f.capabilities.executeCommandProvider?.commands ?? []);
  assert.ok(announced.length > 0);
  for (const c of announced) assert.ok(merged.executeCommandProvider?.commands.includes(c), c);
});

// postfix/compare ("Postfix: Compare with…") through the built server: the
// unsaved buffer is the new side, and the report is the one the CLI prints
// (`postfix-lint diff --format markdown`) once the buffer is saved. The live
// smtpd proof of the relay-matrix part is test/oracle/diff-live.test.ts.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fsReader } from '../../server/src/cli/main';
import { runDiff } from '../../server/src/cli/diff';
import type { CompareResponse } from '../../server/src/features/compare';
import { sharedDir } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const DEBIAN = join(sharedDir, 'corpus/debian-postfix-3.7');
const MAIN = `${readFileSync(join(DEBIAN, 'main.cf.debian'), 'latin1')}mydestination = example.test, localhost\n`;
const MASTER = readFileSync(join(DEBIAN, 'master.cf.dist'), 'latin1');
const OPEN = `${MAIN}mynetworks = 0.0.0.0/0\n`;

describe('postfix/compare over stdio', () => {
  let c: LspClient;
  let root: string;
  const dir = (name: string) => join(root, name);

  before(async () => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'pf-compare-'));
    for (const name of ['old', 'new']) {
      mkdirSync(dir(name));
      writeFileSync(join(dir(name), 'main.cf'), MAIN);
      writeFileSync(join(dir(name), 'master.cf'), MASTER);
    }
    c = LspClient.start();
    await c.initialize(fileUri(root));
    c.didOpen(fileUri(join(dir('new'), 'main.cf')), 'postfix-main', MAIN);
  });
  after(async () => {
    await c?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const compare = (oldDir: string) =>
    c.request<CompareResponse>('postfix/compare', { uri: fileUri(join(dir('new'), 'main.cf')), oldDir, oldLabel: 'old', newLabel: 'new' });

  test('identical configurations: no behavioural difference', async () => {
    const r = await compare(dir('old'));
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.empty, true);
    assert.equal(r.summary, 'No behavioural difference.');
    assert.equal(r.opensRelay, false);
  });

  test('an unsaved edit that opens the relay is reported, exactly as the CLI reports it once saved', async () => {
    c.didChange(fileUri(join(dir('new'), 'main.cf')), 2, [{ text: OPEN }]);
    const r = await compare(dir('old'));
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.opensRelay, true);
    assert.match(r.summary, /^OPENS A RELAY on \d+ services?/);
    assert.match(r.markdown, /🔴 open relay/);
    writeFileSync(join(dir('new'), 'main.cf'), OPEN);
    let stdout = '';
    const code = runDiff(['old', 'new', '--format', 'markdown'].map((a) => (a === 'old' || a === 'new' ? dir(a) : a)), {
      stdout: (s) => (stdout += s),
      stderr: () => {},
      reader: fsReader,
    });
    assert.equal(code, 1);
    assert.equal(r.markdown, stdout.replaceAll(dir('old'), 'old').replaceAll(dir('new'), 'new'));
  });

  test('an old side that is not a configuration is an error, not a crash', async () => {
    assert.deepEqual(await compare(join(root, 'missing')), { error: 'old is not a directory' });
    mkdirSync(dir('empty'));
    assert.deepEqual(await compare(dir('empty')), { error: 'old has no main.cf' });
    const r = await compare(dir('old'));
    assert.ok(!('error' in r));
  });
});

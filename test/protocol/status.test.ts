// postfix/status through the built server: the mode and target release the
// VS Code status bar shows, and the build commands "Run postmap on this
// table" runs, proven by running them with the real postmap/postalias.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireTools } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';
import type { StatusResponse } from '../../server/src/features/status';

const MAIN = [
  'myhostname = mx.example.com',
  'alias_maps = hash:/etc/postfix/aliases',
  'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access, check_sender_access cidr:/etc/postfix/clients.cidr',
  'smtpd_tls_session_cache_database = btree:/etc/postfix/smtpd_scache',
  '',
].join('\n');

describe('postfix/status over stdio', () => {
  let c: LspClient;
  let dir: string;
  const uri = (name: string) => fileUri(join(dir, name));
  const status = (name: string) => c.request<StatusResponse>('postfix/status', { uri: uri(name) });

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pf-status-'));
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'sender_access'), 'spam@example.com REJECT\n');
    writeFileSync(join(dir, 'aliases'), 'postmaster: root\n');
    writeFileSync(join(dir, 'clients.cidr'), '192.0.2.0/24 OK\n');
    c = LspClient.start();
    await c.initialize(fileUri(dir));
    c.didOpen(uri('main.cf'), 'postfix-main', MAIN);
  });
  after(async () => {
    await c?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('main.cf of a copy outside /etc/postfix: repository mode, newest release, nothing to build', async () => {
    const s = await status('main.cf');
    assert.ok(!('error' in s), JSON.stringify(s));
    assert.equal(s.dir, dir);
    assert.equal(s.mode, 'repository');
    assert.match(s.modeDescription, /repository copy/);
    assert.match(s.version, /^3\.\d+$/);
    assert.deepEqual(s.builds, []);
  });

  test('an unopened table: postmap for an access map, postalias for an aliases file, nothing for cidr and caches', async () => {
    assert.deepEqual((await status('sender_access')) as unknown, { ...(await status('main.cf')), builds: [{ program: 'postmap', args: ['-c', dir, `hash:${join(dir, 'sender_access')}`] }] });
    const aliases = await status('aliases');
    assert.ok(!('error' in aliases));
    assert.deepEqual(aliases.builds, [{ program: 'postalias', args: ['-c', dir, `hash:${join(dir, 'aliases')}`] }]);
    for (const name of ['clients.cidr', 'smtpd_scache']) {
      const s = await status(name);
      assert.ok(!('error' in s));
      assert.deepEqual(s.builds, [], name);
    }
  });

  test('the build commands it returns work with the real postmap and postalias', async (t) => {
    if (!requireTools(t, { commands: ['postmap', 'postalias'] })) return;
    for (const name of ['sender_access', 'aliases']) {
      const s = await status(name);
      assert.ok(!('error' in s));
      for (const b of s.builds) execFileSync(b.program, b.args, { stdio: 'pipe' });
    }
    assert.equal(execFileSync('postmap', ['-c', dir, '-q', 'spam@example.com', `hash:${join(dir, 'sender_access')}`], { encoding: 'utf8' }).trim(), 'REJECT');
    assert.equal(execFileSync('postalias', ['-c', dir, '-q', 'postmaster', `hash:${join(dir, 'aliases')}`], { encoding: 'utf8' }).trim(), 'root');
  });

  test('the postfix.mode and postfix.version settings are what it reports', async () => {
    c.notify('workspace/didChangeConfiguration', { settings: { postfix: { mode: 'live', version: '3.7.11' } } });
    const s = await status('main.cf');
    assert.ok(!('error' in s));
    assert.equal(s.mode, 'live');
    assert.equal(s.version, '3.7.11');
    assert.match(s.modeDescription, /live configuration/);
  });

  test('a file with no configuration around it: an error, not a crash', async () => {
    const s = await c.request<StatusResponse>('postfix/status', { uri: 'file:///nonexistent-dir/x' });
    assert.deepEqual(s, { error: 'no main.cf found for file:///nonexistent-dir/x' });
    assert.ok(!('error' in (await status('main.cf'))));
  });
});

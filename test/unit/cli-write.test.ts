// How `recipe --write` and `--fix` write files: a temporary file in the same
// directory renamed over the old one (a reader that opened the old file keeps
// reading it whole), mode and owner kept, a symlink kept, UTF-8 text written
// back as UTF-8, and a file whose bytes would not survive (not UTF-8) left
// alone with exit status 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { runCli } from '../helpers/cli-run';

const MAIN = '# Büro Zürich: our MX\ncompatibility_level = 3.6\nmydestination = example.test\ninet_interfaces = all\n';
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.postfix-lint-'));

test('recipe --write replaces main.cf by a rename in its directory, keeping mode, owner and UTF-8 comments', async (t) => {
  if (!requireTools(t, { root: true })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pf-write-'));
  const watcher = watch(dir);
  try {
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    chmodSync(join(dir, 'main.cf'), 0o640);
    chownSync(join(dir, 'main.cf'), 1234, 5678);
    // A second name for the old file: what a reader that opened main.cf before the write sees.
    linkSync(join(dir, 'main.cf'), join(dir, 'old-main.cf'));
    const oldIno = statSync(join(dir, 'main.cf')).ino;
    const names: string[] = [];
    const sawTemp = new Promise<void>((resolve) => {
      watcher.on('change', (_ev, name) => {
        names.push(String(name));
        if (/^\.main\.cf\.postfix-lint-[0-9a-f]+\.tmp$/.test(String(name))) resolve();
      });
    });

    const r = runCli(['recipe', 'rate-limits', '-c', dir, '--write']);
    assert.equal(r.status, 0, r.stderr);
    const st = statSync(join(dir, 'main.cf'));
    assert.notEqual(st.ino, oldIno, 'a new file took the name (rename), the old one was not rewritten in place');
    assert.equal(readFileSync(join(dir, 'old-main.cf'), 'utf8'), MAIN, 'the old file is intact for whoever still reads it');
    assert.equal(st.mode & 0o7777, 0o640, 'mode kept');
    assert.deepEqual([st.uid, st.gid], [1234, 5678], 'owner and group kept');
    const after = readFileSync(join(dir, 'main.cf'));
    assert.ok(after.includes(Buffer.from('# Büro Zürich: our MX\n', 'utf8')), `the UTF-8 comment is byte-identical:\n${after.toString('latin1')}`);
    assert.match(after.toString('utf8'), /^smtpd_client_connection_rate_limit = \d+$/m);
    assert.deepEqual(leftovers(dir), [], 'no temporary file left behind');
    // The temporary file lived in the same directory (inotify saw it there); waiting on the event, bounded.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 30_000)));
    const seen = await Promise.race([sawTemp.then(() => 'seen' as const), timeout]);
    clearTimeout(timer);
    assert.equal(seen, 'seen', `no temporary file seen in ${dir} within 30 s (timed out); events: ${names.join(', ')}`);
  } finally {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recipe --write through a symlinked main.cf replaces the target and keeps the link', () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-write-link-'));
  try {
    const real = join(root, 'real');
    const dir = join(root, 'etc');
    mkdirSync(real);
    mkdirSync(dir);
    writeFileSync(join(real, 'main.cf'), MAIN);
    chmodSync(join(real, 'main.cf'), 0o600);
    symlinkSync(join(real, 'main.cf'), join(dir, 'main.cf'));
    writeFileSync(join(dir, 'master.cf'), MASTER);
    const r = runCli(['recipe', 'rate-limits', '-c', dir, '--write']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(join(dir, 'main.cf')).isSymbolicLink(), 'main.cf is still a symlink');
    assert.match(readFileSync(join(real, 'main.cf'), 'utf8'), /^smtpd_client_connection_rate_limit = \d+$/m, 'the target was written');
    assert.equal(statSync(join(real, 'main.cf')).mode & 0o7777, 0o600);
    assert.deepEqual([...leftovers(dir), ...leftovers(real)], []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a main.cf that is not UTF-8 is not written (its bytes would be lost): exit 1, every file unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-write-latin1-'));
  try {
    const latin1 = Buffer.from('# B\xfcro (Latin-1)\ncompatibility_level = 3.6\nmydestination = example.test\ninet_interfaces = all\n', 'latin1');
    writeFileSync(join(dir, 'main.cf'), latin1);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    // submission changes main.cf and master.cf and creates a table: all or nothing.
    const r = runCli(['recipe', 'submission', '-c', dir, '--write']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /main\.cf changed since it was read, or is not valid UTF-8/);
    assert.ok(readFileSync(join(dir, 'main.cf')).equals(latin1), 'main.cf byte-identical');
    assert.equal(readFileSync(join(dir, 'master.cf'), 'utf8'), MASTER, 'master.cf not written either');
    assert.deepEqual(readdirSync(dir).sort(), ['main.cf', 'master.cf'], 'no table created, no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

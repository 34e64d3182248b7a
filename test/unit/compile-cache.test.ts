// The server's loader (server/src/boot/compile-cache.ts): a bundle loaded
// through it runs as a module (exports, require, __dirname), the first run
// leaves a V8 code cache beside it, later runs use it, and a changed bundle
// of the same length is not run from the older cache (V8 itself only
// compares lengths; the cache file is named after size, mtime and inode).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoDir } from '../helpers/env';

const work = mkdtempSync(join(tmpdir(), 'pf-compile-cache-'));
after(() => rmSync(work, { recursive: true, force: true }));

const loader = join(repoDir, 'server/src/boot/compile-cache.ts');

/** Runs the bundle in `dir` through the loader in a fresh Node process; its stdout. */
function run(dir: string): string {
  const code = `require(${JSON.stringify(loader)}).loadWithCompileCache(${JSON.stringify(join(dir, 'bundle.js'))}, module)`;
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: repoDir, encoding: 'utf8' });
}

/** A bundle that prints what it computes (the same length for `a` and `b`). */
const bundle = (word: 'a' | 'b') => `const { basename } = require('node:path');\nfunction f() { return '${word}'; }\nprocess.stdout.write(f() + ' ' + basename(__dirname) + ' ' + typeof module.exports);\n`;

describe('compile cache loader', () => {
  test('first run writes the cache, the next uses it, a same-length change is not run from it', () => {
    const dir = join(work, 'one');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bundle.js'), bundle('a'));
    assert.equal(run(dir), 'a one object');
    const caches = readdirSync(join(dir, '.cache')).filter((f) => f.endsWith('.v8'));
    assert.equal(caches.length, 1, 'one cache file after the first run');
    assert.equal(run(dir), 'a one object', 'the cached run computes the same');
    writeFileSync(join(dir, 'bundle.js'), bundle('b'));
    // Same length, same inode; only the mtime tells (set to an old date, as an unpacked archive would have).
    utimesSync(join(dir, 'bundle.js'), new Date(1_000_000), new Date(1_000_000));
    assert.equal(run(dir), 'b one object', 'a changed bundle runs its own code');
    const after = readdirSync(join(dir, '.cache')).filter((f) => f.endsWith('.v8'));
    assert.equal(after.length, 1, 'the stale cache is replaced');
    assert.notEqual(after[0], caches[0]);
  });

  test('V8 runs the file as written, ASCII (read as Latin-1) or UTF-8, without and with the cache', () => {
    for (const [name, word] of [
      ['ascii', 'a'],
      ['utf8', 'é ✓'],
    ]) {
      const dir = join(work, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'bundle.js'), `function f() { return '${word}'; }\nprocess.stdout.write(f() + '|' + f.toString());\n`);
      const expected = `${word}|function f() { return '${word}'; }`;
      assert.equal(run(dir), expected, `${name}: first run`);
      assert.equal(readdirSync(join(dir, '.cache')).length, 1, `${name}: cache written`);
      assert.equal(run(dir), expected, `${name}: from the cache`);
    }
  });

  test('a directory it cannot write: the bundle still runs, with no cache', (t) => {
    if (process.getuid?.() === 0) {
      // root writes anywhere; a file in the way of the cache directory does the same job.
      const dir = join(work, 'blocked');
      mkdirSync(dir);
      writeFileSync(join(dir, 'bundle.js'), bundle('a'));
      writeFileSync(join(dir, '.cache'), 'not a directory');
      assert.equal(run(dir), 'a blocked object');
      return;
    }
    const dir = join(work, 'readonly');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bundle.js'), bundle('a'));
    chmodSync(dir, 0o555);
    t.after(() => chmodSync(dir, 0o755));
    assert.equal(run(dir), 'a readonly object');
    assert.deepEqual(readdirSync(dir), ['bundle.js']);
  });
});

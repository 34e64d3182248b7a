// dist/ is built once per run: scripts/test.sh builds before the tests, and a
// test that runs the bundles (the server, the CLI) only rebuilds when they are
// missing or older than their sources (a developer running one file after an
// edit). Test files run side by side, so a build here never rewrites dist/
// under another file's running server when nothing changed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoDir } from './env';

export const serverPath = resolve(repoDir, 'dist', 'server.js');
export const cliPath = resolve(repoDir, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = resolve(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Runs `npm run build` when a bundle in dist/ is missing or older than the sources (~1 s). */
export function ensureBuilt(): void {
  const lock = resolve(repoDir, '.test-tmp', 'build.lock');
  mkdirSync(resolve(repoDir, '.test-tmp'), { recursive: true });
  // Test files run in parallel; one builds while the others wait for its lock.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 2 minutes; remove it if stale`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const sources = Math.max(
      newestMtime(resolve(repoDir, 'server/src')),
      newestMtime(resolve(repoDir, 'server/data')),
      newestMtime(resolve(repoDir, 'client/src')),
      mtime(resolve(repoDir, 'package.json')),
      mtime(resolve(repoDir, 'scripts/build.mjs')),
      mtime(resolve(repoDir, 'scripts/gen-catalog.mjs')),
    );
    const built = Math.min(mtime(serverPath), mtime(cliPath), mtime(resolve(repoDir, 'dist/extension.js')), mtime(resolve(repoDir, 'dist/onig.wasm')));
    if (built < sources) execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoDir, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

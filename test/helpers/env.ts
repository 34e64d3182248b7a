// Test environment gates. A test that needs real Postfix, root or an editor may
// skip on a developer machine that lacks them, with a visible reason; on CI
// (CI=true) a missing prerequisite is a failure, never a skip.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestContext } from 'node:test';

const onCi = process.env.CI === 'true' || process.env.CI === '1';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, boolean>();
export function hasCommand(cmd: string): boolean {
  let v = cache.get(cmd);
  if (v === undefined) {
    v = has(cmd);
    cache.set(cmd, v);
  }
  return v;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Returns true when the prerequisites are there. Otherwise skips the test with
 * a notice (developer machine) or throws (CI), so CI can never pass by skipping.
 */
export function requireTools(t: TestContext, what: { commands?: string[]; root?: boolean; path?: string }): boolean {
  const missing: string[] = [];
  for (const c of what.commands ?? []) if (!hasCommand(c)) missing.push(`command ${c}`);
  if (what.root && !isRoot) missing.push('root');
  if (what.path) {
    try {
      execFileSync('test', ['-e', what.path]);
    } catch {
      missing.push(`path ${what.path}`);
    }
  }
  if (missing.length === 0) return true;
  const why = `needs ${missing.join(', ')}`;
  if (onCi) throw new Error(`prerequisite missing on CI: ${why}`);
  t.skip(why);
  console.error(`# NOTICE: skipped "${t.name}": ${why}`);
  return false;
}

/** ../shared beside the checkout, where the corpus and the data live. */
export const repoDir = resolve(__dirname, '..', '..');
export const sharedDir = resolve(repoDir, '..', 'shared');

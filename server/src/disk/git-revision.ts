// A directory's files as they are at a git revision, written into a new
// temporary directory: the old side of "what does this change do to mail"
// (postfix-lint diff --git, and "Postfix: Compare with…" in VS Code). Both run
// git only because the user asked for a revision.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Writes DIR's files as they are at REV into a new temporary directory. The
 * revision's symbolic links are recreated only when they point inside the copy.
 */
export function checkoutRevision(dir: string, rev: string): { path: string; cleanup(): void } {
  const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const abs = realpathSync(dir);
  const top = git(['rev-parse', '--show-toplevel'], abs).toString().trim();
  const sub = relative(realpathSync(top), abs);
  try {
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], top);
  } catch {
    throw new Error(`no such revision: ${rev}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'postfix-lint-diff-'));
  const listing = git(['ls-tree', '-r', '-z', '--full-tree', rev, '--', sub === '' ? '.' : sub], top).toString();
  for (const entry of listing.split('\0')) {
    const m = /^(\d+) (\w+) [0-9a-f]+\t(.*)$/s.exec(entry);
    if (!m || m[2] !== 'blob') continue;
    const [, fileMode, , path] = m;
    const inside = sub === '' ? path : path.slice(sub.length + 1);
    const target = join(root, inside);
    if (!target.startsWith(root + sep)) continue;
    mkdirSync(dirname(target), { recursive: true });
    const content = git(['cat-file', 'blob', `${rev}:${path}`], top);
    if (fileMode === '120000') {
      const link = content.toString();
      if (resolve(dirname(target), link).startsWith(root + sep)) symlinkSync(link, target);
      continue;
    }
    writeFileSync(target, content);
  }
  return { path: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

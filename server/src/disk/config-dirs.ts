// Finds the Postfix configuration directories under the workspace folders: a
// directory holding main.cf or master.cf. The walk is bounded in depth and in
// directories visited, skips dot directories and node_modules, and never
// follows symbolic links, so a huge or cyclic tree cannot stall the server.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigDirSearch {
  maxDepth?: number;
  maxDirectories?: number;
}

export function findConfigDirs(roots: string[], options: ConfigDirSearch = {}): string[] {
  const maxDepth = options.maxDepth ?? 5;
  let budget = options.maxDirectories ?? 2000;
  const found: string[] = [];
  const queue: { dir: string; depth: number }[] = roots.map((dir) => ({ dir, depth: 0 }));
  // Breadth first: shallow configuration directories are found before the budget runs out.
  while (queue.length > 0 && budget-- > 0) {
    const { dir, depth } = queue.shift()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => (e.name === 'main.cf' || e.name === 'master.cf') && e.isFile())) found.push(dir);
    if (depth >= maxDepth) continue;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') queue.push({ dir: join(dir, e.name), depth: depth + 1 });
    }
  }
  return found;
}

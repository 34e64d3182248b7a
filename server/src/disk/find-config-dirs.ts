// Finds the Postfix configuration directories below a workspace folder: every
// directory holding a regular file (or a link) named main.cf or master.cf. A workspace
// can be a huge monorepo or hold hostile trees (symlink loops, FIFOs, device
// nodes), so the walk follows no symbolic links, looks only at regular
// files and links, skips dependency, VCS and build-output directories, and stops at a
// depth, a count of directories visited and a count of directories found.

import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

/** Directories never searched: dependencies, version control, build output, caches. */
export const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', 'target', '.vscode-test', '.cache', '__pycache__', '.venv', 'vendor', '.test-tmp']);

export interface FindLimits {
  /** Levels below the root that are searched (the root is level 0). */
  maxDepth: number;
  /** Directories read before the walk gives up. */
  maxVisited: number;
  /** Configuration directories reported at most. */
  maxFound: number;
}

export const DEFAULT_LIMITS: FindLimits = { maxDepth: 8, maxVisited: 20_000, maxFound: 200 };

export interface FoundConfigDirs {
  dirs: string[];
  /** True when a limit stopped the walk: the list may be incomplete. */
  truncated: boolean;
}

const CONFIG_NAMES = new Set(['main.cf', 'master.cf']);

/** Directories read between two yields of findConfigDirsSteps. */
const STEP = 200;

export function findConfigDirs(roots: readonly string[], limits: FindLimits = DEFAULT_LIMITS): FoundConfigDirs {
  const steps = findConfigDirsSteps(roots, limits);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Breadth first, so shallow directories (the usual place of a configuration)
 * are found before any limit strikes; yields every few hundred directories so
 * the language server can answer requests meanwhile.
 */
export function* findConfigDirsSteps(roots: readonly string[], limits: FindLimits = DEFAULT_LIMITS): Generator<void, FoundConfigDirs> {
  const found: string[] = [];
  const seen = new Set<string>();
  let visited = 0;
  let truncated = false;
  let level: string[] = [...new Set(roots)];
  for (let depth = 0; level.length > 0 && depth <= limits.maxDepth; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (visited >= limits.maxVisited || found.length >= limits.maxFound) return { dirs: found, truncated: true };
      visited++;
      if (visited % STEP === 0) yield;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable or vanished: nothing to report there
      }
      let isConfig = false;
      for (const e of entries) {
        // Dirent types come from lstat: a symbolic link is neither a file nor a directory here.
        // A main.cf or master.cf that is a link still marks a configuration (followed by nothing
        // here): the analysis judges where it leads, and a repository copy's link out of its
        // tree is reported there, never read (engine/config-files.ts).
        if ((e.isFile() || e.isSymbolicLink()) && CONFIG_NAMES.has(e.name)) isConfig = true;
        else if (e.isDirectory() && !SKIPPED_DIRECTORIES.has(e.name)) next.push(join(dir, e.name));
      }
      if (isConfig && !seen.has(dir)) {
        seen.add(dir);
        found.push(dir);
      }
    }
    next.sort();
    level = next;
    if (depth === limits.maxDepth && next.length > 0) truncated = true;
  }
  return { dirs: found, truncated };
}

// POSIX path helpers without node:path, so the engine stays free of Node APIs.

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Pseudo file systems: device nodes, kernel and process state, never configuration. */
const SYSTEM_TREES = ['/proc', '/sys', '/dev'];

/**
 * Whether a path (as written, `..` and `//` collapsed) is below /proc, /sys
 * or /dev. A table there never ends (/dev/zero), blocks (/dev/stdin) or
 * holds a process's secrets (/proc/self/environ): no front end reads it.
 */
export function isSystemPath(path: string): boolean {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const p = `/${parts.join('/')}`;
  return path.startsWith('/') && SYSTEM_TREES.some((root) => p === root || p.startsWith(`${root}/`));
}

/** Why a system path is not read, in the words every front end uses. */
export const SYSTEM_FILE_REASON = 'a system file (below /proc, /sys or /dev), never read';

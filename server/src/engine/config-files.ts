// Where the engine reads the files a configuration names. Postfix opens them
// at the paths written in main.cf and master.cf (hash:/etc/postfix/access).
// That is right for the live configuration of this machine, but a copy kept
// in a repository is installed elsewhere: its tables sit beside main.cf, the
// host's own files (/etc/aliases, certificates) are not part of it and must
// not be read, and compiled tables are built at deploy time. One resolver for
// the linter, the simulator and the editor, so they always agree.

import type { FileReader, UnreadableFile } from './types';
import { isSystemPath, SYSTEM_FILE_REASON } from './paths';

/**
 * - `live`: the configuration this machine runs; paths mean what they say.
 * - `repository`: a copy to be installed as /etc/postfix; only files inside it are read.
 */
export type ConfigMode = 'live' | 'repository';

/** Where Postfix's configuration lives once installed (the default config_directory). */
export const INSTALLED_CONFIG_DIR = '/etc/postfix';

// config_directory as packaged on Linux, FreeBSD ports, MacPorts and pkgsrc.
const PACKAGED_CONFIG_DIRS = [INSTALLED_CONFIG_DIR, '/usr/local/etc/postfix', '/opt/local/etc/postfix', '/usr/pkg/etc/postfix'];

/**
 * The directories a repository copy stands for once installed: the packaged
 * config_directory locations, the one its main.cf sets, and the directory
 * most of its tables are named under (a container image that runs Postfix
 * with `-c /opt/postfix/conf`, say). Paths below any of them are read beside
 * main.cf.
 */
export function installedConfigDirs(configDirectory: string | undefined, tablePaths: string[]): string[] {
  const dirs = new Set(PACKAGED_CONFIG_DIRS);
  if (configDirectory?.startsWith('/')) dirs.add(trimSlashes(normalizePath(configDirectory)));
  // Only paths no known directory explains vote for another one.
  const absolute = tablePaths
    .filter((p) => p.startsWith('/'))
    .map(normalizePath)
    .filter((p) => ![...dirs].some((d) => isInside(p, d)));
  const counts = new Map<string, number>();
  for (const p of absolute) {
    const parts = p.split('/');
    // Ancestors two levels deep or more: never '/', '/etc' or '/var' on their own.
    for (let i = 3; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  }
  // The deepest directory that holds as many of them as any: /opt/postfix/conf, not its sql/ subdirectory.
  const most = Math.max(0, ...counts.values());
  let best: string | undefined;
  for (const [d, n] of counts) {
    if (n === most && n >= 2 && n * 2 > absolute.length && (!best || d.length > best.length)) best = d;
  }
  if (best && !/^\/(etc|var|usr|opt|srv|home|tmp)$/.test(best)) dirs.add(best);
  return [...dirs];
}

// The default config_directory, other instances made by postmulti
// (/etc/postfix-out), and the BSD ports locations.
const LIVE_DIR = /^(?:\/etc|\/usr\/local\/etc|\/opt\/local\/etc)\/postfix(?:-[^/]+)?$/;

function trimSlashes(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** A directory Postfix itself reads is live; anything else is a repository copy. */
export function detectMode(dir: string): ConfigMode {
  return LIVE_DIR.test(trimSlashes(dir)) ? 'live' : 'repository';
}

export function describeMode(mode: ConfigMode): string {
  return mode === 'live'
    ? 'live configuration: paths are read as written, compiled tables must exist'
    : 'repository copy: tables are read beside main.cf, files outside it are not read, compiled tables are built at deploy time';
}

function isInside(path: string, root: string): boolean {
  return root === '/' ? path.startsWith('/') : path === root || path.startsWith(`${root}/`);
}

/** Collapses `.`, `..` and repeated slashes of an absolute path, without touching the file system. */
const SYSTEM_FILE: UnreadableFile = { code: 'ESYSTEM', op: 'open', reason: SYSTEM_FILE_REASON };

export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export interface Resolution {
  /** The path as Postfix opens it once installed. */
  installed: string;
  /** The file the engine reads in its place; undefined when it is not part of this configuration. */
  local?: string;
  /** Repository mode: the file in the copy is a symbolic link that leads out of it (so not read), and where to. */
  linkedOut?: { path: string; target: string };
}

/**
 * A repository copy's file that is a link out of its tree, in the same words
 * in every front end (each adds how to go on: the CLI's --live, the editor's
 * postfix.mode setting).
 */
export function linkedOutText(path: string, target: string): string {
  return `${path} is a link out of the configuration directory (to ${target}); a repository copy is read only inside its own tree`;
}

/**
 * A FileReader over a configuration directory that reads each path the
 * configuration names where that file is for this mode. Paths inside the
 * directory are read as they are, so it can stand in for the plain reader
 * everywhere after loading.
 */
export class ConfigFiles implements FileReader {
  readonly dir: string;
  /** Repository mode: the tree the engine may read (the directory, or the root of an etc/postfix layout). */
  private readonly root: string;
  /** Repository mode: an absolute path P is found at root + P (a tree laid out as the file system). */
  private readonly rooted: boolean;
  private realRoot?: string;

  constructor(
    dir: string,
    readonly mode: ConfigMode,
    /** The reader underneath (the disk, the editor's buffers). */
    readonly base: FileReader,
    /** Repository mode: what the copy is installed as (see installedConfigDirs). */
    readonly installedDirs: string[] = [INSTALLED_CONFIG_DIR],
  ) {
    this.dir = trimSlashes(dir);
    const layout = /^(.*)\/etc\/postfix(?:-[^/]+)?$/.exec(this.dir);
    this.rooted = mode === 'repository' && layout !== null && layout[1] !== '';
    this.root = this.rooted ? layout![1] : this.dir;
  }

  /** The installed path a configuration names, and where the engine reads it. */
  resolve(path: string): Resolution {
    const installed = path.startsWith('/') ? normalizePath(path) : normalizePath(`${this.mode === 'live' ? this.dir : INSTALLED_CONFIG_DIR}/${path}`);
    if (this.mode === 'live') return { installed, local: installed };
    // Already inside the copy (a test directory, a repository naming its own absolute paths).
    if (isInside(installed, this.root)) return this.contained(installed, installed);
    if (this.rooted) return this.contained(installed, normalizePath(`${this.root}${installed}`));
    // The outermost installed directory that holds the path (/etc/postfix for /etc/postfix/sql/x.cf).
    const home = this.installedDirs.filter((d) => isInside(installed, d)).sort((a, b) => a.length - b.length)[0];
    if (home !== undefined) return this.contained(installed, `${this.dir}${installed.slice(home.length)}`);
    return { installed };
  }

  /** Whether the file is part of this configuration (read by the engine) rather than the host's. */
  covers(path: string): boolean {
    return this.resolve(path).local !== undefined;
  }

  /** A symbolic link inside the copy must not lead out of it (a repository is untrusted). */
  private contained(installed: string, local: string): Resolution {
    if (!this.base.realPath) return { installed, local };
    const real = this.base.realPath(local);
    if (real === undefined) return { installed, local };
    this.realRoot ??= this.base.realPath(this.root) ?? this.root;
    const realRoot = this.realRoot;
    return isInside(real, realRoot) ? { installed, local } : { installed, linkedOut: { path: local, target: real } };
  }

  /** Where a file of the copy leads when it is a symbolic link out of it (so it is not read); undefined otherwise. */
  linkTarget(path: string): string | undefined {
    return this.resolve(path).linkedOut?.target;
  }

  readText(path: string): string | undefined {
    // Refused here too, not only by the disk reader: the engine never even asks (an editor's or a test's reader may not refuse).
    if (isSystemPath(path)) return undefined;
    const local = this.resolve(path).local;
    return local === undefined || isSystemPath(local) ? undefined : this.base.readText(local);
  }

  unreadable(path: string): UnreadableFile | undefined {
    if (isSystemPath(path)) return SYSTEM_FILE;
    const local = this.resolve(path).local;
    if (local !== undefined && isSystemPath(local)) return SYSTEM_FILE;
    return local === undefined || !this.base.unreadable ? undefined : this.base.unreadable(local);
  }

  mtimeMs(path: string): number | undefined {
    const local = this.resolve(path).local;
    return local === undefined || !this.base.mtimeMs ? undefined : this.base.mtimeMs(local);
  }

  listDirectory(path: string): string[] | undefined {
    const local = this.resolve(path).local;
    return local === undefined || !this.base.listDirectory ? undefined : this.base.listDirectory(local);
  }

  realPath(path: string): string | undefined {
    const local = this.resolve(path).local;
    return local === undefined || !this.base.realPath ? local : this.base.realPath(local);
  }
}

/** The resolver of a directory, reusing one that already wraps the reader. */
export function configFiles(dir: string, reader: FileReader, mode?: ConfigMode, installedDirs?: string[]): ConfigFiles {
  const m = mode ?? detectMode(dir);
  if (reader instanceof ConfigFiles && reader.dir === trimSlashes(dir) && reader.mode === m && installedDirs === undefined) return reader;
  return new ConfigFiles(dir, m, reader instanceof ConfigFiles ? reader.base : reader, installedDirs ?? (reader instanceof ConfigFiles ? reader.installedDirs : undefined));
}


// Where the engine reads the files a configuration names. Postfix opens them
// at the paths written in main.cf and master.cf (hash:/etc/postfix/access).
// That is right for the live configuration of this machine, but a copy kept
// in a repository is installed elsewhere: its tables sit beside main.cf, the
// host's own files (/etc/aliases, certificates) are not part of it and must
// not be read, and compiled tables are built at deploy time. One resolver for
// the linter, the simulator and the editor, so they always agree.

import type { FileReader } from './types';

/**
 * - `live`: the configuration this machine runs; paths mean what they say.
 * - `repository`: a copy to be installed as /etc/postfix; only files inside it are read.
 */
export type ConfigMode = 'live' | 'repository';

/** Where Postfix's configuration lives once installed (the default config_directory). */
export const INSTALLED_CONFIG_DIR = '/etc/postfix';

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
    if (isInside(installed, INSTALLED_CONFIG_DIR)) return this.contained(installed, `${this.dir}${installed.slice(INSTALLED_CONFIG_DIR.length)}`);
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
    return isInside(real, realRoot) ? { installed, local } : { installed };
  }

  readText(path: string): string | undefined {
    const local = this.resolve(path).local;
    return local === undefined ? undefined : this.base.readText(local);
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
export function configFiles(dir: string, reader: FileReader, mode?: ConfigMode): ConfigFiles {
  const m = mode ?? detectMode(dir);
  if (reader instanceof ConfigFiles && reader.dir === trimSlashes(dir) && reader.mode === m) return reader;
  return new ConfigFiles(dir, m, reader instanceof ConfigFiles ? reader.base : reader);
}


// How the CLI writes configuration files (recipe --write, --fix): each file
// through a temporary file in its own directory, renamed over it, so that a
// reader (postfix reload, another admin's editor) sees the whole old file or
// the whole new one, never half of each. The new file keeps the old one's
// mode and owner: a main.cf owned by root:postfix 0640 must not turn into
// whoever ran the tool, 0644. A file that cannot keep them is not written.
//
// Several files (main.cf, master.cf, a new table) are written in two steps:
// every temporary file first, then the renames, so that a failure to write
// any of them (a full disk, an owner we cannot give) leaves every file as it
// was.

import { closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface FileWrite {
  path: string;
  /** The new text (written as UTF-8, the encoding the CLI reads files with). */
  text: string;
  /**
   * The text the change was computed from (undefined: a new file). The file
   * must still hold exactly these bytes: otherwise it changed since it was read,
   * or it is not valid UTF-8 and writing the decoded text back would replace
   * its undecodable bytes; either way it is not written.
   */
  before?: string;
}

interface Prepared {
  tmp: string;
  target: string;
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

/** The temporary file beside `target`, with its content, mode and owner; fsynced. */
function prepare(w: FileWrite): Prepared {
  let old: Stats | undefined;
  let target = w.path;
  try {
    // A symlinked main.cf stays a symlink: the file it points to is replaced.
    target = realpathSync(w.path);
    old = statSync(target);
  } catch {
    old = undefined;
  }
  if (w.before !== undefined) {
    if (!old) throw new Error(`${w.path} is gone since it was read; not written`);
    if (!readFileSync(target).equals(Buffer.from(w.before, 'utf8'))) {
      throw new Error(`${w.path} changed since it was read, or is not valid UTF-8 (its undecodable bytes would be lost); not written`);
    }
  } else if (old) throw new Error(`${w.path} exists but was not read (unreadable, or created since); not overwritten`);
  // A random name, created exclusively: never follows a link someone left at a predictable name.
  const tmp = join(dirname(target), `.${basename(target)}.postfix-lint-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', old ? old.mode & 0o777 : 0o666);
  try {
    writeAll(fd, Buffer.from(w.text, 'utf8'));
    if (old) {
      const now = fstatSync(fd);
      if (now.uid !== old.uid || now.gid !== old.gid) {
        try {
          fchownSync(fd, old.uid, old.gid);
        } catch (e) {
          throw new Error(`cannot keep the owner ${old.uid}:${old.gid} of ${w.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); not written: run as the file's owner or root`);
        }
      }
      // After chown, which clears set-id bits; the umask does not apply to fchmod.
      fchmodSync(fd, old.mode & 0o7777);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  return { tmp, target };
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be opened or synced; the rename is done either way.
  }
}

/**
 * Writes every file atomically (temporary file + rename in its directory),
 * keeping mode and owner. Throws, having changed nothing, when any of them
 * cannot be prepared.
 */
export function writeFilesAtomic(writes: FileWrite[]): void {
  const prepared: Prepared[] = [];
  try {
    for (const w of writes) prepared.push(prepare(w));
  } catch (e) {
    for (const p of prepared) unlinkSync(p.tmp);
    throw e;
  }
  for (const p of prepared) renameSync(p.tmp, p.target);
  for (const d of new Set(prepared.map((p) => dirname(p.target)))) syncDirectory(d);
}

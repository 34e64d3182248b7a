// How the CLI and the language server read the files a configuration names.
// A table path in a configuration can name anything: /dev/zero or
// /dev/urandom (never ends), a FIFO (blocks forever), /proc/self/environ (a
// process's secrets), a huge log file. One policy for every front end: only
// regular files, never below /proc, /sys or /dev, at most MAX_FILE_BYTES, and
// a reason when a file is not read, so the engine can say what happened
// instead of "does not exist".

import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FileReader, UnreadableFile } from '../engine/types';
import { isSystemPath, SYSTEM_FILE_REASON } from '../engine/paths';

/** Larger files are not read: far above any real table, far below what hurts an editor. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;


/**
 * How bytes become text:
 * - `utf8`: Postfix (compatibility_level 3.6 and later) accepts UTF-8 and
 *   ignores lines that are not; invalid sequences become U+FFFD, which the
 *   table parsers report as PF304.
 * - `bytes`: one character per byte (latin1), for the postconf emulation,
 *   whose output must be byte for byte what postconf prints.
 */
export type Decoding = 'utf8' | 'bytes';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
};

function failure(e: unknown, op: 'open' | 'read'): UnreadableFile {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return { code, op, reason: STRERROR[code] ?? (e as Error).message };
}

const SYSTEM_FILE: UnreadableFile = { code: 'ESYSTEM', op: 'open', reason: SYSTEM_FILE_REASON };

/** Opens a regular file for reading, or says why not. Never blocks on a FIFO or a device. */
function openRegular(path: string, maxBytes: number): { fd: number; size: number } | { error: UnreadableFile } {
  // Neither the path as written nor where its links lead may be below a system tree.
  if (isSystemPath(resolve(path))) return { error: SYSTEM_FILE };
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return { error: failure(e, 'open') };
  }
  if (isSystemPath(real)) return { error: SYSTEM_FILE };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    return { error: failure(e, 'open') };
  }
  let error: UnreadableFile | undefined;
  let size = 0;
  try {
    const st = fstatSync(fd);
    size = st.size;
    if (st.isDirectory()) error = { code: 'EISDIR', op: 'read', reason: STRERROR.EISDIR };
    else if (!st.isFile()) error = { code: 'ENOTREG', op: 'open', reason: 'not a regular file' };
    else if (st.size > maxBytes) error = tooLarge(maxBytes, st.size);
  } catch (e) {
    error = failure(e, 'read');
  }
  if (error) {
    closeSync(fd);
    return { error };
  }
  return { fd, size };
}

function tooLarge(maxBytes: number, size?: number): UnreadableFile {
  return { code: 'EFBIG', op: 'read', reason: `larger than ${formatBytes(maxBytes)}${size === undefined ? '' : ` (${formatBytes(size)})`}, not read` };
}

export type ReadOutcome = { bytes: Buffer } | { error: UnreadableFile };

/** The first `n` bytes of a regular file (fewer when it is shorter), or undefined when it is not read. */
export function readFileHead(path: string, n: number): Buffer | undefined {
  const opened = openRegular(path, MAX_FILE_BYTES);
  if ('error' in opened) return undefined;
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(opened.fd, buf, 0, n, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/** The bytes of a regular file, or why it is not read. */
export function readRegularFile(path: string, maxBytes = MAX_FILE_BYTES): ReadOutcome {
  const opened = openRegular(path, maxBytes);
  if ('error' in opened) return opened;
  const { fd, size } = opened;
  try {
    // The file may grow while we read: never read more than the cap.
    const buf = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > maxBytes) return { error: tooLarge(maxBytes) };
        break;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return { bytes: buf.subarray(0, n) };
  } catch (e) {
    return { error: failure(e, 'read') };
  } finally {
    closeSync(fd);
  }
}

/** Why readRegularFile would not read the file (code ENOENT: it does not exist); undefined when it would. */
export function whyUnreadable(path: string, maxBytes = MAX_FILE_BYTES): UnreadableFile | undefined {
  const opened = openRegular(path, maxBytes);
  if ('error' in opened) return opened.error;
  closeSync(opened.fd);
  return undefined;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}

export function decode(bytes: Buffer, decoding: Decoding): string {
  return bytes.toString(decoding === 'utf8' ? 'utf8' : 'latin1');
}

/** Text of a regular file under the policy above, or why not. */
export function readTextFile(path: string, decoding: Decoding): { text: string } | { error: UnreadableFile } {
  const r = readRegularFile(path);
  return 'error' in r ? r : { text: decode(r.bytes, decoding) };
}

export type DiskReader = FileReader & { isDirectory(path: string): boolean; unreadable(path: string): UnreadableFile | undefined };

/** A FileReader over the disk, with the policy above. */
export function diskReader(decoding: Decoding): DiskReader {
  return {
    readText(path) {
      const r = readTextFile(path, decoding);
      return 'text' in r ? r.text : undefined;
    },
    readSource(path) {
      const r = readRegularFile(path);
      if ('error' in r) return undefined;
      let text: string | undefined;
      return { bytes: r.bytes, text: () => (text ??= decode(r.bytes, decoding)) };
    },
    unreadable: whyUnreadable,
    mtimeMs(path) {
      try {
        return statSync(path).mtimeMs;
      } catch {
        return undefined;
      }
    },
    realPath(path) {
      try {
        return realpathSync(path);
      } catch {
        return undefined;
      }
    },
    listDirectory(path) {
      try {
        return readdirSync(path);
      } catch {
        return undefined;
      }
    },
    isDirectory(path) {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    },
  };
}

// The shared file-access policy of the CLI and the language server
// (server/src/disk/read-file.ts): regular files only, never /proc, /sys or
// /dev, a size cap, and strerror()'s words for everything else.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskReader, readRegularFile, whyUnreadable } from '../../server/src/disk/read-file';

function codeOf(path: string, cap?: number): string {
  const r = readRegularFile(path, cap);
  return 'error' in r ? r.error.code : `read ${r.bytes.length}`;
}

test('only regular files outside /proc, /sys and /dev are read, up to the cap', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pf-read-'));
  try {
    execFileSync('mkfifo', [join(tmp, 'fifo')]);
    writeFileSync(join(tmp, 'table'), 'a OK\n');
    mkdirSync(join(tmp, 'dir'));
    symlinkSync('/dev/zero', join(tmp, 'zero'));
    symlinkSync('loop', join(tmp, 'loop'));
    assert.equal(codeOf(join(tmp, 'table')), 'read 5');
    assert.equal(codeOf(join(tmp, 'table'), 4), 'EFBIG');
    assert.equal(codeOf(join(tmp, 'fifo')), 'ENOTREG');
    assert.equal(codeOf(join(tmp, 'dir')), 'EISDIR');
    assert.equal(codeOf(join(tmp, 'zero')), 'ESYSTEM');
    assert.equal(codeOf(join(tmp, 'loop')), 'ELOOP');
    assert.equal(codeOf(join(tmp, 'none')), 'ENOENT');
    for (const p of ['/dev/zero', '/dev/urandom', '/proc/self/environ', '/proc/version', '/sys/kernel/hostname']) assert.equal(codeOf(p), 'ESYSTEM', p);
    assert.equal(whyUnreadable(join(tmp, 'table')), undefined);
    assert.equal(whyUnreadable(join(tmp, 'loop'))?.reason, 'Too many levels of symbolic links');
    assert.equal(whyUnreadable(join(tmp, 'dir'))?.reason, 'Is a directory');
    const reader = diskReader('utf8');
    assert.equal(reader.readText(join(tmp, 'fifo')), undefined);
    assert.equal(reader.unreadable(join(tmp, 'fifo'))?.reason, 'not a regular file');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('text decodes as UTF-8 or byte for byte', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pf-read-'));
  try {
    writeFileSync(join(tmp, 't'), Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x20, 0xe9, 0x0a]));
    assert.equal(diskReader('utf8').readText(join(tmp, 't')), 'café \ufffd\n');
    assert.equal(diskReader('bytes').readText(join(tmp, 't')), 'caf\u00c3\u00a9 \u00e9\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// The workspace (server/src/features/workspace.ts) keeps stat and realpath
// answers only for files the client's confirmed watchers cover, and only
// until an event about them: a change on disk with its event is always seen,
// a file outside the watchers is asked of the disk every time, and without
// confirmed watchers nothing is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../server/src/features/workspace';

test('stat and realpath answers are kept for watched files until their event', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-stat-cache-'));
  try {
    const ws = new Workspace({ all: () => [], get: () => undefined } as never);
    const table = join(dir, 'access');
    const other = join(dir, 'other');
    writeFileSync(table, 'a OK\n');
    writeFileSync(other, 'a OK\n');
    mkdirSync(join(dir, 'one'));
    mkdirSync(join(dir, 'two'));
    writeFileSync(join(dir, 'one', 'x'), '1\n');
    writeFileSync(join(dir, 'two', 'x'), '2\n');
    const link = join(dir, 'link');
    symlinkSync(join(dir, 'one', 'x'), link);

    // No watchers confirmed: every answer is the disk's.
    const before = ws.identity(table);
    writeFileSync(table, 'a OK\nb OK\n');
    assert.notEqual(ws.identity(table), before);
    assert.equal(ws.readText(table), 'a OK\nb OK\n');

    ws.watching([table, link]);
    const kept = ws.identity(table);
    const keptReal = ws.realPath(link);
    assert.equal(keptReal, join(dir, 'one', 'x'));
    // Written without an event: the kept answers stand (the watcher's event is what tells).
    writeFileSync(table, 'a OK\nb OK\nc OK\n');
    unlinkSync(link);
    symlinkSync(join(dir, 'two', 'x'), link);
    assert.equal(ws.identity(table), kept);
    assert.equal(ws.realPath(link), keptReal);
    // The events: both are asked of the disk again.
    ws.forget(table);
    ws.forget(link);
    assert.notEqual(ws.identity(table), kept);
    assert.equal(ws.readText(table), 'a OK\nb OK\nc OK\n');
    assert.equal(ws.realPath(link), join(dir, 'two', 'x'));

    // A file no watcher covers is never kept.
    const o = ws.identity(other);
    writeFileSync(other, 'a OK\nb OK\n');
    assert.notEqual(ws.identity(other), o);

    // A new registration not yet confirmed: nothing kept.
    const k = ws.identity(table);
    ws.watching(undefined);
    writeFileSync(table, 'z\n');
    assert.notEqual(ws.identity(table), k);
    assert.equal(ws.readText(table), 'z\n');

    // A watched file that does not exist yet, then created (with its event).
    const db = join(dir, 'access.db');
    ws.watching([db]);
    assert.equal(ws.mtimeMs(db), undefined);
    writeFileSync(db, '');
    assert.equal(ws.mtimeMs(db), undefined, 'kept until the event');
    ws.forget(db);
    assert.equal(typeof ws.mtimeMs(db), 'number');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The shared analysis (server/src/features/analysis.ts) keeps the loaded
// configuration (main.cf and master.cf parsed, the table uses, the paths
// resolved) when a keystroke changed only a table's text, and loads again as
// soon as anything loading read has changed: an edit of main.cf, master.cf
// changed on disk between two keystrokes in the table (with or without a
// watcher event). Each verdict equals a cold analysis of the same texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyses } from '../../server/src/features/analysis';
import { Workspace } from '../../server/src/features/workspace';
import { clearParseMemo } from '../../server/src/engine/tables/memo';
import { clearRelayMatrixMemo } from '../../server/src/engine/simulate/matrix-memo';
import { clearLintMemo } from '../../server/src/engine/lint';
import type { Problem } from '../../server/src/engine/types';
import { mapConfig } from '../helpers/map-config';

const essentials = (ps: readonly Problem[]) => ps.map((p) => `${p.file}:${p.range.start.line}:${p.range.start.character} ${p.code} ${p.message}`).sort();

test('a keystroke in a table keeps the loaded configuration; a change of main.cf or master.cf (on disk too) does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-reuse-'));
  try {
    const map = Array.from({ length: 300 }, (_, i) => `user${i}@example.test ${i % 2 ? 'OK' : 'REJECT'}`).join('\n') + '\n';
    const main = `compatibility_level = 3.6\nmyhostname = mx.example.test\nsmtpd_recipient_restrictions = check_recipient_access hash:${dir}/access, reject_unauth_destination\n`;
    const master = 'smtp      inet  n       -       y       -       -       smtpd\n';
    writeFileSync(join(dir, 'access'), map);
    writeFileSync(join(dir, 'main.cf'), main);
    writeFileSync(join(dir, 'master.cf'), master);
    const docs = new Map<string, TextDocument>();
    const open = (name: string, languageId: string, text: string) => {
      const uri = pathToFileURL(join(dir, name)).href;
      docs.set(uri, TextDocument.create(uri, languageId, 1, text));
      return uri;
    };
    const mainUri = open('main.cf', 'postfix-main', main);
    const mapUri = open('access', 'postfix-map', map);
    const store = { all: () => [...docs.values()], get: (u: string) => docs.get(u) };
    const edit = (uri: string, line: number, character: number, text: string) => {
      const d = docs.get(uri)!;
      docs.set(uri, TextDocument.update(d, [{ range: { start: { line, character }, end: { line, character } }, text }], d.version + 1));
    };
    const workspace = new Workspace(store as never);
    const analyses = new Analyses(workspace);
    const cold = () => {
      clearParseMemo();
      clearRelayMatrixMemo();
      clearLintMemo();
      return essentials(new Analyses(new Workspace(store as never)).current(docs.get(mainUri)!).problems);
    };
    const check = (what: string, reused: boolean) => {
      const before = analyses.reusedLoads;
      const now = essentials(analyses.current(docs.get(mapUri)!).problems);
      assert.equal(analyses.reusedLoads - before, reused ? 1 : 0, `${what}: configuration ${reused ? '' : 'not '}kept`);
      assert.deepEqual(now, cold(), what);
      return now;
    };

    analyses.current(docs.get(mainUri)!);
    // A duplicate key typed into the map: the table's findings change, the configuration is kept.
    edit(mapUri, 10, 0, 'user3@example.test OK\n');
    const dup = check('duplicate typed', true);
    assert.ok(dup.some((l) => / PF\d+ .*user3@example\.test/i.test(l)), 'the duplicate is reported');
    edit(mapUri, 20, 0, 'x');
    check('a keystroke in a key', true);

    // master.cf changes on disk between two keystrokes in the map (another size: its identity changes).
    writeFileSync(join(dir, 'master.cf'), `${master}submission inet n - y - - smtpd\n  -o smtpd_frobnicate=yes\n`);
    edit(mapUri, 30, 0, 'x');
    const withMaster = check('master.cf written (no watcher event)', false);
    assert.ok(withMaster.some((l) => l.includes('master.cf')), 'the new master.cf finding is shown');
    edit(mapUri, 31, 0, 'x');
    check('the next keystroke keeps the new load', true);

    // The same size within the same timestamp tick: seen through the watcher's event.
    writeFileSync(join(dir, 'master.cf'), `${master}submission inet n - y - - smtpd\n  -o smtpd_frobnicat=yes\n `);
    workspace.forget(join(dir, 'master.cf'));
    edit(mapUri, 32, 0, 'x');
    check('master.cf written again, watcher event', false);

    // master.cf opened in the editor as it is on disk: its identity changes (an open buffer), its text does not.
    const masterUri = open('master.cf', 'postfix-master', readFileSync(join(dir, 'master.cf'), 'utf8'));
    edit(mapUri, 34, 0, 'x');
    check('master.cf opened unchanged', true);
    edit(masterUri, 0, 0, '#');
    edit(mapUri, 35, 0, 'x');
    check('a keystroke in the open master.cf', false);
    docs.delete(masterUri);
    edit(mapUri, 36, 0, 'x');
    check('master.cf closed with its edit unsaved: the disk text again', false);

    // An edit of main.cf loads again.
    edit(mainUri, 1, 13, 'x');
    const before = analyses.reusedLoads;
    assert.deepEqual(essentials(analyses.current(docs.get(mainUri)!).problems), cold(), 'main.cf edited');
    assert.equal(analyses.reusedLoads, before, 'main.cf edited: loaded again');
    edit(mapUri, 33, 0, 'x');
    check('then a keystroke in the map', true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('callers asking at once share one analysis under way; after a watcher event or an edit a new one starts', async () => {
  const { dir, map, uri, docs, store } = mapConfig('pf-runs-', 20_000, (i) => `user${i}@example.test REJECT`);
  try {
    const workspace = new Workspace(store as never);
    const analyses = new Analyses(workspace);
    clearParseMemo();

    // The re-lint and a code action at once: one analysis, both get it.
    const [a, b] = await Promise.all([analyses.compute(docs.get(uri)!, () => false), analyses.compute(docs.get(uri)!, () => false)]);
    assert.ok(a);
    assert.equal(a, b);
    assert.equal(analyses.computed, 1);

    // A watcher event while one is under way: a caller after it does not join the older one.
    writeFileSync(join(dir, 'access'), map + 'user1@example.test OK\n');
    const older = analyses.compute(docs.get(uri)!, () => false);
    workspace.forget(join(dir, 'access'));
    const newer = analyses.compute(docs.get(uri)!, () => false);
    const [o, n] = await Promise.all([older, newer]);
    assert.notEqual(o, n);
    assert.equal(analyses.computed, 3);
    assert.ok(n!.problems.some((p) => p.code && p.range.start.line === 20_000), 'the duplicate written on disk is seen');

    // A stale caller gives up; the one after it with the same texts finishes that run (no second analysis).
    const d = docs.get(uri)!;
    docs.set(uri, TextDocument.update(d, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# c\n' }], 2));
    let checks = 0;
    assert.equal(await analyses.compute(docs.get(uri)!, () => ++checks > 1), undefined);
    const done = await analyses.compute(docs.get(uri)!, () => false);
    assert.ok(done);
    assert.equal(analyses.computed, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('while an analysis of the current texts runs, hover and completion get the configuration it loaded, not a load of their own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-loading-'));
  try {
    const main = 'compatibility_level = 3.6\nmyhostname = mx.example.test\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n';
    writeFileSync(join(dir, 'main.cf'), main);
    writeFileSync(join(dir, 'master.cf'), 'smtp      inet  n       -       y       -       -       smtpd\n');
    const uri = pathToFileURL(join(dir, 'main.cf')).href;
    const docs = new Map([[uri, TextDocument.create(uri, 'postfix-main', 1, main)]]);
    const store = { all: () => [...docs.values()], get: (u: string) => docs.get(u) };
    const analyses = new Analyses(new Workspace(store as never));
    const doc = docs.get(uri)!;
    assert.equal(analyses.loading(doc), undefined, 'nothing under way');
    const seen: (object | undefined)[] = [];
    let edited = false;
    analyses.onStep = () => {
      seen.push(analyses.loading(doc)?.config);
      if (!edited && seen.at(-1) !== undefined) {
        // A keystroke: the run under way is of older texts now.
        edited = true;
        docs.set(uri, TextDocument.create(uri, 'postfix-main', 2, `#${main}`));
        assert.equal(analyses.loading(docs.get(uri)!), undefined, 'a run of older texts is not offered');
        docs.set(uri, doc);
      }
    };
    const done = await analyses.compute(doc, () => false);
    assert.ok(done);
    assert.ok(edited, "a keystroke came while a loaded configuration was offered");
    // Loading is stepped too: the steps before it ends offer nothing, every one after it the configuration the analysis ends with.
    const firstLoaded = seen.findIndex((c) => c !== undefined);
    const shown = seen.map((c) => (c === done.config ? 'same' : c ? 'other' : 'none'));
    assert.ok(firstLoaded >= 0 && firstLoaded < seen.length - 1, `a step after loading offered the configuration: ${shown}`);
    assert.ok(seen.slice(firstLoaded).every((c) => c === done.config), `every step after loading offered the configuration the analysis ends with: ${shown}`);
    assert.equal(analyses.loading(doc), undefined, 'nothing under way once it is done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

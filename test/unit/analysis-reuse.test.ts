// The shared analysis (server/src/features/analysis.ts) keeps the loaded
// configuration (main.cf and master.cf parsed, the table uses, the paths
// resolved) when a keystroke changed only a table's text, and loads again as
// soon as anything loading read has changed: an edit of main.cf, master.cf
// changed on disk between two keystrokes in the table (with or without a
// watcher event). Each verdict equals a cold analysis of the same texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

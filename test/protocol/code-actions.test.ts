// Protocol tests for quick fixes and "Harden this configuration": the built
// server (dist/server.js --stdio) on a copy of examples/mistakes, with the
// returned WorkspaceEdits applied here as an editor would apply them.

import { strict as assert } from 'node:assert';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, InitializeResult, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { repoDir } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient, LspRequestError } from '../helpers/lsp-client';
import { applyEdits, refusedEdits } from '../helpers/workspace-edit';

const mistakes = resolve(repoDir, 'examples/mistakes');

function commentLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*#/.test(l));
}

function codes(diags: Diagnostic[]): string[] {
  return diags.map((d) => String(d.code));
}

function errors(diags: Diagnostic[]): string[] {
  return diags.filter((d) => d.severity === 1).map((d) => String(d.code));
}

function find(diags: Diagnostic[], code: string): Diagnostic {
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `no ${code} among ${JSON.stringify(diags.map((x) => `${x.code}@${x.range.start.line}`))}`);
  return d;
}

function copyMistakes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'postfix-code-actions-'));
  cpSync(mistakes, dir, { recursive: true });
  return dir;
}

before(() => ensureBuilt());

describe('code actions over stdio', () => {
  let c: LspClient;
  let init: InitializeResult;
  const dirs: string[] = [];
  before(async () => {
    c = LspClient.start();
    init = await c.initialize(null);
  });
  after(async () => {
    await c.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('initialize announces quickfix, source.fixAll.postfix and source.postfix.harden code actions', () => {
    const provider = init.capabilities.codeActionProvider;
    assert.ok(provider && typeof provider === 'object', JSON.stringify(provider));
    assert.deepEqual(provider.codeActionKinds, ['quickfix', 'source.fixAll.postfix', 'source.postfix.harden']);
  });

  test('quick fixes for PF501 (0.0.0.0/0), PF505 (zen without filter), PF503 (unbracketed IPv6) remove them and keep comments', async () => {
    const dir = copyMistakes();
    dirs.push(dir);
    const uri = fileUri(join(dir, 'main.cf'));
    const original = readFileSync(join(dir, 'main.cf'), 'utf8');
    let text = original;
    let version = 1;
    let since = c.mark();
    c.didOpen(uri, 'postfix-main', text, version);
    let diags = await c.waitForDiagnostics(uri, { since, version });
    const initialErrors = new Set(errors(diags));

    for (const code of ['PF501', 'PF505', 'PF503']) {
      const d = find(diags, code);
      const actions: CodeAction[] = await c.request('textDocument/codeAction', {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d], triggerKind: 2 },
      });
      const fixes = actions.filter((a) => a.kind === 'quickfix');
      assert.ok(fixes.length > 0, `${code}: no quick fix in ${JSON.stringify(actions)}`);
      // An automatic (lightbulb) request does not compute the hardening action.
      assert.ok(!actions.some((a) => a.kind === 'source.postfix.harden'));
      const fix = fixes[0];
      assert.equal(fix.isPreferred, true);
      assert.deepEqual(fix.diagnostics, [d]);
      assert.ok(fix.edit?.changes?.[uri], `${code}: edit not keyed by the document URI: ${JSON.stringify(fix.edit)}`);
      assert.equal(fix.edit?.documentChanges, undefined, 'a client without documentChanges support gets `changes` alone');
      text = applyEdits(text, fix.edit!.changes![uri]);

      since = c.mark();
      version++;
      c.didChange(uri, version, [{ text }]);
      const before = codes(diags);
      diags = await c.waitForDiagnostics(uri, { since, version });
      const left = diags.filter((x) => x.code === code && x.range.start.line === d.range.start.line);
      assert.equal(left.length, 0, `${code} still reported after "${fix.title}": ${JSON.stringify(left)}`);
      for (const e of errors(diags)) assert.ok(initialErrors.has(e), `new error ${e} after "${fix.title}"; before: ${before}`);
    }
    const lines = text.split('\n');
    for (const comment of commentLines(original)) assert.ok(lines.includes(comment), `comment line lost: ${comment}`);
    assert.match(text, /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128 \[2001:db8:1::\]\/64$/m);
    assert.match(text, /zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\]/);
    c.didClose(uri);
  });

  test('diagnostics of another source or with a stale range get no quick fix', async () => {
    const dir = copyMistakes();
    dirs.push(dir);
    const uri = fileUri(join(dir, 'main.cf'));
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', readFileSync(join(dir, 'main.cf'), 'utf8'), 1);
    const d = find(await c.waitForDiagnostics(uri, { since, version: 1 }), 'PF501');
    const stale = { ...d, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
    const other = { ...d, source: 'somebody-else' };
    const actions: CodeAction[] = await c.request('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [stale, other], only: ['quickfix'] },
    });
    assert.deepEqual(actions, []);
    c.didClose(uri);
  });

  test('"Harden this configuration": source action and postfix/harden edit main.cf and master.cf; re-opened, the hardening codes are gone', async () => {
    const dir = copyMistakes();
    dirs.push(dir);
    // A submission service with SASL but no TLS requirement: the hardening edit adds -o options to master.cf.
    const masterPath = join(dir, 'master.cf');
    const mainPath = join(dir, 'main.cf');
    writeFileSync(masterPath, readFileSync(masterPath, 'utf8').replace(/^submission[\s\S]*?(?=^pickup)/m, 'submission inet n       -       y       -       -       smtpd\n  -o smtpd_sasl_auth_enable=yes\n'));
    appendFileSync(mainPath, 'smtpd_tls_cert_file = /etc/ssl/certs/mail.pem\nsmtpd_tls_key_file = /etc/ssl/private/mail.key\n');
    const files = { main: { path: mainPath, uri: fileUri(mainPath), lang: 'postfix-main' }, master: { path: masterPath, uri: fileUri(masterPath), lang: 'postfix-master' } };
    const originals = { main: readFileSync(mainPath, 'utf8'), master: readFileSync(masterPath, 'utf8') };

    const openAll = async (version: number) => {
      const since = c.mark();
      for (const f of Object.values(files)) c.didOpen(f.uri, f.lang, readFileSync(f.path, 'utf8'), version);
      return {
        main: await c.waitForDiagnostics(files.main.uri, { since, version }),
        master: await c.waitForDiagnostics(files.master.uri, { since, version }),
      };
    };
    const before = await openAll(1);
    const hardeningCodes = ['PF501', 'PF503', 'PF504', 'PF505', 'PF520'];
    for (const code of hardeningCodes) find(before.main, code);
    // The submission service offers AUTH before TLS (PF511) and does not require TLS (PF513).
    const masterHardening = ['PF511', 'PF513'];
    for (const code of masterHardening) find(before.master, code);

    // The source action, asked for the way VS Code's "Source Action…" menu asks.
    const actions: CodeAction[] = await c.request('textDocument/codeAction', {
      textDocument: { uri: files.main.uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source'], triggerKind: 1 },
    });
    const action = actions.find((a) => a.kind === 'source.postfix.harden');
    assert.ok(action, JSON.stringify(actions));
    assert.match(action.title, /^Harden this configuration/);

    const edit: WorkspaceEdit = await c.request('postfix/harden', { uri: files.main.uri });
    assert.deepEqual(edit, action.edit, 'the command and the source action make the same edit');
    const touched = Object.keys(edit.changes ?? {});
    assert.deepEqual(touched.sort(), [files.main.uri, files.master.uri].sort());
    const key = (uri: string, e: TextEdit) => `${uri}|${JSON.stringify(e.range)}|${e.newText}`;
    const hardenEdits = new Set(Object.entries(edit.changes!).flatMap(([uri, edits]) => edits.map((e) => key(uri, e))));
    const hardened: string[] = [];
    for (const k of ['main', 'master'] as const) {
      for (const d of before[k]) {
        const fixes: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri: files[k].uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
        const changes = Object.entries(fixes.find((f) => f.isPreferred)?.edit?.changes ?? {});
        if (changes.length > 0 && changes.every(([uri, edits]) => edits.every((e) => hardenEdits.has(key(uri, e))))) hardened.push(`${k}:${d.code}`);
      }
    }
    // (master.cf's two fixes merge into one insertion, so only main.cf's are contained edit for edit.)
    for (const code of hardeningCodes.map((x) => `main:${x}`)) assert.ok(hardened.includes(code), `${code} not fixed by hardening: ${hardened}`);

    // Apply to every file, save, close and re-open; files the edit creates (a recipe's table) come first.
    for (const dc of edit.documentChanges ?? []) {
      if ('kind' in dc && dc.kind === 'create') writeFileSync(fileURLToPath(dc.uri), '');
      else if ('textDocument' in dc && !(dc.textDocument.uri in edit.changes!)) {
        const path = fileURLToPath(dc.textDocument.uri);
        writeFileSync(path, applyEdits(readFileSync(path, 'utf8'), dc.edits as TextEdit[]));
      }
    }
    for (const [uri, edits] of Object.entries(edit.changes!)) {
      const path = fileURLToPath(uri);
      writeFileSync(path, applyEdits(readFileSync(path, 'utf8'), edits));
    }
    for (const f of Object.values(files)) c.didClose(f.uri);
    // Version 2: a re-lint of the old buffers between the closes publishes version 1.
    const afterDiags = await openAll(2);
    for (const code of hardeningCodes) assert.ok(!codes(afterDiags.main).includes(code), `${code} still on main.cf: ${codes(afterDiags.main)}`);
    for (const code of masterHardening) assert.ok(!codes(afterDiags.master).includes(code), `${code} still on master.cf: ${codes(afterDiags.master)}`);
    // And in general: every problem whose quick fix the hardening edit contains is gone.
    for (const code of hardened) {
      const [file] = code.split(':');
      assert.ok(!codes(afterDiags[file as 'main' | 'master']).includes(code.split(':')[1]), `${code} still reported after hardening`);
    }
    for (const k of ['main', 'master'] as const) {
      const beforeErrors = new Set(errors(before[k]));
      for (const e of errors(afterDiags[k])) assert.ok(beforeErrors.has(e), `new error ${e} in ${k}.cf after hardening`);
      const lines = readFileSync(files[k].path, 'utf8').split('\n');
      for (const comment of commentLines(originals[k])) assert.ok(lines.includes(comment), `comment line lost in ${k}.cf: ${comment}`);
    }

    // Nothing left to harden: an empty edit.
    const again: WorkspaceEdit = await c.request('postfix/harden', { uri: files.master.uri });
    assert.deepEqual(again, { changes: {} });
    for (const f of Object.values(files)) c.didClose(f.uri);
  });

  test('malformed codeAction and postfix/harden params do not kill the server', async () => {
    const bad: unknown[] = [
      null,
      {},
      { textDocument: 5 },
      { textDocument: { uri: 'file:///nowhere/main.cf' }, context: { diagnostics: [] } },
      { textDocument: { uri: 'untitled:x' }, range: null, context: null },
      { textDocument: { uri: fileUri(join(mistakes, 'main.cf')) }, context: { diagnostics: 'x', only: 7 } },
      { textDocument: { uri: fileUri(join(mistakes, 'main.cf')) }, context: { diagnostics: [null, { code: 'PF501' }, { code: 'PF501', range: { start: {}, end: 3 } }] } },
    ];
    for (const params of bad) {
      try {
        const r = await c.request('textDocument/codeAction', params);
        assert.ok(r === null || Array.isArray(r), JSON.stringify(r));
      } catch (e) {
        assert.ok(e instanceof LspRequestError, String(e));
      }
    }
    for (const params of [null, {}, { uri: 42 }, { uri: 'untitled:nothing' }, { uri: 'file:///nonexistent/dir/main.cf' }, { uri: 'file://%zz' }]) {
      try {
        const r = await c.request('postfix/harden', params);
        assert.deepEqual(r, { changes: {} });
      } catch (e) {
        assert.ok(e instanceof LspRequestError, String(e));
      }
    }
    assert.ok(c.alive);
    // Still answering.
    const dir = copyMistakes();
    dirs.push(dir);
    const uri = fileUri(join(dir, 'main.cf'));
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', readFileSync(join(dir, 'main.cf'), 'utf8'), 1);
    const d = find(await c.waitForDiagnostics(uri, { since, version: 1 }), 'PF505');
    const actions: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    assert.ok(actions.some((a) => a.kind === 'quickfix'));
    assert.ok(actions.some((a) => a.kind === 'source.postfix.harden'), 'an invoked request without `only` includes the hardening action');
  });
});

describe('versioned edits for a client that takes documentChanges', () => {
  let c: LspClient;
  const dirs: string[] = [];
  before(async () => {
    c = LspClient.start();
    await c.initialize(null, { workspace: { workspaceEdit: { documentChanges: true } } });
  });
  after(async () => {
    await c.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const versionsIn = (edit: WorkspaceEdit | undefined) =>
    Object.fromEntries((edit?.documentChanges ?? []).flatMap((dc) => ('textDocument' in dc ? [[dc.textDocument.uri, dc.textDocument.version]] : [])));

  test('quick fixes, harden and rename carry the open text\'s version (null for a closed file); the editor refuses them once the text moved on', async () => {
    const dir = copyMistakes();
    dirs.push(dir);
    const mainPath = join(dir, 'main.cf');
    const uri = fileUri(mainPath);
    const masterUri = fileUri(join(dir, 'master.cf'));
    // A parameter of our own, to rename.
    let text = `${readFileSync(mainPath, 'utf8')}partner_domains = partner.example\nrelay_domains = $partner_domains\n`;
    let since = c.mark();
    c.didOpen(uri, 'postfix-main', text, 7);
    let diags = await c.waitForDiagnostics(uri, { since, version: 7 });
    const quickFix = async (d: Diagnostic) => {
      const actions: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
      return actions.find((a) => a.isPreferred)!;
    };
    const fix = await quickFix(find(diags, 'PF501'));
    assert.deepEqual(versionsIn(fix.edit), { [uri]: 7 }, JSON.stringify(fix.edit));
    assert.ok(fix.edit?.changes?.[uri], '`changes` stays beside documentChanges');

    // Harden spans main.cf (open, version 7) and master.cf (not open: version null).
    const harden: WorkspaceEdit = await c.request('postfix/harden', { uri });
    const hv = versionsIn(harden);
    assert.equal(hv[uri], 7, JSON.stringify(harden.documentChanges));
    if (masterUri in hv) assert.equal(hv[masterUri], null);
    for (const [u, v] of Object.entries(hv)) if (u !== uri) assert.equal(v, null, `${u} is not open`);

    const line = text.split('\n').findIndex((l) => l.startsWith('partner_domains ='));
    const renamed: WorkspaceEdit = await c.request('textDocument/rename', { textDocument: { uri }, position: { line, character: 1 }, newName: 'partners' });
    assert.deepEqual(versionsIn(renamed), { [uri]: 7 }, JSON.stringify(renamed));
    assert.equal(renamed.changes?.[uri]?.length, 2);

    // The text moves on (version 8): an editor refuses the version-7 edit; asked again, the fix carries 8.
    text = `${text}# edited\n`;
    since = c.mark();
    c.didChange(uri, 8, [{ text }]);
    diags = await c.waitForDiagnostics(uri, { since, version: 8 });
    assert.deepEqual(refusedEdits(fix.edit!, new Map([[uri, 8]])), [uri]);
    const again = await quickFix(find(diags, 'PF501'));
    assert.deepEqual(versionsIn(again.edit), { [uri]: 8 });
    assert.deepEqual(refusedEdits(again.edit!, new Map([[uri, 8]])), []);
    assert.deepEqual(refusedEdits(harden, new Map([[uri, 8]])), [uri]);
    c.didClose(uri);
  });
});

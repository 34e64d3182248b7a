// Protocol tests over stdio for the quick fixes of engine/fixes, "Disable
// PFxxx for this line / file", `source.fixAll.postfix` and diagnostic tags:
// the built server on a scratch configuration, its WorkspaceEdits applied
// here as an editor applies them, the diagnostics that follow checked.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';
import { repoDir } from '../helpers/env';
import { applyEdits } from '../helpers/workspace-edit';

const MAIN = [
  '# relay host',
  'compatibility_level = 3.6',
  'myorigin = example.com',
  'smtpd_helo_requierd = yes',
  'myhostname = mail.example.com # public name',
  'relayhost = [a.example.net]',
  'relayhost = [b.example.net]',
  'myorigin = example.com',
  'fallback_relay = [backup.example.net]',
  '',
].join('\r\n');
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

function find(diags: Diagnostic[], code: string, severity?: number): Diagnostic {
  const d = diags.find((x) => x.code === code && (severity === undefined || x.severity === severity));
  assert.ok(d, `no ${code} among ${JSON.stringify(diags.map((x) => `${x.code}@${x.range.start.line}`))}`);
  return d;
}

before(() => ensureBuilt());

describe('quick fixes, disable comments, fix all and tags over stdio', () => {
  let c: LspClient;
  let dir: string;
  let uri: string;
  let version = 1;
  let text = MAIN;
  let diags: Diagnostic[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postfix-fix-all-'));
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    c = LspClient.start();
    await c.initialize(null);
    uri = fileUri(join(dir, 'main.cf'));
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', MAIN, version);
    diags = await c.waitForDiagnostics(uri, { since, version });
  });
  after(async () => {
    await c.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function change(next: string): Promise<void> {
    text = next;
    version++;
    const since = c.mark();
    c.didChange(uri, version, [{ text }]);
    diags = await c.waitForDiagnostics(uri, { since, version });
  }

  test('tags: the overridden setting is a faded hint, the repeat and the unused name are Unnecessary, a deprecated name Deprecated', () => {
    const override = find(diags, 'PF102', 2);
    assert.equal(override.range.start.line, 6);
    assert.equal(override.relatedInformation?.[0].location.range.start.line, 5);
    const dead = find(diags, 'PF102', 4);
    assert.equal(dead.range.start.line, 5, 'the faded hint is on the earlier relayhost');
    assert.deepEqual(dead.tags, [1]);
    assert.deepEqual(find(diags, 'PF113').tags, [1]);
    assert.deepEqual(find(diags, 'PF103').tags, [1]);
    assert.deepEqual(find(diags, 'PF109').tags, [2]);
    assert.equal(find(diags, 'PF111').tags, undefined);
  });

  test('the faded hint offers the same fix as its finding; did-you-mean comes first, then the disable actions', async () => {
    const dead = find(diags, 'PF102', 4);
    const actions: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri }, range: dead.range, context: { diagnostics: [dead], only: ['quickfix'] } });
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Remove the overridden setting on line 6', 'Disable PF102 for this line', 'Disable PF102 for this file'],
    );
    const unused = find(diags, 'PF103');
    const more: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri }, range: unused.range, context: { diagnostics: [unused], triggerKind: 2 } });
    assert.deepEqual(
      more.map((a) => a.title),
      ['Change to smtpd_helo_required', 'Disable PF103 for this line', 'Disable PF103 for this file'],
    );
    assert.equal(more[0].isPreferred, true);
    assert.ok(!more.some((a) => a.kind === 'source.fixAll.postfix'), 'the lightbulb does not compute fix all');
  });

  test('"Disable PF103 for this line" silences it in the editor and on the command line alike', async () => {
    const unused = find(diags, 'PF103');
    const actions: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri }, range: unused.range, context: { diagnostics: [unused], only: ['quickfix'] } });
    const disable = actions.find((a) => a.title === 'Disable PF103 for this line')!;
    const others = diags.filter((d) => d.code !== 'PF103').length;
    await change(applyEdits(text, disable.edit!.changes![uri]));
    assert.match(text, /\r\n# postfix-lint: disable=PF103\r\nsmtpd_helo_requierd = yes\r\n/);
    assert.ok(!diags.some((d) => d.code === 'PF103'), JSON.stringify(diags));
    assert.equal(diags.length, others, 'nothing else changed');
    // The command line reads the same comment.
    writeFileSync(join(dir, 'main.cf'), text);
    const run = spawnSync(process.execPath, [join(repoDir, 'dist', 'cli.js'), '--format', 'json', '--repository', dir], { encoding: 'utf8' });
    const out = run.stdout;
    const codes = (JSON.parse(out) as { problems: { code: string }[] }).problems.map((p) => p.code);
    assert.ok(codes.includes('PF102') && !codes.includes('PF103'), codes.join(' '));
  });

  test('source.fixAll.postfix applies every safe fix at once: overridden, repeated, deprecated rename, stray #; comments and CRLF stay', async () => {
    const actions: CodeAction[] = await c.request('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'], triggerKind: 1 },
    });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.equal(actions[0].kind, 'source.fixAll.postfix');
    await change(applyEdits(text, actions[0].edit!.changes![uri]));
    for (const code of ['PF102', 'PF109', 'PF111', 'PF113']) assert.ok(!diags.some((d) => d.code === code), `${code} left: ${JSON.stringify(diags)}`);
    assert.equal(
      text,
      [
        '# relay host',
        'compatibility_level = 3.6',
        'myorigin = example.com',
        '# postfix-lint: disable=PF103',
        'smtpd_helo_requierd = yes',
        '# public name',
        'myhostname = mail.example.com',
        'relayhost = [b.example.net]',
        'smtp_fallback_relay = [backup.example.net]',
        '',
      ].join('\r\n'),
    );
    const again: CodeAction[] = await c.request('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.postfix'] },
    });
    assert.deepEqual(again, [], 'nothing left to fix');
  });
});

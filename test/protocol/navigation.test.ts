// Definition, declaration, references, highlights and rename through the
// built server (dist/server.js --stdio), on a repository copy in a temporary
// directory: main.cf and master.cf open, a table beside them on disk.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DocumentHighlight, Location, LocationLink, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { fileUri, LspClient, LspRequestError, openConfigForSuite } from '../helpers/lsp-client';
import { cursor, marked } from '../helpers/cursor';

const MAIN = [
  'myhostname = mx.example.com',
  'smtpd_restriction_classes = strict',
  'strict = reject_unknown_sender_domain',
  'office_net = 192.0.2.0/24',
  'mynetworks = 127.0.0.0/8, $office_net',
  'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access',
  'smtpd_recipient_restrictions = permit_mynetworks, strict, reject_unauth_destination',
  'relay_transport = relayout',
  '',
].join('\n');

const MASTER = [
  'smtp      inet  n       -       n       -       -       smtpd',
  'submission inet n       -       n       -       -       smtpd',
  '  -o smtpd_client_restrictions=permit_sasl_authenticated,strict',
  '  -o mynetworks=${office_net}',
  'relayout  unix  -       -       n       -       -       smtp',
  '',
].join('\n');

/** Position of the `|` in `line` (a copy of one line of the text with a cursor in it). */
function at(text: string, markedLine: string) {
  const { text: line, position } = cursor(markedLine);
  const n = text.split('\n').indexOf(line);
  assert.ok(n >= 0, `no line ${line}`);
  return { line: n, character: position.character };
}

describe('navigation over stdio', () => {

  const cfg = openConfigForSuite({ main: MAIN, master: MASTER, others: { sender_access: 'spam@example.com REJECT\n' } }, { prefix: 'pf-nav-', capabilities: { textDocument: { definition: { linkSupport: false } } } });

  test('capabilities', () => {
    const caps = cfg.init.capabilities;
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.declarationProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.equal(caps.documentHighlightProvider, true);
    assert.deepEqual(caps.renameProvider, { prepareProvider: true });
  });

  const def = (uri: string, position: { line: number; character: number }, method = 'textDocument/definition') =>
    cfg.client.request<Location[] | null>(method, { textDocument: { uri }, position });

  test('$name in main.cf → its line; declaration answers the same', async () => {
    const p = at(MAIN, 'mynetworks = 127.0.0.0/8, $offi|ce_net');
    const want = [{ uri: cfg.mainUri, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 10 } } }];
    assert.deepEqual(await def(cfg.mainUri, p), want);
    assert.deepEqual(await def(cfg.mainUri, p, 'textDocument/declaration'), want);
  });

  test('${name} in a master.cf -o → main.cf', async () => {
    const got = await def(cfg.masterUri, at(MASTER, '  -o mynetworks=${of|fice_net}'));
    assert.deepEqual(got?.map((l) => [l.uri, l.range.start.line]), [[cfg.mainUri, 3]]);
  });

  test('-o name → the main.cf setting it overrides', async () => {
    const got = await def(cfg.masterUri, at(MASTER, '  -o mynet|works=${office_net}'));
    assert.deepEqual(got?.map((l) => [l.uri, l.range.start.line]), [[cfg.mainUri, 4]]);
  });

  test('restriction class in a master.cf -o list → its definition', async () => {
    const got = await def(cfg.masterUri, at(MASTER, '  -o smtpd_client_restrictions=permit_sasl_authenticated,str|ict'));
    assert.deepEqual(got?.map((l) => [l.uri, l.range.start.line]), [[cfg.mainUri, 2]]);
  });

  test('table path → the table file beside main.cf (repository copy)', async () => {
    const got = await def(cfg.mainUri, at(MAIN, 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_a|ccess'));
    assert.deepEqual(got?.map((l) => l.uri), [fileUri(join(cfg.dir, 'sender_access'))]);
  });

  test('transport name → its master.cf service', async () => {
    const got = await def(cfg.mainUri, at(MAIN, 'relay_transport = relay|out'));
    assert.deepEqual(got, [{ uri: cfg.masterUri, range: { start: { line: 4, character: 0 }, end: { line: 4, character: 8 } } }]);
  });

  test('nothing there → null', async () => {
    assert.equal(await def(cfg.mainUri, at(MAIN, 'myhostname = mx.exa|mple.com')), null);
  });

  test('references across main.cf and master.cf', async () => {
    const got = await cfg.client.request<Location[]>('textDocument/references', { textDocument: { uri: cfg.mainUri }, position: at(MAIN, 'office_|net = 192.0.2.0/24'), context: { includeDeclaration: true } });
    assert.deepEqual(got.map((l) => [l.uri, l.range.start.line]), [[cfg.mainUri, 3], [cfg.mainUri, 4], [cfg.masterUri, 3]]);
  });

  test('document highlights: set is Write, uses are Read', async () => {
    const got = await cfg.client.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: { uri: cfg.mainUri }, position: at(MAIN, 'smtpd_recipient_restrictions = permit_mynetworks, str|ict, reject_unauth_destination') });
    assert.deepEqual(got.map((h) => [h.range.start.line, h.kind]), [[1, 2], [2, 3], [6, 2]]);
  });

  test('rename a user-defined parameter across both files', async () => {
    const position = at(MAIN, 'mynetworks = 127.0.0.0/8, $office|_net');
    const prep = await cfg.client.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: cfg.mainUri }, position });
    assert.equal(prep.placeholder, 'office_net');
    const edit = await cfg.client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: cfg.mainUri }, position, newName: 'lan_net' });
    assert.deepEqual(Object.keys(edit.changes ?? {}).sort(), [cfg.mainUri, cfg.masterUri].sort());
    assert.equal(edit.changes![cfg.mainUri].length, 2);
    assert.deepEqual(edit.changes![cfg.masterUri], [{ range: marked(MASTER.replace('${office_net}', '${«office_net»}')).ranges[0], newText: 'lan_net' }]);
  });

  test('prepareRename refuses a built-in name with the reason', async () => {
    await assert.rejects(
      cfg.client.request('textDocument/prepareRename', { textDocument: { uri: cfg.mainUri }, position: at(MAIN, 'myhost|name = mx.example.com') }),
      (e: unknown) => e instanceof LspRequestError && /built-in Postfix parameter/.test(e.error.message),
    );
  });

  test('rename to a built-in name is refused', async () => {
    await assert.rejects(
      cfg.client.request('textDocument/rename', { textDocument: { uri: cfg.mainUri }, position: at(MAIN, 'office_|net = 192.0.2.0/24'), newName: 'mynetworks' }),
      (e: unknown) => e instanceof LspRequestError && /built-in/.test(e.error.message),
    );
  });

  test('garbage params answer null, the server lives on', async () => {
    assert.equal(await cfg.client.request('textDocument/definition', { textDocument: {}, position: 'x' }), null);
    assert.equal(await cfg.client.request('textDocument/references', { textDocument: { uri: 'file:///nope/main.cf' }, position: { line: 0, character: 0 } }), null);
    assert.ok(await def(cfg.mainUri, at(MAIN, 'relay_transport = relay|out')));
  });
});

describe('definition with LocationLink support', () => {
  test('origin range covers the word', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-nav-link-'));
    writeFileSync(join(dir, 'main.cf'), MAIN);
    const c = LspClient.start();
    try {
      await c.initialize(fileUri(dir), { textDocument: { definition: { linkSupport: true } } });
      const uri = fileUri(join(dir, 'main.cf'));
      c.didOpen(uri, 'postfix-main', MAIN);
      const got = await c.request<LocationLink[]>('textDocument/definition', { textDocument: { uri }, position: at(MAIN, 'mynetworks = 127.0.0.0/8, $off|ice_net') });
      assert.equal(got[0].targetUri, uri);
      assert.deepEqual(got[0].originSelectionRange, { start: { line: 4, character: 27 }, end: { line: 4, character: 37 } });
    } finally {
      await c.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

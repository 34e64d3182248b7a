// Document links and workspace symbols through the built server over stdio.
// A workspace with two configuration directories: `repo/postfix` (a
// repository copy, its tables beside main.cf, some compiled) and `other`
// (never opened). Live mode is checked in a directory of its own, where
// paths are read as written.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DocumentLink, InitializeResult, SymbolInformation } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';
import { marked } from '../helpers/cursor';

const MAIN = marked(
  [
    'myhostname = mx.example.com',
    'smtpd_sender_restrictions = check_sender_access «hash»:«/etc/postfix/sender_access»',
    'virtual_alias_maps = proxy:«mysql»:«/etc/postfix/mysql-virtual.cf», hash:/etc/postfix/missing',
    'transport_maps = lmdb:«/etc/postfix/transport»',
    '',
  ].join('\n'),
);

const MASTER = marked(
  [
    'smtp      inet  n       -       n       -       -       smtpd',
    'submission inet n       -       n       -       -       smtpd',
    '  -o smtpd_client_restrictions=check_client_access,cidr:«/etc/postfix/clients.cidr»,permit_sasl_authenticated,reject',
    '',
  ].join('\n'),
);

describe('document links and workspace symbols over stdio', () => {
  let c: LspClient;
  let init: InitializeResult;
  let root: string;
  let dir: string;
  let mainUri: string;
  let masterUri: string;

  before(async () => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'pf-links-'));
    dir = join(root, 'repo', 'postfix');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.cf'), MAIN.text);
    writeFileSync(join(dir, 'master.cf'), MASTER.text);
    writeFileSync(join(dir, 'sender_access'), 'spam@example.com REJECT\n');
    writeFileSync(join(dir, 'sender_access.db'), 'not really berkeley db');
    writeFileSync(join(dir, 'mysql-virtual.cf'), 'hosts = localhost\n');
    // transport: only its source (no .lmdb: the type word gets no link).
    writeFileSync(join(dir, 'transport'), 'example.com smtp:[relay.example.com]\n');
    writeFileSync(join(dir, 'clients.cidr'), '192.0.2.0/24 OK\n');
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'main.cf'), 'myhostname = other.example.com\nother_only_setting = 1\n');
    writeFileSync(join(root, 'other', 'master.cf'), 'smtp inet n - n - - smtpd\nrelayout unix - - n - - smtp\n');
    // Skipped: dot directories and node_modules are never walked.
    mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'x', 'main.cf'), 'hidden_setting = 1\n');
    mainUri = fileUri(join(dir, 'main.cf'));
    masterUri = fileUri(join(dir, 'master.cf'));
    c = LspClient.start();
    init = await c.initialize(fileUri(root));
    c.didOpen(mainUri, 'postfix-main', MAIN.text);
    c.didOpen(masterUri, 'postfix-master', MASTER.text);
  });
  after(async () => {
    await c?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('capabilities', () => {
    assert.deepEqual(init.capabilities.documentLinkProvider, { resolveProvider: false });
    assert.equal(init.capabilities.workspaceSymbolProvider, true);
  });

  const links = (uri: string) => c.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });

  test('main.cf: table paths open the files beside main.cf; hash opens the .db; missing files get no link', async () => {
    const got = (await links(mainUri)).map((l) => ({ range: l.range, target: l.target }));
    const [hash, senderAccess, mysql, mysqlCf, transport] = MAIN.ranges;
    void mysql;
    assert.deepEqual(
      got.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character),
      [
        { range: hash, target: fileUri(join(dir, 'sender_access.db')) },
        { range: senderAccess, target: fileUri(join(dir, 'sender_access')) },
        { range: mysqlCf, target: fileUri(join(dir, 'mysql-virtual.cf')) },
        { range: transport, target: fileUri(join(dir, 'transport')) },
      ],
    );
  });

  test('tooltips say what opens', async () => {
    const tips = (await links(mainUri)).map((l) => l.tooltip ?? '');
    assert.ok(tips.some((t) => /compiled table .*sender_access\.db/.test(t)), tips.join('; '));
    assert.ok(tips.some((t) => /mysql client configuration/.test(t)), tips.join('; '));
  });

  test('master.cf: a table in an -o value', async () => {
    const got = await links(masterUri);
    assert.deepEqual(got.map((l) => ({ range: l.range, target: l.target })), [{ range: MASTER.ranges[0], target: fileUri(join(dir, 'clients.cidr')) }]);
  });

  test('a new table file on disk gets its link', async () => {
    writeFileSync(join(dir, 'missing'), 'x y\n');
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(dir, 'missing')), type: 1 }] });
    const got = await links(mainUri);
    assert.ok(got.some((l) => l.target === fileUri(join(dir, 'missing'))), JSON.stringify(got));
  });

  test('workspace symbols: parameters of every configuration directory, open or not', async () => {
    const got = await c.request<SymbolInformation[]>('workspace/symbol', { query: 'myhostname' });
    assert.deepEqual(got.map((s) => s.location.uri).sort(), [mainUri, fileUri(join(root, 'other', 'main.cf'))].sort());
    assert.ok(got.every((s) => s.kind === 7 /* Property */ && s.name === 'myhostname'));
  });

  test('workspace symbols: services and -o parameters, fuzzy query', async () => {
    const services = await c.request<SymbolInformation[]>('workspace/symbol', { query: 'relayout' });
    assert.deepEqual(services.map((s) => [s.name, s.kind, s.location.uri, s.location.range.start.line]), [['relayout/unix', 2 /* Module */, fileUri(join(root, 'other', 'master.cf')), 1]]);
    const overrides = await c.request<SymbolInformation[]>('workspace/symbol', { query: 'smtpdclires' });
    assert.deepEqual(overrides.map((s) => [s.name, s.location.uri, s.location.range.start.line, s.containerName?.split(' ')[0]]), [['smtpd_client_restrictions', masterUri, 2, 'submission/inet']]);
  });

  test('workspace symbols skip node_modules; unknown queries find nothing', async () => {
    assert.deepEqual(await c.request('workspace/symbol', { query: 'hidden_setting' }), []);
    assert.deepEqual(await c.request('workspace/symbol', { query: 'zzzz_nothing' }), []);
  });

  test('open buffers win over the disk', async () => {
    c.didChange(mainUri, 2, [{ text: `${MAIN.text}unsaved_setting = 1\n` }]);
    const got = await c.request<SymbolInformation[]>('workspace/symbol', { query: 'unsaved_setting' });
    assert.deepEqual(got.map((s) => [s.location.uri, s.location.range.start.line]), [[mainUri, 4]]);
    c.didChange(mainUri, 3, [{ text: MAIN.text }]);
  });

  test('garbage params: empty answers, the server lives on', async () => {
    assert.equal(await c.request('textDocument/documentLink', { textDocument: {} }), null);
    assert.deepEqual(await c.request('workspace/symbol', { query: 42 }), (await c.request<SymbolInformation[]>('workspace/symbol', { query: '' })));
    assert.ok((await links(mainUri)).length > 0);
  });
});

describe('document links in live mode', () => {
  test('paths are read as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-links-live-'));
    const tables = join(dir, 'elsewhere');
    mkdirSync(tables);
    writeFileSync(join(tables, 'access'), 'a OK\n');
    const main = marked(`smtpd_client_restrictions = check_client_access hash:«${tables}/access»\n`);
    writeFileSync(join(dir, 'main.cf'), main.text);
    // The repository copy's reading would look for access beside main.cf: put a decoy there.
    writeFileSync(join(dir, 'access'), 'decoy OK\n');
    const c = LspClient.start();
    try {
      await c.initialize(fileUri(dir));
      c.notify('workspace/didChangeConfiguration', { settings: { postfix: { mode: 'live' } } });
      const uri = fileUri(join(dir, 'main.cf'));
      c.didOpen(uri, 'postfix-main', main.text);
      const got = await c.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
      assert.deepEqual(got.map((l) => ({ range: l.range, target: l.target })), [{ range: main.ranges[0], target: fileUri(join(tables, 'access')) }]);
    } finally {
      await c.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

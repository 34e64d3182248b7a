// Protocol tests: the bundled server (dist/server.js --stdio) driven over raw
// JSON-RPC, as an editor drives it. Every wait is on a message, never a sleep.

import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, DocumentSymbol, FoldingRange, InitializeResult } from 'vscode-languageserver-protocol';
import { repoDir } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient, LspRequestError } from '../helpers/lsp-client';

const fixtures = resolve(repoDir, 'test/fixtures/lsp/basic');
const mainPath = resolve(fixtures, 'main.cf');
const masterPath = resolve(fixtures, 'master.cf');
const mainText = readFileSync(mainPath, 'utf8');
const masterText = readFileSync(masterPath, 'utf8');

function codes(diags: Diagnostic[]): string[] {
  return diags.map((d) => String(d.code));
}

function find(diags: Diagnostic[], code: string): Diagnostic {
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `no ${code} among ${JSON.stringify(diags.map((x) => `${x.code}@${x.range.start.line}`))}`);
  return d;
}

before(() => ensureBuilt());

describe('language server over stdio', () => {
  let c: LspClient;
  let init: InitializeResult;
  before(async () => {
    c = LspClient.start();
    init = await c.initialize(fileUri(fixtures));
  });
  after(() => c.dispose());

  test('initialize announces incremental sync, symbols and folding', () => {
    assert.equal(init.capabilities.textDocumentSync, 2);
    assert.ok(init.capabilities.documentSymbolProvider);
    assert.equal(init.capabilities.foldingRangeProvider, true);
    assert.equal(init.serverInfo?.name, 'postfix-lint');
  });

  const uri = fileUri(mainPath);

  test('didOpen publishes the engine diagnostics with code, source, link and severity', async () => {
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', mainText, 1);
    const diags = await c.waitForDiagnostics(uri, { since, version: 1 });
    const override = find(diags, 'PF102');
    assert.equal(override.range.start.line, 11); // the second myhostname
    assert.equal(override.source, 'postfix');
    assert.equal(override.severity, 2); // warning
    assert.match(override.codeDescription!.href, /\/docs\/rules\/PF102\.md$/);
    assert.match(override.message as string, /overriding earlier entry: myhostname=mx\.example\.test/);
  });

  test('incremental didChange: deleting the override removes PF102, inserting a bad line adds PF100', async () => {
    let since = c.mark();
    c.didChange(uri, 2, [{ range: { start: { line: 11, character: 0 }, end: { line: 12, character: 0 } }, text: '' }]);
    let diags = await c.waitForDiagnostics(uri, { since, version: 2 });
    assert.ok(!codes(diags).includes('PF102'), JSON.stringify(diags));

    since = c.mark();
    c.didChange(uri, 3, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'no equals sign here\n' }]);
    diags = await c.waitForDiagnostics(uri, { since, version: 3 });
    const fatal = find(diags, 'PF100');
    assert.equal(fatal.severity, 1);
    assert.deepEqual(fatal.range.start, { line: 3, character: 0 });
    assert.match(fatal.message as string, /missing '=' after attribute name: "no equals sign here"/);
  });

  test('a burst of edits is analysed once, after the last one', async () => {
    const since = c.mark();
    for (let v = 4; v <= 8; v++) {
      c.didChange(uri, v, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'x' }]);
    }
    const diags = await c.waitForDiagnostics(uri, { since, version: 8 });
    const published = c.notifications.slice(since).filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri);
    assert.deepEqual(published.map((n) => n.params.version), [8]);
    assert.match(find(diags, 'PF100').message as string, /"xxxxxno equals sign here"/);
  });

  test('an unsaved edit to master.cf changes main.cf: dropping the only $mua_client_restrictions makes it unused (PF103)', async () => {
    const masterUri = fileUri(masterPath);
    let since = c.mark();
    c.didChange(uri, 9, [{ text: mainText }]); // whole-document change: back to the fixture (no fatal line)
    // Only main.cf's own parameter findings matter here (security rules may add PF5xx on this fixture).
    // (Hints left out: the overridden myhostname is also a faded PF102 hint.)
    assert.deepEqual(codes((await c.waitForDiagnostics(uri, { since, version: 9 })).filter((d) => d.severity !== 4)).filter((x) => x.startsWith('PF1')), ['PF102']);
    since = c.mark();
    c.didOpen(masterUri, 'postfix-master', masterText, 1);
    await c.waitForDiagnostics(masterUri, { since, version: 1 });
    since = c.mark();
    c.didChange(masterUri, 2, [{ range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }, text: '' }]);
    const unused = find(await c.waitForDiagnostics(uri, { since }), 'PF103');
    assert.equal(unused.range.start.line, 9);
    assert.match(unused.message as string, /unused parameter: mua_client_restrictions=/);
    // Undo: the reference is back, and so is the verdict.
    since = c.mark();
    c.didChange(masterUri, 3, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: masterText.split('\n')[4] + '\n' }]);
    assert.ok(!codes(await c.waitForDiagnostics(uri, { since })).includes('PF103'));
    // Closing master.cf unsaved: main.cf is judged against the file on disk again.
    since = c.mark();
    c.didChange(masterUri, 4, [{ range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }, text: '' }]);
    await c.waitForDiagnostics(uri, { since, match: (d) => codes(d).includes('PF103') });
    since = c.mark();
    c.didClose(masterUri);
    assert.ok(!codes(await c.waitForDiagnostics(uri, { since })).includes('PF103'));
  });

  test('documentSymbol: main.cf parameters in order, overridden ones marked', async () => {
    const other = fileUri(resolve(fixtures, 'symbols', 'main.cf'));
    c.didOpen(other, 'postfix-main', mainText);
    const symbols: DocumentSymbol[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: other } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['compatibility_level', 'myhostname', 'mydomain', 'smtpd_relay_restrictions', 'mua_client_restrictions', 'myhostname'],
    );
    const relay = symbols[3];
    assert.deepEqual(relay.range, { start: { line: 6, character: 0 }, end: { line: 8, character: 29 } });
    assert.deepEqual(relay.selectionRange, { start: { line: 6, character: 0 }, end: { line: 6, character: 24 } });
    assert.equal(relay.detail, 'permit_mynetworks, permit_sasl_authenticated, reject_unauth…'); // joined, shortened
    assert.equal(symbols[1].detail, '(overridden) mx.example.test');
    assert.equal(symbols[5].detail, 'mail.example.test');
  });

  test('foldingRange: the comment block and the continued value', async () => {
    const ranges: FoldingRange[] = await c.request('textDocument/foldingRange', { textDocument: { uri: fileUri(resolve(fixtures, 'symbols', 'main.cf')) } });
    assert.deepEqual(ranges, [
      { startLine: 0, endLine: 2, kind: 'comment' },
      { startLine: 6, endLine: 8 },
    ]);
  });

  test('documentSymbol and foldingRange: master.cf services with their -o overrides', async () => {
    const masterUri = fileUri(resolve(fixtures, 'symbols', 'master.cf'));
    c.didOpen(masterUri, 'postfix-master', `${masterText}relay unix - - n - - smtp -o { smtp_helo_timeout = 5 } -o syslog_name=relay\n`);
    const symbols: DocumentSymbol[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: masterUri } });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.children?.map((o) => `${o.name}=${o.detail}`)]),
      [
        ['smtp/inet', 'smtpd', []],
        ['submission/inet', 'smtpd', ['syslog_name=postfix/submission', 'smtpd_client_restrictions=$mua_client_restrictions']],
        ['pickup/unix', 'pickup', []],
        ['relay/unix', 'smtp', ['smtp_helo_timeout=5', 'syslog_name=relay']],
      ],
    );
    assert.deepEqual(symbols[1].range, { start: { line: 2, character: 0 }, end: { line: 4, character: 55 } });
    assert.deepEqual(symbols[1].selectionRange, { start: { line: 2, character: 0 }, end: { line: 2, character: 10 } });
    assert.deepEqual(symbols[1].children![1].selectionRange, { start: { line: 4, character: 5 }, end: { line: 4, character: 30 } });
    const folds: FoldingRange[] = await c.request('textDocument/foldingRange', { textDocument: { uri: masterUri } });
    assert.deepEqual(folds, [{ startLine: 2, endLine: 4 }]);
  });

  test('foldingRange: lookup tables fold comment blocks, continued values and if/endif', async () => {
    const table = fileUri(resolve(fixtures, 'symbols', 'header_checks.pcre'));
    c.didOpen(table, 'postfix-map', '# one\n# two\nif /^Subject:/\n/viagra/ REJECT\n/casino/ REJECT\nendif\n/x/ PREPEND X-Long:\n  continued\n');
    const folds: FoldingRange[] = await c.request('textDocument/foldingRange', { textDocument: { uri: table } });
    assert.deepEqual(folds, [
      { startLine: 0, endLine: 1, kind: 'comment' },
      { startLine: 2, endLine: 4 },
      { startLine: 6, endLine: 7 },
    ]);
    assert.deepEqual(await c.request('textDocument/documentSymbol', { textDocument: { uri: table } }), []);
  });

  test('didClose clears the file diagnostics', async () => {
    const since = c.mark();
    c.didClose(uri);
    const diags = await c.waitForDiagnostics(uri, { since });
    assert.deepEqual(diags, []);
  });

  test('an untitled buffer is analysed by its language id', async () => {
    const untitled = 'untitled:Untitled-1';
    const since = c.mark();
    c.didOpen(untitled, 'postfix-main', 'a = 1\nnot a parameter line\n');
    const diags = await c.waitForDiagnostics(untitled, { since, version: 1 });
    assert.equal(find(diags, 'PF100').range.start.line, 1);
  });

  test('shutdown and exit end the process with code 0', async () => {
    const exit = await c.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});

describe('files changed on disk', () => {
  let c: LspClient;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'postfix-lsp-watch-'));
    cpSync(fixtures, dir, { recursive: true });
    c = LspClient.start();
  });
  after(async () => {
    await c.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The registration of workspaceDiagnostics.ts's watcher for main.cf/master.cf created anywhere. */
  const isTreeWatch = (p: { registrations: { registerOptions: { watchers: { globPattern: string | { pattern: string } }[] } }[] }) =>
    p.registrations.every((r) => r.registerOptions.watchers.every((w) => (typeof w.globPattern === 'string' ? w.globPattern : w.globPattern.pattern).includes('**/')));

  test('the server watches the files the open configuration reads and re-analyses when one changes', async () => {
    const since = c.mark();
    await c.initialize(fileUri(dir), { workspace: { didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } } });
    const mainUri = fileUri(join(dir, 'main.cf'));
    c.didOpen(mainUri, 'postfix-main', mainText);
    await c.waitForDiagnostics(mainUri, { since, version: 1 });
    // The workspace's own watcher for new main.cf/master.cf files (a `**` glob) may register first.
    const reg = await c.waitForNotification('client/registerCapability', (p) => !isTreeWatch(p), { since });
    assert.deepEqual(reg.registrations[0].method, 'workspace/didChangeWatchedFiles');
    const watchers: { globPattern: { baseUri: string; pattern: string } }[] = reg.registrations[0].registerOptions.watchers;
    // Not every file of the workspace: the directory's own files by name.
    const here = watchers.find((w) => w.globPattern.baseUri === fileUri(dir));
    assert.ok(here, JSON.stringify(watchers));
    assert.match(here.globPattern.pattern, /\bmaster\.cf\b/);
    assert.ok(watchers.every((w) => !/\*/.test(w.globPattern.pattern)), JSON.stringify(watchers));

    const before = c.mark();
    writeFileSync(join(dir, 'master.cf'), masterText.replace(/^  -o smtpd_client_restrictions.*\n/m, ''));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(dir, 'master.cf')), type: 2 }] });
    const unused = find(await c.waitForDiagnostics(mainUri, { since: before }), 'PF103');
    assert.equal(unused.range.start.line, 9);
  });

  test('without relative pattern support the globs are absolute paths of the files read', async () => {
    const other = LspClient.start();
    const since = other.mark();
    await other.initialize(fileUri(dir), { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
    const mainUri = fileUri(join(dir, 'main.cf'));
    other.didOpen(mainUri, 'postfix-main', mainText);
    const reg = await other.waitForNotification('client/registerCapability', (p) => !isTreeWatch(p), { since });
    const globs: string[] = reg.registrations[0].registerOptions.watchers.map((w: { globPattern: string }) => w.globPattern);
    assert.ok(globs.some((g) => g.startsWith(`${dir}/`) && g.includes('master.cf')), JSON.stringify(globs));
    await other.dispose();
  });

  test('without dynamic registration support the server registers nothing', async () => {
    const other = LspClient.start();
    await other.initialize(null);
    await other.request('textDocument/foldingRange', { textDocument: { uri: 'file:///x' } });
    assert.ok(!other.notifications.some((n) => n.method === 'client/registerCapability'));
    await other.dispose();
  });
});

describe('robustness: the server survives garbage', () => {
  let c: LspClient;
  before(async () => {
    c = LspClient.start();
    await c.initialize(null);
  });
  after(() => c.dispose());

  // Deterministic pseudo-random bytes, including NUL, control characters and invalid UTF-8.
  function garbage(n: number, seed: number): string {
    const bytes = Buffer.alloc(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = x & 0xff;
    }
    return bytes.toString('utf8') + '\u0000\ud800 = = {{{ $${ $( \r\r\n\t-o { ';
  }

  const kinds: [string, string][] = [
    ['main.cf', 'postfix-main'],
    ['master.cf', 'postfix-master'],
    ['access', 'postfix-map'],
    ['header_checks.pcre', 'postfix-map'],
  ];
  for (const [name, languageId] of kinds) {
    test(`binary text as ${name} is analysed, outlined and folded`, async () => {
      const uri = fileUri(`/nonexistent/garbage/${name}`);
      const since = c.mark();
      c.didOpen(uri, languageId, garbage(20_000, name.length));
      const diags = await c.waitForDiagnostics(uri, { since, version: 1 });
      assert.ok(Array.isArray(diags));
      assert.ok(Array.isArray(await c.request('textDocument/documentSymbol', { textDocument: { uri } })));
      assert.ok(Array.isArray(await c.request('textDocument/foldingRange', { textDocument: { uri } })));
      // An edit beyond the end of the document is clamped, not fatal.
      c.didChange(uri, 2, [{ range: { start: { line: 9999, character: 5 }, end: { line: 10000, character: 0 } }, text: '\nz' }]);
      await c.waitForDiagnostics(uri, { since, version: 2 });
    });
  }

  test('malformed requests get answers or are ignored; the server stays up', async () => {
    await assert.rejects(c.request('postfix/noSuchMethod', {}), (e: LspRequestError) => e.error.code === -32601);
    // Missing or wrongly typed parameters reach the guarded handlers: logged, answered with null.
    const since = c.mark();
    assert.equal(await c.request('textDocument/documentSymbol', {}), null);
    assert.equal(await c.request('textDocument/foldingRange', { textDocument: 42 }), null);
    const logged = await c.waitForNotification('window/logMessage', (p) => /documentSymbol failed/.test(p.message), { since });
    assert.equal(logged.type, 1);
    assert.equal(await c.request('textDocument/documentSymbol', { textDocument: { uri: 'file:///not/open/main.cf' } }), null);
    c.didChange('file:///not/open/main.cf', 2, [{ text: 'x' }]);
    c.notify('textDocument/didOpen', { textDocument: null });
    // Bodies that are not JSON, or JSON that is not JSON-RPC, with correct framing.
    for (const body of ['{"jsonrpc":"2.0","id":7,"method":', 'hello', '[1,2,3]', '{"foo":1}']) {
      c.sendRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    assert.equal(await c.request('textDocument/foldingRange', { textDocument: { uri: 'file:///x' } }), null);
    assert.ok(c.alive);
  });

  test('a header without a colon does not kill the server', async () => {
    c.sendRaw('this is not a header\r\n\r\n');
    // The reader may drop what shares a chunk with the garbage; ask until answered.
    let answer: unknown = 'none';
    for (let i = 0; i < 3 && answer === 'none'; i++) {
      answer = await c.request('textDocument/foldingRange', { textDocument: { uri: 'file:///x' } }, 2000).catch(() => 'none');
    }
    assert.equal(answer, null);
    const uri = fileUri('/nonexistent/after/main.cf');
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', 'oops\n');
    assert.ok(codes(await c.waitForDiagnostics(uri, { since })).includes('PF100'));
    assert.deepEqual(await c.shutdown(), { code: 0, signal: null });
  });
});

test('negative control: a missing server fails the harness instead of hanging', async () => {
  const c = LspClient.start({ serverPath: resolve(repoDir, 'dist/no-such-server.js') });
  await assert.rejects(c.initialize(), /server exited \(code 1/);
  assert.match(c.stderr, /Cannot find module/);
});

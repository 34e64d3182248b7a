// Whole-workspace diagnostics over stdio: a workspace with two configuration
// directories, copies under node_modules and build output, unrelated files and
// hostile ones (binary, a 100 MB sparse main.cf, a FIFO, a symlink loop, a
// main.cf that is a link to /dev/zero). Findings of files never opened arrive
// (pushed, or pulled with workspace/diagnostic); nothing outside a
// configuration ever gets diagnostics; the setting turns it off.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams, WorkspaceDiagnosticReport, WorkspaceFullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const DUPLICATE = 'myhostname = a.example\nmyhostname = b.example\nsmtpd_client_restrictions = check_client_access hash:/etc/postfix/client_access\n';
const TABLE = '1.2.3.4 OK\n10.0.0.0/8 REJECT\n';

let ws: string;
const path = (...p: string[]) => join(ws, ...p);
const uri = (...p: string[]) => fileUri(path(...p));

function put(rel: string, text: string | Buffer): void {
  mkdirSync(join(ws, rel, '..'), { recursive: true });
  writeFileSync(join(ws, rel), text);
}

before(() => {
  ensureBuilt();
  ws = mkdtempSync(join(tmpdir(), 'pf-ws-diag-'));
  // Two configurations, one deep in a role tree.
  put('etc-a/main.cf', DUPLICATE);
  put('etc-a/client_access', TABLE);
  put('roles/mx/files/postfix/main.cf', 'relayhost = [smtp.example.net]:587\nrelayhost = [smtp.example.org]:587\n');
  // Copies that are not the workspace's: dependencies and build output.
  for (const d of ['node_modules/pkg', 'dist', 'build/out', '.git/x']) {
    put(`${d}/main.cf`, DUPLICATE);
    put(`${d}/client_access`, TABLE);
  }
  // Unrelated files, some with names of Postfix tables.
  put('docs/notes.txt', 'myhostname = a\nmyhostname = b\n');
  put('random/client_access', TABLE);
  put('random/transport', 'example.com smtp:[x\n');
  // Hostile: binary, huge (sparse, nothing read), a FIFO, a loop, a device.
  put('hostile/bin/main.cf', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  put('hostile/huge/main.cf', '');
  truncateSync(path('hostile/huge/main.cf'), 100 * 1024 * 1024);
  put('hostile/fifo/main.cf', 'myhostname = x\n');
  execFileSync('mkfifo', [path('hostile/fifo/master.cf')]);
  execFileSync('mkfifo', [path('hostile/fifo/client_access')]);
  put('hostile/fifo-only/.keep', '');
  execFileSync('mkfifo', [path('hostile/fifo-only/main.cf')]);
  symlinkSync(ws, path('hostile/loop'));
  mkdirSync(path('hostile/dev'));
  symlinkSync('/dev/zero', path('hostile/dev/main.cf'));
});

after(() => rmSync(ws, { recursive: true, force: true }));

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => String(d.code)).sort();
}

/** A diagnostic for a file outside the two configurations (and the hostile main.cf files, which are configurations). */
function unrelated(u: string): boolean {
  return ![uri('etc-a/'), uri('roles/'), uri('hostile/bin/main.cf'), uri('hostile/huge/main.cf'), uri('hostile/fifo/main.cf')].some((c) => u.startsWith(c));
}

describe('workspace diagnostics, pushed (client without pull diagnostics)', () => {
  let c: LspClient;
  before(async () => {
    c = LspClient.start();
    await c.initialize(fileUri(ws));
  });
  after(() => c.dispose());

  test('findings of files never opened arrive: main.cf of both configurations and the table one names', async () => {
    const timeoutMs = 30_000;
    const main = await c.waitForDiagnostics(uri('etc-a/main.cf'), { timeoutMs, match: (d) => d.length > 0 });
    assert.ok(codes(main).includes('PF102'), JSON.stringify(codes(main)));
    assert.equal(main.find((d) => d.code === 'PF102')!.range.start.line, 1);
    const table = await c.waitForDiagnostics(uri('etc-a/client_access'), { timeoutMs, match: (d) => d.length > 0 });
    assert.deepEqual(codes(table), ['PF306']);
    const role = await c.waitForDiagnostics(uri('roles/mx/files/postfix/main.cf'), { timeoutMs, match: (d) => d.length > 0 });
    assert.ok(codes(role).includes('PF102'), JSON.stringify(codes(role)));
  });

  test('the server still answers after walking the hostile files, and nothing outside a configuration got diagnostics', async () => {
    // A request answered after every publication of the walk (they are written first).
    await c.request('textDocument/hover', { textDocument: { uri: uri('etc-a/main.cf') }, position: { line: 0, character: 2 } }, 20_000);
    assert.ok(c.alive);
    const published = c.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics').map((n) => (n.params as PublishDiagnosticsParams).uri);
    assert.ok(published.length >= 3);
    assert.deepEqual(published.filter(unrelated), []);
  });

  test('opening a file hands it to the open-document diagnostics; closing it gives the workspace findings back', async () => {
    let since = c.mark();
    c.didOpen(uri('etc-a/main.cf'), 'postfix-main', 'myhostname = a.example\nsmtpd_client_restrictions = check_client_access hash:/etc/postfix/client_access\n', 1);
    const open = await c.waitForDiagnostics(uri('etc-a/main.cf'), { since, version: 1 });
    assert.ok(!codes(open).includes('PF102'), 'the buffer has no duplicate');
    since = c.mark();
    c.didClose(uri('etc-a/main.cf'));
    const closed = await c.waitForDiagnostics(uri('etc-a/main.cf'), { since, match: (d) => d.length > 0, timeoutMs: 20_000 });
    assert.ok(codes(closed).includes('PF102'), 'the file on disk has the duplicate');
  });
});

describe('workspace diagnostics, pulled (workspace/diagnostic)', () => {
  let c: LspClient;
  let enabled = true;
  before(async () => {
    c = LspClient.start({ onServerRequest: (method) => (method === 'workspace/configuration' ? [{ workspaceDiagnostics: enabled }] : null) });
    const init = await c.initialize(fileUri(ws), { textDocument: { diagnostic: {} }, workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } });
    assert.equal((init.capabilities.diagnosticProvider as { workspaceDiagnostics: boolean }).workspaceDiagnostics, true);
  });
  after(() => c.dispose());

  let first: WorkspaceDiagnosticReport;
  const full = (r: WorkspaceDiagnosticReport, u: string) => r.items.find((i) => i.uri === u && i.kind === 'full') as WorkspaceFullDocumentDiagnosticReport | undefined;

  test('a workspace report holds the findings of unopened files and nothing else', async () => {
    first = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] }, 30_000);
    assert.ok(codes(full(first, uri('etc-a/main.cf'))!.items).includes('PF102'));
    assert.deepEqual(codes(full(first, uri('etc-a/client_access'))!.items), ['PF306']);
    assert.ok(codes(full(first, uri('roles/mx/files/postfix/main.cf'))!.items).includes('PF102'));
    assert.deepEqual(first.items.map((i) => i.uri).filter(unrelated), []);
    assert.equal(c.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0, 'nothing pushed to a pulling client');
  });

  test('an unchanged workspace is held until a file changes on disk, then the change is reported', async () => {
    const previousResultIds = first.items.filter((i) => i.kind === 'full').map((i) => ({ uri: i.uri, value: (i as WorkspaceFullDocumentDiagnosticReport).resultId! }));
    const held = c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds }, 30_000);
    // The answer must wait for the change: write, then tell the server.
    writeFileSync(path('roles/mx/files/postfix/main.cf'), 'relayhost = [smtp.example.net]:587\n');
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('roles/mx/files/postfix/main.cf'), type: 2 }] });
    const next = await held;
    const role = full(next, uri('roles/mx/files/postfix/main.cf'));
    assert.ok(role, JSON.stringify(next.items.map((i) => [i.uri, i.kind])));
    assert.ok(!codes(role.items).includes('PF102'));
    assert.equal(next.items.find((i) => i.uri === uri('etc-a/main.cf'))?.kind, 'unchanged');
  });

  test('an open document is pulled from its buffer, not pushed, and is in the workspace report the same way; closed files get their workspace findings', async () => {
    const since = c.mark();
    c.didOpen(uri('etc-a/main.cf'), 'postfix-main', 'myhostname = a.example\nsmtpd_client_restrictions = check_client_access hash:/etc/postfix/client_access\n', 1);
    const openReport = await c.request('textDocument/diagnostic', { textDocument: { uri: uri('etc-a/main.cf') } });
    assert.equal(openReport.kind, 'full');
    assert.ok(!codes(openReport.items).includes('PF102'), 'the buffer has no duplicate');
    assert.ok(codes(openReport.items).length > 0, 'the buffer has findings (PF400 and others)');
    const tableReport = await c.request('textDocument/diagnostic', { textDocument: { uri: uri('etc-a/client_access') } });
    assert.deepEqual(codes(tableReport.items), ['PF306']);
    const unrelatedReport = await c.request('textDocument/diagnostic', { textDocument: { uri: uri('random/client_access') } });
    assert.deepEqual(unrelatedReport.items, []);
    // The open file is in the workspace report from its buffer, with its version (VS Code pulls only
    // documents shown in a tab: this is what a document open without one shows), under the pull's result id.
    const report = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] }, 30_000);
    const openInReport = full(report, uri('etc-a/main.cf'));
    assert.ok(openInReport, JSON.stringify(report.items.map((i) => [i.uri, i.kind])));
    assert.equal(openInReport.version, 1);
    assert.deepEqual(openInReport.items, openReport.items);
    assert.equal(openInReport.resultId, openReport.resultId);
    assert.ok(full(report, uri('etc-a/client_access')));
    const again = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [{ uri: uri('etc-a/main.cf'), value: openReport.resultId }] }, 30_000);
    assert.deepEqual(again.items.find((i) => i.uri === uri('etc-a/main.cf')), { kind: 'unchanged', uri: uri('etc-a/main.cf'), version: 1, resultId: openReport.resultId });
    assert.equal(c.pushedCount(since), 0, 'nothing pushed to a pulling client');
    c.didClose(uri('etc-a/main.cf'));
    const closedReport = await c.request('textDocument/diagnostic', { textDocument: { uri: uri('etc-a/main.cf') } });
    assert.ok(codes(closedReport.items).includes('PF102'), 'the file on disk has the duplicate');
  });

  test('postfix.workspaceDiagnostics = false: the workspace report is empty', async () => {
    enabled = false;
    const since = c.mark();
    c.notify('workspace/didChangeConfiguration', { settings: null });
    await c.waitForNotification('window/logMessage', (m) => /workspace diagnostics: off/.test(m.message), { since });
    const report = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] }, 20_000);
    assert.deepEqual(report.items, []);
  });
});

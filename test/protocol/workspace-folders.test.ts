// Configurations that appear while the server runs: a main.cf created in the
// workspace (the server watches main.cf/master.cf in the whole tree and walks
// again when one is created or deleted), and workspace folders added and
// removed (workspace/didChangeWorkspaceFolders): their configurations'
// findings come and go, pushed or pulled.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, WorkspaceDiagnosticReport, WorkspaceFullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const DUPLICATE = 'myhostname = a.example\nmyhostname = b.example\n';

let top: string;
before(() => {
  ensureBuilt();
  top = mkdtempSync(join(tmpdir(), 'pf-ws-folders-'));
});
after(() => rmSync(top, { recursive: true, force: true }));

/** A folder with a configuration whose main.cf has a duplicate setting (PF102). */
function folder(name: string): string {
  const dir = join(top, name);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'main.cf'), DUPLICATE);
  return dir;
}

const hasPf102 = (d: Diagnostic[]) => d.some((x) => x.code === 'PF102');
const CAPS = { workspace: { workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } } };

describe('configurations that appear, pushed', () => {
  let c: LspClient;
  let a: string;
  before(async () => {
    a = folder('push-a');
    c = LspClient.start();
    const init = await c.initialize(fileUri(a), CAPS);
    assert.deepEqual(init.capabilities.workspace?.workspaceFolders, { supported: true, changeNotifications: true });
    await c.waitForDiagnostics(fileUri(join(a, 'etc/main.cf')), { match: hasPf102, timeoutMs: 30_000 });
  });
  after(() => c.dispose());

  test('the server watches main.cf and master.cf created or deleted anywhere in the folder', async () => {
    const reg = await c.waitForNotification('client/registerCapability', (p) => JSON.stringify(p).includes('{main.cf,master.cf}'), { timeoutMs: 30_000 });
    const watchers = reg.registrations[0].registerOptions.watchers;
    assert.deepEqual(watchers, [{ globPattern: `${a}/**/{main.cf,master.cf}`, kind: 1 | 4 }]);
  });

  test('a main.cf created in a new directory: its findings arrive without opening it; deleted, they go', async () => {
    const dir = join(a, 'roles', 'new', 'postfix');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.cf'), DUPLICATE);
    const u = fileUri(join(dir, 'main.cf'));
    let since = c.mark();
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: u, type: 1 }] });
    await c.waitForDiagnostics(u, { since, match: hasPf102, timeoutMs: 30_000 });
    rmSync(join(dir, 'main.cf'));
    since = c.mark();
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: u, type: 3 }] });
    await c.waitForDiagnostics(u, { since, match: (d) => d.length === 0, timeoutMs: 30_000 });
  });

  test('a folder added brings its configurations\' findings; removed, they are cleared, and the first folder\'s stay', async () => {
    const b = folder('push-b');
    const u = fileUri(join(b, 'etc/main.cf'));
    let since = c.mark();
    c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(b), name: 'b' }], removed: [] } });
    await c.waitForDiagnostics(u, { since, match: hasPf102, timeoutMs: 30_000 });
    // The tree watcher now covers both folders.
    await c.waitForNotification('client/registerCapability', (p) => JSON.stringify(p).includes(`${b}/**/{main.cf,master.cf}`), { since, timeoutMs: 30_000 });
    since = c.mark();
    c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: fileUri(b), name: 'b' }] } });
    await c.waitForDiagnostics(u, { since, match: (d) => d.length === 0, timeoutMs: 30_000 });
    // Nothing cleared for the folder that stays.
    await c.request('textDocument/hover', { textDocument: { uri: fileUri(join(a, 'etc/main.cf')) }, position: { line: 0, character: 1 } }, 30_000);
    const cleared = c.notifications.slice(since).filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === fileUri(join(a, 'etc/main.cf')));
    assert.deepEqual(cleared, []);
    assert.ok(c.alive);
  });

  test('malformed folder events are ignored, the server stays up', async () => {
    c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: 42 }, null, 'x'], removed: 'nope' } });
    c.notify('workspace/didChangeWorkspaceFolders', {});
    await c.request('textDocument/hover', { textDocument: { uri: fileUri(join(a, 'etc/main.cf')) }, position: { line: 0, character: 1 } }, 30_000);
    assert.ok(c.alive);
  });
});

describe('configurations that appear, pulled', () => {
  let c: LspClient;
  let a: string;
  const full = (r: WorkspaceDiagnosticReport, u: string) => r.items.find((i) => i.uri === u && i.kind === 'full') as WorkspaceFullDocumentDiagnosticReport | undefined;
  before(async () => {
    a = folder('pull-a');
    c = LspClient.start({ onServerRequest: (method) => (method === 'workspace/configuration' ? [{ workspaceDiagnostics: true }] : null) });
    await c.initialize(fileUri(a), { ...CAPS, textDocument: { diagnostic: {} }, workspace: { ...CAPS.workspace, configuration: true } });
  });
  after(() => c.dispose());

  test('a held workspace report answers when a folder is added, and again when it is removed', async () => {
    const first = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] }, 30_000);
    assert.ok(hasPf102(full(first, fileUri(join(a, 'etc/main.cf')))!.items));
    const previous = (r: WorkspaceDiagnosticReport) => r.items.filter((i) => i.kind === 'full').map((i) => ({ uri: i.uri, value: (i as WorkspaceFullDocumentDiagnosticReport).resultId! })).filter((p) => p.value);
    const b = folder('pull-b');
    const u = fileUri(join(b, 'etc/main.cf'));
    const held = c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: previous(first) }, 30_000);
    c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(b), name: 'b' }], removed: [] } });
    const added = await held;
    assert.ok(hasPf102(full(added, u)?.items ?? []), JSON.stringify(added.items.map((i) => [i.uri, i.kind])));
    assert.equal(added.items.find((i) => i.uri === fileUri(join(a, 'etc/main.cf')))?.kind, 'unchanged');
    const held2 = c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: previous(added).concat(previous(first)) }, 30_000);
    c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: fileUri(b), name: 'b' }] } });
    const removed = await held2;
    assert.deepEqual(full(removed, u)?.items, []);
    assert.equal(removed.items.find((i) => i.uri === fileUri(join(a, 'etc/main.cf')))?.kind, 'unchanged');
  });
});

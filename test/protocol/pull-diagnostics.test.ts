// Open documents' findings over stdio, pulled and pushed: a client that
// declares textDocument/diagnostic pulls them (result ids, `unchanged`,
// workspace/diagnostic/refresh when a table, a setting or a .postfix-lint.json
// changes) and is never pushed anything; a client that does not gets the same
// findings pushed. Both are fed by the same analysis, so both see the same codes.

import { strict as assert } from 'node:assert';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, DocumentDiagnosticReport, FullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { fileUri, openConfig, PULL_DIAGNOSTICS_CAPABILITIES, type OpenConfig } from '../helpers/lsp-client';

const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';
const main = (dir: string) =>
  `myhostname = a.example\nmyhostname = b.example\nsmtpd_client_restrictions = check_client_access hash:${dir}/client_access\nsmtpd_relay_restrictions = reject_unauth_destination\n`;

function codes(ds: Diagnostic[]): string[] {
  return [...new Set(ds.map((d) => String(d.code)))].sort();
}

function full(r: DocumentDiagnosticReport): FullDocumentDiagnosticReport {
  assert.equal(r.kind, 'full', JSON.stringify(r));
  return r as FullDocumentDiagnosticReport;
}

describe('a client that pulls diagnostics', () => {
  let o: OpenConfig;
  let tableUri: string;
  before(async () => {
    // main.cf is written with a placeholder: the table's path needs the directory.
    o = await openConfig({ main: '', master: MASTER }, { prefix: 'pf-pull-', capabilities: PULL_DIAGNOSTICS_CAPABILITIES });
    tableUri = fileUri(join(o.dir, 'client_access'));
    writeFileSync(join(o.dir, 'main.cf'), main(o.dir));
    o.client.didChange(o.mainUri, 2, [{ text: main(o.dir) }]);
  });
  after(() => o.dispose());

  let last: FullDocumentDiagnosticReport;

  test('the server announces pull diagnostics, with workspace diagnostics and inter-file dependencies', () => {
    const provider = o.init.capabilities.diagnosticProvider as { interFileDependencies: boolean; workspaceDiagnostics: boolean };
    assert.equal(provider.interFileDependencies, true);
    assert.equal(provider.workspaceDiagnostics, true);
  });

  test('a pull answers the open document with its findings and a result id', async () => {
    last = full(await o.client.pullDiagnostics(o.mainUri));
    assert.ok(last.resultId);
    // PF102: the duplicate; PF379: the table is not there.
    assert.ok(codes(last.items).includes('PF102'), JSON.stringify(codes(last.items)));
    assert.ok(codes(last.items).includes('PF379'), JSON.stringify(codes(last.items)));
    assert.equal(last.items.find((d) => d.code === 'PF102')!.range.start.line, 1);
  });

  test('a pull with the current result id answers unchanged', async () => {
    const r = await o.client.pullDiagnostics(o.mainUri, last.resultId);
    assert.deepEqual(r, { kind: 'unchanged', resultId: last.resultId });
  });

  test('an edit: the next pull has the new findings and a new result id', async () => {
    o.client.didChange(o.mainUri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    const r = full(await o.client.pullDiagnostics(o.mainUri, last.resultId));
    assert.notEqual(r.resultId, last.resultId);
    assert.ok(!codes(r.items).includes('PF102'), JSON.stringify(codes(r.items)));
    last = r;
  });

  test('the table appears on disk: the server asks for a refresh, and the pull reports the change', async () => {
    const since = o.client.mark();
    writeFileSync(join(o.dir, 'client_access'), '1.2.3.4 OK\n');
    o.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: tableUri, type: 1 }] });
    await o.client.waitForNotification('workspace/diagnostic/refresh', () => true, { since });
    const r = full(await o.client.pullDiagnostics(o.mainUri, last.resultId));
    assert.ok(!codes(r.items).includes('PF379'), JSON.stringify(codes(r.items)));
    assert.ok(codes(r.items).includes('PF380'), 'the table is there, its .db is not');
    last = r;
  });

  test('a setting turns a rule off: refresh, and the pull no longer has it', async () => {
    const since = o.client.mark();
    o.client.notify('workspace/didChangeConfiguration', { settings: { postfix: { rules: { PF380: 'off' } } } });
    await o.client.waitForNotification('workspace/diagnostic/refresh', () => true, { since });
    const r = full(await o.client.pullDiagnostics(o.mainUri, last.resultId));
    assert.ok(!codes(r.items).includes('PF380'), JSON.stringify(codes(r.items)));
    last = r;
  });

  test('the server watches the .postfix-lint.json files that could apply', () => {
    const registrations = o.client.notifications.filter((n) => n.method === 'client/registerCapability');
    const patterns: string[] = registrations.flatMap((n) => n.params.registrations.flatMap((r: any) => r.registerOptions.watchers.map((w: any) => w.globPattern)));
    // Beside main.cf (grouped with the files read there, `DIR/{.postfix-lint.json,main.cf,...}`) and in every directory above.
    assert.ok(patterns.some((p) => p.startsWith(`${o.dir}/{`) && p.includes('.postfix-lint.json,')), JSON.stringify(patterns));
    assert.ok(patterns.includes('/.postfix-lint.json'), JSON.stringify(patterns));
  });

  test('a .postfix-lint.json appears beside main.cf: refresh, and its rules apply; it goes: they no longer do', async () => {
    const severity = last.items.find((d) => d.code === 'PF502')?.severity;
    assert.equal(severity, 2, 'PF502 is a warning by default');
    const settingsFile = join(o.dir, '.postfix-lint.json');
    let since = o.client.mark();
    writeFileSync(settingsFile, JSON.stringify({ rules: { PF502: 'error', PF507: 'off' } }));
    o.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(settingsFile), type: 1 }] });
    await o.client.waitForNotification('workspace/diagnostic/refresh', () => true, { since });
    let r = full(await o.client.pullDiagnostics(o.mainUri, last.resultId));
    assert.equal(r.items.find((d) => d.code === 'PF502')?.severity, 1);
    assert.ok(!codes(r.items).includes('PF507'));
    since = o.client.mark();
    unlinkSync(settingsFile);
    o.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(settingsFile), type: 3 }] });
    await o.client.waitForNotification('workspace/diagnostic/refresh', () => true, { since });
    r = full(await o.client.pullDiagnostics(o.mainUri, r.resultId));
    assert.equal(r.items.find((d) => d.code === 'PF502')?.severity, 2);
    assert.ok(codes(r.items).includes('PF507'));
  });

  test('a closed file is answered with its workspace findings', async () => {
    o.client.didClose(o.masterUri);
    const r = full(await o.client.pullDiagnostics(o.masterUri));
    assert.ok(Array.isArray(r.items));
    // The table is part of the configuration; a hash table with a CIDR key has a finding of its own.
    writeFileSync(join(o.dir, 'client_access'), '10.0.0.0/8 REJECT\n');
    o.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: tableUri, type: 2 }] });
    const t = full(await o.client.pullDiagnostics(tableUri));
    assert.deepEqual(codes(t.items), ['PF306']);
    assert.deepEqual(await o.client.pullDiagnostics(tableUri, t.resultId), { kind: 'unchanged', resultId: t.resultId });
  });

  test('nothing was ever pushed to the pulling client', async () => {
    // A request answered after anything the server wrote before it.
    await o.client.request('textDocument/hover', { textDocument: { uri: o.mainUri }, position: { line: 0, character: 1 } });
    assert.equal(o.client.pushedCount(), 0);
  });
});

describe('a client that does not pull diagnostics', () => {
  let o: OpenConfig;
  before(async () => {
    o = await openConfig({ main: '', master: MASTER }, { prefix: 'pf-push-', capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
    o.client.didChange(o.mainUri, 2, [{ text: main(o.dir) }]);
  });
  after(() => o.dispose());

  test('no diagnostic provider is announced; the same findings are pushed', async () => {
    assert.equal(o.init.capabilities.diagnosticProvider, undefined);
    const ds = await o.client.waitForDiagnostics(o.mainUri, { version: 2 });
    assert.ok(codes(ds).includes('PF102'));
    assert.ok(codes(ds).includes('PF379'));
  });

  test('a .postfix-lint.json appears: the findings are pushed again with its rules', async () => {
    const since = o.client.mark();
    const settingsFile = join(o.dir, '.postfix-lint.json');
    writeFileSync(settingsFile, JSON.stringify({ rules: { PF102: 'off' } }));
    o.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(settingsFile), type: 1 }] });
    const ds = await o.client.waitForDiagnostics(o.mainUri, { since });
    assert.ok(!codes(ds).includes('PF102'), JSON.stringify(codes(ds)));
    assert.ok(codes(ds).includes('PF379'));
  });
});

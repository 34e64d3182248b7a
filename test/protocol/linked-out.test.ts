// A repository copy whose main.cf, or a table it names, is a symbolic link
// out of the copy (issue 8: an untrusted tree must not make us read, or show
// as its own, /etc/passwd or ../../secret). The language server reads
// neither, says what happened on the file (PF001, with the link's target, as
// the CLI does), and no diagnostic quotes a byte of the file linked to: not
// from the workspace walk, not when the editor opens the link.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

// As a main.cf it has findings (a duplicate, an open relay); as a cidr table, bad lines that would be quoted.
const SECRET = 'DB_PASSWORD=hunter2-not-real\nmynetworks = 0.0.0.0/0\nmyhostname = a.example\nmyhostname = b.example\n';

let root: string;
let ws: string;
let secret: string;
const uri = (...p: string[]) => fileUri(join(ws, ...p));

before(() => {
  ensureBuilt();
  root = realpathSync(mkdtempSync(join(tmpdir(), 'pf-linked-out-')));
  ws = join(root, 'repo');
  secret = join(root, 'secret', 'main.cf');
  mkdirSync(join(root, 'secret'));
  writeFileSync(secret, SECRET);
  mkdirSync(join(ws, 'conf'), { recursive: true });
  symlinkSync('../../secret/main.cf', join(ws, 'conf', 'main.cf'));
  mkdirSync(join(ws, 'passwd'));
  symlinkSync('/etc/passwd', join(ws, 'passwd', 'main.cf'));
  mkdirSync(join(ws, 'tab'));
  writeFileSync(join(ws, 'tab', 'main.cf'), 'compatibility_level = 3.6\nsmtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr\n');
  symlinkSync('../../secret/main.cf', join(ws, 'tab', 'clients.cidr'));
});

after(() => rmSync(root, { recursive: true, force: true }));

const linkedOut = (path: string, target: string) => `${path} is a link out of the configuration directory (to ${target}); a repository copy is read only inside its own tree`;

/** No published diagnostic anywhere shows the linked file's text. */
function assertNothingQuoted(c: LspClient): void {
  for (const n of c.notifications.filter((x) => x.method === 'textDocument/publishDiagnostics')) {
    const p = n.params as PublishDiagnosticsParams;
    assert.ok(p.uri.startsWith(fileUri(ws)), `diagnostics for ${p.uri}, outside the workspace`);
    const text = JSON.stringify(p.diagnostics);
    for (const s of ['hunter2', 'DB_PASSWORD', 'root:', '0.0.0.0/0']) assert.ok(!text.includes(s), `${p.uri} shows ${s}: ${text}`);
  }
}

/** The message of the one diagnostic, a PF001. */
function only(ds: Diagnostic[]): string {
  assert.equal(ds.length, 1, JSON.stringify(ds));
  assert.equal(ds[0].code, 'PF001');
  assert.equal(typeof ds[0].message, 'string');
  return ds[0].message as string;
}

describe('a repository copy with links out of its tree', () => {
  let c: LspClient;
  before(async () => {
    c = LspClient.start();
    await c.initialize(fileUri(ws));
  });
  after(() => c.dispose());

  test('workspace diagnostics: each linked main.cf gets one PF001 naming its target, and nothing else', async () => {
    const timeoutMs = 60_000;
    const conf = await c.waitForDiagnostics(uri('conf', 'main.cf'), { timeoutMs, match: (d) => d.length > 0 });
    assert.ok(only(conf).startsWith(`${linkedOut(join(ws, 'conf', 'main.cf'), secret)}, so it is not read.`), JSON.stringify(conf));
    const pw = await c.waitForDiagnostics(uri('passwd', 'main.cf'), { timeoutMs, match: (d) => d.length > 0 });
    assert.ok(only(pw).startsWith(linkedOut(join(ws, 'passwd', 'main.cf'), realpathSync('/etc/passwd'))), JSON.stringify(pw));
    const tab = await c.waitForDiagnostics(uri('tab', 'main.cf'), { timeoutMs, match: (d) => d.some((x) => x.code === 'PF001') });
    const use = tab.find((d) => d.code === 'PF001')!;
    assert.equal(use.message, `cidr:/etc/postfix/clients.cidr: ${linkedOut(join(ws, 'tab', 'clients.cidr'), secret)}, so it is not read.`);
    assert.equal(use.range.start.line, 1);
    assertNothingQuoted(c);
  });

  test('opening the links (the editor shows the target text) gives the same one finding, never the target as a configuration or table', async () => {
    const since = c.mark();
    c.didOpen(uri('conf', 'main.cf'), 'postfix-main', readFileSync(join(ws, 'conf', 'main.cf'), 'utf8'), 1);
    c.didOpen(uri('tab', 'clients.cidr'), 'postfix-map', readFileSync(join(ws, 'tab', 'clients.cidr'), 'utf8'), 1);
    const conf = await c.waitForDiagnostics(uri('conf', 'main.cf'), { since, version: 1 });
    assert.ok(only(conf).startsWith(linkedOut(join(ws, 'conf', 'main.cf'), secret)), JSON.stringify(conf));
    const table = await c.waitForDiagnostics(uri('tab', 'clients.cidr'), { since, version: 1 });
    assert.equal(only(table), `${linkedOut(join(ws, 'tab', 'clients.cidr'), secret)}, so it is not checked and its content is not shown.`);
    // An edit in the buffer changes nothing: it is still not this copy's file.
    const again = c.mark();
    c.didChange(uri('conf', 'main.cf'), 2, [{ text: `${SECRET}relayhost = [x]\nrelayhost = [y]\n` }]);
    only(await c.waitForDiagnostics(uri('conf', 'main.cf'), { since: again, version: 2 }));
    assertNothingQuoted(c);
    assert.ok(c.alive);
  });
});

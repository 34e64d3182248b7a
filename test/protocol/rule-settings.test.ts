// Rule settings in the language server, over stdio: the nearest
// .postfix-lint.json above the document (the file the CLI reads) and the
// editor's postfix.rules / postfix.categories on top, pulled with
// workspace/configuration and pushed with didChangeConfiguration; a change
// of settings republishes the diagnostics without an edit.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const MAIN = 'compatibility_level = 3.6\nsmtpd_helo_requierd = yes\nmyhostname = mail.example.com # public\nmyorigin = example.com\nmyorigin = example.com\n';

before(() => ensureBuilt());

describe('postfix.rules, postfix.categories and .postfix-lint.json over stdio', () => {
  let c: LspClient;
  let root: string;
  let uri: string;
  let editorSettings: object = { rules: { PF111: 'error' }, categories: { style: 'off' } };
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'postfix-rule-settings-'));
    const dir = join(root, 'etc', 'postfix');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'master.cf'), 'smtp inet n - y - - smtpd\n');
    writeFileSync(join(root, '.postfix-lint.json'), JSON.stringify({ rules: { PF103: 'off', PF111: 'info' } }));
    uri = fileUri(join(dir, 'main.cf'));
    c = LspClient.start({ onServerRequest: (method) => (method === 'workspace/configuration' ? [editorSettings] : null) });
    await c.initialize(null, { workspace: { configuration: true } });
  });
  after(async () => {
    await c.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const shown = (diags: Diagnostic[]) => diags.map((d) => `${d.code}:${d.severity}`).sort();

  test('the file turns PF103 off; the editor raises PF111 to error over the file\'s info and turns style off', async () => {
    // The pulled settings arrive after `initialized`; wait for the diagnostics that reflect them.
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', MAIN, 1);
    const diags = await c.waitForDiagnostics(uri, { since, version: 1, match: (d) => shown(d).includes('PF111:1') });
    assert.ok(!diags.some((d) => d.code === 'PF103'), JSON.stringify(shown(diags)));
    assert.ok(!diags.some((d) => d.code === 'PF113'), 'style is off');
    assert.ok(shown(diags).includes('PF111:1'), JSON.stringify(shown(diags)));
  });

  test('pushed settings republish without an edit: the file alone decides again', async () => {
    editorSettings = {};
    const since = c.mark();
    c.notify('workspace/didChangeConfiguration', { settings: { postfix: {} } });
    const diags = await c.waitForDiagnostics(uri, { since, match: (d) => !shown(d).includes('PF111:1') });
    assert.ok(shown(diags).includes('PF111:3'), `the file's info: ${JSON.stringify(shown(diags))}`);
    assert.ok(diags.some((d) => d.code === 'PF113'), 'style is back');
    assert.ok(!diags.some((d) => d.code === 'PF103'));
  });
});

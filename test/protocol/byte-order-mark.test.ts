// A UTF-8 byte order mark on disk (issue 8): VS Code and Neovim hide it from
// the buffer, so the text the server receives looks clean, but Postfix reads
// the three bytes as part of line 1. The server checks the file on disk and
// reports PF181, with line-1 positions in the editor's terms.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

let tmp: string;
let c: LspClient;
const TEXT = 'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\ncompatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n';

before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-bom-'));
  c = LspClient.start();
  await c.initialize(fileUri(tmp));
});

after(async () => {
  await c?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const code = (ds: Diagnostic[], k: string) => ds.filter((d) => d.code === k);

test('a byte order mark in the file on disk is reported although the editor buffer has none', async () => {
  const dir = join(tmp, 'with-bom');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.cf'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]));
  const uri = fileUri(join(dir, 'main.cf'));
  c.didOpen(uri, 'postfix-main', TEXT, 1);
  const ds = await c.waitForDiagnostics(uri, { match: (d) => code(d, 'PF181').length > 0 });
  const bom = code(ds, 'PF181')[0];
  assert.deepEqual(bom.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.match(String(bom.message), /"smtpd_relay_restrictions"/);
  // The setting on line 1 is unknown to Postfix; its range is where the editor shows the name.
  const unused = code(ds, 'PF103').find((d) => d.range.start.line === 0);
  assert.ok(unused, JSON.stringify(ds));
  assert.deepEqual(unused.range.start, { line: 0, character: 0 });
  assert.equal(unused.range.end.character, 'smtpd_relay_restrictions'.length);
});

test('without a byte order mark on disk there is no PF181', async () => {
  const dir = join(tmp, 'without-bom');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.cf'), TEXT);
  const uri = fileUri(join(dir, 'main.cf'));
  c.didOpen(uri, 'postfix-main', TEXT, 1);
  const ds = await c.waitForDiagnostics(uri);
  assert.equal(code(ds, 'PF181').length, 0);
  assert.equal(code(ds, 'PF103').length, 0, JSON.stringify(ds));
});

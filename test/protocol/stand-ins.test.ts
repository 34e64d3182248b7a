// Stand-ins over the protocol (issue 7): an editor that opens main.cf.proto,
// main.cf.orig or master.cf.proto (package.json gives them our languages)
// gets the diagnostics their content has, without the findings about the
// host's installed tables.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const MAIN = `compatibility_level = 3.6
mydestination = example.test
mynetworks = 0.0.0.0/0
virtual_alias_maps = hash:/etc/postfix/virtual
bogus_setting = 1
`;

before(() => ensureBuilt());

describe('stand-ins for main.cf and master.cf', () => {
  let c: LspClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postfix-lsp-standin-'));
    c = LspClient.start();
    await c.initialize(fileUri(dir));
  });
  after(async () => {
    await c.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['main.cf.orig', 'main.cf.proto', 'main.cf.dist', 'main.cf.debian']) {
    test(`${name} is linted as main.cf`, async () => {
      const path = join(dir, name);
      writeFileSync(path, MAIN);
      const uri = fileUri(path);
      const since = c.mark();
      c.didOpen(uri, 'postfix-main', MAIN, 1);
      const diags = await c.waitForDiagnostics(uri, { since, version: 1 });
      assert.deepEqual(diags.map((d) => `${d.code}@${d.range.start.line}`).sort(), ['PF103@4', 'PF501@2'], JSON.stringify(diags.map((d) => d.message)));
    });
  }

  test('master.cf.proto is linted as master.cf', async () => {
    const text = 'smtp inet n - n - - smtpd\n  -o bogus_option=1\n';
    const path = join(dir, 'master.cf.proto');
    writeFileSync(path, text);
    const uri = fileUri(path);
    const since = c.mark();
    c.didOpen(uri, 'postfix-master', text, 1);
    const diags = await c.waitForDiagnostics(uri, { since, version: 1 });
    assert.deepEqual(diags.map((d) => `${d.code}@${d.range.start.line}`), ['PF230@1']);
  });
});

describe('related information', () => {
  let c: LspClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postfix-lsp-related-'));
    c = LspClient.start();
    await c.initialize(fileUri(dir), { textDocument: { publishDiagnostics: { relatedInformation: true } } });
  });
  after(async () => {
    await c.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('PF501 over three public networks is one diagnostic whose relatedInformation points at the other two', async () => {
    const text = 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 0.0.0.0/0 44.0.0.0/8 [2001:db8::]/16\n';
    const path = join(dir, 'main.cf');
    writeFileSync(path, text);
    const uri = fileUri(path);
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', text, 1);
    const diags = (await c.waitForDiagnostics(uri, { since, version: 1 })).filter((d) => d.code === 'PF501');
    assert.equal(diags.length, 1);
    assert.deepEqual(diags[0].range.start, { line: 1, character: 25 });
    assert.deepEqual(
      diags[0].relatedInformation?.map((r) => [r.location.uri, r.location.range.start.character, r.message]),
      [
        [uri, 35, '44.0.0.0/8 trusts 16,777,216 addresses, most of them on the Internet.'],
        [uri, 46, '[2001:db8::]/16 trusts 2^112 addresses on the Internet.'],
      ],
    );
  });
});

// "Harden this configuration" in the editor honours the rule settings the
// CLI's --fix honours (one engine function, judgedHardening): a rule turned
// off in .postfix-lint.json is neither shown nor applied by the hardening
// edit, and `postfix-lint --fix --diff` leaves the same rule alone.

import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { repoDir } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';
import { fsReader, main } from '../../server/src/cli/main';

const mistakes = resolve(repoDir, 'examples/mistakes');
/** Turned off in the settings: the dead DNS block list (its fix removes it) and the banner. */
const OFF = ['PF504', 'PF520'];

function copy(settings?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'postfix-harden-settings-'));
  cpSync(mistakes, join(dir, 'etc'), { recursive: true });
  if (settings) writeFileSync(join(dir, '.postfix-lint.json'), JSON.stringify(settings));
  return join(dir, 'etc');
}

const key = (uri: string, e: TextEdit) => `${uri}|${JSON.stringify(e.range)}|${e.newText}`;
const editKeys = (edit: WorkspaceEdit | undefined) => new Set(Object.entries(edit?.changes ?? {}).flatMap(([uri, edits]) => edits.map((e) => key(uri, e))));

before(() => ensureBuilt());

describe('harden with rule settings over stdio', () => {
  let c: LspClient;
  const dirs: string[] = [];
  before(async () => {
    c = LspClient.start();
    await c.initialize(null);
  });
  after(async () => {
    await c.dispose();
    for (const d of dirs) rmSync(resolve(d, '..'), { recursive: true, force: true });
  });

  test('a rule turned off in .postfix-lint.json is not applied by postfix/harden, nor by the CLI --fix', async () => {
    const plain = copy();
    const judged = copy({ rules: Object.fromEntries(OFF.map((code) => [code, 'off'])) });
    dirs.push(plain, judged);
    const open = async (dir: string) => {
      const uri = fileUri(join(dir, 'main.cf'));
      const since = c.mark();
      c.didOpen(uri, 'postfix-main', fsReader.readText(join(dir, 'main.cf'))!, 1);
      return { uri, diags: (await c.waitForDiagnostics(uri, { since, version: 1 })) as Diagnostic[] };
    };

    // Without settings: each of the rules has a preferred quick fix, and the hardening edit contains it.
    const p = await open(plain);
    const pHarden: WorkspaceEdit = await c.request('postfix/harden', { uri: p.uri });
    const pKeys = editKeys(pHarden);
    const fixOf: Record<string, Set<string>> = {};
    for (const code of OFF) {
      const d = p.diags.find((x) => x.code === code);
      assert.ok(d, `${code} reported without settings: ${p.diags.map((x) => x.code).join(' ')}`);
      const fixes: CodeAction[] = await c.request('textDocument/codeAction', { textDocument: { uri: p.uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
      const fix = fixes.find((f) => f.isPreferred)?.edit;
      assert.ok(fix, `${code} has a preferred fix`);
      fixOf[code] = new Set([...editKeys(fix)].map((k) => k.slice(k.indexOf('|'))));
      assert.ok([...pKeys].some((k) => fixOf[code].has(k.slice(k.indexOf('|')))), `without settings, the hardening edit applies ${code}'s fix`);
    }

    // With the rules off: not shown, and the hardening edit leaves their lines alone (but still hardens the rest).
    const j = await open(judged);
    for (const code of OFF) assert.ok(!j.diags.some((x) => x.code === code), `${code} is off: not shown`);
    const jHarden: WorkspaceEdit = await c.request('postfix/harden', { uri: j.uri });
    const jKeys = [...editKeys(jHarden)].map((k) => k.slice(k.indexOf('|')));
    assert.ok(jKeys.length > 0, 'the other hardening fixes are still there');
    for (const code of OFF) assert.ok(!jKeys.some((k) => fixOf[code].has(k)), `the hardening edit does not apply ${code}'s fix: ${JSON.stringify(jHarden)}`);
    assert.equal(jKeys.length + OFF.reduce((n, code) => n + [...pKeys].filter((k) => fixOf[code].has(k.slice(k.indexOf('|')))).length, 0), pKeys.size, 'exactly the fixes of the rules turned off are left out');

    // The CLI's --fix judges the same way: its diff keeps the lines those fixes change.
    let out = '';
    const status = main(['--fix', '--diff', judged], { stdout: (s) => (out += s), stderr: () => undefined, reader: fsReader });
    assert.equal(status, 0);
    assert.match(out, /^\+/m, 'the CLI still fixes something');
    // PF504's fix removes the dead list; PF520's rewrites the banner to name neither software nor system.
    assert.doesNotMatch(out, /^-\s*reject_rbl_client dul\.dnsbl\.sorbs\.net/m, `the CLI keeps the list PF504 would remove:\n${out}`);
    for (const banner of out.match(/^\+smtpd_banner\s*=.*$/gm) ?? []) assert.match(banner, /\$mail_name \(Debian\)/, `the CLI keeps the banner PF520 would change:\n${out}`);
    c.didClose(p.uri);
    c.didClose(j.uri);
  });
});

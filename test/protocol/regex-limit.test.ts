// The language server stays responsive on a configuration whose pcre table
// backtracks exponentially on a key the configuration chooses (issue 8): the
// relay matrix looks up postmaster@<first mydestination>, here a 28-character
// domain that makes /^postmaster@(a|a)*X$/ explode. Diagnostics on open,
// hover, a keystroke and the relay matrix request must all answer; a request
// that does not is reported as a timeout (generous bounds, no timing claims).
// Inline pattern tables in the same main.cf name no file (no PF374).

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

/** Far above what these requests need; reaching it means the server is stuck. */
const STUCK_MS = 120_000;

const DOMAIN = `${'a'.repeat(26)}.x`;
const main = (dir: string) => [
  'compatibility_level = 3.6',
  'myhostname = mx.example.test',
  `mydestination = ${DOMAIN}`,
  'mynetworks = 127.0.0.0/8',
  'smtpd_forbidden_commands = CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}',
  `smtpd_recipient_restrictions = check_recipient_access pcre:${dir}/rcpt.pcre, permit_mynetworks, reject_unauth_destination`,
  '',
].join('\n');

let tmp: string;
let c: LspClient;
let MAIN: string;

before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-limit-'));
  MAIN = main(tmp);
  writeFileSync(join(tmp, 'main.cf'), MAIN);
  writeFileSync(join(tmp, 'master.cf'), 'smtp      inet  n       -       n       -       -       smtpd\n');
  writeFileSync(join(tmp, 'rcpt.pcre'), '/^postmaster@(a|a)*X$/ OK\n');
  c = LspClient.start({ onServerRequest: (method, params) => (method === 'workspace/configuration' ? params.items.map(() => ({})) : null) });
  await c.initialize(fileUri(tmp), { workspace: { configuration: true } });
});

after(async () => {
  await c.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('diagnostics, hover, edits and the relay matrix answer with an exploding pattern open', async () => {
  const mainUri = fileUri(join(tmp, 'main.cf'));
  const tableUri = fileUri(join(tmp, 'rcpt.pcre'));
  c.didOpen(tableUri, 'postfix-map', '/^postmaster@(a|a)*X$/ OK\n', 1);
  c.didOpen(mainUri, 'postfix-main', MAIN, 1);
  const diagnostics = await c.waitForDiagnostics(mainUri, { version: 1, timeoutMs: STUCK_MS });
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'PF374').map((d) => d.message),
    [],
    'an inline regexp: table names no file',
  );

  const line = MAIN.split('\n').findIndex((l) => l.startsWith('mydestination'));
  const hover = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: mainUri }, position: { line, character: 3 } }, STUCK_MS);
  assert.ok(hover && (hover.contents as { value: string }).value.includes('mydestination'));

  // A keystroke: lint runs again (the relay matrix with it), then hover answers.
  const edited = MAIN.replace(DOMAIN, `${DOMAIN}a`);
  c.didChange(mainUri, 2, [{ text: edited }]);
  await c.waitForDiagnostics(mainUri, { version: 2, timeoutMs: STUCK_MS });
  const again = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: mainUri }, position: { line, character: 3 } }, STUCK_MS);
  assert.ok(again);

  const matrix = await c.request<{ openRelay: boolean; cells: unknown[] }>('postfix/relayMatrix', { uri: mainUri }, STUCK_MS);
  assert.equal(matrix.openRelay, false);
  assert.ok(matrix.cells.length > 0);
});

// The language server stays responsive on a configuration whose pcre table
// backtracks exponentially on a key the configuration chooses (issue 8): the
// relay matrix looks up postmaster@<first mydestination>, here a 28-character
// domain that makes /^postmaster@(a|a)*X$/ explode. Diagnostics on open,
// hover, a keystroke and the relay matrix request must all answer; a request
// that does not is reported as a timeout (generous bounds, no timing claims).
// Inline pattern tables in the same main.cf name no file (no PF374).

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { fileUri, serverForSuite } from '../helpers/lsp-client';

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

let MAIN: string;
const server = serverForSuite('pf-limit-', {
  setup: (tmp) => {
    MAIN = main(tmp);
    writeFileSync(join(tmp, 'main.cf'), MAIN);
    writeFileSync(join(tmp, 'master.cf'), 'smtp      inet  n       -       n       -       -       smtpd\n');
    writeFileSync(join(tmp, 'rcpt.pcre'), '/^postmaster@(a|a)*X$/ OK\n');
  },
  start: { onServerRequest: (method, params) => (method === 'workspace/configuration' ? params.items.map(() => ({})) : null) },
  capabilities: { workspace: { configuration: true } },
});

test('diagnostics, hover, edits and the relay matrix answer with an exploding pattern open', async () => {
  const mainUri = fileUri(join(server.dir, 'main.cf'));
  const tableUri = fileUri(join(server.dir, 'rcpt.pcre'));
  server.client.didOpen(tableUri, 'postfix-map', '/^postmaster@(a|a)*X$/ OK\n', 1);
  server.client.didOpen(mainUri, 'postfix-main', MAIN, 1);
  const diagnostics = await server.client.waitForDiagnostics(mainUri, { version: 1, timeoutMs: STUCK_MS });
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'PF374').map((d) => d.message),
    [],
    'an inline regexp: table names no file',
  );

  const line = MAIN.split('\n').findIndex((l) => l.startsWith('mydestination'));
  const hover = await server.client.request<Hover | null>('textDocument/hover', { textDocument: { uri: mainUri }, position: { line, character: 3 } }, STUCK_MS);
  assert.ok(hover && (hover.contents as { value: string }).value.includes('mydestination'));

  // A keystroke: lint runs again (the relay matrix with it), then hover answers.
  const edited = MAIN.replace(DOMAIN, `${DOMAIN}a`);
  server.client.didChange(mainUri, 2, [{ text: edited }]);
  await server.client.waitForDiagnostics(mainUri, { version: 2, timeoutMs: STUCK_MS });
  const again = await server.client.request<Hover | null>('textDocument/hover', { textDocument: { uri: mainUri }, position: { line, character: 3 } }, STUCK_MS);
  assert.ok(again);

  const matrix = await server.client.request<{ openRelay: boolean; cells: unknown[] }>('postfix/relayMatrix', { uri: mainUri }, STUCK_MS);
  assert.equal(matrix.openRelay, false);
  assert.ok(matrix.cells.length > 0);
});

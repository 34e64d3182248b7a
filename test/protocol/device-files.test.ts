// Table paths that are not regular files (issue 8): hash:/dev/zero and
// cidr:/dev/urandom never end, a FIFO blocks a reader forever, and
// /proc/self/environ holds the server's environment. The language server
// reads none of them (disk/read-file.ts), reports each as PF001, and keeps
// answering. Live mode, so the paths mean what they say.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { fileUri, serverForSuite } from '../helpers/lsp-client';

/** Far above what these requests need; reaching it means the server is stuck. */
const STUCK_MS = 60_000;

let MAIN: string;
const server = serverForSuite('pf-devices-', {
  setup: (tmp) => {
    execFileSync('mkfifo', [join(tmp, 'fifo')]);
    MAIN = [
      'compatibility_level = 3.6',
      'myhostname = mx.example.test',
      'mynetworks = 127.0.0.0/8',
      'smtpd_client_restrictions = check_client_access cidr:/dev/urandom',
      'smtpd_helo_restrictions = check_helo_access hash:/dev/zero',
      `smtpd_sender_restrictions = check_sender_access cidr:${tmp}/fifo`,
      'smtpd_data_restrictions = check_client_access cidr:/proc/self/environ',
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
      '',
    ].join('\n');
    writeFileSync(join(tmp, 'main.cf'), MAIN);
    writeFileSync(join(tmp, 'master.cf'), 'smtp      inet  n       -       n       -       -       smtpd\n');
  },
  start: { onServerRequest: (method, params) => (method === 'workspace/configuration' ? params.items.map(() => ({ mode: 'live' })) : null) },
  capabilities: { workspace: { configuration: true } },
});

const pf001 = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'PF001');

test('device files, FIFOs and /proc are reported as unreadable, and the server keeps answering', async () => {
  const uri = fileUri(join(server.dir, 'main.cf'));
  server.client.didOpen(uri, 'postfix-main', MAIN, 1);
  const diagnostics = await server.client.waitForDiagnostics(uri, { match: (ds) => pf001(ds).length >= 4, timeoutMs: STUCK_MS });
  const messages = pf001(diagnostics).map((d) => `${d.range.start.line}: ${d.message}`).sort();
  assert.deepEqual(messages, [
    '3: cidr:/dev/urandom: cannot open /dev/urandom: a system file (below /proc, /sys or /dev), never read.',
    '4: hash:/dev/zero: cannot open /dev/zero: a system file (below /proc, /sys or /dev), never read.',
    `5: cidr:${server.dir}/fifo: cannot open ${server.dir}/fifo: not a regular file.`,
    `6: cidr:/proc/self/environ: cannot open /proc/self/environ: a system file (below /proc, /sys or /dev), never read.`,
  ]);
  assert.ok(!diagnostics.some((d) => d.code === 'PF374'), 'none of them is "does not exist"');
  const hover = await server.client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } }, STUCK_MS);
  assert.ok(hover && JSON.stringify(hover.contents).includes('myhostname'));
});

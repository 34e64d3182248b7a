// A pull (textDocument/diagnostic) whose document is edited before its
// analysis is done is answered "server cancelled, ask again", never with the
// findings of the older text: TextDocuments updates a document object in
// place, so the server compares versions (diagnostics.ts pull). The slow
// analysis is a configuration naming a 200,000-line map read cold; every
// proof is an order of messages, never a time.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DocumentDiagnosticReport, FullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { LspRequestError, openConfig, PULL_DIAGNOSTICS_CAPABILITIES, type OpenConfig } from '../helpers/lsp-client';
import { accessMapText } from '../helpers/map-config';

const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
smtpd_helo_requird = yes
`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

let o: OpenConfig;
before(async () => {
  o = await openConfig({ main: MAIN, master: MASTER }, { prefix: 'pf-pull-stale-', capabilities: PULL_DIAGNOSTICS_CAPABILITIES });
  const map = accessMapText(200_000);
  writeFileSync(join(o.dir, 'big'), map);
  await o.client.pullDiagnostics(o.mainUri);
});
after(() => o?.dispose());

const insert = (line: number, text: string) => [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }];

test('a pull overtaken by an edit is cancelled, and the next pull has the new text’s findings', async () => {
  const c = o.client;
  // Version 2 names the big map (its analysis parses it cold, in steps); version 3 moves the mistake down a line.
  c.didChange(o.mainUri, 2, insert(1, `smtpd_recipient_restrictions = check_recipient_access hash:${o.dir}/big, reject_unauth_destination\n`));
  const pulled = c.pullDiagnostics(o.mainUri).then(
    (r: DocumentDiagnosticReport) => r,
    (e: unknown) => e,
  );
  c.didChange(o.mainUri, 3, insert(0, '# moved\n'));
  const answer = await pulled;
  assert.ok(answer instanceof LspRequestError, `answered with findings of an older version: ${JSON.stringify(answer)}`);
  assert.equal(answer.error.code, -32802, 'ServerCancelled');
  const now = (await c.pullDiagnostics(o.mainUri)) as FullDocumentDiagnosticReport;
  const misspelt = now.items.filter((d) => /smtpd_helo_requird/.test(String(d.message))).map((d) => d.range.start.line);
  assert.deepEqual(misspelt, [4], 'the misspelt parameter is on line 4 of version 3');
});

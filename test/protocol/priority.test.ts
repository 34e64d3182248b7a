// Requests before analyses (features/priority.ts), over stdio: a hover and a
// completion asked while a slow analysis is in flight (a configuration naming
// a 200,000-line map, opened cold) are answered before that analysis
// publishes; and an edit arriving meanwhile supersedes it, so what is
// published for the document is the newer version's findings only. Every
// proof is an order of messages, never a time.

import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileUri, openConfig, type OpenConfig } from '../helpers/lsp-client';

const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination

`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

let cfg: OpenConfig;
let bigDir: string;
before(async () => {
  cfg = await openConfig({ main: MAIN, master: MASTER }, { prefix: 'pf-priority-' });
  // A second configuration, not open yet: its main.cf names a 200,000-line map on disk.
  bigDir = join(cfg.dir, 'big');
  mkdirSync(bigDir);
  let map = '';
  for (let i = 0; i < 200_000; i++) map += `user${i}@example${i % 1000}.test REJECT 5.7.1 blocked\n`;
  writeFileSync(join(bigDir, 'access'), map);
  writeFileSync(join(bigDir, 'master.cf'), MASTER);
  await cfg.client.waitForDiagnostics(cfg.mainUri, { version: 1 });
  await cfg.client.waitForDiagnostics(cfg.masterUri, { version: 1 });
});
after(() => cfg?.dispose());

test('hover and completion are answered while a slow analysis is in flight, and a newer edit supersedes it', async () => {
  const c = cfg.client;
  const bigMain = `${MAIN}smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:${bigDir}/access, reject_unauth_destination\n`;
  const bigUri = fileUri(join(bigDir, 'main.cf'));
  const isBig = (n: { method: string; params: any }) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === bigUri;
  const since = c.mark();
  // One re-lint for both: the small configuration's edit, then the big one's cold open (the open
  // documents are analysed in the order they were opened, so the small one publishes first).
  c.didChange(cfg.mainUri, 2, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'smtpd_helo_required = yes\n' }]);
  c.didOpen(bigUri, 'postfix-main', bigMain, 1);
  await c.waitForDiagnostics(cfg.mainUri, { since, version: 2 });
  // The big configuration's analysis has started (it comes after the small one's in the same re-lint) and has not published.
  assert.equal(c.notifications.slice(since).filter(isBig).length, 0, 'the big configuration published before the small one');

  const hover = await c.request('textDocument/hover', { textDocument: { uri: cfg.mainUri }, position: { line: 1, character: 3 } });
  const answeredHover = c.mark();
  const completion = await c.request('textDocument/completion', { textDocument: { uri: cfg.mainUri }, position: { line: 5, character: 0 } });
  const answeredCompletion = c.mark();
  assert.match(JSON.stringify(hover), /myhostname/);
  assert.ok((completion.items ?? completion).some((i: { label: string }) => i.label === 'myhostname'));
  assert.equal(c.notifications.slice(since, answeredHover).filter(isBig).length, 0, 'hover waited for the slow analysis');
  assert.equal(c.notifications.slice(since, answeredCompletion).filter(isBig).length, 0, 'completion waited for the slow analysis');

  // Still in flight: an edit of the big main.cf supersedes it. Only version 2 is ever published.
  const editedLine = bigMain.split('\n').length - 1;
  c.didChange(bigUri, 2, [{ range: { start: { line: editedLine, character: 0 }, end: { line: editedLine, character: 0 } }, text: 'smtpd_helo_requird = yes\n' }]);
  const sentEdit = c.mark();
  assert.equal(c.notifications.slice(since, sentEdit).filter(isBig).length, 0, 'the big analysis finished before the edit was sent');
  const diagnostics = await c.waitForDiagnostics(bigUri, { since });
  assert.deepEqual(
    c.notifications.slice(since).filter(isBig).map((n) => n.params.version),
    [2],
    'the superseded version was published',
  );
  // The newer text's findings: the misspelt parameter on the edited line.
  assert.ok(
    diagnostics.some((d) => d.range.start.line === editedLine && /smtpd_helo_requird/.test(String(d.message))),
    JSON.stringify(diagnostics.map((d) => `${d.code}@${d.range.start.line}: ${d.message}`)),
  );
});

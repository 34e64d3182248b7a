// Requests before analyses (features/priority.ts), over stdio: a hover and a
// completion asked while a slow analysis is in flight (a configuration naming
// a 200,000-line map, opened cold) are answered before that analysis
// publishes; and an edit arriving meanwhile supersedes it, so what is
// published for the document is the newer version's findings only. The same
// for a hostile main.cf (issue 8's doubling list, a1 = $a0 $a0 ... a17, in a
// restriction list): its relay matrix simulates transactions over 2^17
// restrictions and once ran as one step of seconds; hovers and a completion
// asked while it is analysed are answered before it publishes, and what it
// publishes equals the engine's lint of the same text (what the CLI prints).
// Every proof is an order of messages, never a time.

import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, openConfig, type OpenConfig } from '../helpers/lsp-client';
import { accessMapText } from '../helpers/map-config';
import { diskReader } from '../../server/src/disk/read-file';
import { lintDocument } from '../../server/src/engine/lint';
import { toDiagnostics } from '../../server/src/features/diagnostics';

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
  const map = accessMapText(200_000);
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

/** a0 .. a17, each twice the one before: a restriction list of 2^17 words in a 600-byte main.cf. */
function doublingMain(): { text: string; a17Line: number } {
  const lines = ['compatibility_level = 3.6', 'myhostname = mx.example.test', 'mynetworks = 0.0.0.0/0', 'a0 = permit_sasl_authenticated'];
  for (let i = 1; i <= 17; i++) lines.push(`a${i} = $a${i - 1} $a${i - 1}`);
  const a17Line = lines.length - 1;
  // The outside client walks all 2^17 words in every simulated transaction, then permit_mynetworks lets it relay (PF500).
  lines.push('smtpd_recipient_restrictions = $a17, permit_mynetworks, reject_unauth_destination');
  return { text: `${lines.join('\n')}\n`, a17Line };
}

function essentials(d: Diagnostic[]): string[] {
  return d.map((x) => `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character} ${x.severity} ${x.code} ${x.message}`).sort();
}

test('hover and completion are answered between steps of the relay matrix of a doubling main.cf (2^17 restrictions), and its diagnostics equal the engine lint', async () => {
  const c = cfg.client;
  const dir = join(cfg.dir, 'doubling');
  mkdirSync(dir);
  const { text, a17Line } = doublingMain();
  writeFileSync(join(dir, 'main.cf'), text);
  writeFileSync(join(dir, 'master.cf'), MASTER);
  const uri = fileUri(join(dir, 'main.cf'));
  const isDoubling = (n: { method: string; params: any }) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri;
  // The server names each analysis step in the protocol trace; the relay matrix's are one per simulated transaction.
  const isMatrixStep = (n: { method: string; params: any }) => n.method === '$/logTrace' && /^analysis step: relay matrix /.test(n.params.message);
  c.notify('$/setTrace', { value: 'verbose' });
  const since = c.mark();
  // As in the test above: the small configuration's re-lint publishes first, so the doubling one's has started.
  c.didChange(cfg.mainUri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# doubling\n' }]);
  c.didOpen(uri, 'postfix-main', text, 1);
  await c.waitForDiagnostics(cfg.mainUri, { since, version: 3 });
  // From here on, every analysis step is the doubling configuration's.
  const start = c.notifications.findIndex((n, i) => i >= since && n.method === 'textDocument/publishDiagnostics' && n.params.uri === cfg.mainUri && n.params.version === 3) + 1;
  const published = c.waitForDiagnostics(uri, { since, version: 1 });
  const matrixStepsBefore = (at: number) => c.notifications.slice(start, at).filter(isMatrixStep).length;
  // Wait (on a message) for its first matrix step.
  await c.waitForNotification('$/logTrace', (p: { message: string }) => /^analysis step: relay matrix /.test(p.message), { since: start });

  // Hovers on the doubling main.cf itself (a17 expands to 2.4 MB) and on the small one, and a completion,
  // each asked when the one before is answered, until the doubling analysis publishes.
  const answers: { what: string; at: number }[] = [];
  for (let i = 0; !c.notifications.slice(since).some(isDoubling) && i < 1000; i++) {
    const h = await c.requestInOrder('textDocument/hover', { textDocument: { uri }, position: { line: a17Line, character: 1 } });
    assert.match(JSON.stringify(h.result), /a17/);
    answers.push({ what: 'hover on a17', at: h.at });
    const h2 = await c.requestInOrder('textDocument/hover', { textDocument: { uri: cfg.mainUri }, position: { line: 2, character: 3 } });
    assert.match(JSON.stringify(h2.result), /myhostname/);
    answers.push({ what: 'hover on the small main.cf', at: h2.at });
    const comp = await c.requestInOrder('textDocument/completion', { textDocument: { uri }, position: { line: a17Line + 2, character: 0 } });
    assert.ok((comp.result.items ?? comp.result).some((x: { label: string }) => x.label === 'myhostname'));
    answers.push({ what: 'completion', at: comp.at });
  }
  const diagnostics = await published;
  const matrixSteps = c.notifications.slice(start).filter(isMatrixStep).length;
  const publishedAt = c.notifications.findIndex((n, i) => i >= since && isDoubling(n));
  assert.ok(matrixSteps >= 8, `the matrix ran in ${matrixSteps} steps`);
  // Between two steps of the matrix: after one of its steps was traced and before its last was.
  const inside = answers.filter((a) => matrixStepsBefore(a.at) >= 1 && matrixStepsBefore(a.at) < matrixSteps && a.at <= publishedAt);
  assert.ok(
    ['hover on a17', 'hover on the small main.cf', 'completion'].every((w) => inside.some((a) => a.what === w)),
    `answers between matrix steps: ${JSON.stringify(inside.map((a) => `${a.what} after step ${matrixStepsBefore(a.at)} of ${matrixSteps}`))}`,
  );

  // The same text through the engine in this process (the CLI's lint): the same findings, the matrix's PF500 among them.
  const expected = essentials(lintDocument(join(dir, 'main.cf'), text, diskReader('utf8'), { kind: 'main' }).flatMap(toDiagnostics));
  assert.deepEqual(essentials(diagnostics), expected);
  assert.ok(diagnostics.some((d) => d.code === 'PF500'), JSON.stringify(diagnostics.map((d) => d.code)));
});

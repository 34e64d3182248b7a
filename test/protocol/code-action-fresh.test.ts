// Code actions answer from the shared analysis of the text they are asked
// about (features/codeActions.ts, analysis.ts): asked right after an edit,
// the fix is made on the new text (its edit lands on the line the mistake
// is on now); the analysis runs in steps, so a hover asked after the code
// action is answered first while a slow analysis (a 200,000-line map read
// cold) is under way; and when the document changes again before that
// analysis is done, no fix is offered (one made on older text would edit the
// wrong place). Every proof is an order of messages, never a time.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { openConfigForSuite } from '../helpers/lsp-client';
import { coldAccessMaps } from '../helpers/map-config';

const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
smtpd_helo_requird = yes
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';
const FIX = 'Change to smtpd_helo_required';

let version = 1;
let text = MAIN;
// Two big maps on disk, not open: naming one in main.cf makes the next analysis parse it cold, in many steps.
const cfg = openConfigForSuite({ main: MAIN, master: MASTER, others: coldAccessMaps('big1', 'big2') }, { prefix: 'pf-code-action-fresh-' }, (c) => c.client.waitForDiagnostics(c.mainUri, { version: 1 }));

/** main.cf edited as an editor does: `insert` at the start of `line`. */
function edit(line: number, insert: string): void {
  const lines = text.split('\n');
  lines.splice(line, 0, ...insert.split('\n').slice(0, -1));
  text = lines.join('\n');
  version++;
  cfg.client.didChange(cfg.mainUri, version, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: insert }]);
}

/** The PF103 diagnostic of the misspelt parameter as the client holds it at `line`. */
function misspelt(line: number): Diagnostic {
  return { range: { start: { line, character: 0 }, end: { line, character: 18 } }, severity: 2, code: 'PF103', source: 'postfix', message: 'unused parameter' };
}

function askFix(line: number): Promise<CodeAction[]> {
  return cfg.client.request('textDocument/codeAction', {
    textDocument: { uri: cfg.mainUri },
    range: misspelt(line).range,
    context: { diagnostics: [misspelt(line)], only: ['quickfix'] },
  });
}

function fixLines(actions: CodeAction[]): number[] {
  return actions.filter((a) => a.title === FIX).flatMap((a) => Object.values(a.edit?.changes ?? {}).flat().map((e) => e.range.start.line));
}

test('asked right after an edit, the fix is made on the new text', async () => {
  // Two lines inserted above the mistake: it is on line 4 now, and nothing of it is on line 2.
  edit(0, '# one\n# two\n');
  const now = askFix(4);
  const before = askFix(2);
  assert.deepEqual(fixLines(await now), [4], 'the fix edits the line the mistake is on now');
  assert.deepEqual(fixLines(await before), [], 'a fix for the place of the older text is offered');
  assert.equal(text.split('\n')[4], 'smtpd_helo_requird = yes');
});

test('while a slow analysis runs, a hover asked after the code action is answered first; the fix is for the new text', async () => {
  const c = cfg.client;
  // main.cf now names a 200,000-line map that was never read: the analysis the code action needs parses it in steps.
  edit(1, `smtpd_recipient_restrictions = check_recipient_access hash:${cfg.dir}/big1, reject_unauth_destination\n`);
  const order: string[] = [];
  const action = askFix(5).then((a) => (order.push('codeAction'), a));
  const hover = c.request('textDocument/hover', { textDocument: { uri: cfg.mainUri }, position: { line: 4, character: 3 } }).then((h) => (order.push('hover'), h));
  const [actions, hovered] = await Promise.all([action, hover]);
  assert.match(JSON.stringify(hovered), /myhostname/);
  assert.deepEqual(order, ['hover', 'codeAction'], 'the hover waited for the code action’s analysis');
  assert.deepEqual(fixLines(actions), [5]);
  assert.equal(text.split('\n')[5], 'smtpd_helo_requird = yes');
});

test('an edit that arrives before the analysis is done: no fix is offered for the older text', async () => {
  // Another map never read (a slow analysis again), then a code action, then a line inserted above the mistake.
  edit(1, `smtpd_sender_restrictions = check_sender_access hash:${cfg.dir}/big2\n`);
  const stale = askFix(6);
  edit(0, '# three\n');
  assert.deepEqual(await stale, [], 'a code action of the older version was answered with fixes');
  // Asked again for the text of now: the fix is on the line the mistake moved to.
  assert.equal(text.split('\n')[7], 'smtpd_helo_requird = yes');
  assert.deepEqual(fixLines(await askFix(7)), [7]);
});

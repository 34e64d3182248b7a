// "Harden this configuration" (postfix/harden, codeActions.ts) answers from
// the shared analysis, run in steps (analysis.ts, priority.ts): asked right
// after main.cf comes to name a 200,000-line map never read, its analysis
// parses that map in many steps, and hovers asked meanwhile are answered
// between them, before the hardening edit. The edit is made for the text of
// now (an edit arriving meanwhile has it made again) and equals what the
// CLI's `postfix-lint --fix --diff` makes of the same text on disk. Every
// proof is an order of messages, never a time.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { WorkspaceEdit } from 'vscode-languageserver-protocol';
import { openConfigForSuite } from '../helpers/lsp-client';
import { coldAccessMaps } from '../helpers/map-config';
import { applyEdits } from '../helpers/workspace-edit';
import { fsReader, main } from '../../server/src/cli/main';
import { unifiedDiff } from '../../server/src/cli/recipe';

// Hardening to do that the CLI's --fix does alike: VRFY left on and the default banner (advice); no other
// safe fix (--fix applies those too) and no recipe finding (the editor's harden prefers recipes): the milter
// may judge senders, so own-domain spoofing (PF542, its recipe sender-protection) is not reported.
const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = $myhostname, localhost
mynetworks = 127.0.0.0/8
smtpd_milters = inet:localhost:8891
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

// Two big maps on disk, not open: naming one in main.cf makes the next analysis parse it cold, in many steps.
const cfg = openConfigForSuite({ main: MAIN, master: MASTER, others: coldAccessMaps('big', 'big2') }, { prefix: 'pf-harden-steps-' }, (c) => c.client.waitForDiagnostics(c.mainUri, { version: 1 }));

/** `edit` applied to main.cf's `text` is what `postfix-lint --fix --diff` makes of that text on disk. */
function assertCliFix(text: string, edit: WorkspaceEdit): void {
  const mainCf = join(cfg.dir, 'main.cf');
  writeFileSync(mainCf, text);
  let cli = '';
  assert.equal(main(['--fix', '--diff', cfg.dir], { stdout: (s) => (cli += s), stderr: () => undefined, reader: fsReader }), 0);
  const changes = Object.entries(edit.changes ?? {});
  assert.deepEqual(changes.map(([uri]) => uri), [cfg.mainUri], JSON.stringify(edit));
  assert.ok(!edit.documentChanges?.length, 'no files created');
  const hardened = applyEdits(text, changes[0][1]);
  assert.match(hardened, /^disable_vrfy_command = yes$/m);
  assert.equal(unifiedDiff(mainCf, text, hardened), cli);
}

const isStep = (n: { method: string; params: any }) => n.method === '$/logTrace' && /^analysis step: /.test(n.params.message);

test('hovers are answered between the steps of the hardening computation on a 200,000-line map; the edit equals the CLI --fix', async () => {
  const c = cfg.client;
  c.notify('$/setTrace', { value: 'verbose' });
  const line = `smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:${cfg.dir}/big, reject_unauth_destination\n`;
  const text = MAIN + line;
  const lines = MAIN.split('\n').length - 1;
  const since = c.mark();
  c.didChange(cfg.mainUri, 2, [{ range: { start: { line: lines, character: 0 }, end: { line: lines, character: 0 } }, text: line }]);
  let hardened: { result: WorkspaceEdit; at: number } | undefined;
  const harden = c.requestInOrder<WorkspaceEdit>('postfix/harden', { uri: cfg.mainUri }).then((h) => (hardened = h));
  // The first step of the analysis the request waits on, then hovers one after another until the edit comes.
  await c.waitForNotification('$/logTrace', (p: { message: string }) => /^analysis step: /.test(p.message), { since });
  const hovers: number[] = [];
  for (let i = 0; !hardened && i < 10_000; i++) {
    const h = await c.requestInOrder('textDocument/hover', { textDocument: { uri: cfg.mainUri }, position: { line: 1, character: 3 } });
    assert.match(JSON.stringify(h.result), /myhostname/);
    hovers.push(h.at);
  }
  const { result: edit, at: answered } = await harden;
  const stepsBefore = (at: number) => c.notifications.slice(since, at).filter(isStep).length;
  const steps = stepsBefore(answered);
  assert.ok(steps >= 8, `the hardening analysis ran in ${steps} steps`);
  const between = hovers.filter((at) => at < answered && stepsBefore(at) >= 1 && stepsBefore(at) < steps);
  assert.ok(between.length > 0, `hovers answered after steps ${JSON.stringify(hovers.map(stepsBefore))} of ${steps}; the edit after ${steps}`);

  assertCliFix(text, edit);
});

test('an edit that arrives while the hardening is computed: the edit answered is made for the newer text', async () => {
  const c = cfg.client;
  const lines = MAIN.split('\n').length - 1;
  // Another map never read: the analysis is slow again.
  const line = `smtpd_sender_restrictions = check_sender_access hash:${cfg.dir}/big2\n`;
  const since = c.mark();
  c.didChange(cfg.mainUri, 3, [{ range: { start: { line: lines + 1, character: 0 }, end: { line: lines + 1, character: 0 } }, text: line }]);
  const harden = c.request<WorkspaceEdit>('postfix/harden', { uri: cfg.mainUri });
  await c.waitForNotification('$/logTrace', (p: { message: string }) => /^analysis step: /.test(p.message), { since });
  // Two lines above everything: the hardening insertion of the older text would land two lines too high.
  c.didChange(cfg.mainUri, 4, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# one\n# two\n' }]);
  const edit = await harden;
  const text = `# one\n# two\n${MAIN}smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:${cfg.dir}/big, reject_unauth_destination\n${line}`;
  assertCliFix(text, edit);
});

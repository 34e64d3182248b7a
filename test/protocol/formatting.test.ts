// Document and range formatting through the built server over stdio.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { InitializeResult, TextEdit } from 'vscode-languageserver-protocol';
import { applyLineEdits } from '../../server/src/engine/format';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

let c: LspClient;
let init: InitializeResult;
let dir: string;

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pf-format-'));
  c = LspClient.start();
  init = await c.initialize(fileUri(dir));
});
after(async () => {
  await c?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Applies whole-line edits as the editor would. */
function apply(text: string, edits: TextEdit[]): string {
  for (const e of edits) assert.equal(e.range.start.character, 0);
  return applyLineEdits(text, edits.map((e) => ({ line: e.range.start.line, newText: e.newText, firstLine: 0, lastLine: 0 })));
}

test('capabilities', () => {
  assert.equal(init.capabilities.documentFormattingProvider, true);
  assert.equal(init.capabilities.documentRangeFormattingProvider, true);
});

test('main.cf: document formatting follows the editor indentation; a second pass has nothing to do', async () => {
  const uri = fileUri(join(dir, 'main.cf'));
  const text = 'myhostname=mx.example.com\nsmtpd_recipient_restrictions =\n\tpermit_mynetworks,\n      reject_unauth_destination\n';
  c.didOpen(uri, 'postfix-main', text);
  const edits = await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  const out = apply(text, edits);
  assert.equal(out, 'myhostname = mx.example.com\nsmtpd_recipient_restrictions =\n  permit_mynetworks,\n  reject_unauth_destination\n');
  c.didClose(uri);
  c.didOpen(uri, 'postfix-main', out, 2);
  assert.deepEqual(await c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
  c.didClose(uri);
});

test('master.cf: range formatting touches only the services in the range', async () => {
  const uri = fileUri(join(dir, 'master.cf'));
  const text = 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n    -o syslog_name=postfix/submission\n';
  c.didOpen(uri, 'postfix-master', text);
  const edits = await c.request<TextEdit[]>('textDocument/rangeFormatting', {
    textDocument: { uri },
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } },
    options: { tabSize: 4, insertSpaces: true },
  });
  assert.equal(apply(text, edits), 'smtp inet n - y - - smtpd\nsubmission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n');
  c.didClose(uri);
});

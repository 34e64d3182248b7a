// Document and range formatting through the built server over stdio.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TextEdit } from 'vscode-languageserver-protocol';
import { applyLineEdits } from '../../server/src/engine/format';
import { fileUri, serverForSuite } from '../helpers/lsp-client';

const server = serverForSuite('pf-format-');

/** Applies whole-line edits as the editor would. */
function apply(text: string, edits: TextEdit[]): string {
  for (const e of edits) assert.equal(e.range.start.character, 0);
  return applyLineEdits(text, edits.map((e) => ({ line: e.range.start.line, newText: e.newText, firstLine: 0, lastLine: 0 })));
}

test('capabilities', () => {
  assert.equal(server.init.capabilities.documentFormattingProvider, true);
  assert.equal(server.init.capabilities.documentRangeFormattingProvider, true);
});

test('main.cf: document formatting follows the editor indentation; a second pass has nothing to do', async () => {
  const uri = fileUri(join(server.dir, 'main.cf'));
  const text = 'myhostname=mx.example.com\nsmtpd_recipient_restrictions =\n\tpermit_mynetworks,\n      reject_unauth_destination\n';
  server.client.didOpen(uri, 'postfix-main', text);
  const edits = await server.client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  const out = apply(text, edits);
  assert.equal(out, 'myhostname = mx.example.com\nsmtpd_recipient_restrictions =\n  permit_mynetworks,\n  reject_unauth_destination\n');
  server.client.didClose(uri);
  server.client.didOpen(uri, 'postfix-main', out, 2);
  assert.deepEqual(await server.client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
  server.client.didClose(uri);
});

test('master.cf: range formatting touches only the services in the range', async () => {
  const uri = fileUri(join(server.dir, 'master.cf'));
  const text = 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n    -o syslog_name=postfix/submission\n';
  server.client.didOpen(uri, 'postfix-master', text);
  const edits = await server.client.request<TextEdit[]>('textDocument/rangeFormatting', {
    textDocument: { uri },
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } },
    options: { tabSize: 4, insertSpaces: true },
  });
  assert.equal(apply(text, edits), 'smtp inet n - y - - smtpd\nsubmission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n');
  server.client.didClose(uri);
});

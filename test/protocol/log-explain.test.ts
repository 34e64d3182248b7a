// "Why?" on a Postfix log over stdio: a postfix-log document gets a code lens
// on each access decision smtpd logged and each warning line (and on nothing
// else), resolving one
// explains it against the workspace's configuration, and the server's
// command answers with the whole explanation, the same as
// `postfix-lint explain` gives for that line, and so does hover on the line.
// The log itself is never linted.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeLens, Hover } from 'vscode-languageserver-protocol';
import { repoDir } from '../helpers/env';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const COMMAND = 'postfix.server.explainLogLine';

const MAIN = [
  'compatibility_level = 3.6',
  'myhostname = mx.example.org',
  'mydestination = example.org',
  'mynetworks = 127.0.0.0/8',
  'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
  'smtpd_helo_restrictions = permit, reject_non_fqdn_helo_hostname',
  '',
].join('\n');
const MASTER = 'smtp      inet  n       -       n       -       -       smtpd\n';

const LOG = [
  'Dec  2 16:10:53 mx postfix/smtpd[1234]: connect from unknown[192.0.2.1]',
  'Dec  2 16:10:54 mx postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=ESMTP helo=<spam.example>',
  'Dec  2 16:10:55 mx postfix/smtpd[1234]: warning: hostname spam.example does not resolve to address 192.0.2.1',
  'Dec  2 16:10:56 mx postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]; from=<a@example.org> to=<u@example.org> proto=ESMTP helo=<spam.example>',
  'Dec  2 16:10:57 mx postfix/smtpd[1234]: disconnect from unknown[192.0.2.1] ehlo=1 mail=1 rcpt=0/2 quit=1 commands=3/5',
  "Dec  2 16:10:58 mx postfix/smtpd[1234]: warning: restriction `reject_non_fqdn_helo_hostname' after `permit' is ignored",
  '',
].join('\n');

let ws: string;

function config(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.cf'), MAIN);
  writeFileSync(join(dir, 'master.cf'), MASTER);
}

before(() => {
  ensureBuilt();
  ws = mkdtempSync(join(tmpdir(), 'pf-log-'));
  config(join(ws, 'one', 'etc', 'postfix'));
  mkdirSync(join(ws, 'one', 'var', 'log'), { recursive: true });
  writeFileSync(join(ws, 'one', 'var', 'log', 'mail.log'), LOG);
  config(join(ws, 'two', 'a'));
  config(join(ws, 'two', 'b'));
  writeFileSync(join(ws, 'two', 'mail.log'), LOG);
});

after(() => rmSync(ws, { recursive: true, force: true }));

describe('a mail.log in a workspace with one configuration', () => {
  let c: LspClient;
  const logUri = () => fileUri(join(ws, 'one', 'var', 'log', 'mail.log'));
  let lenses: CodeLens[];
  before(async () => {
    c = LspClient.start();
    const init = await c.initialize(fileUri(join(ws, 'one')));
    assert.ok(init.capabilities.executeCommandProvider?.commands.includes(COMMAND));
    assert.equal(init.capabilities.codeLensProvider?.resolveProvider, true);
    c.didOpen(logUri(), 'postfix-log', LOG, 1);
  });
  after(() => c.dispose());

  test('a lens on each access decision and warning line, none on connect or disconnect lines', async () => {
    lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: logUri() } });
    assert.deepEqual(
      lenses.map((l) => l.range.start.line),
      [1, 2, 3, 5],
    );
    assert.ok(lenses.every((l) => l.command === undefined), 'explained lazily, on resolve');
  });

  test('resolving the relay reject names reject_unauth_destination at its main.cf line', async () => {
    const lens = await c.request<CodeLens>('codeLens/resolve', lenses[0]);
    assert.equal(lens.command?.command, COMMAND);
    assert.match(lens.command!.title, /^Why\? reject_unauth_destination in smtpd_relay_restrictions \(main\.cf:5\)$/);
    assert.deepEqual(lens.command!.arguments, [{ uri: logUri(), line: 1 }]);
  });

  test('a reject today\'s configuration would not give is said to be not reproduced', async () => {
    const lens = await c.request<CodeLens>('codeLens/resolve', lenses[2]);
    assert.match(lens.command!.title, /^Why\? today's configuration answers /);
  });

  test('a DNS warning is said not to come from the configuration; a skipped restriction points at its finding', async () => {
    const dns = await c.request<CodeLens>('codeLens/resolve', lenses[1]);
    assert.equal(dns.command!.title, 'Why? not from the configuration: dns');
    const skipped = await c.request<CodeLens>('codeLens/resolve', lenses[3]);
    assert.equal(skipped.command!.title, 'Why? configuration: PF401 (main.cf:6)');
    const r = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 5 }] });
    assert.match(r.markdown, /^\*\*From the configuration\*\*: warning from postfix\/smtpd/);
    assert.match(r.markdown, /\*\*Finding:\*\* PF401 at \[main\.cf:6\]\(file:\/\/[^)]*main\.cf#L6\)/);
    assert.equal(r.warning.kind, 'restriction-ignored');
  });

  test('the command answers with the explanation, as postfix-lint explain gives it', async () => {
    const r = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 1 }] });
    assert.equal(r.configDir, join(ws, 'one', 'etc', 'postfix'));
    assert.match(r.markdown, /^\*\*Explained\*\*: reject RCPT from unknown\\\[192\.0\.2\.1\\\]/);
    assert.match(r.markdown, /\*\*Restriction:\*\* reject_unauth_destination in smtpd_relay_restrictions at \[main\.cf:5\]\(file:\/\/[^)]*main\.cf#L5\)/);
    const cli = spawnSync(process.execPath, [join(repoDir, 'dist/cli.js'), 'explain', '-c', r.configDir, '--format', 'json', join(ws, 'one', 'var', 'log', 'mail.log')], { encoding: 'utf8' });
    const json = JSON.parse(cli.stdout);
    const fromCli = json.explanations;
    const warned = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 5 }] });
    assert.deepEqual(
      json.warnings.map((w: { warning: { line: number }; kind: string; findings: { code: string; line: number }[] }) => [w.warning.line, w.kind, w.findings.map((f) => `${f.code}:${f.line}`)]),
      [
        [2, 'hostname-address-mismatch', []],
        [5, warned.warning.kind, warned.warning.findings.map((f: { code: string; line: number }) => `${f.code}:${f.line}`)],
      ],
    );
    assert.deepEqual(
      fromCli.map((x: { event: { line: number }; status: string; decisive?: { restriction: string } }) => [x.event.line, x.status, x.decisive?.restriction]),
      [
        [1, r.explanation.status, r.explanation.decisive.restriction],
        [3, 'changed', undefined],
      ],
    );
  });

  test('a line that is not a decision or a warning, and a document that is not an open log, are refused with a reason', async () => {
    const notDecision = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 0 }] });
    assert.match(notDecision.error, /neither an access decision .* nor a warning/);
    const garbage = await c.request('workspace/executeCommand', { command: COMMAND, arguments: ['x'] });
    assert.match(garbage.error, /expected \{ uri, line \}/);
  });

  test('the log is not linted as a lookup table', async () => {
    // The next open document is analysed in the same pass as the log would be: its diagnostics come after.
    const since = c.mark();
    const main = fileUri(join(ws, 'one', 'etc', 'postfix', 'main.cf'));
    c.didOpen(main, 'postfix-main', MAIN, 1);
    await c.waitForDiagnostics(main, { since, version: 1 });
    assert.ok(!c.notifications.some((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === logUri()));
    // No lookup-table hover on the log either: only the explanation of decisions (next test).
    const hover = await c.request('textDocument/hover', { textDocument: { uri: logUri() }, position: { line: 0, character: 50 } });
    assert.equal(hover, null);
  });

  test('hover on a logged decision explains it, as the lens command does; other lines get none', async () => {
    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri: logUri() }, position: { line: 1, character: 50 } });
    const r = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 1 }] });
    assert.deepEqual(hover.contents, { kind: 'markdown', value: r.markdown });
    assert.match(r.markdown, /reject_unauth_destination in smtpd_relay_restrictions at \[main\.cf:5\]/);
    assert.deepEqual(hover.range, { start: { line: 1, character: 0 }, end: { line: 1, character: LOG.split('\n')[1].length } });
    const changed = await c.request<Hover>('textDocument/hover', { textDocument: { uri: logUri() }, position: { line: 3, character: 0 } });
    assert.match((changed.contents as { value: string }).value, /^\*\*Not reproduced by today's configuration\*\*/);
    const warning = await c.request<Hover>('textDocument/hover', { textDocument: { uri: logUri() }, position: { line: 2, character: 0 } });
    assert.match((warning.contents as { value: string }).value, /^\*\*Not from the configuration: DNS\*\*: warning from postfix\/smtpd/);
    for (const line of [0, 4, 99]) {
      assert.equal(await c.request('textDocument/hover', { textDocument: { uri: logUri() }, position: { line, character: 5 } }), null, `line ${line}`);
    }
  });
});

describe('a workspace with several configurations', () => {
  let c: LspClient;
  let dir = '';
  const logUri = () => fileUri(join(ws, 'two', 'mail.log'));
  before(async () => {
    c = LspClient.start({ onServerRequest: (method) => (method === 'workspace/configuration' ? [{ logConfigDirectory: dir }] : null) });
    await c.initialize(fileUri(join(ws, 'two')), { workspace: { configuration: true } });
    c.didOpen(logUri(), 'postfix-log', LOG, 1);
  });
  after(() => c.dispose());

  test('without postfix.logConfigDirectory the answer says to set it', async () => {
    const r = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 1 }] });
    assert.match(r.error, /2 configuration directories in the workspace \(a, b\): set postfix\.logConfigDirectory/);
  });

  test('hover says why it cannot explain', async () => {
    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri: logUri() }, position: { line: 1, character: 0 } });
    assert.match((hover.contents as { value: string }).value, /^\*\*Why\?\*\* Cannot explain this line: 2 configuration directories in the workspace \\\(a, b\\\): set postfix\.logConfigDirectory/);
  });

  test('with it (relative to the workspace folder) the line is explained against that directory', async () => {
    dir = 'b';
    const since = c.mark();
    c.notify('workspace/didChangeConfiguration', { settings: null });
    await c.waitForNotification('window/logMessage', (m) => /target Postfix version/.test(m.message), { since });
    const r = await c.request('workspace/executeCommand', { command: COMMAND, arguments: [{ uri: logUri(), line: 1 }] });
    assert.equal(r.configDir, join(ws, 'two', 'b'));
    assert.equal(r.explanation.status, 'explained');
  });
});

// Code lens through the built server over stdio: "Simulate" and "Relay
// matrix" on each smtpd service of master.cf and each restriction list, with
// arguments the server's own simulator requests accept (the client's commands
// pass them on: client/src/simulate.ts).

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { openConfigForSuite } from '../helpers/lsp-client';

const MAIN = [
  'myhostname = mx.example.com',
  'smtpd_restriction_classes = strict',
  'strict = reject_unknown_sender_domain',
  'smtpd_recipient_restrictions = permit_mynetworks, reject',
  'smtpd_recipient_restrictions = permit_mynetworks, strict, reject_unauth_destination',
  'mynetworks = 127.0.0.0/8',
  '',
].join('\n');

const MASTER = [
  'smtp      inet  n       -       n       -       1       postscreen',
  'smtpd     pass  -       -       n       -       -       smtpd',
  'submission inet n       -       n       -       -       smtpd',
  '  -o smtpd_client_restrictions=permit_sasl_authenticated,reject',
  '  -o smtpd_tls_security_level=encrypt',
  'pickup    unix  n       -       n       60      1       pickup',
  'relay     unix  -       -       n       -       -       smtp',
  '',
].join('\n');

describe('code lens over stdio', () => {

  const cfg = openConfigForSuite({ main: MAIN, master: MASTER }, { prefix: 'pf-lens-' });

  const lenses = (uri: string) => cfg.client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const summary = (ls: CodeLens[]) => ls.map((l) => [l.range.start.line, l.command?.title, l.command?.command]);

  test('capability', () => {
    // resolve is for the "Why?" lenses of logs (logExplain.ts); these come with their commands.
    assert.deepEqual(cfg.init.capabilities.codeLensProvider, { resolveProvider: true });
  });

  test('master.cf: smtpd services that take connections and their -o restriction lists; nothing on postscreen, pickup, smtp', async () => {
    const got = await lenses(cfg.masterUri);
    assert.deepEqual(summary(got), [
      [1, 'Simulate', 'postfix.simulate'],
      [1, 'Relay matrix', 'postfix.relayMatrix'],
      [2, 'Simulate', 'postfix.simulate'],
      [2, 'Relay matrix', 'postfix.relayMatrix'],
      [3, 'Simulate', 'postfix.simulate'],
      [3, 'Relay matrix', 'postfix.relayMatrix'],
    ]);
    assert.deepEqual(got[2].command?.arguments, [cfg.masterUri, { service: 'submission' }]);
    assert.deepEqual(got[4].command?.arguments, [cfg.masterUri, { service: 'submission' }]);
    assert.deepEqual(got[0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } });
  });

  test('main.cf: the restriction list that wins and the class definition; not the overridden line', async () => {
    assert.deepEqual(
      summary(await lenses(cfg.mainUri)).map(([line, title]) => [line, title]),
      [
        [2, 'Simulate'],
        [2, 'Relay matrix'],
        [4, 'Simulate'],
        [4, 'Relay matrix'],
      ],
    );
  });

  test("the lens arguments drive the server's simulator requests", async () => {
    const [simulate, matrix] = (await lenses(cfg.masterUri)).slice(2, 4);
    const [uri, preset] = simulate.command!.arguments as [string, { service: string }];
    const services = await cfg.client.request<{ services: { name: string }[] }>('postfix/smtpdServices', { uri });
    assert.ok(services.services.some((s) => s.name === preset.service), JSON.stringify(services));
    const sim = await cfg.client.request<{ verdict: string; service?: string }>('postfix/simulate', {
      uri,
      transaction: { service: preset.service, client: { address: '203.0.113.5' }, helo: 'outside.example', sender: 'a@outside.example', recipients: ['b@elsewhere.example'] },
    });
    // submission without a login: permit_sasl_authenticated does not match, then reject.
    assert.equal(sim.verdict, 'reject', JSON.stringify(sim).slice(0, 400));
    const m = await cfg.client.request<{ openRelay: boolean; services: string[] }>('postfix/relayMatrix', { uri: matrix.command!.arguments![0] });
    assert.equal(m.openRelay, false);
    assert.ok(m.services.length >= 2, JSON.stringify(m.services));
  });

  test('edits move the lenses; garbage params answer null', async () => {
    cfg.client.didChange(cfg.masterUri, 2, [{ text: `# comment\n${MASTER}` }]);
    assert.deepEqual(summary(await lenses(cfg.masterUri)).map(([line]) => line), [2, 2, 3, 3, 4, 4]);
    assert.equal(await cfg.client.request('textDocument/codeLens', { textDocument: { uri: 7 } }), null);
    assert.deepEqual(summary(await lenses(cfg.mainUri)).length, 4);
  });
});

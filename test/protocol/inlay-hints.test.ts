// Inlay hints through the built server over stdio: expansions after $names
// (per service in master.cf), `-` columns, the main.cf value an -o replaces,
// truncation, the visible range, and the postfix.inlayHints.expandedValues setting.

import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { openConfigForSuite } from '../helpers/lsp-client';

const LONG = Array.from({ length: 12 }, (_, i) => `198.51.100.${i}`).join(' ');

const MAIN = [
  'compatibility_level = 3.6',
  'default_process_limit = 50',
  'office_net = 192.0.2.0/24',
  `partners = ${LONG}`,
  'mynetworks = 127.0.0.0/8, $office_net, ${partners}',
  'smtpd_client_restrictions = permit_mynetworks, reject',
  'relay_label = ${office_net?lan} $(undefined_name)',
  '',
].join('\n');

const MASTER = [
  'smtp      inet  n       -       n       -       -       smtpd',
  'submission inet n       -       y       -       10      smtpd',
  '  -o office_net=10.0.0.0/8',
  '  -o syslog_name=postfix/$office_net',
  '  -o smtpd_client_restrictions=permit_sasl_authenticated,reject',
  '  -o smtpd_tls_security_level=encrypt',
  '',
].join('\n');

describe('inlay hints over stdio', () => {

  const cfg = openConfigForSuite({ main: MAIN, master: MASTER }, { prefix: 'pf-hints-' });

  const whole = { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } };
  const hints = (uri: string, range = whole) => cfg.client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
  const brief = (hs: InlayHint[]) => hs.map((h) => `${h.position.line}:${h.position.character} ${h.label}`);

  test('capability', () => {
    assert.deepEqual(cfg.init.capabilities.inlayHintProvider, { resolveProvider: false });
  });

  test('main.cf: the expansion after each reference, every form, long values truncated', async () => {
    const got = await hints(cfg.mainUri);
    const line4 = MAIN.split('\n')[4];
    assert.deepEqual(brief(got), [
      `4:${line4.indexOf('$office_net') + '$office_net'.length} = 192.0.2.0/24`,
      `4:${line4.length} = 198.51.100.0 198.51.100.1 198.5…`,
      `6:${'relay_label = ${office_net?lan}'.length} = lan`,
      `6:${MAIN.split('\n')[6].length} = ""`,
    ]);
    assert.ok(got.every((h) => typeof h.label === 'string' && h.label.length <= 34));
    // The tooltip has the whole value.
    assert.ok(String(got[1].tooltip).includes(LONG), String(got[1].tooltip));
  });

  test('master.cf: - columns, the value an -o replaces, $name expanded for that service', async () => {
    const got = brief(await hints(cfg.masterUri));
    const l0 = MASTER.split('\n')[0];
    const col = (line: string, n: number) => {
      const words = [...line.matchAll(/\S+/g)];
      return words[n].index! + words[n][0].length;
    };
    assert.deepEqual(got, [
      // smtp: unpriv -, wakeup -, maxproc - (chroot n is written)
      `0:${col(l0, 3)} =y`,
      `0:${col(l0, 5)} =0`,
      `0:${col(l0, 6)} =50`,
      `1:${col(MASTER.split('\n')[1], 3)} =y`,
      `1:${col(MASTER.split('\n')[1], 5)} =0`,
      `2:${MASTER.split('\n')[2].length} main.cf: 192.0.2.0/24`,
      // submission's own -o office_net wins for its $office_net
      `3:${MASTER.split('\n')[3].length} = 10.0.0.0/8`,
      got[7],
      `4:${MASTER.split('\n')[4].length} main.cf: permit_mynetworks, reject`,
      `5:${MASTER.split('\n')[5].length} default: ""`,
    ]);
    assert.match(got[7], /^3:\d+ default: /);
  });

  test('chroot - follows compatibility_level', async () => {
    const text = MASTER.replace('smtp      inet  n       -       n', 'smtp      inet  n       -       -');
    cfg.client.didChange(cfg.masterUri, 2, [{ text }]);
    assert.ok(brief(await hints(cfg.masterUri)).includes(`0:${text.split('\n')[0].indexOf('-       -       -') + 9} =n`));
    const main0 = MAIN.replace('compatibility_level = 3.6', 'compatibility_level = 0');
    cfg.client.didChange(cfg.mainUri, 2, [{ text: main0 }]);
    assert.ok(brief(await hints(cfg.masterUri)).includes(`0:${text.split('\n')[0].indexOf('-       -       -') + 9} =y`));
    cfg.client.didChange(cfg.mainUri, 3, [{ text: MAIN }]);
    cfg.client.didChange(cfg.masterUri, 3, [{ text: MASTER }]);
  });

  test('only the requested range', async () => {
    const got = await hints(cfg.mainUri, { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } });
    assert.deepEqual(got.map((h) => h.position.line), [6, 6]);
  });

  test('postfix.inlayHints.expandedValues = false turns the $name hints off, the master.cf ones stay', async () => {
    cfg.client.notify('workspace/didChangeConfiguration', { settings: { postfix: { inlayHints: { expandedValues: false } } } });
    // The notification is handled before the next request (one connection, in order).
    assert.deepEqual(await hints(cfg.mainUri), []);
    const master = brief(await hints(cfg.masterUri));
    assert.ok(!master.some((h) => h.includes('= 10.0.0.0/8')), master.join('\n'));
    assert.ok(master.some((h) => h.includes('main.cf: 192.0.2.0/24')), master.join('\n'));
    cfg.client.notify('workspace/didChangeConfiguration', { settings: { postfix: { inlayHints: { expandedValues: true } } } });
    assert.equal((await hints(cfg.mainUri)).length, 4);
  });

  test('garbage params answer null', async () => {
    assert.equal(await cfg.client.request('textDocument/inlayHint', { textDocument: { uri: 3 } }), null);
    assert.ok((await cfg.client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: cfg.mainUri }, range: 'x' })).length > 0);
  });
});

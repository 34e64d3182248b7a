// Semantic tokens through the built server over stdio: the legend, and each
// kind of token decoded back to (text, type, modifiers) on a configuration
// that has one of each.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { SemanticTokens, SemanticTokensDelta, SemanticTokensLegend } from 'vscode-languageserver-protocol';
import { fileUri, openConfigForSuite } from '../helpers/lsp-client';

const MAIN = [
  'myhostname = mx.example.com',
  'myhostname = mail.example.com',
  '  # a comment between',
  'smtpd_restriction_classes = strict',
  'strict = reject_unknown_sender_domain',
  'office_net = 192.0.2.0/24',
  'mynetworks = 127.0.0.0/8, $office_net',
  'mynetworks_style = host',
  'smtpd_tls_loglevel = 1',
  'disable_dns_lookups = no',
  'smtpd_recipient_restrictions = permit_mynetworks, permit_mx_backup, strict, reject, reject_unauth_destination, check_client_access hash:/etc/postfix/x',
  'smtpd_banner = $myhostname $no_such_thing $mail_name',
  'smtpd_tls_security_levl = may',
  '',
].join('\n');

const MASTER = [
  'smtp      inet  n       -       n       -       -       smtpd',
  'submission inet n       -       n       -       -       smtpd',
  '  -o smtpd_client_restrictions=strict',
  '  -o smtpd_client_restrictions=permit_sasl_authenticated,reject,permit',
  '  -o syslog_name=postfix/$office_net',
  '  -o smtpd_tls_securty_level=encrypt',
  '',
].join('\n');

interface Decoded {
  text: string;
  line: number;
  type: string;
  modifiers: string[];
}

function decode(text: string, tokens: SemanticTokens, legend: SemanticTokensLegend): Decoded[] {
  const lines = text.split('\n');
  const out: Decoded[] = [];
  let line = 0;
  let character = 0;
  const d = tokens.data;
  assert.equal(d.length % 5, 0);
  for (let i = 0; i < d.length; i += 5) {
    line += d[i];
    character = d[i] === 0 ? character + d[i + 1] : d[i + 1];
    const modifiers = legend.tokenModifiers.filter((_, bit) => d[i + 4] & (1 << bit));
    out.push({ text: lines[line].slice(character, character + d[i + 2]), line, type: legend.tokenTypes[d[i + 3]], modifiers });
  }
  return out;
}

describe('semantic tokens over stdio', () => {
  let legend: SemanticTokensLegend;

  const cfg = openConfigForSuite({ main: MAIN, master: MASTER }, { prefix: 'pf-sem-', settings: { postfix: { version: '3.9' } } }, (c) => {
    legend = (c.init.capabilities.semanticTokensProvider as { legend: SemanticTokensLegend }).legend;
  });

  const tokens = async (uri: string, text: string) => decode(text, await cfg.client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } }), legend);
  const brief = (ts: Decoded[]) => ts.map((t) => `${t.line} ${t.text} ${t.type}${t.modifiers.map((m) => `.${m}`).join('')}`);

  test('capability and legend', () => {
    const p = cfg.init.capabilities.semanticTokensProvider as { full: { delta: boolean }; range: boolean };
    assert.deepEqual(p.full, { delta: true });
    assert.ok(legend.tokenTypes.includes('unknownParameter') && legend.tokenTypes.includes('unreachableRestriction'));
    assert.deepEqual(legend.tokenModifiers, ['declaration', 'deprecated']);
  });

  test('main.cf: every kind the grammar cannot know, nothing on built-in names in good standing', async () => {
    assert.deepEqual(brief(await tokens(cfg.mainUri, MAIN)), [
      '0 myhostname overriddenSetting',
      '0 mx.example.com overriddenSetting',
      '3 strict class',
      '4 strict class.declaration',
      '5 office_net variable.declaration',
      '6 office_net variable',
      '9 disable_dns_lookups property.declaration.deprecated',
      '10 permit_mx_backup property.deprecated',
      '10 strict class',
      '10 reject_unauth_destination unreachableRestriction',
      '10 check_client_access unreachableRestriction',
      '10 hash:/etc/postfix/x unreachableRestriction',
      '11 no_such_thing undefinedReference',
      '12 smtpd_tls_security_levl unknownParameter',
    ]);
  });

  test('master.cf: overridden -o, unreachable words, user-defined $ref, unknown -o name', async () => {
    assert.deepEqual(brief(await tokens(cfg.masterUri, MASTER)), [
      '2 -o smtpd_client_restrictions=strict overriddenSetting',
      '3 permit unreachableRestriction',
      '4 office_net variable',
      '5 smtpd_tls_securty_level unknownParameter',
    ]);
  });

  test('tokens follow edits: the override removed, the first myhostname is live again', async () => {
    const edited = MAIN.replace('myhostname = mail.example.com\n', '');
    cfg.client.didChange(cfg.mainUri, 2, [{ text: edited }]);
    const got = brief(await tokens(cfg.mainUri, edited));
    assert.ok(!got.some((t) => t.includes('overriddenSetting')), got.join('\n'));
    cfg.client.didChange(cfg.mainUri, 3, [{ text: MAIN }]);
  });

  test('after an edit, full/delta gives the change since the last result, which applied gives the tokens whole', async () => {
    const first = await cfg.client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: cfg.mainUri } });
    assert.ok(first.resultId, 'a result id to ask a delta against');
    // A line inserted at the top: every token moves a line down, which the relative encoding says once.
    const edited = `# a new first line\n${MAIN}`;
    cfg.client.didChange(cfg.mainUri, 4, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a new first line\n' }]);
    const delta = await cfg.client.request<SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { textDocument: { uri: cfg.mainUri }, previousResultId: first.resultId });
    assert.ok(delta.edits && delta.resultId && delta.resultId !== first.resultId, JSON.stringify(delta));
    assert.equal(delta.edits.length, 1);
    assert.ok(delta.edits[0].data!.length <= 5, `a small change: ${JSON.stringify(delta.edits)}`);
    const applied = [...first.data];
    for (const e of [...delta.edits].reverse()) applied.splice(e.start, e.deleteCount, ...(e.data ?? []));
    const whole = await cfg.client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: cfg.mainUri } });
    assert.deepEqual(applied, whole.data);
    assert.deepEqual(brief(decode(edited, whole, legend))[0], '1 myhostname overriddenSetting');
    // Against a result we no longer keep: the tokens whole.
    const stale = await cfg.client.request<SemanticTokens>('textDocument/semanticTokens/full/delta', { textDocument: { uri: cfg.mainUri }, previousResultId: first.resultId });
    assert.deepEqual(stale.data, whole.data);
    cfg.client.didChange(cfg.mainUri, 5, [{ text: MAIN }]);
  });

  test('a lookup table and garbage params get no tokens; the server lives on', async () => {
    const tableUri = fileUri(join(cfg.dir, 'access'));
    cfg.client.didOpen(tableUri, 'postfix-map', 'example.com REJECT\n');
    assert.deepEqual(await cfg.client.request('textDocument/semanticTokens/full', { textDocument: { uri: tableUri } }), { data: [] });
    assert.deepEqual(await cfg.client.request('textDocument/semanticTokens/full', { textDocument: null }), { data: [] });
    assert.ok((await tokens(cfg.mainUri, MAIN)).length > 0);
  });
});

// Completion through the real server (dist/server.js --stdio): fixtures with
// a `|` cursor marker, the seed recipes, and every restriction list of the
// corpus configurations (main.cf and master.cf -o), which must be offered
// only restrictions that work at the list's stage.

import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, CompletionList, InitializeResult } from 'vscode-languageserver-protocol';
import { restrictionInfo, RestrictionStage } from '../../server/src/engine/catalog/docs';
import { effectiveValue, loadConfig } from '../../server/src/engine/config';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { restrictionListStages } from '../../server/src/engine/assist/model';
import { completeAt } from '../../server/src/engine/assist';
import { ensureBuilt, fileUri, LspClient, withCursor } from '../helpers/lsp-client';
import { configDirIn, CORPUS, CORPUS_CONFIGS } from '../helpers/corpus';
import { fsReader } from '../../server/src/cli/main';

let tmp: string;
let version = '3.12';
let c: LspClient;
let init: InitializeResult;
let docVersion = 1;

const configDir = (name: string, files: Record<string, string>) => configDirIn(tmp, name, files);

/** Opens `marked` (cursor at `|`) as `file` in `dir` and asks for completion there. */
async function completeIn(dir: string, file: string, marked: string, languageId = 'postfix-main'): Promise<CompletionItem[]> {
  return (await completeListIn(dir, file, marked, languageId)).items;
}

/** completeIn, the whole answer (a bare array of items reads as a complete list). */
async function completeListIn(dir: string, file: string, marked: string, languageId = 'postfix-main'): Promise<CompletionList> {
  const { text, position } = withCursor(marked);
  const path = join(dir, file);
  writeFileSync(path, text);
  const uri = fileUri(path);
  c.didOpen(uri, languageId, text, docVersion++);
  const result = await c.request<CompletionList | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position });
  c.didClose(uri);
  assert.ok(result, 'completion answered null');
  return Array.isArray(result) ? { isIncomplete: false, items: result } : result;
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
function find(items: CompletionItem[], label: string): CompletionItem {
  const i = items.find((x) => x.label === label);
  assert.ok(i, `no ${label} among ${labels(items).slice(0, 40).join(', ')}`);
  return i;
}

before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-completion-'));
  c = LspClient.start({
    onServerRequest: (method, params) => (method === 'workspace/configuration' ? params.items.map(() => ({ version })) : null),
  });
  init = await c.initialize(fileUri(tmp), {
    workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
    textDocument: { completion: { completionItem: { snippetSupport: true, resolveSupport: { properties: ['documentation'] } } } },
  });
});

after(async () => {
  await c.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('completion over stdio', () => {
  test('initialize announces completion with resolve and trigger characters', () => {
    const cp = init.capabilities.completionProvider;
    assert.equal(cp?.resolveProvider, true);
    for (const ch of ['$', ':', '=', ',', ' ']) assert.ok(cp?.triggerCharacters?.includes(ch), ch);
  });

  test('smtpd_relay_restrictions = permit_my|networks: the item, its edit, and docs only on resolve with sort/filter unchanged', async () => {
    const dir = configDir('basic', {});
    const marked = 'smtpd_relay_restrictions = permit_my|networks';
    const items = await completeIn(dir, 'main.cf', marked);
    const item = find(items, 'permit_mynetworks');
    const { position } = withCursor(marked);
    const edit = item.textEdit as { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
    assert.equal(edit.newText, 'permit_mynetworks');
    assert.deepEqual(edit.range.start, { line: 0, character: position.character - 'permit_my'.length });
    assert.equal(edit.range.end.character, marked.length - 1, 'the whole word is replaced');
    assert.equal(item.documentation, undefined, 'no docs before resolve');
    assert.ok(!items.some((i) => i.documentation), 'no item carries docs in the list');
    const resolved = await c.request<CompletionItem>('completionItem/resolve', item);
    assert.match((resolved.documentation as { value: string }).value, /\*\*permit_mynetworks\*\* · smtpd restriction/);
    for (const key of ['label', 'sortText', 'filterText', 'textEdit', 'kind', 'insertTextFormat'] as const) {
      assert.deepEqual(resolved[key], item[key], `${key} changed on resolve`);
    }
  });

  test('clients that take itemDefaults.editRange get the shared range once, and resolve still works', async () => {
    const dir = configDir('defaults', {});
    const marked = 'myhostname = mx.example\nsmtpd_tls_sec|';
    const { text, position } = withCursor(marked);
    writeFileSync(join(dir, 'main.cf'), text);
    const d = LspClient.start();
    try {
      await d.initialize(fileUri(dir), { textDocument: { completion: { completionList: { itemDefaults: ['editRange', 'data'] } } } });
      const uri = fileUri(join(dir, 'main.cf'));
      d.didOpen(uri, 'postfix-main', text);
      const list = await d.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position });
      assert.deepEqual(list.itemDefaults?.editRange, { start: { line: 1, character: position.character - 'smtpd_tls_sec'.length }, end: position });
      const item = find(list.items, 'smtpd_tls_security_level');
      assert.equal(item.textEdit, undefined);
      assert.equal(item.textEditText, 'smtpd_tls_security_level = ');
      // As a client sends it back: with the list's default data applied.
      const resolved = await d.request<CompletionItem>('completionItem/resolve', { ...item, data: item.data ?? list.itemDefaults?.data });
      assert.match((resolved.documentation as { value: string }).value, /smtpd_tls_security_level/);
      const full = await completeIn(dir, 'main.cf', marked);
      assert.equal(full.length, list.items.length);
      const ratio = JSON.stringify(list).length / JSON.stringify(full).length;
      assert.ok(ratio < 0.75, `the shared range should save over a quarter of the answer, saved ${Math.round((1 - ratio) * 100)}%`);
    } finally {
      await d.dispose();
    }
  });

  test('beside 400 delivery services (6,400 per-service names): the names starting with what is typed, at most 1,000, and isIncomplete', async () => {
    const master = Array.from({ length: 400 }, (_, n) => `relay${n} unix - n n - - smtp\n`).join('');
    const dir = configDir('many-services', { 'master.cf': master });
    const perService = (l: CompletionList) => l.items.filter((i) => /^relay\d+_/.test(i.label));
    const small = await completeListIn(configDir('few-services', { 'master.cf': master.split('\n').slice(0, 3).join('\n') }), 'main.cf', 'myhostname = a\n|');
    assert.equal(small.isIncomplete, false);
    assert.equal(perService(small).length, 3 * 16);
    const empty = await completeListIn(dir, 'main.cf', 'myhostname = a\n|');
    assert.equal(empty.isIncomplete, true);
    assert.equal(perService(empty).length, 1000);
    const typed = await completeListIn(dir, 'main.cf', 'myhostname = a\nrelay12|');
    assert.equal(typed.isIncomplete, true);
    // relay12 and relay120-129: 11 services of 16 names each.
    assert.equal(perService(typed).length, 11 * 16);
    assert.equal(typed.items.length, empty.items.length - 1000 + 11 * 16, 'the catalog names stay whole');
  });

  test('all parameter names, lean for a client like VS Code: data once, detail and docs on resolve, same order, same items', async () => {
    const dir = configDir('lean', {});
    const marked = 'myhostname = mx.example\n|';
    const { text, position } = withCursor(marked);
    writeFileSync(join(dir, 'main.cf'), text);
    const full = await completeIn(dir, 'main.cf', marked);
    assert.ok(full.length > 900, `only ${full.length} names`);
    const d = LspClient.start();
    try {
      // What VS Code 1.91 declares for completion lists and lazy properties.
      await d.initialize(fileUri(dir), {
        textDocument: { completion: { completionItem: { resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] } }, completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] } } },
      });
      const uri = fileUri(join(dir, 'main.cf'));
      d.didOpen(uri, 'postfix-main', text);
      const list = await d.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position });
      assert.deepEqual(labels(list.items).sort(), labels(full).sort(), 'the same names');
      assert.equal(list.itemDefaults?.data, 'p');
      const names = list.items.filter((i) => i.kind === 10);
      assert.ok(names.length > 900 && names.every((i) => i.data === undefined && i.detail === undefined), 'no parameter name carries data or detail');
      assert.ok(list.items.filter((i) => i.sortText === undefined).length > 800, 'the common group sorts by label');
      // A client sorts by sortText, else the label: the order must be the full list's.
      const order = (items: CompletionItem[], key: (i: CompletionItem) => string) => [...items].sort((a, b) => (key(a).toLowerCase() < key(b).toLowerCase() ? -1 : key(a).toLowerCase() > key(b).toLowerCase() ? 1 : 0)).map((i) => i.label);
      // The engine's own keys (every item has one) give the order to keep.
      const engine = completeAt('main', join(dir, 'main.cf'), text, position, { version: '3.12' });
      const sent = order(list.items, (i) => i.sortText ?? i.label);
      const known = new Set(engine.map((i) => i.label));
      assert.deepEqual(sent.filter((l) => known.has(l)), order(engine as unknown as CompletionItem[], (i) => i.sortText!));
      // The recipe snippets the server adds (group 8) still come after every name.
      assert.deepEqual(sent.slice(known.size).sort(), sent.filter((l) => !known.has(l)).sort());
      const deprecated = order(list.items, (i) => i.sortText ?? i.label).indexOf('smtpd_use_tls');
      assert.ok(deprecated > list.items.length - 60, `a deprecated name sorts last (at ${deprecated} of ${list.items.length})`);
      // Resolve gets the item with the defaults applied, as VS Code sends it.
      const item = { ...find(list.items, 'smtpd_tls_security_level'), data: list.itemDefaults?.data };
      const resolved = await d.request<CompletionItem>('completionItem/resolve', item);
      assert.equal(resolved.detail, find(full, 'smtpd_tls_security_level').detail);
      assert.equal(resolved.detail, 'enum:none|may|encrypt');
      assert.match((resolved.documentation as { value: string }).value, /one of `none`, `may`, `encrypt`/);
      assert.equal(resolved.sortText, item.sortText, 'resolve keeps the sort key');
      const size = JSON.stringify(list).length / JSON.stringify(full).length;
      assert.ok(size < 0.6, `the lean list should be well under the full one, is ${Math.round(size * 100)}%`);
    } finally {
      await d.dispose();
    }
  });

  test('parameter names: `name = ` at line start; resolve brings our description and the postconf(5) link', async () => {
    const dir = configDir('names', {});
    const items = await completeIn(dir, 'main.cf', 'myhostname = mx.example\nsmtpd_tls_sec|');
    const item = find(items, 'smtpd_tls_security_level');
    assert.equal((item.textEdit as { newText: string }).newText, 'smtpd_tls_security_level = ');
    const resolved = await c.request<CompletionItem>('completionItem/resolve', item);
    const doc = (resolved.documentation as { kind: string; value: string });
    assert.equal(doc.kind, 'markdown');
    assert.match(doc.value, /one of `none`, `may`, `encrypt`/);
    assert.match(doc.value, /postconf\.5\.html#smtpd_tls_security_level/);
    assert.equal(find(items, 'smtpd_use_tls').tags?.[0], 1, 'deprecated tag');
  });

  test('after check_client_access: table types; after hash: the files on disk (not the .db)', async () => {
    const dir = configDir('tables', { client_access: '192.0.2.1 REJECT\n', 'client_access.db': '' });
    const types = await completeIn(dir, 'main.cf', 'smtpd_client_restrictions = check_client_access |');
    assert.ok(labels(types).includes('hash:') && labels(types).includes('cidr:'));
    assert.equal(find(types, 'hash:').command?.command, 'editor.action.triggerSuggest');
    const files = await completeIn(dir, 'main.cf', `smtpd_client_restrictions = check_client_access hash:${dir}/|`);
    assert.ok(labels(files).includes('client_access'));
    assert.ok(!labels(files).includes('client_access.db'));
    assert.equal((find(files, 'client_access').textEdit as { newText: string }).newText, `hash:${dir}/client_access`);
  });

  test('target version from workspace/configuration: names of newer releases disappear for 3.7', async () => {
    const dir = configDir('version', {});
    assert.ok(labels(await completeIn(dir, 'main.cf', 'smtp_tlsrpt|')).includes('smtp_tlsrpt_enable'));
    version = '3.7';
    const since = c.mark();
    c.notify('workspace/didChangeConfiguration', { settings: null });
    await c.waitForNotification('window/logMessage', (p) => /target Postfix version: 3\.7\b/.test(p.message), { since });
    try {
      assert.ok(!labels(await completeIn(dir, 'main.cf', 'smtp_tlsrpt|')).includes('smtp_tlsrpt_enable'));
      const items = await completeIn(dir, 'main.cf', 'smtpd_use_t|');
      assert.equal(find(items, 'smtpd_use_tls').tags, undefined, 'not deprecated yet in 3.7');
    } finally {
      version = '3.12';
      const since2 = c.mark();
      c.notify('workspace/didChangeConfiguration', { settings: null });
      await c.waitForNotification('window/logMessage', (p) => /target Postfix version: 3\.12\b/.test(p.message), { since: since2 });
    }
  });

  test('master.cf fields and -o values through the server', async () => {
    const dir = configDir('master', {});
    assert.deepEqual(labels(await completeIn(dir, 'master.cf', 'smtp |', 'postfix-master')), ['inet', 'unix', 'unix-dgram', 'pass', 'fifo']);
    const daemons = labels(await completeIn(dir, 'master.cf', 'smtp inet n - y - - |', 'postfix-master'));
    assert.ok(daemons.includes('smtpd') && daemons.includes('postscreen'));
    const o = await completeIn(dir, 'master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_en|', 'postfix-master');
    assert.equal((find(o, 'smtpd_sasl_auth_enable').textEdit as { newText: string }).newText, 'smtpd_sasl_auth_enable=');
  });
});

describe('seed recipes', () => {
  // /work/shared/seeds/000_*.txt: client restrictions with DNSBLs, a submission service.
  test('seed 000: after reject_rbl_client, ZEN with its reply filter comes first; no dead lists', async () => {
    const dir = configDir('seed000', {});
    const marked = [
      'mynetworks = 127.0.0.0/8 [::1]/128',
      'smtpd_client_restrictions =',
      '    permit_mynetworks,',
      '    reject_unknown_client_hostname,',
      '    reject_rbl_client |',
    ].join('\n');
    const items = await completeIn(dir, 'main.cf', marked);
    const first = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''))[0];
    assert.equal(first.label, 'zen.spamhaus.org=127.0.0.[2..11]');
    assert.ok(!items.some((i) => /sorbs|abuseat|ahbl|njabl/.test(String(i.label))));
  });

  test('seed 000: the submission service -o settings', async () => {
    const dir = configDir('seed000m', {});
    const svc = 'submission inet n - y - - smtpd\n  -o syslog_name=postfix/submission\n';
    assert.deepEqual(labels(await completeIn(dir, 'master.cf', `${svc}  -o smtpd_tls_security_level=|`, 'postfix-master')).sort(), ['encrypt', 'may', 'none']);
    assert.deepEqual(labels(await completeIn(dir, 'master.cf', `${svc}  -o smtpd_sasl_auth_enable=|`, 'postfix-master')).sort(), ['no', 'yes']);
    const list = labels(await completeIn(dir, 'master.cf', `${svc}  -o smtpd_client_restrictions=permit_sasl_authenticated,|`, 'postfix-master'));
    assert.ok(list.includes('reject'));
    assert.ok(!list.includes('check_etrn_access'));
  });

  // /work/shared/seeds/004_*.txt: a sender access table with WARN and REJECT 5.7.1 lines, a policy service.
  test('seed 004: the custom sender access table offers WARN and the REJECT 5.7.1 snippet', async () => {
    const dir = configDir('seed004', {
      'main.cf': `smtpd_recipient_restrictions = permit_mynetworks, check_sender_access hash:${tmp}/seed004/check_custom_sender_access, reject_unauth_destination\n`,
    });
    const items = await completeIn(dir, 'check_custom_sender_access', 'example.com WARN *** Invalid Inbound Sender ***\n.example.com |', 'postfix-map');
    assert.ok(labels(items).includes('WARN'));
    const rej = find(items, 'REJECT 5.7.1 text');
    assert.equal(rej.insertTextFormat, 2, 'snippet');
    assert.equal((rej.textEdit as { newText: string }).newText, 'REJECT ${1:5.7.1} ${2:Access denied}');
    const resolved = await c.request<CompletionItem>('completionItem/resolve', rej);
    assert.match((resolved.documentation as { value: string }).value, /\*\*REJECT\*\* · access\(5\) action/);
  });

  test('seed 004: check_policy_service is followed by endpoint snippets', async () => {
    const dir = configDir('seed004p', {});
    const items = await completeIn(dir, 'main.cf', 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_policy_service |');
    assert.ok(items.some((i) => (i.textEdit as { newText: string }).newText.startsWith('inet:127.0.0.1:')));
  });
});

describe('corpus restriction lists', () => {
  /** Every restriction item must work at one of `stages` (delayed stages count when smtpd_delay_reject is on). */
  let items = 0;
  function assertStageValid(list: CompletionItem[], stages: readonly RestrictionStage[], delay: boolean, where: string): number {
    const offered = list.filter((i) => i.kind === 3); // Function: restrictions
    items += offered.length;
    assert.ok(offered.length > 5, `${where}: only ${offered.length} restrictions`);
    for (const i of offered) {
      const r = restrictionInfo(String(i.label));
      assert.ok(r, `${where}: ${i.label} is not a restriction`);
      const ok = stages.some((s) => r.stages.includes(s) || (delay && r.delayedStages.includes(s)));
      assert.ok(ok, `${where}: ${i.label} does not work in ${stages.join('/')}`);
    }
    return offered.length;
  }

  test('main.cf and master.cf -o lists of every corpus configuration', async (t) => {
    let lists = 0;
    for (const cfg of CORPUS_CONFIGS) {
      const dir = join(tmp, `corpus-${cfg.name}`);
      cpSync(join(CORPUS, cfg.name), dir, { recursive: true });
      if (cfg.main && cfg.main !== 'main.cf') cpSync(join(dir, cfg.main), join(dir, 'main.cf'));
      if (cfg.master && cfg.master !== 'master.cf') cpSync(join(dir, cfg.master), join(dir, 'master.cf'));
      const config = loadConfig(dir, fsReader);
      if (existsSync(join(dir, 'main.cf')) && cfg.main) {
        const text = readFileSync(join(dir, 'main.cf'), 'utf8');
        const uri = fileUri(join(dir, 'main.cf'));
        c.didOpen(uri, 'postfix-main', text, docVersion++);
        for (const e of parseMainCf(text).entries) {
          const stages = restrictionListStages(config, e.name);
          if (!stages) continue;
          const position = e.valueRange.start;
          const res = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position });
          const delay = effectiveValue(config, 'smtpd_delay_reject').expanded !== 'no';
          assertStageValid(res.items, stages, delay, `${cfg.name}/main.cf ${e.name}`);
          lists++;
        }
        c.didClose(uri);
      }
      if (cfg.master) {
        const text = readFileSync(join(dir, 'master.cf'), 'utf8');
        const uri = fileUri(join(dir, 'master.cf'));
        c.didOpen(uri, 'postfix-master', text, docVersion++);
        for (const s of parseMasterCf(text).services) {
          for (const o of s.overrides) {
            const stages = restrictionListStages(config, o.name);
            if (!stages || o.form === 'braced') continue;
            const res = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: o.valueRange.start });
            const delay = effectiveValue(config, 'smtpd_delay_reject', s.key).expanded !== 'no';
            assertStageValid(res.items, stages, delay, `${cfg.name}/master.cf ${s.key} -o ${o.name}`);
            lists++;
          }
        }
        c.didClose(uri);
      }
    }
    t.diagnostic(`${lists} restriction lists, ${items} restriction items checked against their stages`);
    assert.ok(lists >= 30, `only ${lists} restriction lists found in the corpus`);
  });

  test('the corpus directory listing is what path completion sees', () => {
    assert.ok(readdirSync(join(tmp, 'corpus-docker-mailserver')).includes('sender_header_filter.pcre'));
  });
});

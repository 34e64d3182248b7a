// Hover through the real server (dist/server.js --stdio): every parameter
// name of every corpus main.cf returns our description and its effective
// value, every master.cf -o the value for its service, every `$reference` its
// expansion; plus fixtures with a `|` cursor for restrictions, tables, status
// codes and the target-version setting.

import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hover, InitializeResult } from 'vscode-languageserver-protocol';
import { parameterInfo } from '../../server/src/engine/catalog/docs';
import { effectiveLookup, effectiveValue, loadConfig } from '../../server/src/engine/config';
import { expandValue } from '../../server/src/engine/expand';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { parseMasterCf, serviceParameters } from '../../server/src/engine/mastercf';
import { code } from '../../server/src/engine/assist/markdown';
import { ensureBuilt, fileUri, LspClient, withCursor } from '../helpers/lsp-client';
import { configDirIn, CORPUS, CORPUS_CONFIGS } from '../helpers/corpus';
import { fsReader } from '../../server/src/cli/main';

let tmp: string;
let version = '3.12';
let c: LspClient;
let init: InitializeResult;
let docVersion = 1;

const configDir = (name: string, files: Record<string, string>) => configDirIn(tmp, name, files);

async function hoverAt(uri: string, position: { line: number; character: number }): Promise<Hover | null> {
  return c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
}

/** Writes `marked` (cursor at `|`) as `file` in `dir`, opens it and hovers at the marker. */
async function hoverIn(dir: string, file: string, marked: string, languageId = 'postfix-main'): Promise<string> {
  const { text, position } = withCursor(marked);
  const path = join(dir, file);
  writeFileSync(path, text);
  const uri = fileUri(path);
  c.didOpen(uri, languageId, text, docVersion++);
  const h = await hoverAt(uri, position);
  c.didClose(uri);
  assert.ok(h, `no hover at ${JSON.stringify(marked)}`);
  const contents = h.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-hover-'));
  c = LspClient.start({
    onServerRequest: (method, params) => (method === 'workspace/configuration' ? params.items.map(() => ({ version })) : null),
  });
  init = await c.initialize(fileUri(tmp), { workspace: { configuration: true } });
});

after(async () => {
  await c.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hover over stdio: the corpus', () => {
  test('initialize announces hover', () => {
    assert.equal(init.capabilities.hoverProvider, true);
  });

  test('every parameter name in every corpus main.cf: our doc and its effective value', async (t) => {
    let names = 0;
    let known = 0;
    for (const cfg of CORPUS_CONFIGS.filter((x) => x.main)) {
      const dir = join(tmp, `corpus-${cfg.name}`);
      cpSync(join(CORPUS, cfg.name), dir, { recursive: true });
      if (cfg.main !== 'main.cf') cpSync(join(dir, cfg.main!), join(dir, 'main.cf'));
      if (cfg.master && cfg.master !== 'master.cf') cpSync(join(dir, cfg.master), join(dir, 'master.cf'));
      const text = readFileSync(join(dir, 'main.cf'), 'utf8');
      const config = loadConfig(dir, fsReader);
      const sp = config.master ? serviceParameters(config.master) : [];
      const uri = fileUri(join(dir, 'main.cf'));
      c.didOpen(uri, 'postfix-main', text, docVersion++);
      for (const e of parseMainCf(text).entries) {
        const h = await hoverAt(uri, e.nameRange.start);
        assert.ok(h, `${cfg.name}: no hover on ${e.name}`);
        const md = (h.contents as { value: string }).value;
        assert.deepEqual(h.range, e.nameRange, `${cfg.name}: ${e.name} range`);
        names++;
        const info = parameterInfo(e.name, sp);
        if (info) {
          known++;
          assert.ok(md.startsWith(`**${e.name}** · `), `${cfg.name}: ${e.name} title`);
          assert.ok(md.includes(info.doc.slice(0, 40)), `${cfg.name}: ${e.name} lacks our description`);
          assert.ok(md.includes(info.link), `${cfg.name}: ${e.name} lacks the postconf(5) link`);
        } else {
          assert.match(md, /not a Postfix parameter|restriction class/, `${cfg.name}: ${e.name}`);
        }
        const ev = effectiveValue(config, e.name);
        const shown = ev.expanded !== undefined && ev.expanded !== ev.raw ? `${code(ev.raw!)} → ${code(ev.expanded)}` : code(ev.raw!);
        assert.ok(md.includes(`**Value here:** ${shown}`), `${cfg.name}: ${e.name} effective value ${shown} not in:\n${md}`);
        assert.match(md, new RegExp(`set in \\[main\\.cf:${e.line + 1}\\]`), `${cfg.name}: ${e.name} source line`);
      }
      c.didClose(uri);
    }
    t.diagnostic(`${names} parameter names hovered, ${known} documented`);
    assert.ok(names >= 170 && known >= 170, `${names}/${known}`);
  });

  test('every -o name in every corpus master.cf: the value for that service', async (t) => {
    let overrides = 0;
    for (const cfg of CORPUS_CONFIGS.filter((x) => x.master)) {
      const dir = join(tmp, `corpus-${cfg.name}`);
      cpSync(join(CORPUS, cfg.name), dir, { recursive: true });
      if (cfg.master !== 'master.cf') cpSync(join(dir, cfg.master!), join(dir, 'master.cf'));
      if (cfg.main && cfg.main !== 'main.cf') cpSync(join(dir, cfg.main), join(dir, 'main.cf'));
      const text = readFileSync(join(dir, 'master.cf'), 'utf8');
      const config = loadConfig(dir, fsReader);
      const uri = fileUri(join(dir, 'master.cf'));
      c.didOpen(uri, 'postfix-master', text, docVersion++);
      for (const s of parseMasterCf(text).services) {
        for (const o of s.overrides) {
          const h = await hoverAt(uri, o.nameRange.start);
          assert.ok(h, `${cfg.name}: no hover on ${s.key} -o ${o.name}`);
          const md = (h.contents as { value: string }).value;
          const last = [...s.overrides].reverse().find((x) => x.name === o.name)!;
          const ev = effectiveValue(config, o.name, s.key);
          assert.equal(ev.raw, last.value);
          assert.ok(md.includes(`**Value for ${s.key}:** ${code(last.value)}`), `${cfg.name}: ${s.key} -o ${o.name}:\n${md}`);
          overrides++;
        }
      }
      c.didClose(uri);
    }
    t.diagnostic(`${overrides} -o settings hovered`);
    assert.ok(overrides >= 100, `${overrides}`);
  });

  test('every $reference in the corpus main.cf files: its expansion, as the engine computes it', async (t) => {
    let refs = 0;
    for (const cfg of CORPUS_CONFIGS.filter((x) => x.main)) {
      const dir = join(tmp, `corpus-${cfg.name}`);
      const text = readFileSync(join(dir, 'main.cf'), 'utf8');
      const config = loadConfig(dir, fsReader);
      const uri = fileUri(join(dir, 'main.cf'));
      c.didOpen(uri, 'postfix-main', text, docVersion++);
      for (const e of parseMainCf(text).entries) {
        for (const r of e.references) {
          if (!r.name || !r.range) continue;
          const h = await hoverAt(uri, r.range.start);
          assert.ok(h, `${cfg.name}: no hover on ${e.name}'s $${r.name}`);
          const md = (h.contents as { value: string }).value;
          const refText = e.value.slice(r.start, r.end);
          const expanded = expandValue(refText, effectiveLookup(config)).value;
          assert.ok(md.startsWith(`**${refText}** → ${code(expanded)}`), `${cfg.name}: ${refText}:\n${md}`);
          assert.match(md, new RegExp(`- \`\\$${r.name}\` = `), `${cfg.name}: first chain step of ${refText}`);
          refs++;
        }
      }
      c.didClose(uri);
    }
    t.diagnostic(`${refs} references hovered`);
    assert.ok(refs >= 20, `${refs}`);
  });
});

describe('hover over stdio: fixtures', () => {
  test('a restriction after permit never runs', async () => {
    const dir = configDir('permit', {});
    const md = await hoverIn(dir, 'main.cf', 'smtpd_relay_restrictions = permit_mynetworks, permit, reject_unauth_dest|ination');
    assert.match(md, /Never runs:\*\* `permit` on line 1/);
  });

  test('a table whose .db is older than its source', async () => {
    const dir = configDir('stale', { access: '192.0.2.1 REJECT\n', 'access.db': '' });
    utimesSync(join(dir, 'access.db'), new Date(1_000_000), new Date(1_000_000));
    const md = await hoverIn(dir, 'main.cf', `smtpd_client_restrictions = check_client_access hash:${dir}/acc|ess`);
    assert.match(md, /older than its source: run `postmap hash:/);
    writeFileSync(join(dir, 'access.db'), '');
    const fresh = await hoverIn(dir, 'main.cf', `smtpd_client_restrictions = check_client_access hash:${dir}/acc|ess`);
    assert.match(fresh, /access\.db` — up to date/);
  });

  test('master.cf field and -o value for the service', async () => {
    const dir = configDir('mfield', { 'main.cf': 'default_process_limit = 50\n' });
    assert.match(await hoverIn(dir, 'master.cf', 'smtp inet n - y - |- smtpd', 'postfix-master'), /`\$default_process_limit` = `50` \(set in \[main\.cf:1\]/);
    const md = await hoverIn(dir, 'master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_client_restrictions=permit_sasl_authenticated,rej|ect', 'postfix-master');
    assert.match(md, /\*\*reject\*\* · smtpd restriction/);
  });

  test('an access table line with a reply code and enhanced status code (seed 004)', async () => {
    const dir = configDir('seed004', { 'main.cf': `smtpd_sender_restrictions = check_sender_access hash:${tmp}/seed004/check_custom_sender_access\n` });
    const md = await hoverIn(dir, 'check_custom_sender_access', 'example.com REJECT 5.7.|1 Delivery not authorized, message refused', 'postfix-map');
    assert.match(md, /\*\*5\.7\.1\*\* \(RFC 3463 enhanced status\)[\s\S]*security or policy/);
  });

  test('the target version changes the hover: 3.7 does not know smtp_tlsrpt_enable', async () => {
    const dir = configDir('version', {});
    assert.doesNotMatch(await hoverIn(dir, 'main.cf', 'smtp_tlsrpt_en|able = yes'), /Not known to Postfix/);
    version = '3.7';
    const since = c.mark();
    c.notify('workspace/didChangeConfiguration', { settings: null });
    await c.waitForNotification('window/logMessage', (p) => /target Postfix version: 3\.7\b/.test(p.message), { since });
    try {
      assert.match(await hoverIn(dir, 'main.cf', 'smtp_tlsrpt_en|able = yes'), /Not known to Postfix 3\.7\*\* \(added in Postfix 3\.10\)/);
    } finally {
      version = '3.12';
      const since2 = c.mark();
      c.notify('workspace/didChangeConfiguration', { settings: { postfix: { version: '3.12' } } });
      await c.waitForNotification('window/logMessage', (p) => /target Postfix version: 3\.12\b/.test(p.message), { since: since2 });
    }
  });

  test('no hover on comments and blank lines', async () => {
    const dir = configDir('nothing', {});
    const { text, position } = withCursor('# myhost|name = x\n');
    writeFileSync(join(dir, 'main.cf'), text);
    const uri = fileUri(join(dir, 'main.cf'));
    c.didOpen(uri, 'postfix-main', text, docVersion++);
    assert.equal(await hoverAt(uri, position), null);
    assert.equal(await hoverAt(uri, { line: 1, character: 0 }), null);
    c.didClose(uri);
  });
});

describe('hover over stdio: a huge master.cf', () => {
  test('a main.cf hover does not parse a master.cf over 1 MiB in one piece: its per-service lines come once the analysis has loaded it', async () => {
    // 40,000 -o options (1.2 MB): the analysis loads them in steps; a hover asked meanwhile is made without master.cf.
    const master = `smtp inet n - y - - smtpd\nbig inet n - n - - smtpd\n  -o smtpd_banner=big\n${'  -o syslog_name=postfix/big\n'.repeat(40_000)}`;
    const dir = configDir('huge-master', { 'master.cf': master });
    const { text, position } = withCursor('smtpd_ban|ner = $myhostname ESMTP\n');
    writeFileSync(join(dir, 'main.cf'), text);
    const uri = fileUri(join(dir, 'main.cf'));
    const since = c.mark();
    c.didOpen(uri, 'postfix-main', text, docVersion);
    const early = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.ok(early, 'a hover while master.cf loads');
    assert.match(early.value, /smtpd_banner/);
    assert.doesNotMatch(early.value, /In big\/inet/, 'made without master.cf while it loads');
    assert.match(early.value, /master\.cf is still being read/, 'and says so');
    await c.waitForDiagnostics(uri, { since, version: docVersion++ });
    const late = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(late?.value ?? '', /In big\/inet/, 'the analysis has loaded master.cf: the service that overrides it is shown');
    assert.doesNotMatch(late?.value ?? '', /still being read/);
    c.didClose(uri);
  });
});

describe('hover over stdio: a huge main.cf', () => {
  test('a hover beside a main.cf over 1 MiB never reads it in one piece: until the analysis has, it says so (no values; after an edit, those from before it while the lines stay put)', async () => {
    // 1.2 MB, mostly comments: the analysis loads it in steps; hovers asked meanwhile do not load it themselves.
    const padding = `# ${'x'.repeat(60)}\n`.repeat(20_000);
    const { text, position } = withCursor(`smtpd_ban|ner = first banner\n${padding}relayhost = [relay.example]\n`);
    const dir = configDir('huge-main', { 'master.cf': 'smtp inet n - y - - smtpd\n' });
    writeFileSync(join(dir, 'main.cf'), text);
    const uri = fileUri(join(dir, 'main.cf'));
    const since = c.mark();
    const v1 = docVersion++;
    c.didOpen(uri, 'postfix-main', text, v1);
    const early = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(early?.value ?? '', /smtpd_banner/, 'the documentation at once');
    assert.match(early?.value ?? '', /still being read/, 'says the values are still to come');
    assert.doesNotMatch(early?.value ?? '', /Value here/);
    await c.waitForDiagnostics(uri, { since, version: v1 });
    const loaded = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(loaded?.value ?? '', /Value here:\*\* `first banner`/);
    assert.doesNotMatch(loaded?.value ?? '', /still being read|before your last edit/);

    // An edit of the value: the hover right after answers from the configuration before it, and says so.
    const since2 = c.mark();
    const v2 = docVersion++;
    c.didChange(uri, v2, [{ range: { start: { line: 0, character: 15 }, end: { line: 0, character: 20 } }, text: 'second' }]);
    const stale = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(stale?.value ?? '', /Value here:\*\* `first banner`/);
    assert.match(stale?.value ?? '', /before your last edit/);
    await c.waitForDiagnostics(uri, { since: since2, version: v2 });
    const fresh = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(fresh?.value ?? '', /Value here:\*\* `second banner`/);
    assert.doesNotMatch(fresh?.value ?? '', /before your last edit/);

    // A new line: the configuration before it would put every later setting a line off; no values until it is read.
    const since3 = c.mark();
    const v3 = docVersion++;
    c.didChange(uri, v3, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'mydomain = example.org\n' }]);
    const shifted = (await hoverAt(uri, position))?.contents as { value: string } | undefined;
    assert.match(shifted?.value ?? '', /still being read/);
    assert.doesNotMatch(shifted?.value ?? '', /Value here/);
    await c.waitForDiagnostics(uri, { since: since3, version: v3 });
    assert.match(((await hoverAt(uri, position))?.contents as { value: string }).value, /Value here:\*\* `second banner`/);
    c.didClose(uri);
  });
});

// Recipes in the editor, over stdio against the built server: the intent
// findings' recipe code actions (with the new table as CreateFile), the
// postfix.recipes / postfix.applyRecipe commands (workspace/applyEdit with
// change annotations), and "Harden this configuration" with the recipes the
// intent checks call for. Every edit is applied to a copy of a seed's
// configuration on disk; real `postfix check` and `postconf -n` then accept it
// with no new warning, and a re-lint shows the finding gone.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { repoDir, requireTools } from '../helpers/env';
import { backdate } from '../helpers/postfix-tools';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';
import { applyWorkspaceEdit } from '../helpers/workspace-edit';

/** What VS Code announces for workspace edits (change annotations, file creation). */
const EDITOR_CAPABILITIES = {
  workspace: {
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'], changeAnnotationSupport: { groupsOnLabel: true } },
  },
};

interface Copy {
  root: string;
  etc: string;
  main: string;
  master: string;
}

/** A seed's configuration in a directory Postfix can check (its own queue and data directories). */
function copySeed(seed: string): Copy {
  const root = mkdtempSync(join(tmpdir(), 'postfix-recipes-'));
  const etc = join(root, 'etc');
  cpSync(resolve(repoDir, 'test/fixtures/intent', seed), etc, { recursive: true });
  mkdirSync(join(root, 'spool'));
  mkdirSync(join(root, 'data'));
  const main = join(etc, 'main.cf');
  const text = readFileSync(main, 'utf8');
  writeFileSync(main, `${text}queue_directory = ${root}/spool\ndata_directory = ${root}/data\n`);
  return { root, etc, main, master: join(etc, 'master.cf') };
}

/** `postfix check` (it prints only to a terminal, hence script) and `postconf -n` warnings. */
function postfixCheck(etc: string): { code: number; warnings: string[] } {
  // Files written just now make every postconf inside the check sleep and read them again.
  backdate(etc);
  const c = spawnSync('script', ['-qec', `postfix -c ${etc} check`, '/dev/null'], { encoding: 'utf8' });
  const p = spawnSync('postconf', ['-c', etc, '-n'], { encoding: 'utf8' });
  const lines = `${c.stdout}\n${p.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /warning|fatal|error/i.test(l));
  return { code: (c.status ?? 1) || (p.status ?? 1), warnings: [...new Set(lines)].sort() };
}

function newWarnings(before: { warnings: string[] }, afterCheck: { code: number; warnings: string[] }, what: string): void {
  assert.equal(afterCheck.code, 0, `${what}: postfix check fails: ${afterCheck.warnings.join('\n')}`);
  assert.deepEqual(afterCheck.warnings.filter((w) => !before.warnings.includes(w)), [], `${what}: new warnings`);
}

function find(diags: Diagnostic[], code: string): Diagnostic {
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `no ${code} among ${diags.map((x) => `${x.code}@${x.range.start.line}`).join(' ')}`);
  return d;
}

const codes = (diags: Diagnostic[]) => diags.map((d) => String(d.code));

/** A snippet as the editor inserts it when the user accepts every placeholder's default (first choice); `$n` mirrors stop n. */
function expandSnippet(body: string): string {
  const stops = new Map<string, string>();
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\' && i + 1 < body.length) out += body[++i];
    else if (ch === '$' && body[i + 1] === '{') {
      const m = /^\$\{(\d+)(?::((?:\\.|[^}\\])*)|\|((?:\\.|[^,|\\])*)[^}]*\|)?\}/.exec(body.slice(i));
      assert.ok(m, `bad placeholder at ${body.slice(i, i + 30)}`);
      const value = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
      stops.set(m[1], value);
      out += value;
      i += m[0].length - 1;
    } else if (ch === '$' && /\d/.test(body[i + 1] ?? '')) {
      const n = /^\$(\d+)/.exec(body.slice(i))![1];
      assert.ok(stops.has(n), `$${n} before its placeholder`);
      out += stops.get(n);
      i += n.length;
    } else out += ch;
  }
  return out;
}

before(() => ensureBuilt());

describe('recipes over stdio', () => {
  let c: LspClient;
  const applyRequests: { label?: string; edit: WorkspaceEdit }[] = [];
  const copies: Copy[] = [];
  let version = 10;

  before(async () => {
    c = LspClient.start({
      onServerRequest: (method, params) => {
        if (method !== 'workspace/applyEdit') return null;
        applyRequests.push(params);
        applyWorkspaceEdit(params.edit);
        return { applied: true };
      },
    });
    const init = await c.initialize(null, EDITOR_CAPABILITIES);
    assert.deepEqual(init.capabilities.executeCommandProvider?.commands, ['postfix.recipes', 'postfix.applyRecipe', 'postfix.server.explainLogLine']);
  });
  after(async () => {
    await c.dispose();
    for (const x of copies) rmSync(x.root, { recursive: true, force: true });
  });

  const seed = (name: string) => {
    const x = copySeed(name);
    copies.push(x);
    return x;
  };

  /** Opens (or re-sends) the files as they are on disk; their diagnostics. */
  const lint = async (x: Copy): Promise<{ main: Diagnostic[]; master: Diagnostic[] }> => {
    const v = ++version;
    const since = c.mark();
    for (const [path, lang] of [[x.main, 'postfix-main'], [x.master, 'postfix-master']]) {
      c.didClose(fileUri(path));
      c.didOpen(fileUri(path), lang, readFileSync(path, 'utf8'), v);
    }
    return { main: await c.waitForDiagnostics(fileUri(x.main), { since, version: v }), master: await c.waitForDiagnostics(fileUri(x.master), { since, version: v }) };
  };

  const actionsFor = (uri: string, d: Diagnostic): Promise<CodeAction[]> =>
    c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'], triggerKind: 1 } });

  for (const variant of ['WARN', 'REJECT'] as const) {
    test(`PF542 (seed 004): the ${variant} recipe action creates own_domain_senders, postfix check accepts it, the finding clears`, async (t) => {
      if (!requireTools(t, { commands: ['postfix', 'postconf', 'script'], root: true })) return;
      const x = seed('seed-004');
      const beforeCheck = postfixCheck(x.etc);
      const d = find((await lint(x)).main, 'PF542');
      const actions = await actionsFor(fileUri(x.main), d);
      const titles = actions.map((a) => a.title);
      const action = actions.find((a) => a.edit && new RegExp(`check_sender_access … ${variant === 'WARN' ? 'WARN' : 'REJECT 5\\.7\\.1'}`).test(a.title));
      assert.ok(action, `no ${variant} action among ${titles.join(' | ')}`);
      assert.equal(action.isPreferred, variant === 'WARN' ? true : undefined, 'WARN first, as the write-up advises');
      // The two variants are separate actions, and the recipe can also be applied with other values.
      assert.ok(titles.some((s) => /REJECT 5\.7\.1/.test(s)) && titles.some((s) => /WARN\)/.test(s)), titles.join(' | '));
      const ask = actions.find((a) => a.command?.command === 'postfix.applyRecipe');
      assert.deepEqual(ask?.command?.arguments, [{ uri: fileUri(x.main), recipe: 'sender-protection', ask: true }]);
      const table = join(x.etc, 'own_domain_senders');
      const create = action.edit!.documentChanges?.find((dc) => 'kind' in dc && dc.kind === 'create');
      assert.deepEqual(create, { kind: 'create', uri: fileUri(table), options: { ignoreIfExists: true } });

      applyWorkspaceEdit(action.edit!);
      const tableText = readFileSync(table, 'utf8');
      assert.match(tableText, variant === 'WARN' ? /^company\.my WARN /m : /^company\.my REJECT 5\.7\.1 /m);
      assert.match(tableText, /^\.company\.my /m, 'subdomains too');
      assert.match(readFileSync(x.main, 'utf8'), /check_sender_access texthash:\$config_directory\/own_domain_senders/);
      newWarnings(beforeCheck, postfixCheck(x.etc), `${variant} recipe`);
      const afterDiags = await lint(x);
      assert.ok(!codes(afterDiags.main).includes('PF542'), `PF542 still reported: ${codes(afterDiags.main)}`);
      // The table's completion offers the same entries as a snippet (first choice WARN), filled with the own domains.
      const tableUri = fileUri(table);
      c.didOpen(tableUri, 'postfix-map', `${tableText}\n`, 1);
      const list = await c.request('textDocument/completion', { textDocument: { uri: tableUri }, position: { line: tableText.split('\n').length, character: 0 } });
      const item = list.items.find((i: { label: string }) => i.label === 'own domains as senders (sender-protection)');
      assert.ok(item, JSON.stringify(list.items.map((i: { label: string }) => i.label)));
      const entries = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));
      const expanded = expandSnippet(item.textEdit?.newText ?? item.textEditText);
      assert.deepEqual(entries(expanded).map((l) => l.replace(/ (WARN|REJECT) .*/, ' $1')), entries(tableText).map((l) => l.replace(/ (WARN|REJECT) .*/, ' WARN')));
      c.didClose(tableUri);
    });
  }

  test('PF540 (seed 000): the mx recipe action clears it; PF546 offers the tls recipe as a command that asks for the certificate', async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'postconf', 'script'], root: true })) return;
    const x = seed('seed-000');
    const beforeCheck = postfixCheck(x.etc);
    const diags = await lint(x);
    const d = find(diags.main, 'PF540');
    const mx = (await actionsFor(fileUri(x.main), d)).find((a) => /^Apply recipe mx:/.test(a.title));
    assert.ok(mx?.edit, 'no mx recipe action');
    const snakeoil = find(diags.main, 'PF546');
    // The repair, then only the "Disable PF546 for this line/file" actions every finding has.
    const all = await actionsFor(fileUri(x.main), snakeoil);
    const tls = all.filter((a) => !/^Disable PF546 for this (line|file)$/.test(a.title));
    assert.equal(all.length, tls.length + 2, JSON.stringify(all));
    assert.equal(tls.length, 1, JSON.stringify(tls));
    assert.equal(tls[0].command?.command, 'postfix.applyRecipe');
    assert.deepEqual(tls[0].command?.arguments, [{ uri: fileUri(x.main), recipe: 'tls', ask: true }]);

    applyWorkspaceEdit(mx.edit!);
    newWarnings(beforeCheck, postfixCheck(x.etc), 'mx recipe');
    const afterDiags = await lint(x);
    assert.ok(!codes(afterDiags.main).includes('PF540'), `PF540 still reported: ${codes(afterDiags.main)}`);
    assert.match(readFileSync(x.main, 'utf8'), /^smtpd_client_restrictions = permit_mynetworks$/m, 'the unconditional reject is gone');
  });

  test('postfix.recipes fills in the configuration; postfix.applyRecipe (tls with a real certificate) applies through workspace/applyEdit with a confirmation annotation, PF546 clears', async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'postconf', 'script', 'openssl'], root: true })) return;
    const x = seed('seed-000');
    const uri = fileUri(x.main);
    await lint(x);
    const list: { name: string; parameters: { key: string; value: string }[] }[] = await c.request('workspace/executeCommand', { command: 'postfix.recipes', arguments: [{ uri }] });
    assert.deepEqual(list.map((r) => r.name), ['mx', 'localhost-only-sending', 'submission', 'submissions', 'sender-protection', 'dnsbl', 'rate-limits', 'tls']);
    const param = (recipe: string, key: string) => list.find((r) => r.name === recipe)?.parameters.find((p) => p.key === key)?.value;
    assert.equal(param('sender-protection', 'domains'), 'example.com,mx.example.com', 'own domains from mydestination ($myhostname expanded), without localhost');
    assert.equal(param('tls', 'chain_files'), '/etc/ssl/private/ssl-cert-snakeoil.key, /etc/ssl/certs/ssl-cert-snakeoil.pem', 'the configured key and certificate');
    assert.equal(param('submission', 'sasl_type'), 'dovecot', 'seed 000 names no SASL type and has no Cyrus smtpd.conf: Dovecot at private/auth, stated as an assumption in the recipe note');

    const pem = join(x.etc, 'mx.pem');
    const made = spawnSync('sh', ['-c', `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=mx.example.com -keyout ${pem}.key -out ${pem}.crt 2>&1 && cat ${pem}.key ${pem}.crt > ${pem}`], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stdout);
    const beforeCheck = postfixCheck(x.etc);
    const requests = applyRequests.length;
    const result = await c.request('workspace/executeCommand', { command: 'postfix.applyRecipe', arguments: [{ uri, recipe: 'tls', values: { chain_files: pem } }] });
    assert.equal(result.applied, true, JSON.stringify(result));
    assert.equal(applyRequests.length, requests + 1, 'one workspace/applyEdit');
    const sent = applyRequests[requests];
    assert.match(sent.label ?? '', /^Recipe tls:/);
    const annotations = Object.values(sent.edit.changeAnnotations ?? {});
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0].needsConfirmation, true, 'VS Code shows the preview before applying');
    assert.match(readFileSync(x.main, 'utf8'), new RegExp(`^smtpd_tls_chain_files = ${pem}$`, 'm'));
    newWarnings(beforeCheck, postfixCheck(x.etc), 'tls recipe');
    assert.ok(!codes((await lint(x)).main).includes('PF546'), 'PF546 clears');

    // Bad requests answer an error, never an edit.
    for (const args of [[{ uri, recipe: 'nope' }], [{ uri, recipe: 'tls', values: { bogus: 'x' } }], [{ uri, recipe: 'tls', values: { chain_files: 5 } }], [null], []]) {
      const r = await c.request('workspace/executeCommand', { command: 'postfix.applyRecipe', arguments: args });
      assert.equal(r.applied, false);
      assert.ok(r.error, JSON.stringify(r));
    }
    assert.equal(applyRequests.length, requests + 1, 'nothing else was sent to apply');
    assert.deepEqual(await c.request('workspace/executeCommand', { command: 'postfix.recipes', arguments: [{ uri: 'file:///nonexistent/main.cf' }] }), []);
  });

  test('"Harden this configuration" (seed 004): safe fixes plus the recipes PF542/PF543 call for, each part needing confirmation; the findings clear and postfix check accepts the result', async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'postconf', 'script'], root: true })) return;
    const x = seed('seed-004');
    const beforeCheck = postfixCheck(x.etc);
    const beforeDiags = await lint(x);
    // PF547 is silent here: Postfix's default per-client concurrency limit keeps one client from holding every smtpd.
    find(beforeDiags.main.concat(beforeDiags.master), 'PF542');
    find(beforeDiags.master, 'PF543');
    const edit: WorkspaceEdit = await c.request('postfix/harden', { uri: fileUri(x.main) });
    const annotations = Object.values(edit.changeAnnotations ?? {});
    const labels = annotations.map((a) => a.label);
    for (const want of [/^Recipe sender-protection \(PF542\)$/, /^Recipe (submission|submissions) \(PF543\)$/]) {
      assert.ok(labels.some((l) => want.test(l)), `${want} not among ${labels.join(' | ')}`);
    }
    assert.ok(annotations.every((a) => a.needsConfirmation === true));
    // Every edit belongs to a part the user confirms.
    for (const dc of edit.documentChanges ?? []) {
      if ('kind' in dc) assert.ok(dc.annotationId && edit.changeAnnotations![dc.annotationId]);
      else for (const e of dc.edits) assert.ok('annotationId' in e && edit.changeAnnotations![e.annotationId as string], JSON.stringify(e));
    }
    applyWorkspaceEdit(edit);
    assert.ok(existsSync(join(x.etc, 'own_domain_senders')), 'the sender table was created');
    newWarnings(beforeCheck, postfixCheck(x.etc), 'harden');
    const afterDiags = await lint(x);
    const left = codes(afterDiags.main.concat(afterDiags.master));
    for (const code of ['PF542', 'PF543', 'PF547']) assert.ok(!left.includes(code), `${code} still reported: ${left}`);
    assert.deepEqual(await c.request('postfix/harden', { uri: fileUri(x.main) }), { changes: {} }, 'nothing left to harden');
  });

  test('completion snippets from the recipes: main.cf $mua_* lists, then master.cf submission/submissions/content-filter services that refer to them; postfix check accepts the result and PF543 does not apply', async (t) => {
    if (!requireTools(t, { commands: ['postfix', 'postconf', 'script'], root: true })) return;
    const x = seed('seed-004');
    // Without its submission services, so that the snippets add them.
    writeFileSync(x.master, readFileSync(x.master, 'utf8').replace(/^submission[\s\S]*?(?=^pickup)/m, ''));
    const beforeCheck = postfixCheck(x.etc);
    const beforeDiags = await lint(x);
    const complete = async (path: string): Promise<{ label: string; insertTextFormat?: number; textEdit?: { newText: string }; textEditText?: string; documentation?: unknown }[]> => {
      const lines = readFileSync(path, 'utf8').split('\n');
      const list = await c.request('textDocument/completion', { textDocument: { uri: fileUri(path) }, position: { line: lines.length - 1, character: 0 } });
      return list.items;
    };
    const insert = (path: string, items: Awaited<ReturnType<typeof complete>>, label: string) => {
      const item = items.find((i) => i.label === label);
      assert.ok(item, `no "${label}" among ${items.filter((i) => i.insertTextFormat === 2).map((i) => i.label).join(' | ')}`);
      assert.equal(item.insertTextFormat, 2, 'snippet syntax');
      writeFileSync(path, readFileSync(path, 'utf8') + expandSnippet(item.textEdit?.newText ?? item.textEditText ?? ''));
    };

    const mainItems = await complete(x.main);
    // No service offers AUTH yet (the submission services were removed), so only mynetworks is trusted.
    assert.match(mainItems.find((i) => i.label === 'smtpd_relay_restrictions (MX)')?.textEdit?.newText ?? '', /^smtpd_relay_restrictions = \$\{1:permit_mynetworks\}, reject_unauth_destination\n$/);
    assert.match(mainItems.find((i) => i.label === 'TLS server settings (smtpd)')?.textEdit?.newText ?? '', /^smtpd_tls_chain_files = \$\{1:\/etc\/postfix\/certs\/ucs\.pem\}$/m, 'the configured certificate');
    insert(x.main, mainItems, 'mua_* restriction lists (submission)');
    await lint(x);

    const masterItems = await complete(x.master);
    const submission = masterItems.find((i) => i.label === 'submission service (port 587)')?.textEdit?.newText ?? '';
    assert.match(submission, /^  -o smtpd_sasl_type=\$\{1:dovecot\}$/m, 'SASL type from main.cf');
    assert.match(submission, /^  -o smtpd_sasl_path=\$\{2:private\/auth\}$/m, 'SASL path from main.cf');
    assert.match(submission, /^  -o smtpd_client_restrictions=\\\$mua_client_restrictions$/m, 'main.cf now defines the $mua_* lists');
    assert.match(submission, /^submission inet  n       -       y /, 'chroot as the smtp service');
    for (const label of ['submission service (port 587)', 'submissions service (port 465)', 'content filter pair (after-queue)']) insert(x.master, masterItems, label);
    // The login table the snippet names, as the user fills it in.
    writeFileSync(join(x.etc, 'sender_login_maps'), 'boss@company.my boss@company.my\n');

    newWarnings(beforeCheck, postfixCheck(x.etc), 'snippets');
    const m = spawnSync('postconf', ['-c', x.etc, '-M'], { encoding: 'utf8' });
    assert.match(m.stdout, /^submission +inet /m);
    assert.match(m.stdout, /^submissions +inet /m);
    assert.match(m.stdout, /^127\.0\.0\.1:10025 +inet /m);
    const afterDiags = await lint(x);
    const all = afterDiags.main.concat(afterDiags.master);
    assert.ok(!codes(all).includes('PF543'), `senders are bound to logins: ${codes(all)}`);
    const oldErrors = new Set(codes(beforeDiags.main.concat(beforeDiags.master).filter((d) => d.severity === 1)));
    const fresh = all.filter((d) => d.severity === 1 && !oldErrors.has(String(d.code)));
    assert.deepEqual(fresh.map((d) => `${d.code} ${d.message}`), [], 'no new error');
  });
});

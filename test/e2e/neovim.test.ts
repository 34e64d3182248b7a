// Real editor, real server: headless Neovim 0.7 opens a config, starts
// `node dist/server.js --stdio` through its built-in LSP client, and reports
// the diagnostics it shows; then goes to a definition, renames and formats
// with Neovim's own LSP handlers, and real postconf reads the saved files.
// Recipe: ../shared/real-editors.md section 2.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt, serverPath } from '../helpers/lsp-client';
import { runHeadlessNvim, type NvimRun } from '../helpers/nvim';

const initLua = resolve(repoDir, 'test/e2e/nvim/init.lua');
// A bundled example, opened from a copy so nothing the editor writes lands in the repository.
const example = resolve(repoDir, 'examples/mistakes');

/** Runs Neovim on `file` with this test's init.lua. */
function runNvim(file: string, env: Record<string, string>): Promise<NvimRun> {
  return runHeadlessNvim(initLua, file, env);
}

/** A repository copy for navigation: a user-defined parameter used in master.cf, a table beside main.cf, loose formatting. */
const NAV_MAIN = [
  '# Office relay (this comment must survive formatting)',
  'myhostname=mx.example.com',
  'office_net = 192.0.2.0/24',
  'mynetworks = 127.0.0.0/8, $office_net',
  'virtual_alias_domains = example.net',
  'virtual_alias_maps = hash:/etc/postfix/virtual',
  'smtpd_relay_restrictions =',
  '\tpermit_mynetworks,',
  '      reject_unauth_destination',
  '',
].join('\n');
const NAV_MASTER = [
  'smtp inet n - y - - smtpd',
  'submission inet n - y - - smtpd',
  '    -o mynetworks=$office_net',
  '  -o smtpd_relay_restrictions=permit_mynetworks,reject',
  '',
].join('\n');

/** NAV_MAIN and NAV_MASTER after the rename to lan_net and formatting, as they must be saved. */
const NAV_FORMATTED = {
  'main.cf': `# Office relay (this comment must survive formatting)
myhostname = mx.example.com
lan_net = 192.0.2.0/24
mynetworks = 127.0.0.0/8, $lan_net
virtual_alias_domains = example.net
virtual_alias_maps = hash:/etc/postfix/virtual
smtpd_relay_restrictions =
  permit_mynetworks,
  reject_unauth_destination
`,
  // The columns of Postfix's own master.cf: 10 wide for the name, 8 for the flags.
  'master.cf': `smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o mynetworks=$lan_net
  -o smtpd_relay_restrictions=permit_mynetworks,reject
`,
};

/** Real postconf's view of a configuration directory (main.cf settings and master.cf services); warnings fail. */
function postconf(dir: string): { n: string; M: string } {
  const read = (flag: string) => {
    const r = spawnSync('postconf', ['-c', dir, flag], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `postconf ${flag} warned`);
    return r.stdout;
  };
  return { n: read('-n'), M: read('-M') };
}

describe('Neovim 0.7 with the real server', () => {
  let work: string;
  before(() => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'postfix-nvim-config-'));
    cpSync(example, work, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('examples/mistakes/main.cf: PF112 on line 6 (the indented mydomain), gone after deleting that line', async (t) => {
    if (!requireTools(t, { commands: ['nvim'] })) return;
    const run = await runNvim(join(work, 'main.cf'), {
      POSTFIX_SERVER: serverPath,
      POSTFIX_EDIT_LINE: '5',
      POSTFIX_GONE_CODE: 'PF112',
    });
    t.diagnostic(`nvim run took ${run.ms} ms`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // DIAG <zero-based line> <code> <severity> <message>; severity 1 = error.
    const continued = run.lines.find((l) => l.startsWith('DIAG 5 PF112 1 '));
    assert.ok(continued, run.stdout);
    assert.match(continued, /does not set mydomain/);
    assert.ok(!run.lines.some((l) => l.startsWith('AFTER') && l.includes(' PF112 ')), run.stdout);
    const symbols = run.lines.find((l) => l.startsWith('SYMBOLS '));
    assert.match(symbols ?? '', /^SYMBOLS compatibility_level,myhostname,mydestination,mynetworks,/);
    assert.equal(run.lines.at(-1), 'OK');
  });

  test('definition to the table file, rename across main.cf and master.cf, formatting: postconf sees only the rename', async (t) => {
    if (!requireTools(t, { commands: ['nvim', 'postconf'] })) return;
    const dir = join(work, 'navigation');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.cf'), NAV_MAIN);
    writeFileSync(join(dir, 'master.cf'), NAV_MASTER);
    writeFileSync(join(dir, 'virtual'), 'info@example.net alice\n');
    const before = postconf(dir);
    const run = await runHeadlessNvim(resolve(repoDir, 'test/e2e/nvim/navigation.lua'), join(dir, 'main.cf'), {
      POSTFIX_SERVER: serverPath,
      POSTFIX_NEW_NAME: 'lan_net',
    });
    t.diagnostic(`nvim run took ${run.ms} ms`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(run.lines.includes('DEFINITION virtual line 1'), run.stdout);
    assert.ok(run.lines.includes('RENAMED main.cf master.cf'), run.stdout);
    assert.equal(run.lines.at(-1), 'OK');
    // What Neovim wrote: renamed everywhere, spacing and indentation formatted, the comment kept.
    for (const [file, text] of Object.entries(NAV_FORMATTED)) assert.equal(readFileSync(join(dir, file), 'utf8'), text, file);
    // Real Postfix reads the same configuration, but for the new name (postconf -n sorts by name).
    const renamed = (s: string) => s.replaceAll('office_net', 'lan_net');
    const sorted = (s: string) => s.split('\n').sort().join('\n');
    const after = postconf(dir);
    assert.deepEqual({ n: sorted(after.n), M: after.M }, { n: sorted(renamed(before.n)), M: renamed(before.M) });
  });

  test('negative control: a wrong server path fails the run', async (t) => {
    if (!requireTools(t, { commands: ['nvim'] })) return;
    const run = await runNvim(join(work, 'main.cf'), { POSTFIX_SERVER: resolve(repoDir, 'dist/no-such-server.js') });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /FAIL: server exited code=1/);
  });
});

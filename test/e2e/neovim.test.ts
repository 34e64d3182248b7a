// Real editor, real server: headless Neovim 0.7 opens a config, starts
// `node dist/server.js --stdio` through its built-in LSP client, and reports
// the diagnostics it shows. Recipe: ../shared/real-editors.md section 2.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt, serverPath } from '../helpers/lsp-client';

const initLua = resolve(repoDir, 'test/e2e/nvim/init.lua');
const config = resolve(repoDir, 'test/fixtures/lsp/basic');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  lines: string[];
}

/** Runs Neovim on `file` with XDG dirs (lsp.log, shada, swap) in a fresh temp dir. */
function runNvim(file: string, env: Record<string, string>): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), 'postfix-nvim-'));
  const xdg = {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_STATE_HOME: join(home, 'state'),
  };
  const started = Date.now();
  const child = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', initLua, file], {
    env: { ...process.env, ...xdg, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  return new Promise((done) =>
    child.on('exit', (code) => {
      rmSync(home, { recursive: true, force: true });
      done({ code, stdout, stderr, ms: Date.now() - started, lines: stdout.split(/\r?\n/).filter(Boolean) });
    }),
  );
}

describe('Neovim 0.7 with the real server', () => {
  let work: string;
  before(() => {
    ensureBuilt();
    // A copy, so nothing the editor might write lands in the repository.
    work = mkdtempSync(join(tmpdir(), 'postfix-nvim-config-'));
    cpSync(config, work, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('shows the override warning on main.cf line 12 and clears it after an edit', async (t) => {
    if (!requireTools(t, { commands: ['nvim'] })) return;
    const run = await runNvim(join(work, 'main.cf'), {
      POSTFIX_SERVER: serverPath,
      POSTFIX_EDIT_LINE: '11',
      POSTFIX_GONE_CODE: 'PF102',
    });
    t.diagnostic(`nvim run took ${run.ms} ms`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // DIAG <zero-based line> <code> <severity> <message>; severity 2 = warning.
    const override = run.lines.find((l) => l.startsWith('DIAG 11 PF102 2 '));
    assert.ok(override, run.stdout);
    assert.match(override, /overriding earlier entry: myhostname=mx\.example\.test/);
    assert.ok(!run.lines.some((l) => l.startsWith('AFTER') && l.includes(' PF102 ')), run.stdout);
    assert.ok(run.lines.includes('SYMBOLS compatibility_level,myhostname,mydomain,smtpd_relay_restrictions,mua_client_restrictions'), run.stdout);
    assert.equal(run.lines.at(-1), 'OK');
  });

  test('negative control: a wrong server path fails the run', async (t) => {
    if (!requireTools(t, { commands: ['nvim'] })) return;
    const run = await runNvim(join(work, 'main.cf'), { POSTFIX_SERVER: resolve(repoDir, 'dist/no-such-server.js') });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /FAIL: server exited code=1/);
  });
});

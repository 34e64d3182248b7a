// Real editor, real server: headless Neovim 0.7 opens a config, starts
// `node dist/server.js --stdio` through its built-in LSP client, and reports
// the diagnostics it shows. Recipe: ../shared/real-editors.md section 2.

import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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

  test('negative control: a wrong server path fails the run', async (t) => {
    if (!requireTools(t, { commands: ['nvim'] })) return;
    const run = await runNvim(join(work, 'main.cf'), { POSTFIX_SERVER: resolve(repoDir, 'dist/no-such-server.js') });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /FAIL: server exited code=1/);
  });
});

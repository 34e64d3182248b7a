// Headless Neovim for the e2e tests: runs `nvim -u INIT FILE` with its XDG
// directories (lsp.log, shada, swap) in a fresh temp dir, and collects what
// the init script prints (one fact per line). The script's directory is put on
// Lua's package.path so every script shares require('postfix_e2e')
// (test/e2e/nvim/postfix_e2e.lua). Recipe: ../shared/real-editors.md section 2.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface NvimRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  lines: string[];
}

export function runHeadlessNvim(initLua: string, file: string, env: Record<string, string>): Promise<NvimRun> {
  const home = mkdtempSync(join(tmpdir(), 'postfix-nvim-'));
  const xdg = {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_STATE_HOME: join(home, 'state'),
  };
  const started = Date.now();
  const libs = `lua package.path = ${JSON.stringify(join(dirname(initLua), '?.lua'))} .. ';' .. package.path`;
  const child = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '--cmd', libs, '-u', initLua, file], {
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

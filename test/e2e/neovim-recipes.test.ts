// Recipes in a real LSP editor other than VS Code: headless Neovim 0.7 with
// the real server on a copy of seed 004 (test/e2e/nvim/recipe.lua) runs
// postfix.applyRecipe (the server applies it through workspace/applyEdit),
// then applies PF542's WARN quick fix itself, creating the sender table.
// The saved files are then read by real postconf with no new warning.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt, serverPath } from '../helpers/lsp-client';
import { runHeadlessNvim } from '../helpers/nvim';

let work: string;
before(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'postfix-nvim-recipes-'));
  cpSync(resolve(repoDir, 'test/fixtures/intent/seed-004'), work, { recursive: true });
});
after(() => rmSync(work, { recursive: true, force: true }));

function postconfWarnings(dir: string): string[] {
  const r = spawnSync('postconf', ['-c', dir, '-n'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr.split('\n').filter((l) => /warning|fatal/.test(l)).sort();
}

test('Neovim 0.7: postfix.applyRecipe and the PF542 WARN quick fix (CreateFile) apply; PF542 clears; postconf reads the saved files', async (t) => {
  if (!requireTools(t, { commands: ['nvim', 'postconf'] })) return;
  const before = postconfWarnings(work);
  const run = await runHeadlessNvim(resolve(repoDir, 'test/e2e/nvim/recipe.lua'), join(work, 'main.cf'), { POSTFIX_SERVER: serverPath });
  t.diagnostic(`nvim run took ${run.ms} ms`);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /APPLIED true/, 'the server applied the rate-limits recipe through workspace/applyEdit');
  assert.ok(run.lines.includes('ACTION Log outside mail with our own domains as sender (check_sender_access … WARN)'), run.stdout);
  assert.ok(run.lines.includes('ACTION Reject outside mail with our own domains as sender (check_sender_access … REJECT 5.7.1)'), run.stdout);
  assert.ok(run.lines.includes('PF542 GONE'), run.stdout);
  assert.equal(run.lines.at(-1), 'OK');
  const main = readFileSync(join(work, 'main.cf'), 'utf8');
  assert.match(main, /^smtpd_client_connection_rate_limit = 60$/m);
  assert.match(main, /check_sender_access texthash:\$config_directory\/own_domain_senders, reject_unauth_destination$/m);
  assert.match(readFileSync(join(work, 'own_domain_senders'), 'utf8'), /^\.company\.my WARN /m);
  assert.deepEqual(postconfWarnings(work).filter((w) => !before.includes(w)), []);
});

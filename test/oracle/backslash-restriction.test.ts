// A shell-style "\" at the end of a restriction-list line (issue 7): PF402
// says that a backslash does not continue a line in main.cf, and its fix,
// applied, leaves a list real postconf reads without the stray words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { fsReader } from '../../server/src/cli/main';
import { lintTargets } from '../../server/src/engine/lint';
import { applyTextEdits } from '../../server/src/engine/rules';
import { backdate } from '../helpers/postfix-tools';

const MAIN = 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, \\\n    permit_sasl_authenticated \\\n    reject_unauth_destination\n';

test('PF402 on "\\": says why, and its fix gives the list postconf reads as intended', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pf-bs-'));
  try {
    const file = join(dir, 'main.cf');
    writeFileSync(file, MAIN);
    const before = lintTargets([dir], fsReader, { mode: 'repository' }).problems.filter((p) => p.code === 'PF402');
    assert.equal(before.length, 2);
    for (const p of before) {
      assert.match(p.message, /^unknown smtpd restriction: "\\": /);
      assert.match(p.message, /A backslash does not continue a line in main\.cf/);
    }
    // Apply the fixes one at a time, as an editor would, re-linting in between.
    for (let i = 0; i < 2; i++) {
      const p = lintTargets([dir], fsReader, { mode: 'repository' }).problems.find((x) => x.code === 'PF402');
      const fix = p?.fixes?.find((f) => f.title === 'Remove the backslash');
      assert.ok(fix);
      writeFileSync(file, applyTextEdits(fsReader.readText(file)!, fix.edits.filter((e) => e.file === file)));
    }
    assert.deepEqual(lintTargets([dir], fsReader, { mode: 'repository' }).problems.filter((p) => p.code === 'PF402'), []);
    backdate(dir); // written just now: postconf would sleep and read it again
    const real = execFileSync('postconf', ['-c', dir, '-h', 'smtpd_relay_restrictions'], { encoding: 'utf8' }).trim();
    assert.equal(real.replace(/,/g, ' ').split(/\s+/).join(' '), 'permit_mynetworks permit_sasl_authenticated reject_unauth_destination');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

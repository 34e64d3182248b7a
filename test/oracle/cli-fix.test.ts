// `postfix-lint --fix [--diff] DIR`: --diff prints and writes nothing; --fix
// applies the safe fixes, keeps comments, satisfies real postconf, and a
// second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { runCli } from '../helpers/cli-run';
import { fsReader } from '../../server/src/cli/main';
import { lintTargets } from '../../server/src/engine/lint';
import { backdate } from '../helpers/postfix-tools';

const MAIN = '# our relay\ncompatibility_level = 3.6\nmydestination = example.test\nmynetworks = 0.0.0.0/0\nsmtpd_banner = $myhostname ESMTP $mail_name\n';
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

test('--fix --diff prints the change only; --fix writes it, postconf agrees, and is idempotent', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pf-fix-'));
  try {
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    const codes = () => lintTargets([dir], fsReader, { mode: 'repository' }).problems.map((p) => p.code);
    assert.ok(codes().includes('PF500'));
    const preview = runCli(['--fix', '--diff', dir]);
    assert.equal(preview.status, 0, preview.stderr);
    assert.match(preview.stdout, /^-mynetworks = 0\.0\.0\.0\/0$/m);
    assert.equal(readFileSync(join(dir, 'main.cf'), 'utf8'), MAIN, '--diff writes nothing');
    assert.equal(runCli(['--fix', dir]).status, 0);
    const after = readFileSync(join(dir, 'main.cf'), 'utf8');
    assert.notEqual(after, MAIN);
    assert.match(after, /^# our relay$/m, 'comments kept');
    assert.ok(!codes().includes('PF500'), `the open relay is fixed: ${codes()}`);
    // Real postconf reads the fixed file and no longer sees the open network.
    backdate(dir); // written just now: postconf would sleep and read it again
    const effective = execFileSync('postconf', ['-c', dir, '-h', 'mynetworks'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.doesNotMatch(effective, /0\.0\.0\.0\/0/);
    runCli(['--fix', dir]);
    assert.equal(readFileSync(join(dir, 'main.cf'), 'utf8'), after, 'a second run changes nothing');
    assert.equal(runCli(['--fix', '--bogus', dir]).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

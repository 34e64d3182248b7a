// `postfix-lint --fix` fixes what the same options would report, no more: a
// rule turned off (by the nearest .postfix-lint.json or --config FILE) or
// below --min-severity at its configured severity keeps its text. Run with
// the built CLI (node dist/cli.js); real `postconf -n` judges the result.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt } from '../helpers/lsp-client';
import { ConfigDir, run } from '../helpers/postfix-tools';

const CLI = join(repoDir, 'dist', 'cli.js');
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';
// PF102 (warning): relayhost set twice; PF111 (warning): a # note inside a value;
// hardening advice for a public port 25: VRFY (PF519, info) and the banner (PF520, info).
const MAIN = 'compatibility_level = 3.6\n# relays\nrelayhost = [a.example.net]\nmyhostname = mail.example.com # public name\nrelayhost = [b.example.net]\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n';

before(() => ensureBuilt());

function fix(dir: string, ...options: string[]): string {
  const r = spawnSync(process.execPath, [CLI, '--fix', ...options, dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(join(dir, 'main.cf'), 'utf8');
}

/** What real Postfix reads: `postconf -n` (without config_directory) and its warnings. */
function postconf(dir: string): { n: string; warnings: string } {
  const r = run('postconf', ['-c', dir, '-n']);
  assert.equal(r.status, 0, r.stderr);
  return { n: r.stdout.replace(/^config_directory = .*\n/m, ''), warnings: r.stderr };
}

function configDir(files: Record<string, string> = {}): ConfigDir {
  const cd = new ConfigDir('pf-fix-settings-');
  cd.write('main.cf', MAIN);
  cd.write('master.cf', MASTER);
  for (const [name, text] of Object.entries(files)) cd.write(name, text);
  return cd;
}

test('without rule settings, --fix removes the overridden relayhost, moves the note out and hardens (the control)', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const cd = configDir();
  try {
    assert.match(postconf(cd.dir).warnings, /overriding earlier entry: relayhost/);
    fix(cd.dir);
    const after = postconf(cd.dir);
    assert.doesNotMatch(after.warnings, /overriding/);
    assert.match(after.n, /^myhostname = mail\.example\.com$/m);
    assert.match(after.n, /^disable_vrfy_command = yes$/m);
  } finally {
    cd.dispose();
  }
});

test('a .postfix-lint.json turning PF102 off and PF111 down to hint, with --min-severity info: neither is fixed, the rest is', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const cd = configDir({ '.postfix-lint.json': JSON.stringify({ rules: { PF102: 'off', PF111: 'hint' } }) });
  try {
    const text = fix(cd.dir, '--min-severity', 'info');
    // The text of both findings is as it was.
    assert.ok(text.includes('relayhost = [a.example.net]\n'), text);
    assert.ok(text.includes('myhostname = mail.example.com # public name\n'), text);
    const after = postconf(cd.dir);
    assert.match(after.warnings, /overriding earlier entry: relayhost/, 'Postfix still sees the duplicate');
    assert.match(after.n, /^myhostname = mail\.example\.com # public name$/m, 'Postfix still reads the note as part of the value');
    assert.match(after.n, /^disable_vrfy_command = yes$/m, 'the advice left on (PF519, info) is applied');
    // Without --min-severity the hint counts again: its fix is applied.
    fix(cd.dir);
    assert.match(postconf(cd.dir).n, /^myhostname = mail\.example\.com$/m);
    assert.match(postconf(cd.dir).warnings, /overriding earlier entry: relayhost/, 'PF102 stays off');
  } finally {
    cd.dispose();
  }
});

test('--config FILE with the security category off: no hardening, the other fixes still apply', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const cd = configDir({ 'ci-rules.json': JSON.stringify({ categories: { security: 'off' } }) });
  try {
    const before = postconf(cd.dir).n;
    fix(cd.dir, '--config', join(cd.dir, 'ci-rules.json'));
    const after = postconf(cd.dir);
    assert.doesNotMatch(after.warnings, /overriding/);
    assert.match(after.n, /^myhostname = mail\.example\.com$/m);
    // Nothing beyond the two fixes: postconf -n lists the same parameters as before, the note aside.
    const names = (s: string) => s.split('\n').filter(Boolean).map((l) => l.split(' = ')[0]);
    assert.deepEqual(names(after.n), names(before));
    assert.doesNotMatch(after.n, /disable_vrfy_command|smtpd_banner/);
  } finally {
    cd.dispose();
  }
});

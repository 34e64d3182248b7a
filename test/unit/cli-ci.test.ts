// postfix-lint in CI: the exit-status policy (--fail-on, --min-severity) and
// GitLab's code-quality report format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, runLint } from '../../server/src/cli/main';

// One warning-free error (open relay) and an info finding (banner).
const OPEN = 'compatibility_level = 3.6\nmydestination = example.test\nmynetworks = 0.0.0.0/0\nsmtpd_banner = $myhostname ESMTP $mail_name\n';
const INFO_ONLY = 'compatibility_level = 3.6\nmydestination = example.test\nsmtpd_banner = $myhostname ESMTP $mail_name\n';
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

function lint(main: string, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'pf-ci-'));
  try {
    writeFileSync(join(dir, 'main.cf'), main);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    let stdout = '';
    let stderr = '';
    const code = runLint([...args, dir], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader });
    assert.equal(typeof code, 'number');
    return { code: code as number, stdout, stderr, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--fail-on: errors by default, any chosen severity, or never', () => {
  assert.equal(lint(INFO_ONLY, []).code, 0, 'an info finding does not fail by default');
  assert.equal(lint(INFO_ONLY, ['--fail-on', 'info']).code, 1);
  assert.equal(lint(INFO_ONLY, ['--fail-on', 'warning']).code, 0);
  assert.equal(lint(OPEN, []).code, 1);
  assert.equal(lint(OPEN, ['--fail-on', 'never']).code, 0);
  // Only findings that are shown count.
  assert.equal(lint(INFO_ONLY, ['--fail-on', 'info', '--min-severity', 'warning']).code, 0);
  assert.equal(lint(OPEN, ['--fail-on', 'sometimes']).code, 2);
});

test('--format gitlab: code-quality issues with severity, path, line and a line-independent fingerprint', () => {
  const a = lint(OPEN, ['--format', 'gitlab']);
  const issues = JSON.parse(a.stdout) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } } }[];
  const relay = issues.find((i) => i.check_name === 'PF500');
  assert.ok(relay, a.stdout);
  assert.equal(relay.severity, 'critical');
  assert.match(relay.location.path, /main\.cf$/);
  assert.equal(relay.location.lines.begin, 3);
  assert.equal(issues.find((i) => i.check_name === 'PF520')?.severity, 'minor');
  assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length, 'fingerprints are unique');
  // The same findings one line lower keep their fingerprints (paths differ per temp dir, so compare within one dir).
  const moved = lint(`# a comment\n${OPEN}`, ['--format', 'gitlab']);
  const norm = (r: typeof a) => (JSON.parse(r.stdout) as typeof issues).map((i) => [i.check_name, i.location.lines.begin]);
  assert.deepEqual(norm(moved).map(([c, l]) => [c, (l as number) - 1]), norm(a));
});

// postfix-lint in CI: the exit-status policy (--fail-on, --min-severity) and
// GitLab's code-quality report format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, runLint } from '../../server/src/cli/main';

// An open relay (errors) and a banner that names the software (info), plus
// whatever advice the engine adds; the exit status is checked against the
// findings the same run reports.
const OPEN = 'compatibility_level = 3.6\nmydestination = example.test\nmynetworks = 0.0.0.0/0\nsmtpd_banner = $myhostname ESMTP $mail_name\n';
const INFO_ONLY = 'compatibility_level = 3.6\nmydestination = example.test\nsmtpd_banner = $myhostname ESMTP $mail_name\n';
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';
const RANK = { error: 0, warning: 1, info: 2, hint: 3 } as const;

function lintIn(dir: string, main: string, args: string[]) {
  writeFileSync(join(dir, 'main.cf'), main);
  writeFileSync(join(dir, 'master.cf'), MASTER);
  let stdout = '';
  let stderr = '';
  const code = runLint([...args, dir], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader });
  assert.equal(typeof code, 'number');
  return { code: code as number, stdout, stderr };
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pf-ci-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--fail-on: exit 1 exactly when a shown finding is at or above the level; never; usage errors', () => {
  withDir((dir) => {
    for (const main of [OPEN, INFO_ONLY]) {
      const severities = (JSON.parse(lintIn(dir, main, ['--format', 'json']).stdout).problems as { severity: keyof typeof RANK }[]).map((p) => p.severity);
      assert.ok(severities.includes('info'), 'the fixture has an info finding');
      for (const level of ['error', 'warning', 'info', 'hint'] as const) {
        const expected = severities.some((s) => RANK[s] <= RANK[level]) ? 1 : 0;
        assert.equal(lintIn(dir, main, ['--fail-on', level]).code, expected, `${level} on ${severities}`);
      }
      assert.equal(lintIn(dir, main, ['--fail-on', 'never']).code, 0);
      // Only findings that are shown count.
      assert.equal(lintIn(dir, main, ['--fail-on', 'info', '--min-severity', 'error']).code, severities.includes('error') ? 1 : 0);
    }
    assert.equal(lintIn(dir, OPEN, []).code, 1, 'errors fail by default');
    assert.equal(lintIn(dir, INFO_ONLY, ['--fail-on', 'info']).code, 1);
    assert.equal(lintIn(dir, OPEN, ['--fail-on', 'sometimes']).code, 2);
  });
});

test('--format gitlab: code-quality issues with severity, path, line and a line-independent fingerprint', () => {
  withDir((dir) => {
    type Issue = { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } } };
    const a = lintIn(dir, OPEN, ['--format', 'gitlab']);
    const issues = JSON.parse(a.stdout) as Issue[];
    const relay = issues.find((i) => i.check_name === 'PF500');
    assert.ok(relay, a.stdout);
    assert.equal(relay.severity, 'critical');
    assert.match(relay.location.path, /main\.cf$/);
    assert.equal(relay.location.lines.begin, 3);
    assert.equal(issues.find((i) => i.check_name === 'PF520')?.severity, 'minor');
    assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length, 'fingerprints are unique');
    // A comment above moves the findings; their fingerprints stay.
    const moved = JSON.parse(lintIn(dir, `# a comment\n${OPEN}`, ['--format', 'gitlab']).stdout) as Issue[];
    assert.deepEqual(moved.map((i) => i.fingerprint).sort(), issues.map((i) => i.fingerprint).sort());
    assert.equal(moved.find((i) => i.check_name === 'PF500')?.location.lines.begin, 4);
  });
});

// Rule settings on the command line: the nearest .postfix-lint.json above the
// linted directory, or --config FILE, turns rules and categories off or sets
// their severity (the exit status follows); a broken file is reported and
// ignored. The language server reads the same file (test/protocol/rule-settings.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, main } from '../../server/src/cli/main';
import { applyRuleSettings, parseRuleSettings } from '../../server/src/engine/rule-settings';
import type { Problem } from '../../server/src/engine/types';

const MAIN = 'compatibility_level = 3.6\nsmtpd_helo_requierd = yes\nmyhostname = mail.example.com # public\nmyorigin = example.com\nmyorigin = example.com\n';

function lint(args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = main(['--format', 'json', '--repository', ...args], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader }) as number;
  const problems = stdout ? (JSON.parse(stdout).problems as Problem[]) : [];
  return { status, stderr, problems, codes: problems.map((p) => p.code) };
}

function tree() {
  const root = mkdtempSync(join(tmpdir(), 'pf-rule-settings-'));
  const dir = join(root, 'etc', 'postfix');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.cf'), MAIN);
  writeFileSync(join(dir, 'master.cf'), 'smtp inet n - y - - smtpd\n');
  return { root, dir };
}

test('without settings every finding shows at its own severity', () => {
  const { root, dir } = tree();
  try {
    const r = lint([dir]);
    for (const c of ['PF103', 'PF111', 'PF113']) assert.ok(r.codes.includes(c), r.codes.join(' '));
    assert.equal(r.problems.find((p) => p.code === 'PF111')!.severity, 'warning');
    assert.equal(r.status, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('.postfix-lint.json two directories up: a rule off, a category off, a rule raised to error (exit 1)', () => {
  const { root, dir } = tree();
  try {
    writeFileSync(join(root, '.postfix-lint.json'), JSON.stringify({ rules: { pf103: 'off', PF111: 'error' }, categories: { style: 'off' } }));
    const r = lint([dir]);
    assert.ok(!r.codes.includes('PF103') && !r.codes.includes('PF113'), r.codes.join(' '));
    assert.equal(r.problems.find((p) => p.code === 'PF111')!.severity, 'error');
    assert.equal(r.status, 1, 'the raised severity fails the run');
    // A single file in the directory is judged by the same file.
    assert.ok(!lint([join(dir, 'main.cf')]).codes.includes('PF103'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('--config FILE replaces the file found upward; a missing one is a usage error', () => {
  const { root, dir } = tree();
  try {
    writeFileSync(join(root, '.postfix-lint.json'), JSON.stringify({ rules: { PF103: 'off' } }));
    writeFileSync(join(root, 'ci.json'), JSON.stringify({ rules: { PF111: 'off' } }));
    const r = lint(['--config', join(root, 'ci.json'), dir]);
    assert.ok(r.codes.includes('PF103') && !r.codes.includes('PF111'), r.codes.join(' '));
    assert.equal(lint(['--config', join(root, 'nothing.json'), dir]).status, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a broken settings file is reported and ignored; wrong entries are reported, the right ones apply', () => {
  const { root, dir } = tree();
  try {
    writeFileSync(join(dir, '.postfix-lint.json'), '{ "rules": { "PF103": "off", }');
    const broken = lint([dir]);
    assert.match(broken.stderr, /postfix-lint: warning: .*\.postfix-lint\.json: not valid JSON/);
    assert.ok(broken.codes.includes('PF103'));
    writeFileSync(join(dir, '.postfix-lint.json'), JSON.stringify({ rules: { PF103: 'off', PF111: 'loud', X1: 'off' }, categories: { fun: 'off' } }));
    const partly = lint([dir]);
    assert.match(partly.stderr, /PF111: "loud" is not error, warning, info, hint or off/);
    assert.match(partly.stderr, /"X1" is not a rule code/);
    assert.match(partly.stderr, /"fun" is not a category/);
    assert.ok(!partly.codes.includes('PF103') && partly.codes.includes('PF111'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a rule entry wins over its category', () => {
  const { settings, errors } = parseRuleSettings({ rules: { PF113: 'warning' }, categories: { style: 'off', correctness: 'info' } }, 'test');
  assert.deepEqual(errors, []);
  const p = (code: string, category: Problem['category']): Problem => ({ code, category, severity: 'hint', file: 'f', message: '', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  const out = applyRuleSettings([p('PF113', 'style'), p('PF407', 'style'), p('PF111', 'correctness')], settings);
  assert.deepEqual(
    out.map((x) => `${x.code}:${x.severity}`),
    ['PF113:warning', 'PF111:info'],
  );
});

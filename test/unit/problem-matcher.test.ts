// The `$postfix-lint` problem matcher (package.json contributes.problemMatchers)
// against what the built CLI really prints: every finding line of a run over
// examples/ must match, with the file, line, column, severity, code and
// message in the groups the matcher names; the other lines (how a directory
// was judged, the totals) must not. The task type is declared with the
// properties the task provider reads.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { repoDir } from '../helpers/env';
import { ensureBuilt } from '../helpers/lsp-client';

const manifest = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8'));

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity: number;
  code: number;
  message: number;
}

const matcher = manifest.contributes.problemMatchers.find((m: { name: string }) => m.name === 'postfix-lint');
const pattern: Pattern = matcher.pattern;

/** Runs the built CLI as the task does: from the workspace folder, over the paths given. */
function runCli(args: string[]): string[] {
  const r = spawnSync(process.execPath, [join(repoDir, 'dist/cli.js'), ...args], { cwd: repoDir, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('the postfix-lint problem matcher', () => {
  before(() => ensureBuilt());

  test('is declared as VS Code reads it', () => {
    assert.equal(matcher.owner, 'postfix-lint');
    assert.deepEqual(matcher.fileLocation, ['autoDetect', '${workspaceFolder}']);
    for (const k of ['file', 'line', 'column', 'severity', 'code', 'message'] as const) assert.ok(Number.isInteger(pattern[k]), k);
    const task = manifest.contributes.taskDefinitions.find((t: { type: string }) => t.type === 'postfix-lint');
    assert.deepEqual(Object.keys(task.properties).sort(), ['args', 'paths']);
  });

  test('matches every finding the CLI prints for examples/, and nothing else', () => {
    const lines = runCli(['examples/mistakes', 'examples/hardened']);
    const re = new RegExp(pattern.regexp);
    const findings = lines.filter((l) => / PF\d{3}: /.test(l) && /^[^ ]+:\d+:\d+: /.test(l));
    assert.ok(findings.length >= 5, `expected findings in examples/mistakes, got:\n${lines.join('\n')}`);
    for (const l of findings) {
      const m = re.exec(l);
      assert.ok(m, `the matcher misses: ${l}`);
      const file = m[pattern.file];
      assert.ok(existsSync(isAbsolute(file) ? file : join(repoDir, file)), `no such file: ${file}`);
      const text = readFileSync(isAbsolute(file) ? file : join(repoDir, file), 'utf8').split('\n');
      const line = Number(m[pattern.line]);
      assert.ok(line >= 1 && line <= text.length, `${l}: line ${line} outside ${file}`);
      assert.ok(Number(m[pattern.column]) >= 1);
      assert.ok(['error', 'warning', 'info', 'hint'].includes(m[pattern.severity]), l);
      assert.match(m[pattern.code], /^PF\d{3}$/);
      assert.ok(m[pattern.message].length > 0 && l.endsWith(m[pattern.message]));
    }
    const others = lines.filter((l) => !findings.includes(l));
    assert.ok(others.some((l) => /\d+ errors?, \d+ warnings?/.test(l)), 'the totals line is printed');
    for (const l of others) assert.equal(re.exec(l), null, `the matcher takes a line that is not a finding: ${l}`);
  });

  test('the severities VS Code shows: error and warning as themselves, info and hint as information', () => {
    const lines = runCli(['examples/mistakes']);
    const severities = new Set(lines.map((l) => new RegExp(pattern.regexp).exec(l)?.[pattern.severity]).filter(Boolean));
    assert.ok(severities.has('error') && severities.has('warning'), [...severities].join(','));
  });
});

// Stand-ins for main.cf and master.cf (issue 7): templates and backups named
// main.cf.orig, main.cf.proto, main.cf.dist, main.cf.debian and
// master.cf.proto are linted as the file they stand for, through the command
// line, with the findings about the host's installed files (missing, unbuilt
// or stale tables) left out: those files were never meant for a template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDir } from '../helpers/postfix-tools';
import { fsReader, main } from '../../server/src/cli/main';
import type { Problem } from '../../server/src/engine/types';

const MAIN = `compatibility_level = 3.6
mydestination = example.test
mynetworks = 0.0.0.0/0
virtual_alias_maps = hash:/etc/postfix/virtual
bogus_setting = 1
`;

function cli(...args: string[]): { problems: Problem[]; status: number } {
  let stdout = '';
  const status = main(['--format', 'json', ...args], { stdout: (s) => (stdout += s), stderr: () => {}, reader: fsReader }) as number; // lint is synchronous
  return { problems: JSON.parse(stdout).problems, status };
}

test('main.cf.orig/.proto/.dist/.debian and master.cf.proto get the findings their content has, on their own lines', () => {
  const d = new ConfigDir('standin-');
  try {
    for (const name of ['main.cf.orig', 'main.cf.proto', 'main.cf.dist', 'main.cf.debian']) {
      const path = d.write(name, MAIN);
      const { problems, status } = cli(path);
      const got = problems.map((p) => `${p.code}@${p.range.start.line}`).sort();
      assert.deepEqual(got, ['PF103@4', 'PF501@2'], `${name}: ${JSON.stringify(problems.map((p) => p.message))}`);
      assert.ok(problems.every((p) => p.file === path), 'reported against the stand-in itself');
      assert.equal(status, 1, 'PF501 is an error');
    }
    const master = d.write('master.cf.proto', 'smtp inet n - n - - smtpd\n  -o bogus_option=1\n');
    const m = cli(master).problems;
    assert.deepEqual(m.map((p) => `${p.code}@${p.range.start.line}`), ['PF230@1']);
    assert.equal(m[0].file, master);
  } finally {
    d.dispose();
  }
});

test('the same text as main.cf also gets the table finding a stand-in leaves out', () => {
  const d = new ConfigDir('standin-');
  try {
    d.write('main.cf', MAIN);
    const codes = cli(d.dir).problems.map((p) => p.code).sort();
    assert.deepEqual(codes, ['PF103', 'PF379', 'PF501']);
  } finally {
    d.dispose();
  }
});

// "Disable PFxxx for this line / for this file": for every finding of a
// configuration with mistakes in main.cf, master.cf and a cidr table, the
// comment the fix writes silences exactly that finding (line) or that code
// in that file (file) when the engine lints again, as the CLI and the server
// both do. "Fix all" merges the safe fixes without overlap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDirectory } from '../../server/src/engine/lint';
import { disableFixes } from '../../server/src/engine/fixes/disable';
import { applyTextEdits, mergeSafeFixes } from '../../server/src/engine/rules';
import type { FileReader, Problem } from '../../server/src/engine/types';

const DIR = '/cfg';

const FILES: Record<string, string> = {
  'main.cf': [
    '# postfix-lint: disable-file=PF507',
    'compatibility_level = 3.6',
    'myorigin = example.com',
    'smtpd_helo_requierd = yes',
    'myhostname = mail.example.com # public name',
    '# two settings',
    'relayhost = [a.example.net]',
    'relayhost = [b.example.net]',
    'smtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr,',
    '    permit, reject',
    'myorigin = example.com',
    '',
  ].join('\r\n'),
  'master.cf': [
    'smtp      inet  n       -       y       -       -       smtpd',
    'submission inet n       -       y       -       -       smtpd',
    '  -o smtpd_tls_securty_level=encrypt',
    '  -osyslog_name=postfix/submission',
    '',
  ].join('\n'),
  'clients.cidr': '# office\n192.168.1.7/24 REJECT\n10.1.2.3/8 OK\n',
};

function reader(files: Record<string, string>): FileReader {
  return {
    readText: (p) => (p.startsWith(`${DIR}/`) ? files[p.slice(DIR.length + 1)] : undefined),
    mtimeMs: (p) => (p.startsWith(`${DIR}/`) && files[p.slice(DIR.length + 1)] !== undefined ? 1 : undefined),
    listDirectory: (p) => (p === DIR ? Object.keys(files) : undefined),
  };
}

function lint(files: Record<string, string>): Problem[] {
  return lintDirectory(DIR, reader(files), { mode: 'repository' });
}

const key = (p: Problem) => `${p.file}|${p.code}|${p.message.replace(/line \d+/g, 'line N')}`;

test('every finding: "disable for this line" silences it alone, "for this file" silences its code in that file', () => {
  const problems = lint(FILES);
  const codes = new Set(problems.map((p) => p.code));
  for (const c of ['PF102', 'PF103', 'PF111', 'PF113', 'PF230', 'PF220', 'PF320', 'PF401']) assert.ok(codes.has(c), `fixture has ${c}: ${[...codes]}`);
  assert.ok(!codes.has('PF507'), 'the disable-file directive already in main.cf holds');
  for (const p of problems) {
    const name = p.file.slice(DIR.length + 1);
    const fixes = disableFixes(p, FILES[name]);
    const line = fixes.find((f) => f.title === `Disable ${p.code} for this line`);
    const file = fixes.find((f) => f.title === `Disable ${p.code} for this file`);
    assert.ok(file, `${p.code}: file fix`);
    for (const fix of [line, file]) {
      if (!fix) continue;
      const text = applyTextEdits(FILES[name], fix.edits);
      // Only comment lines are added or changed; CRLF stays CRLF.
      const added = text.split('\n').filter((l) => !FILES[name].split('\n').includes(l));
      assert.ok(added.every((l) => /^# postfix-lint: disable(-file)?=/.test(l)), JSON.stringify(added));
      if (FILES[name].includes('\r\n')) assert.doesNotMatch(text, /[^\r]\n/);
      const after = lint({ ...FILES, [name]: text });
      const left = after.map(key);
      assert.ok(!after.some((x) => x.code === p.code && x.file === p.file && (fix === file || x.range.start.line === p.range.start.line + 1)), `${fix.title} (${p.message})`);
      // Nothing else went: every other finding is still there.
      for (const other of problems) {
        if (other.code === p.code && other.file === p.file) continue;
        assert.ok(left.includes(key(other)), `${fix.title} also silenced ${key(other)}`);
      }
    }
  }
});

test('a directive already above the line or in the file gets the code added', () => {
  const files = { ...FILES, 'main.cf': '# postfix-lint: disable-file=PF507\ncompatibility_level = 3.6\n# postfix-lint: disable=PF111\nsmtpd_helo_requierd = yes\n' };
  const p = lint(files).find((x) => x.code === 'PF103');
  assert.ok(p);
  const [line, file] = disableFixes(p, files['main.cf']);
  const lines = applyTextEdits(files['main.cf'], line.edits).split('\n');
  assert.equal(lines[2], '# postfix-lint: disable=PF111,PF103');
  assert.equal(lines.length, 5);
  assert.equal(applyTextEdits(files['main.cf'], file.edits).split('\n')[0], '# postfix-lint: disable-file=PF507,PF103');
  assert.ok(!lint({ ...files, 'main.cf': lines.join('\n') }).some((x) => x.code === 'PF103'));
});

test('"Fix all" applies every safe fix at once, once; guesses stay', () => {
  const problems = lint(FILES);
  const fix = mergeSafeFixes(problems);
  const byFile = new Map<string, string>();
  for (const e of fix.edits) byFile.set(e.file, '');
  const files = { ...FILES };
  for (const file of byFile.keys()) {
    const name = file.slice(DIR.length + 1);
    files[name] = applyTextEdits(FILES[name], fix.edits.filter((e) => e.file === file));
  }
  const after = lint(files).map((p) => p.code);
  for (const gone of ['PF102', 'PF111', 'PF113', 'PF220']) assert.ok(!after.includes(gone), `${gone} fixed: ${after}`);
  // Did-you-mean and the cidr network are guesses: not applied.
  for (const kept of ['PF103', 'PF230', 'PF320']) assert.ok(after.includes(kept), `${kept} left to the author`);
  assert.match(files['main.cf'], /^# public name\r\nmyhostname = mail\.example\.com\r\n/m);
  assert.match(files['main.cf'], /^# two settings\r\nrelayhost = \[b\.example\.net\]\r\n/m);
  assert.doesNotMatch(files['main.cf'], /[^\r]\n/);
  // A second "Fix all" finds nothing of these left.
  assert.equal(mergeSafeFixes(lint(files)).edits.filter((e) => e.file.endsWith('main.cf')).length, 0);
});

// aliases(5) files read as real postalias reads them: which lines it warns
// about and skips (need name:value pair, name must be local, non-UTF-8,
// leading whitespace, duplicates), and the names it stores (`postalias -s`).
// Our parser (engine/tables/aliases.ts) must agree on every line, for
// hand-written edge cases and random files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { ConfigDir, run } from '../helpers/postfix-tools';
import { parseAliasTable } from '../../server/src/engine/tables/aliases';

const CASES: Record<string, string> = {
  basic: 'postmaster: root\nroot: admin@example.test, other\n',
  continuation: 'root: a,\n  b,\n\tc\n# comment\n  d\n',
  'no colon': 'bad line without colon\nok: x\n',
  'empty name': ':empty\n',
  'empty value': 'empty:\nalso:   \n',
  'spaces around colon': 'spaced : value\n',
  duplicates: 'dup: a\ndup: b\nDup: c\n',
  quoted: '"quoted name": x\n"with:colon": y\n"Q"uo: w\n',
  comments: 'x(comment): z\nv: (only a comment)\n',
  domains: 'u@dom: v\np%q: v\n"u@dom": w\n',
  'comma before colon': ', n: z\na, b: c\n',
  commands: 'pipe: "|/usr/bin/foo bar"\nk: |/bin/cat\nfile: /var/log/x\ninc: :include:/etc/postfix/inc\n',
  'leading whitespace': '  first: x\nsecond: y\n',
  'non-UTF-8': 'a: b\ncafé: x\nbad\xe9: y\n',
  brackets: '[lit]: x\na[b: c\n',
  backslashes: 'a\\:b: c\n\\@x: y\n',
  crlf: 'a: b\r\nc: d\r\n',
};

interface Verdict {
  /** One-based lines postalias skips, with its reason. */
  skipped: string[];
  /** Names stored, sorted. */
  names: string[];
}

function real(d: ConfigDir, pm: string, name: string, text: Buffer): Verdict {
  const file = d.write(name, text);
  const build = run('postalias', ['-c', pm, `hash:${file}`]);
  assert.equal(build.status, 0, build.stderr);
  const skipped = build.stderr
    .split('\n')
    .map((l) => {
      const m = /warning: .*?, line (\d+): (need name:value pair|name must be local|non-UTF-8 input)/.exec(l) ?? /warning: .*: (logical line must not start with whitespace)/.exec(l);
      if (!m) return undefined;
      return m.length === 3 ? `${m[1]}: ${m[2]}` : `?: ${m[1]}`;
    })
    .filter((x): x is string => x !== undefined);
  const dump = run('postalias', ['-c', pm, '-s', `hash:${file}`]);
  const names = Buffer.from(dump.stdout, 'latin1')
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.slice(0, l.indexOf(':\t')))
    .filter((n) => n !== '@' && !n.startsWith('YP_'));
  return { skipped: skipped.sort(), names: [...new Set(names)].sort() };
}

function ours(name: string, text: Buffer): Verdict {
  // Decoded as the editor decodes files: invalid UTF-8 becomes U+FFFD.
  const t = parseAliasTable(text.toString('utf8'), name);
  const reason: Record<string, string> = { PF377: 'need name:value pair', PF378: 'name must be local', PF304: 'non-UTF-8 input', PF305: 'logical line must not start with whitespace' };
  const skipped = t.problems.filter((p) => reason[p.code]).map((p) => (p.code === 'PF305' ? `?: ${reason[p.code]}` : `${p.range.start.line + 1}: ${reason[p.code]}`));
  return { skipped: skipped.sort(), names: [...new Set(t.entries.map((e) => e.name))].sort() };
}

test('aliases files: our reading agrees with real postalias', async (t) => {
  if (!requireTools(t, { commands: ['postalias'] })) return;
  const d = new ConfigDir('postalias-');
  d.write('PM/main.cf', 'compatibility_level = 3.6\n');
  const pm = join(d.dir, 'PM');
  try {
    for (const [name, text] of Object.entries(CASES)) {
      await t.test(name, () => {
        const bytes = Buffer.from(text, 'latin1');
        const fixed = name === 'non-UTF-8' ? Buffer.concat([Buffer.from('a: b\ncaf\xc3\xa9: x\nbad', 'latin1'), Buffer.from([0xe9]), Buffer.from(': y\n')]) : bytes;
        assert.deepEqual(ours(name, fixed), real(d, pm, name.replace(/\W+/g, '_'), fixed));
      });
    }
    // Random lines from the characters that matter to the tokenizer.
    const piece = fc.constantFrom('a', 'b', 'Root', ':', ',', '@', '%', '"', '(', ')', '[', ']', '\\', ' ', '\t', '|', '/x', 'é', '#');
    const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
    let n = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
        const name = `random${n++}`;
        assert.deepEqual(ours(name, bytes), real(d, pm, name, bytes), JSON.stringify(lines));
      }),
      { numRuns: 60 },
    );
  } finally {
    d.dispose();
  }
});

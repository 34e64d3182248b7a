// The configuration-level results a lint keeps per directory (engine/lint.ts
// reusedPart: main.cf/master.cf checks, postconf findings, the rules) never
// outlive what they were computed from: after every random edit of main.cf,
// master.cf or an access map, a lint equals a lint from scratch of the
// same files in another directory (its own memos). Edits include ones that
// change what a simulated transaction looks up (the keys of the relay
// matrix's recipients), so reuse and recomputation are both exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clearLintMemo, lintDirectory, lintMemoStats } from '../../server/src/engine/lint';
import type { FileReader, Problem } from '../../server/src/engine/types';

// Two directories with names of one length, so ranges over paths compare equal.
const DIR = '/tmp/lint-memo-kept';
const OTHER = '/tmp/lint-memo-cold';
const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = $myhostname
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, check_recipient_access hash:${DIR}/access, reject_unauth_destination
`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_client_restrictions=check_client_access,hash:' + DIR + '/access,reject\n';
let ACCESS = '';
for (let i = 0; i < 1000; i++) ACCESS += `user${i}@example${i % 10}.test ${i % 3 ? 'OK' : 'REJECT'}\n`;

/** Snippets that make and unmake findings, and keys the relay matrix may look up. */
const SNIPPETS = ['\n', ' ', '#', 'x', 'OK', 'REJECT', 'FROBNICATE', 'user1@example1.test REJECT\n', 'example.com OK\n', 'mx.example.test OK\n', 'elsewhere.example OK\n', 'elsewhere.example REJECT\n', 'postmaster@ OK\n', ' $undefined_thing', 'smtpd_helo_required = yes\n', 'myhostname = other.example.test\n', '  -o smtpd_tls_security_level=none\n'];

const plain = (ps: Problem[], from: string, to: string) => ps.map((p) => JSON.stringify(p).replaceAll(from, to)).sort();

test('a lint after random edits of main.cf, master.cf and a 1,000-line map equals a lint from scratch', () => {
  const edit = fc.record({ file: fc.constantFrom('main.cf', 'master.cf', 'access', 'access', 'access'), at: fc.nat(), del: fc.nat(8), text: fc.constantFrom(...SNIPPETS, '') });
  let reused = 0;
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), (edits) => {
      clearLintMemo();
      const files = new Map<string, string>([
        ['main.cf', MAIN],
        ['master.cf', MASTER],
        ['access', ACCESS],
        ['access.db', ''],
      ]);
      const reader = (dir: string): FileReader => ({
        readText: (p) => (p.startsWith(`${dir}/`) ? files.get(p.slice(dir.length + 1))?.replaceAll(DIR, dir) : undefined),
        mtimeMs: (p) => (p.startsWith(`${dir}/`) && files.has(p.slice(dir.length + 1)) ? (p.endsWith('.db') ? 2 : 1) : undefined),
      });
      const incremental = reader(DIR);
      lintDirectory(DIR, incremental, { mode: 'live' });
      for (const e of edits) {
        const text = files.get(e.file)!;
        const at = e.at % (text.length + 1);
        files.set(e.file, text.slice(0, at) + e.text + text.slice(at + e.del));
        const before = lintMemoStats().reused;
        const got = lintDirectory(DIR, incremental, { mode: 'live' });
        reused += lintMemoStats().reused - before;
        // From scratch: other paths, so no memo of this directory or its files is used.
        const cold = lintDirectory(OTHER, reader(OTHER), { mode: 'live' });
        assert.deepEqual(plain(got, DIR, '@'), plain(cold, OTHER, '@'), JSON.stringify(e));
      }
    }),
    { numRuns: 15 },
  );
  // The property is only worth something if results were in fact reused along the way.
  assert.ok(reused > 20, `reused ${reused} times`);
});

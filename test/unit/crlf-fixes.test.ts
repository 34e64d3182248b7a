// Quick fixes keep a file's line endings: in a CRLF file every line they add
// ends in CRLF, and nothing else changes (issue 8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader } from '../../server/src/cli/main';
import { lintTargets } from '../../server/src/engine/lint';
import { applyTextEdits } from '../../server/src/engine/rules';

const MAIN = 'compatibility_level = 3.6\r\nsmtpd_tls_security_level = may\r\nsmtpd_tls_chain_files = /x/k.pem, /x/c.pem\r\nsmtpd_sasl_auth_enable = yes\r\n';
const MASTER = 'smtp inet n - y - - smtpd\r\nsubmission inet n - y - - smtpd\r\n  -o smtpd_sasl_auth_enable=yes';

for (const [where, main, master] of [
  ['main.cf (appended line)', MAIN, 'smtp inet n - y - - smtpd\r\n'],
  ['master.cf (added -o line, file without a final newline)', 'compatibility_level = 3.6\r\nsmtpd_tls_security_level = may\r\nsmtpd_tls_chain_files = /x/k.pem, /x/c.pem\r\n', MASTER],
] as const) {
  test(`a fix in a CRLF ${where} adds CRLF lines only`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-crlf-'));
    try {
      writeFileSync(join(dir, 'main.cf'), main);
      writeFileSync(join(dir, 'master.cf'), master);
      const p = lintTargets([dir], fsReader, { mode: 'repository' }).problems.find((x) => x.code === 'PF511');
      const fix = p?.fixes?.[0];
      assert.ok(fix, 'PF511 has its fix');
      const files = [...new Set(fix.edits.map((e) => e.file))];
      for (const f of files) {
        const before = readFileSync(f, 'latin1');
        const after = applyTextEdits(before, fix.edits.filter((e) => e.file === f));
        assert.notEqual(after, before);
        assert.doesNotMatch(after, /[^\r]\n/, JSON.stringify(after));
        assert.match(after, /smtpd_tls_auth_only ?= ?yes/);
        // Every original line is still there, unchanged.
        for (const line of before.split('\r\n')) assert.ok(after.includes(line), line);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// PF511 (AUTH before TLS) is about passwords crossing a network: a listener
// on loopback only, such as a content filter's re-injection port, is not one
// (issue 7: it was listed among the places offering AUTH in clear text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader } from '../../server/src/cli/main';
import { lintTargets } from '../../server/src/engine/lint';

test('PF511 names public services with AUTH before TLS, never loopback listeners', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-sasl-'));
  try {
    writeFileSync(join(dir, 'main.cf'), 'compatibility_level = 3.6\nsmtpd_tls_security_level = may\nsmtpd_tls_chain_files = /x/k.pem, /x/c.pem\n');
    writeFileSync(
      join(dir, 'master.cf'),
      'smtp inet n - y - - smtpd\n127.0.0.1:10025 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n[::1]:10027 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\nsubmission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n',
    );
    const pf511 = lintTargets([dir], fsReader, { mode: 'repository' }).problems.filter((p) => p.code === 'PF511');
    assert.equal(pf511.length, 1, pf511.map((p) => p.message).join('\n'));
    assert.match(pf511[0].message, /service submission \(port 587\)/);
    assert.doesNotMatch(pf511[0].message, /10025|10027/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

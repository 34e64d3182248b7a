// The tls recipe writes only what the target release knows: parameters whose
// first release (../shared/data/parameters.tsv, extracted from Postfix's own
// documentation) is newer than --postfix-version are never written, and
// before 3.4 the certificate goes into smtpd_tls_cert_file/smtpd_tls_key_file
// (smtpd_tls_chain_files is 3.4+), an existing chain line becoming them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, main } from '../../server/src/cli/main';
import { requireTools, sharedDir } from '../helpers/env';
import { versionAtLeast } from '../../server/src/engine/catalog/version';
import { backdate } from '../helpers/postfix-tools';

/** Parameter → the release that introduced it ('old': before 2.0). */
function firstReleases(): Map<string, string> {
  const rows = readFileSync(join(sharedDir, 'data', 'parameters.tsv'), 'utf8').split('\n').slice(1);
  return new Map(rows.filter(Boolean).map((r) => r.split('\t')).map((f) => [f[0], f[2]]));
}

/** Parameter names main.cf assigns. */
const names = (text: string) => [...text.matchAll(/^([a-z0-9_]+)\s*=/gm)].map((m) => m[1]);

function recipe(dir: string, args: string[]) {
  let stderr = '';
  const status = main(['recipe', 'tls', '-c', dir, '--write', ...args], { stdout: () => undefined, stderr: (s) => (stderr += s), reader: fsReader }) as number;
  return { status, stderr, main: readFileSync(join(dir, 'main.cf'), 'utf8'), master: readFileSync(join(dir, 'master.cf'), 'utf8') };
}

const SUBMISSION = 'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n       -       y       -       -       smtpd\n  -o smtpd_sasl_auth_enable=yes\n';
const CHAIN = '/etc/letsencrypt/live/mx.example.test/privkey.pem, /etc/letsencrypt/live/mx.example.test/fullchain.pem';

const cases = [
  { version: '3.3', before: 'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_use_tls = yes\n' },
  // A chain line an admin copied from a newer guide: unknown to 3.3 ("unused parameter"), it becomes the certificate line.
  { version: '3.3.1', before: 'smtpd_tls_chain_files = /etc/postfix/old.pem\n' },
  { version: '2.5', before: '' },
  { version: '3.4', before: 'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\n' },
  { version: '3.7.11', before: 'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\n' },
];

for (const c of cases) {
  test(`tls recipe for Postfix ${c.version}: only parameters that release knows`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-tls-version-'));
    try {
      const before = `# TLS\nmydestination = example.test\n${c.before}`;
      writeFileSync(join(dir, 'main.cf'), before);
      writeFileSync(join(dir, 'master.cf'), SUBMISSION);
      const r = recipe(dir, ['--postfix-version', c.version, '--set', `chain_files=${CHAIN}`]);
      assert.equal(r.status, 0, r.stderr);
      const since = firstReleases();
      const had = new Set(names(before));
      for (const n of names(r.main).filter((x) => !had.has(x))) {
        const first = since.get(n);
        assert.ok(first !== undefined, `${n} is a Postfix parameter`);
        assert.ok(first === 'old' || versionAtLeast(c.version, first), `${n} (since ${first}) is not in Postfix ${c.version}:\n${r.main}`);
      }
      if (versionAtLeast(c.version, '3.4')) {
        assert.match(r.main, /^smtpd_tls_chain_files = \/etc\/letsencrypt\/live\/mx\.example\.test\/privkey\.pem, \/etc\/letsencrypt\/live\/mx\.example\.test\/fullchain\.pem$/m);
        assert.doesNotMatch(r.main, /^smtpd_tls_(cert|key)_file\s*=/m, 'the chain replaces the old pair');
      } else {
        assert.doesNotMatch(r.main, /smtpd_tls_chain_files/, r.main);
        assert.match(r.main, /^smtpd_tls_cert_file = \/etc\/letsencrypt\/live\/mx\.example\.test\/fullchain\.pem$/m);
        assert.match(r.main, /^smtpd_tls_key_file = \/etc\/letsencrypt\/live\/mx\.example\.test\/privkey\.pem$/m);
        assert.equal(names(r.main).filter((n) => n === 'smtpd_tls_cert_file').length, 1, 'one certificate line');
        assert.match(r.stderr, /predates smtpd_tls_chain_files/);
      }
      // The protocol syntax: ">=TLSv1.2" is 3.6+, the exclusion list before.
      assert.match(r.main, versionAtLeast(c.version, '3.6') ? /^smtpd_tls_mandatory_protocols = >=TLSv1\.2$/m : /^smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1\.1$/m);
      assert.match(r.master, /-o smtpd_tls_security_level=encrypt/);
      assert.match(r.main, /^# TLS$/m, 'comment kept');
      const again = recipe(dir, ['--postfix-version', c.version, '--set', `chain_files=${CHAIN}`]);
      assert.equal(again.main, r.main, 'a second run changes nothing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('tls recipe for 3.3: real postconf reads the certificate pair it wrote', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pf-tls-33-'));
  try {
    writeFileSync(join(dir, 'main.cf'), 'compatibility_level = 2\nsmtpd_tls_chain_files = /etc/postfix/old.pem\n');
    writeFileSync(join(dir, 'master.cf'), SUBMISSION);
    assert.equal(recipe(dir, ['--postfix-version', '3.3', '--set', `chain_files=${CHAIN}`]).status, 0);
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    backdate(dir); // written just now: postconf would sleep and read it again
    const out = execFileSync('postconf', ['-c', dir, '-h', 'smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_chain_files'], { encoding: 'utf8' });
    assert.deepEqual(out.split('\n').slice(0, 3), ['/etc/letsencrypt/live/mx.example.test/fullchain.pem', '/etc/letsencrypt/live/mx.example.test/privkey.pem', '']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// What the recipes write, read back by real Postfix (postconf -n, postconf -P,
// postmap -q / -s), for the cases where a recipe must replace or fill in
// rather than add:
// - tls: the certificate lines smtpd_tls_chain_files supersedes (cert/key,
//   ECDSA pair, a chain already there beside an old cert line, an earlier
//   overridden copy, a service's own -o cert/key) are replaced, not left
//   beside the new chain; smtpd_use_tls goes with the security level;
// - submission: the SASL type and path come from the configuration (service,
//   main.cf, Cyrus's smtpd.conf), else Dovecot at private/auth with a note;
// - submission: the sender login table is created with a valid type and a
//   placeholder entry, never empty, and postmap reads it.
// Every result: postconf -n with no new warning, a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { ConfigDir, normalizeWarnings, run } from '../helpers/postfix-tools';
import { fsReader, main as cli } from '../../server/src/cli/main';

const DEBIAN = '/work/shared/corpus/debian-postfix-3.7';
const BASE = 'compatibility_level = 3.6\nmyhostname = mx.example.test\nmydestination = $myhostname, example.test, localhost\n';
const LEGACY = /^(smtpd_tls_(cert|key|eccert|eckey|dcert|dkey)_file|smtpd_use_tls|smtpd_enforce_tls) =/m;

function recipe(dir: string, name: string, ...sets: string[]): { status: number; stderr: string } {
  let stderr = '';
  const status = cli(['recipe', name, '-c', dir, '--write', ...sets.flatMap((s) => ['--set', s])], { stdout: () => undefined, stderr: (s) => (stderr += s), reader: fsReader }) as number;
  return { status, stderr };
}

/** postconf -n (minus config_directory) and its warnings. */
function postconfN(dir: string): { settings: string; warnings: string[] } {
  const r = run('postconf', ['-c', dir, '-n']);
  assert.equal(r.status, 0, `postconf -n: ${r.stderr}`);
  return { settings: r.stdout.replace(/^config_directory = .*\n/m, ''), warnings: normalizeWarnings(r.stderr.replaceAll(dir, 'DIR')) };
}

/** One service's -o settings as postconf -P prints them (name = value). */
function serviceParams(dir: string, service: string): Record<string, string> {
  const r = run('postconf', ['-c', dir, '-P']);
  assert.equal(r.status, 0, `postconf -P: ${r.stderr}`);
  const out: Record<string, string> = {};
  for (const m of r.stdout.matchAll(new RegExp(`^${service}/inet/(\\S+) = (.*)$`, 'gm'))) out[m[1]] = m[2];
  return out;
}

/** Applies a recipe; real postconf -n shows no new warning; a second run changes nothing. */
function applyChecked(c: ConfigDir, name: string, ...sets: string[]): { settings: string; stderr: string } {
  const before = postconfN(c.dir);
  const r = recipe(c.dir, name, ...sets);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['main.cf', 'master.cf']) c.write(f, readFileSync(join(c.dir, f)));
  const after = postconfN(c.dir);
  assert.deepEqual(after.warnings.filter((w) => !before.warnings.includes(w)), [], `new postconf warnings after recipe ${name}:\n${readFileSync(join(c.dir, 'main.cf'), 'utf8')}`);
  const snapshot = ['main.cf', 'master.cf'].map((f) => readFileSync(join(c.dir, f), 'latin1'));
  assert.match(recipe(c.dir, name, ...sets).stderr, /nothing to change/, `recipe ${name} a second time`);
  assert.deepEqual(['main.cf', 'master.cf'].map((f) => readFileSync(join(c.dir, f), 'latin1')), snapshot);
  return { settings: after.settings, stderr: r.stderr };
}

const debianMaster = () => readFileSync(join(DEBIAN, 'master.cf.dist'), 'utf8');

test('tls recipe replaces the certificate lines smtpd_tls_chain_files supersedes (real postconf -n / -P)', (t) => {
  if (!requireTools(t, { commands: ['postconf'], path: DEBIAN })) return;
  const cases: { name: string; main: string; master?: string; chain: string; service?: Record<string, string> }[] = [
    {
      name: 'Debian stock cert/key pair with smtpd_use_tls',
      main: `${BASE}# TLS parameters\nsmtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_use_tls=yes\n# after the TLS block\nsmtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache\n`,
      chain: '/etc/ssl/private/ssl-cert-snakeoil.key, /etc/ssl/certs/ssl-cert-snakeoil.pem',
    },
    {
      name: 'old cert line beside a chain already there',
      main: `${BASE}smtpd_tls_cert_file = /etc/postfix/old-cert.pem\nsmtpd_tls_chain_files = /etc/postfix/key.pem, /etc/postfix/fullchain.pem\n`,
      chain: '/etc/postfix/key.pem, /etc/postfix/fullchain.pem',
    },
    {
      name: 'RSA and ECDSA pairs, an overridden earlier copy, continuation line',
      main: `${BASE}smtpd_tls_cert_file = /etc/postfix/first.pem\nsmtpd_tls_cert_file =\n    /etc/postfix/rsa-cert.pem\nsmtpd_tls_key_file = /etc/postfix/rsa-key.pem\nsmtpd_tls_eccert_file = /etc/postfix/ec-cert.pem\nsmtpd_tls_eckey_file = /etc/postfix/ec-key.pem\n`,
      chain: '/etc/postfix/rsa-key.pem, /etc/postfix/rsa-cert.pem, /etc/postfix/ec-key.pem, /etc/postfix/ec-cert.pem',
    },
    {
      name: "a submission service's own certificate",
      main: `${BASE}smtpd_tls_cert_file = /etc/postfix/mx.pem\nsmtpd_tls_key_file = /etc/postfix/mx.key\n`,
      master: `${debianMaster()}submission inet n - y - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_cert_file=/etc/postfix/sub.pem\n  -o smtpd_tls_key_file=/etc/postfix/sub.key\n  -o smtpd_sasl_auth_enable=yes\n`,
      chain: '/etc/postfix/mx.key, /etc/postfix/mx.pem',
      service: { smtpd_tls_chain_files: '/etc/postfix/sub.key,/etc/postfix/sub.pem', smtpd_tls_security_level: 'encrypt' },
    },
  ];
  for (const k of cases) {
    const c = new ConfigDir('recipe-tls-');
    try {
      c.write('main.cf', k.main);
      c.write('master.cf', k.master ?? debianMaster());
      const { settings } = applyChecked(c, 'tls');
      const text = readFileSync(join(c.dir, 'main.cf'), 'utf8');
      assert.doesNotMatch(settings, LEGACY, `${k.name}: postconf -n still lists a superseded parameter:\n${settings}`);
      assert.doesNotMatch(text, LEGACY, `${k.name}: main.cf keeps a superseded line`);
      assert.match(settings, new RegExp(`^smtpd_tls_chain_files = ${k.chain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), `${k.name}: the chain`);
      assert.match(settings, /^smtpd_tls_security_level = may$/m);
      assert.equal(text.match(/^smtpd_tls_chain_files\b/gm)?.length, 1, `${k.name}: one chain line`);
      for (const line of k.main.split('\n').filter((l) => /^#/.test(l))) assert.ok(text.split('\n').includes(line), `${k.name}: comment kept: ${line}`);
      if (k.main.includes('# TLS parameters')) assert.match(text, /# TLS parameters\nsmtpd_tls_chain_files = /, `${k.name}: the chain takes the old certificate's place`);
      if (k.service) {
        const sub = serviceParams(c.dir, 'submission');
        for (const [n, v] of Object.entries(k.service)) assert.equal(sub[n], v, `${k.name}: submission ${n}`);
        assert.ok(!Object.keys(sub).some((n) => LEGACY.test(`${n} =`)), `${k.name}: submission keeps no -o cert/key: ${JSON.stringify(sub)}`);
      }
    } finally {
      c.dispose();
    }
  }
});

test('submission recipes take the SASL type and path from the configuration, else Dovecot at private/auth with a note (real postconf -P)', (t) => {
  if (!requireTools(t, { commands: ['postconf'], path: DEBIAN })) return;
  const cases: { name: string; main: string; files?: Record<string, string>; master?: string; type: string; path: string; note?: RegExp }[] = [
    { name: 'SASL on without a type (seed 000)', main: `${BASE}smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous\n`, type: 'dovecot', path: 'private/auth', note: /assumes Dovecot at private\/auth.*--set sasl_type=cyrus/ },
    { name: 'no SASL at all', main: BASE, type: 'dovecot', path: 'private/auth', note: /assumes Dovecot/ },
    { name: 'main.cf says cyrus', main: `${BASE}smtpd_sasl_type = cyrus\nsmtpd_sasl_path = smtpd-mail\n`, type: 'cyrus', path: 'smtpd-mail' },
    { name: 'main.cf says dovecot with its own socket', main: `${BASE}smtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/dovecot-auth\n`, type: 'dovecot', path: 'private/dovecot-auth' },
    { name: "Cyrus's smtpd.conf, no type", main: `${BASE}smtpd_sasl_auth_enable = yes\n`, files: { 'sasl/smtpd.conf': 'pwcheck_method: saslauthd\nmech_list: PLAIN LOGIN\n' }, type: 'cyrus', path: 'smtpd', note: /Cyrus, as sasl\/smtpd\.conf/ },
    {
      name: "the service's own -o",
      main: `${BASE}smtpd_sasl_type = cyrus\n`,
      master: `${debianMaster()}submission inet n - y - - smtpd\n  -o smtpd_sasl_type=dovecot\n  -o smtpd_sasl_path=inet:127.0.0.1:12345\n`,
      type: 'dovecot',
      path: 'inet:127.0.0.1:12345',
    },
  ];
  for (const k of cases) {
    const c = new ConfigDir('recipe-sasl-');
    try {
      c.write('main.cf', k.main);
      c.write('master.cf', k.master ?? debianMaster());
      for (const [n, v] of Object.entries(k.files ?? {})) c.write(n, v);
      const { stderr } = applyChecked(c, 'submission');
      const sub = serviceParams(c.dir, 'submission');
      assert.equal(sub.smtpd_sasl_type, k.type, `${k.name}: type (${JSON.stringify(sub)})`);
      assert.equal(sub.smtpd_sasl_path, k.path, `${k.name}: path`);
      if (k.note) assert.match(stderr.replace(/\n/g, ' '), k.note, `${k.name}: note`);
      else assert.doesNotMatch(stderr, /note: SASL:/, `${k.name}: no assumption to state`);
    } finally {
      c.dispose();
    }
  }
});

test('submission recipe creates a sender login table that is never empty and that postmap reads (texthash, and hash with postmap)', (t) => {
  if (!requireTools(t, { commands: ['postconf', 'postmap'], path: DEBIAN })) return;
  for (const type of ['texthash', 'hash']) {
    const c = new ConfigDir('recipe-logins-');
    try {
      c.write('main.cf', `${BASE}virtual_mailbox_domains = company.example\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\n`);
      c.write('master.cf', debianMaster());
      const sets = type === 'hash' ? [`login_maps=hash:$config_directory/sender_login_maps`] : [];
      const { stderr } = applyChecked(c, 'submission', ...sets);
      const table = join(c.dir, 'sender_login_maps');
      const text = readFileSync(table, 'utf8');
      const sub = serviceParams(c.dir, 'submission');
      assert.equal(sub.smtpd_sender_login_maps, `${type}:$config_directory/sender_login_maps`);
      assert.match(sub.smtpd_sender_restrictions ?? '', /mua_sender_restrictions/);
      assert.match(postconfN(c.dir).settings, /^mua_sender_restrictions = reject_sender_login_mismatch,/m);
      if (type === 'hash') {
        assert.match(stderr, new RegExp(`run postmap hash:${c.dir}/sender_login_maps`), 'the note says to run postmap');
        const pm = run('postmap', ['-c', c.dir, `hash:${table}`]);
        assert.equal(pm.status, 0, pm.stderr);
        assert.equal(pm.stderr, '', 'postmap builds it without a warning');
      }
      // Never empty: every domain has a placeholder entry, and postmap finds it; the rest is comments.
      const dump = run('postmap', ['-c', c.dir, '-s', `${type}:${table}`]);
      assert.equal(dump.status, 0, dump.stderr);
      assert.equal(dump.stderr, '', `postmap -s: no warning about a malformed line\n${text}`);
      const entries = dump.stdout.trim().split('\n').sort();
      assert.deepEqual(entries, ['placeholder-address@company.example\tPLACEHOLDER-login', 'placeholder-address@example.test\tPLACEHOLDER-login', 'placeholder-address@mx.example.test\tPLACEHOLDER-login'].sort());
      assert.match(text, /^# .*ADDRESS +LOGIN/m, 'the format is explained');
      // The admin's part: a real entry, found by the lookup smtpd makes.
      c.write('sender_login_maps', `${text}alice@company.example    alice\n`);
      if (type === 'hash') assert.equal(run('postmap', ['-c', c.dir, `hash:${table}`]).status, 0);
      const q = run('postmap', ['-c', c.dir, '-q', 'alice@company.example', `${type}:${table}`]);
      assert.equal(q.status, 0, q.stderr);
      assert.equal(q.stdout.trim(), 'alice');
    } finally {
      c.dispose();
    }
  }
});

// Unit tests of the intent rules (PF540–PF547): roles read from the
// configuration, each promise checked through the policy simulator, positive
// and negative cases, quick fixes applied and re-linted. The live proof is
// test/oracle/intent-live.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/engine/config';
import { applyTextEdits, runRules } from '../../server/src/engine/rules';
import type { Fix, Problem } from '../../server/src/engine/types';
import { repoDir } from '../helpers/env';
import { fsReader } from '../../server/src/cli/main';
import { readdirSync, readFileSync } from 'node:fs';

const DIR = '/etc/postfix';
type Files = Record<string, string>;

function fromFixture(name: string): Files {
  const dir = join(repoDir, 'test', 'fixtures', 'intent', name);
  const files: Files = {};
  for (const f of readdirSync(dir)) files[`${DIR}/${f}`] = readFileSync(join(dir, f), 'latin1');
  return files;
}

function lint(files: Files): Problem[] {
  const reader = { readText: (p: string) => files[p] };
  return runRules(loadConfig(DIR, reader, { version: '3.7.11', mode: 'repository' }), reader);
}

function only(ps: Problem[], code: string): Problem {
  const hit = ps.filter((p) => p.code === code);
  assert.equal(hit.length, 1, `one ${code} expected: ${JSON.stringify(ps.map((p) => `${p.code} ${p.message}`), null, 1)}`);
  return hit[0];
}

function none(ps: Problem[], code: string): void {
  assert.deepEqual(ps.filter((p) => p.code === code).map((p) => p.message), [], `no ${code} expected`);
}

function apply(files: Files, fix: Fix): Files {
  const out = { ...files };
  for (const f of fix.newFiles ?? []) out[f.file] = f.text;
  for (const file of new Set(fix.edits.map((e) => e.file))) out[file] = applyTextEdits(out[file] ?? '', fix.edits.filter((e) => e.file === file));
  return out;
}

const SMTP = 'smtp      inet  n       -       y       -       -       smtpd\n';
const SUBMISSION = 'submission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n';
const BASE = 'compatibility_level = 3.6\nmyhostname = mx.example.com\nmydestination = $myhostname, example.com, localhost\nmynetworks = 127.0.0.0/8\ninet_interfaces = all\n';

function files(main: string, master = SMTP): Files {
  return { [`${DIR}/main.cf`]: main, [`${DIR}/master.cf`]: master };
}

describe('intent rules on the seed write-ups', () => {
  test('seed 000: the MX refuses its own mail (PF540 names the reject), logged-in users cannot send out (PF541)', () => {
    const f = fromFixture('seed-000');
    const ps = lint(f);
    const mx = only(ps, 'PF540');
    assert.match(mx.message, /"554 5\.7\.1 <mail\.elsewhere\.example\[203\.0\.113\.5\]>: Client host rejected: Access denied": "reject" in smtpd_client_restrictions/);
    assert.equal(f[mx.file].split('\n')[mx.range.start.line].slice(mx.range.start.character, mx.range.end.character), 'reject');
    const sub = only(ps, 'PF541');
    assert.match(sub.message, /Relay access denied.*"reject_unauth_destination" in smtpd_recipient_restrictions/);
    only(ps, 'PF545');
    assert.equal(only(ps, 'PF546').severity, 'warning', 'the submission service serves the snakeoil certificate');
    // Postfix's default per-client concurrency limit (50 of 100 processes) holds: no PF547.
    none(ps, 'PF547');

    const removed = apply(f, mx.fixes![0]);
    assert.match(removed[`${DIR}/main.cf`], /^smtpd_client_restrictions = permit_mynetworks$/m);
    const after = lint(removed);
    none(after, 'PF540');
    // With outside mail accepted, the forged-sender check now applies.
    only(after, 'PF542');

    const nullClient = apply(f, mx.fixes![1]);
    assert.match(nullClient[`${DIR}/main.cf`], /^inet_interfaces = loopback-only$/m);
    const quiet = lint(nullClient);
    for (const c of ['PF540', 'PF542', 'PF547']) none(quiet, c);

    const sent = apply(f, sub.fixes![0]);
    assert.match(sent[`${DIR}/master.cf`], /-o \{ smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination \}/);
    none(lint(sent), 'PF541');
  });

  test('seed 004: forged own-domain senders on port 25 (PF542), logged-in users send as anyone (PF543)', () => {
    const f = fromFixture('seed-004');
    const ps = lint(f);
    const spoof = only(ps, 'PF542');
    assert.match(spoof.message, /MAIL FROM:<boss@company\.my> to postmaster@company\.my gets "250 2\.1\.5 Ok"/);
    const [warn, reject] = spoof.fixes!;
    assert.ok(warn.hardening && !reject.hardening, 'WARN is part of hardening, REJECT is a choice');
    const table = warn.newFiles!.find((x) => x.file.endsWith('/own_domain_senders'))!;
    assert.match(table.text, /^company\.my WARN /m);
    assert.match(table.text, /^\.company\.my WARN /m);
    assert.match(table.text, /^ucs\.company\.my WARN /m);
    const warned = apply(f, warn);
    assert.match(warned[`${DIR}/main.cf`], /^smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, check_sender_access texthash:\$config_directory\/own_domain_senders, reject_unauth_destination$/m);
    none(lint(warned), 'PF542');
    const rejected = apply(f, reject);
    assert.match(Object.entries(rejected).find(([k]) => k.endsWith('own_domain_senders'))![1], /^company\.my REJECT 5\.7\.1 /m);
    none(lint(rejected), 'PF542');

    const logins = ps.filter((p) => p.code === 'PF543');
    assert.equal(logins.length, 2, 'submission and smtps');
    const fixed = apply(f, logins[0].fixes![0]);
    assert.match(fixed[`${DIR}/master.cf`], /-o smtpd_sender_restrictions=\$mua_sender_restrictions/);
    assert.ok(fixed[`${DIR}/sender_login_maps`] !== undefined, 'login table created');
    assert.equal(lint(fixed).filter((p) => p.code === 'PF543').length, 1, 'the other service still lets users send as anyone');
  });
});

describe('intent rules stay silent where the promise is kept or unknown', () => {
  test('null client (loopback only): no MX findings', () => {
    const ps = lint(files(`${BASE.replace('inet_interfaces = all', 'inet_interfaces = loopback-only')}smtpd_client_restrictions = permit_mynetworks, reject\n`));
    for (const c of ['PF540', 'PF542', 'PF544', 'PF547']) none(ps, c);
  });

  test('an MX that refuses only bad recipients or relaying is fine', () => {
    none(lint(files(`${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`)), 'PF540');
  });

  test('a milter or policy service may check senders: no PF542/PF543', () => {
    const main = `${BASE}smtpd_milters = inet:127.0.0.1:11332\n`;
    const ps = lint(files(main, SMTP + SUBMISSION));
    none(ps, 'PF542');
    none(ps, 'PF543');
    none(lint(files(`${BASE}smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_policy_service unix:private/policy\n`)), 'PF542');
  });

  test('reject_sender_login_mismatch with a login map binds senders: no PF543', () => {
    const master = `${SMTP}${SUBMISSION}  -o smtpd_sender_login_maps=inline:{{ceo@example.com=ceo}}\n  -o smtpd_sender_restrictions=reject_sender_login_mismatch\n`;
    none(lint(files(BASE, master)), 'PF543');
    only(lint(files(BASE, SMTP + SUBMISSION)), 'PF543');
  });

  test('check_sender_access WARN counts as kept (the write-up\'s first step)', () => {
    const main = `${BASE}smtpd_recipient_restrictions = permit_mynetworks, check_sender_access inline:{example.com=WARN}, reject_unauth_destination\n`;
    none(lint(files(main)), 'PF542');
    only(lint(files(BASE)), 'PF542');
  });
});

describe('the seeds\' other mistakes', () => {
  test('PF544: reject_unknown_client_hostname on a public port 25 only', () => {
    const main = `${BASE}smtpd_client_restrictions = permit_mynetworks, reject_unknown_client_hostname\n`;
    const p = only(lint(files(main)), 'PF544');
    const fixed = apply(files(main), p.fixes![0]);
    assert.match(fixed[`${DIR}/main.cf`], /reject_unknown_reverse_client_hostname$/m);
    none(lint(fixed), 'PF544');
    none(lint(files(BASE, `${SMTP}${SUBMISSION}  -o smtpd_client_restrictions=permit_sasl_authenticated,reject_unknown_client_hostname\n`)), 'PF544');
    none(lint(files(main.replace('inet_interfaces = all', 'inet_interfaces = loopback-only'))), 'PF544');
  });

  test('PF545: broken_sasl_auth_clients only where SASL is on', () => {
    none(lint(files(`${BASE}broken_sasl_auth_clients = yes\n`)), 'PF545');
    const p = only(lint(files(`${BASE}broken_sasl_auth_clients = yes\n`, SMTP + SUBMISSION)), 'PF545');
    none(lint(apply(files(`${BASE}broken_sasl_auth_clients = yes\n`, SMTP + SUBMISSION), p.fixes![0])), 'PF545');
  });

  test('PF546: snakeoil on port 25 only is info, on submission a warning, on loopback nothing', () => {
    const tls = 'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_tls_security_level = may\n';
    assert.equal(only(lint(files(BASE + tls)), 'PF546').severity, 'info');
    assert.equal(only(lint(files(BASE + tls, SMTP + SUBMISSION)), 'PF546').severity, 'warning');
    none(lint(files(BASE.replace('inet_interfaces = all', 'inet_interfaces = loopback-only') + tls)), 'PF546');
    // smtpd_tls_chain_files overrides the legacy cert/key parameters (Postfix tls_certkey.c), so the snakeoil pair left behind is not served.
    none(lint(files(`${BASE}${tls}smtpd_tls_chain_files = /etc/postfix/certs/mx.pem\n`, SMTP + SUBMISSION)), 'PF546');
    assert.equal(only(lint(files(`${BASE}${tls}smtpd_tls_chain_files = /etc/ssl/private/ssl-cert-snakeoil.key, /etc/ssl/certs/ssl-cert-snakeoil.pem\n`, SMTP + SUBMISSION)), 'PF546').severity, 'warning');
  });

  test('PF547: one client may hold every process of a public MX; silent with a rate limit, the default concurrency limit or postscreen', () => {
    none(lint(files(BASE)), 'PF547');
    assert.match(only(lint(files(`${BASE}smtpd_client_connection_count_limit = 0\n`)), 'PF547').message, /count_limit = 0 lets one client hold any number/);
    assert.match(only(lint(files(`${BASE}default_process_limit = 40\n`)), 'PF547').message, /count_limit = 50 lets one client hold all 40 smtpd processes/);
    assert.match(only(lint(files(BASE, 'smtp      inet  n       -       y       -       30      smtpd\n')), 'PF547').message, /hold all 30 smtpd processes/);
    none(lint(files(`${BASE}smtpd_client_connection_count_limit = 0\nsmtpd_client_connection_rate_limit = 60\n`)), 'PF547');
    const postscreen = 'smtp      inet  n       -       y       -       1       postscreen\nsmtpd     pass  -       -       y       -       -       smtpd\n';
    none(lint(files(`${BASE}smtpd_client_connection_count_limit = 0\n`, postscreen)), 'PF547');
  });
});

test('the real mail stacks of the corpus get no PF540/PF541/PF542 (precision)', () => {
  const corpus = '/work/shared/corpus';
  // Debian's stock files under their installed names.
  const debian = join(corpus, 'debian-postfix-3.7');
  try {
    const f = files(readFileSync(join(debian, 'main.cf.debian'), 'latin1'), readFileSync(join(debian, 'master.cf.dist'), 'latin1'));
    const ps = lint(f);
    for (const c of ['PF540', 'PF541', 'PF542', 'PF543']) none(ps, c);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const stack of ['docker-mailserver', 'iredmail', 'mailu', 'postfix-upstream', 'debian-postfix-3.7']) {
    const dir = join(corpus, stack);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    if (!names.includes('main.cf')) continue;
    const ps = runRules(loadConfig(dir, fsReader, { version: '3.7.11', mode: 'repository' }), fsReader);
    for (const c of ['PF540', 'PF541', 'PF542']) assert.deepEqual(ps.filter((p) => p.code === c).map((p) => p.message), [], `${stack}: ${c}`);
  }
});

test('an IPv6 network without brackets in mynetworks (PF503, smtpd fatal at start) does not hide PF541: judged as if bracketed', () => {
  // Submission users get no permit_sasl_authenticated before reject_unauth_destination.
  const main = `${BASE.replace('mynetworks = 127.0.0.0/8', 'mynetworks = 127.0.0.0/8 ::1')}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`;
  const unbracketed = lint(files(main, SMTP + SUBMISSION));
  only(unbracketed, 'PF503');
  const hidden = only(unbracketed, 'PF541');
  const bracketed = lint(files(main.replace('::1', '[::1]'), SMTP + SUBMISSION));
  none(bracketed, 'PF503');
  assert.equal(only(bracketed, 'PF541').message, hidden.message);
});

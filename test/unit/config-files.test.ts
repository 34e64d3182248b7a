// Where the engine reads the files a configuration names (engine/config-files.ts),
// and the issue-7 defects that came from reading them as if every copy were
// the live /etc/postfix: caches Postfix creates reported missing, host files
// read from a repository copy, compiled tables demanded in a repository,
// $config_directory left unexpanded, alias files read as postmap sources, and
// a simulator that did not find what the linter found.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFiles, detectMode } from '../../server/src/engine/config-files';
import { lintDirectory } from '../../server/src/engine/lint';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import type { FileReader, Problem } from '../../server/src/engine/types';
import { runCli } from '../helpers/cli-run';
import { ConfigDir } from '../helpers/postfix-tools';

type Files = Record<string, string>;

/** A reader over fixed files that records every path asked for; `links` maps a path to its resolved target. */
function recording(files: Files, opts: { links?: Record<string, string>; mtimes?: Record<string, number> } = {}) {
  const asked = new Set<string>();
  const reader: FileReader = {
    readText(p) {
      asked.add(p);
      return files[opts.links?.[p] ?? p];
    },
    mtimeMs(p) {
      asked.add(p);
      return opts.mtimes?.[p] ?? (files[p] !== undefined ? 1000 : undefined);
    },
    realPath(p) {
      return opts.links?.[p] ?? (files[p] !== undefined || Object.keys(files).some((f) => f.startsWith(`${p}/`)) ? p : undefined);
    },
    listDirectory(dir) {
      const names = Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/'))
        .map((f) => f.slice(dir.length + 1));
      return names.length ? names : undefined;
    },
  };
  return { reader, asked };
}

const REPO = '/srv/repo/postfix';
const codes = (ps: Problem[]) => ps.map((p) => p.code).sort();
const withCode = (ps: Problem[], code: string) => ps.filter((p) => p.code === code);

describe('mode', () => {
  test('the installed configuration directories are live, anything else a repository copy', () => {
    for (const d of ['/etc/postfix', '/etc/postfix/', '/etc/postfix-out', '/usr/local/etc/postfix']) assert.equal(detectMode(d), 'live', d);
    for (const d of ['/srv/repo/postfix', '/home/me/etc/postfix', '/etc/postfix/backup', '/tmp/x', '/etc']) assert.equal(detectMode(d), 'repository', d);
  });

  test('a repository copy reads installed paths beside main.cf and never the host', () => {
    const { reader } = recording({ [`${REPO}/main.cf`]: '', [`${REPO}/access`]: 'x OK\n', [`${REPO}/sql/a.cf`]: '' });
    const f = new ConfigFiles(REPO, 'repository', reader);
    assert.equal(f.resolve('/etc/postfix/access').local, `${REPO}/access`);
    assert.equal(f.resolve('/etc/postfix/sql/a.cf').local, `${REPO}/sql/a.cf`);
    assert.equal(f.resolve(`${REPO}/access`).local, `${REPO}/access`, 'its own absolute paths');
    assert.equal(f.resolve('/etc/aliases').local, undefined, 'a host file');
    assert.equal(f.resolve('/etc/postfix/../shadow').local, undefined, 'no way out with ..');
    assert.equal(f.resolve(`${REPO}/../../etc/passwd`).local, undefined);
    assert.equal(f.readText('/etc/aliases'), undefined);
  });

  test('a copy laid out as the file system (…/etc/postfix) reads every absolute path inside its root', () => {
    const root = '/srv/role/files';
    const { reader } = recording({ [`${root}/etc/postfix/main.cf`]: '', [`${root}/etc/aliases`]: 'root: me\n' });
    const f = new ConfigFiles(`${root}/etc/postfix`, 'repository', reader);
    assert.equal(f.resolve('/etc/aliases').local, `${root}/etc/aliases`);
    assert.equal(f.readText('/etc/aliases'), 'root: me\n');
    assert.equal(f.resolve('/etc/postfix/virtual').local, `${root}/etc/postfix/virtual`);
  });

  test('a symbolic link inside the copy that leads out of it is not followed', () => {
    const { reader } = recording({ [`${REPO}/main.cf`]: '', '/root/.ssh/id_rsa': 'SECRET' }, { links: { [`${REPO}/access`]: '/root/.ssh/id_rsa' } });
    const f = new ConfigFiles(REPO, 'repository', reader);
    assert.equal(f.resolve('/etc/postfix/access').local, undefined);
    assert.equal(f.readText('/etc/postfix/access'), undefined);
  });

  test('live mode reads every path as written', () => {
    const { reader } = recording({ '/etc/aliases': 'root: me\n' });
    const f = new ConfigFiles('/etc/postfix', 'live', reader);
    assert.equal(f.resolve('/etc/aliases').local, '/etc/aliases');
    assert.equal(f.readText('/etc/aliases'), 'root: me\n');
  });
});

describe('issue 7: tables of a configuration, in both modes', () => {
  const caches = `compatibility_level = 3.6
smtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache
smtp_tls_session_cache_database = btree:$data_directory/smtp_scache
lmtp_tls_session_cache_database = btree:$data_directory/lmtp_scache
address_verify_map = btree:$data_directory/verify_cache
postscreen_cache_map = btree:$data_directory/postscreen_cache
smtp_sasl_auth_cache_name = proxy:btree:/var/lib/postfix/sasl_auth_cache
proxy_write_maps = $smtp_sasl_auth_cache_name $address_verify_map btree:/var/lib/postfix/other
`;

  for (const dir of [REPO, '/etc/postfix']) {
    test(`caches that Postfix creates itself are never asked for (${detectMode(dir)})`, () => {
      const { reader, asked } = recording({ [`${dir}/main.cf`]: caches });
      const problems = lintDirectory(dir, reader);
      assert.deepEqual(
        problems.filter((p) => p.code.startsWith('PF3')),
        [],
      );
      assert.deepEqual([...asked].filter((p) => /scache|verify_cache|postscreen_cache|sasl_auth_cache|other/.test(p)), []);
    });
  }

  test('$config_directory in a table name is expanded, and the table is read beside main.cf', () => {
    const main = `compatibility_level = 3.6\nvirtual_alias_maps = hash:\${config_directory}/virtual\n`;
    const { reader } = recording({ [`${REPO}/main.cf`]: main, [`${REPO}/virtual`]: 'a@example.test  b@example.test\nonlykey\n' });
    const problems = lintDirectory(REPO, reader);
    assert.deepEqual(withCode(problems, 'PF374'), []);
    const bad = withCode(problems, 'PF300');
    assert.equal(bad.length, 1, 'the table was parsed: its bad line is reported');
    assert.equal(bad[0].file, `${REPO}/virtual`);
    assert.match(withCode(problems, 'PF380')[0].message, /^hash:\/etc\/postfix\/virtual: \/etc\/postfix\/virtual\.db is built when this configuration is installed: run "postmap hash:\/etc\/postfix\/virtual" there\.$/);
  });

  test('a repository copy never reads the host /etc/aliases and expects no compiled files', () => {
    const main = `compatibility_level = 3.6\nalias_maps = hash:/etc/aliases\nalias_database = hash:/etc/aliases\n`;
    const { reader, asked } = recording({ [`${REPO}/main.cf`]: main, '/etc/aliases': 'bad line\n' });
    const problems = lintDirectory(REPO, reader);
    assert.deepEqual(codes(problems.filter((p) => p.code.startsWith('PF3'))), []);
    assert.ok(![...asked].some((p) => p.startsWith('/etc/aliases')), [...asked].join(' '));
  });

  test('the live configuration does read /etc/aliases, as aliases(5), and advises postalias', () => {
    const main = `compatibility_level = 3.6\nalias_maps = hash:/etc/aliases\n`;
    const files = { '/etc/postfix/main.cf': main, '/etc/aliases': 'postmaster: root\nroot: admin@example.test,\n  other\nno colon here\nuser@domain: x\n' };
    const problems = lintDirectory('/etc/postfix', recording(files).reader);
    assert.deepEqual(withCode(problems, 'PF302'), [], 'no "is this an alias file?" on an alias file');
    assert.deepEqual(withCode(problems, 'PF377').map((p) => p.range.start.line), [3]);
    assert.deepEqual(withCode(problems, 'PF378').map((p) => p.range.start.line), [4]);
    const missing = withCode(problems, 'PF310');
    assert.equal(missing.length, 1);
    assert.match(missing[0].message, /run "postalias hash:\/etc\/aliases"/);
  });

  test('compiled tables: missing is an error on a live system, a hint with the command in a repository', () => {
    const main = `compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n`;
    const live = lintDirectory('/etc/postfix', recording({ '/etc/postfix/main.cf': main, '/etc/postfix/sender_access': 'a@b REJECT\n' }).reader);
    assert.deepEqual(codes(live.filter((p) => p.code.startsWith('PF3'))), ['PF310']);
    const repo = lintDirectory(REPO, recording({ [`${REPO}/main.cf`]: main, [`${REPO}/sender_access`]: 'a@b REJECT\n' }).reader);
    const hint = withCode(repo, 'PF380');
    assert.equal(hint.length, 1);
    assert.equal(hint[0].severity, 'hint');
    assert.deepEqual(withCode(repo, 'PF310'), []);
    // A stale-looking .db in a checkout means nothing: mtimes come from git.
    const stale = recording({ [`${REPO}/main.cf`]: main, [`${REPO}/sender_access`]: 'a@b REJECT\n', [`${REPO}/sender_access.db`]: 'x' }, { mtimes: { [`${REPO}/sender_access`]: 2000, [`${REPO}/sender_access.db`]: 1000 } });
    assert.deepEqual(codes(lintDirectory(REPO, stale.reader).filter((p) => p.code.startsWith('PF3'))), []);
  });

  test('a table missing from a repository is informational, or an error when a near name suggests a typo', () => {
    const main = `compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access texthash:/etc/postfix/sender_acces\nsmtp_sasl_password_maps = texthash:/etc/postfix/sasl_passwd\nsmtp_sasl_auth_enable = yes\n`;
    const problems = lintDirectory(REPO, recording({ [`${REPO}/main.cf`]: main, [`${REPO}/sender_access`]: 'a@b REJECT\n' }).reader);
    const typo = withCode(problems, 'PF374');
    assert.equal(typo.length, 1);
    assert.match(typo[0].message, /did you mean sender_access\?/);
    const info = withCode(problems, 'PF379');
    assert.equal(info.length, 1);
    assert.match(info[0].message, /sasl_passwd is not in this repository copy/);
    assert.equal(info[0].severity, 'info');
  });

  test('database client files beside main.cf are found and checked; missing ones are not reported in a repository', () => {
    const main = `compatibility_level = 3.6\nvirtual_mailbox_maps = mysql:/etc/postfix/sql/mailboxes.cf\nvirtual_alias_maps = mysql:/etc/postfix/sql/aliases.cf\n`;
    const files = { [`${REPO}/main.cf`]: main, [`${REPO}/sql/mailboxes.cf`]: 'hosts = db\nuser = u\npassword = p\ndbname = mail\nquery = SELECT 1\nbogus_setting = 1\n' };
    const problems = lintDirectory(REPO, recording(files).reader);
    const client = problems.filter((p) => /mailboxes\.cf|aliases\.cf/.test(p.message));
    assert.equal(client.length, 1, JSON.stringify(client));
    assert.match(client[0].message, /unused parameter: bogus_setting=1/);
  });

  test('a relative table path is flagged: daemons look for it in the queue directory', () => {
    const main = `compatibility_level = 3.6\nheader_checks = pcre:header_checks.pcre\n`;
    const problems = lintDirectory(REPO, recording({ [`${REPO}/main.cf`]: main }).reader);
    const rel = withCode(problems, 'PF381');
    assert.equal(rel.length, 1);
    assert.match(rel[0].message, /\/var\/spool\/postfix\/header_checks\.pcre/);
  });

  test('the simulator finds the tables the linter finds (no 451 for a repository copy)', () => {
    const main = `compatibility_level = 3.6
mydestination = example.test
smtpd_recipient_restrictions = check_sender_access hash:/etc/postfix/sender_access, reject_unauth_destination
`;
    const files = { [`${REPO}/main.cf`]: main, [`${REPO}/sender_access`]: 'spammer@bad.example REJECT go away\n' };
    const r = simulateTransaction(loadSimConfig(REPO, recording(files).reader), {
      client: { address: '203.0.113.5' },
      helo: 'mail.outside.example',
      sender: 'spammer@bad.example',
      recipients: ['user@example.test'],
    });
    assert.equal(r.reply?.code, 554, JSON.stringify(r.reply));
    assert.match(r.reply?.text ?? '', /go away/);
    // The same configuration as the live one, without the compiled table: smtpd cannot open it.
    const live = { '/etc/postfix/main.cf': main, '/etc/postfix/sender_access': files[`${REPO}/sender_access`] };
    const l = simulateTransaction(loadSimConfig('/etc/postfix', recording(live).reader), {
      client: { address: '203.0.113.5' },
      helo: 'mail.outside.example',
      sender: 'spammer@bad.example',
      recipients: ['user@example.test'],
    });
    assert.equal(l.reply?.code, 451, JSON.stringify(l.reply));
  });
});

describe('the command line says how it judged each configuration', () => {
  test('text, JSON and SARIF name the mode; --live and --repository choose it', () => {
    const d = new ConfigDir('mode-');
    try {
      // A path that exists on this machine too, so --live finds the source.
      d.write('main.cf', `compatibility_level = 3.6\nvirtual_alias_maps = hash:${d.dir}/virtual\n`);
      d.write('virtual', 'a@example.test b@example.test\n');
      const cli = (...args: string[]) => runCli(args);
      const json = JSON.parse(cli('--format', 'json', d.dir).stdout);
      assert.deepEqual(json.configurations.map((c: { mode: string }) => c.mode), ['repository']);
      assert.deepEqual(json.problems.map((p: Problem) => p.code), ['PF380']);
      const live = cli('--format', 'json', '--live', d.dir);
      assert.deepEqual(JSON.parse(live.stdout).configurations.map((c: { mode: string }) => c.mode), ['live']);
      assert.deepEqual(JSON.parse(live.stdout).problems.map((p: Problem) => p.code), ['PF310']);
      assert.equal(live.status, 1, 'a missing .db on the live system is an error');
      const sarif = JSON.parse(cli('--format', 'sarif', d.dir).stdout);
      assert.equal(sarif.runs[0].properties.configurations[0].mode, 'repository');
      const text = cli(d.dir);
      assert.equal(text.status, 0);
      assert.match(text.stdout, /judged as a repository copy/);
      assert.equal(cli('--live', '--repository', d.dir).status, 2);
    } finally {
      d.dispose();
    }
  });
});

test('a file alias_maps names is an aliases file however it is reached first (proxy_read_maps)', () => {
  const main = `compatibility_level = 3.6
proxy_read_maps = $local_recipient_maps hash:/etc/postfix/aliases
alias_maps = hash:/etc/postfix/aliases
`;
  const problems = lintDirectory(REPO, recording({ [`${REPO}/main.cf`]: main, [`${REPO}/aliases`]: 'postmaster: root\nroot: admin\n' }).reader);
  assert.deepEqual(withCode(problems, 'PF302'), []);
  assert.match(withCode(problems, 'PF380')[0]?.message ?? '', /postalias hash:\/etc\/postfix\/aliases/);
});

test('a copy installed elsewhere (FreeBSD, a container run with -c /opt/postfix/conf) still finds its tables beside main.cf', () => {
  const main = `compatibility_level = 3.6
postscreen_access_list = permit_mynetworks, cidr:/opt/postfix/conf/postscreen_access.cidr
smtpd_sender_restrictions = check_sender_access texthash:/opt/postfix/conf/sender_access
virtual_alias_maps = texthash:/usr/local/etc/postfix/virtual
alias_maps = hash:/etc/aliases
`;
  const files = {
    [`${REPO}/main.cf`]: main,
    [`${REPO}/postscreen_access.cidr`]: '10.0.0.1/8 permit\n',
    [`${REPO}/sender_access`]: 'a@b REJECT\n',
    [`${REPO}/virtual`]: 'a@example.test b@example.test\n',
  };
  const problems = lintDirectory(REPO, recording(files).reader);
  assert.deepEqual(codes(problems.filter((p) => p.code.startsWith('PF3'))), ['PF320'], JSON.stringify(problems.map((p) => p.message)));
  assert.equal(withCode(problems, 'PF320')[0].file, `${REPO}/postscreen_access.cidr`);
});

// `postfix-lint diff`: the behavioural difference of two configurations
// (relay matrix, findings, effective values), and `--git REV`. The live smtpd
// proof of the matrix part is test/oracle/diff-live.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { behaviourOf } from '../../server/src/engine/review/behaviour';
import { diffBehaviour, isEmptyDiff } from '../../server/src/engine/review/diff';
import { fsReader } from '../../server/src/cli/main';
import { runDiff } from '../../server/src/cli/diff';
import { sharedDir } from '../helpers/env';

const DEBIAN = join(sharedDir, 'corpus/debian-postfix-3.7');
const BASE_MAIN = `${readFileSync(join(DEBIAN, 'main.cf.debian'), 'latin1')}mydestination = example.test, localhost\n`;
const BASE_MASTER = readFileSync(join(DEBIAN, 'master.cf.dist'), 'latin1');

function configDir(root: string, name: string, main: string, master = BASE_MASTER): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.cf'), main);
  writeFileSync(join(dir, 'master.cf'), master);
  return dir;
}

function withTmp(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'pf-diff-'));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const diffOf = (a: string, b: string) => diffBehaviour(behaviourOf(a, fsReader), behaviourOf(b, fsReader));

function cli(args: string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const old = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = runDiff(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader });
    return { code, stdout, stderr };
  } finally {
    process.chdir(old);
  }
}

test('identical configurations in different places: no difference at all', () => {
  withTmp((root) => {
    const d = diffOf(configDir(root, 'a', BASE_MAIN), configDir(root, 'b', BASE_MAIN));
    assert.ok(isEmptyDiff(d), JSON.stringify(d, null, 1));
  });
});

test('a comment inserted above every finding moves them without adding or removing any', () => {
  withTmp((root) => {
    const before = behaviourOf(configDir(root, 'a', `${BASE_MAIN}mynetworks = 0.0.0.0/0\n`), fsReader);
    const after = behaviourOf(configDir(root, 'b', `# reviewed\n\n${BASE_MAIN}mynetworks = 0.0.0.0/0\n`), fsReader);
    assert.ok(before.findings.length > 0, 'the fixture has findings to move');
    const d = diffBehaviour(before, after);
    assert.deepEqual([d.added.length, d.removed.length, d.cells.length, d.values.length], [0, 0, 0, 0]);
  });
});

test('mynetworks = 0.0.0.0/0: the outside → outside cell opens a relay, PF500 is added, the value is shown', () => {
  withTmp((root) => {
    const d = diffOf(configDir(root, 'a', BASE_MAIN), configDir(root, 'b', `${BASE_MAIN}mynetworks = 0.0.0.0/0\n`));
    const relay = d.cells.find((c) => c.client === 'outside' && c.recipient === 'outside domain');
    assert.ok(relay, JSON.stringify(d.cells));
    assert.equal(relay.after, 'ACCEPT');
    assert.match(relay.before ?? '', /^(DEFER 454|REJECT 554) /);
    assert.equal(relay.opensRelay, true);
    assert.ok(d.added.some((f) => f.code === 'PF500'), d.added.map((f) => f.code).join());
    assert.deepEqual(d.removed, []);
    assert.deepEqual(d.values, [{ name: 'mynetworks', scope: 'main.cf', before: undefined, after: '0.0.0.0/0' }]);
    // The mynetworks client exists only in the new matrix; the old side replays it.
    const inside = d.cells.find((c) => c.client === 'mynetworks');
    assert.ok(inside?.before && inside.after, JSON.stringify(inside));
  });
});

test('reverting the change closes the relay and removes the findings', () => {
  withTmp((root) => {
    const d = diffOf(configDir(root, 'b', `${BASE_MAIN}mynetworks = 0.0.0.0/0\n`), configDir(root, 'a', BASE_MAIN));
    assert.ok(d.cells.some((c) => c.closesRelay));
    assert.ok(!d.cells.some((c) => c.opensRelay));
    assert.ok(d.removed.some((f) => f.code === 'PF500'));
    assert.deepEqual(d.added, []);
  });
});

test('a service added in master.cf: its cells have no "before", its -o values are listed', () => {
  withTmp((root) => {
    const master = `${BASE_MASTER}2525      inet  n       -       y       -       -       smtpd\n  -o mynetworks=0.0.0.0/0\n`;
    const d = diffOf(configDir(root, 'a', BASE_MAIN), configDir(root, 'b', BASE_MAIN, master));
    const cells = d.cells.filter((c) => c.service === '2525/inet');
    assert.ok(cells.length > 0);
    assert.ok(cells.every((c) => c.before === undefined));
    assert.ok(cells.some((c) => c.opensRelay), 'mynetworks trusts everyone: outside → outside accepted');
    assert.ok(d.values.some((v) => v.scope === 'master.cf' && v.name === '2525/inet/mynetworks' && v.after === '0.0.0.0/0'), JSON.stringify(d.values));
  });
});

test('CLI: exit 1 and "an open relay" when the change opens one; 0 and "No behavioural difference" otherwise', () => {
  withTmp((root) => {
    const a = configDir(root, 'a', BASE_MAIN);
    const b = configDir(root, 'b', `${BASE_MAIN}mynetworks = 0.0.0.0/0\n`);
    const open = cli([a, b]);
    assert.equal(open.code, 1, open.stderr);
    assert.match(open.stdout, /outside \[203\.0\.113\.5\] → <someone@elsewhere\.example> .*→ ACCEPT — an open relay/);
    assert.match(open.stdout, /^OPENS A RELAY on 1 service/m);
    const same = cli([a, a]);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /^No behavioural difference\.$/m);
    const closed = cli([b, a]);
    assert.equal(closed.code, 0, 'closing a relay is not a failure');
  });
});

test('CLI formats: JSON, Markdown table, SARIF with only the added findings', () => {
  withTmp((root) => {
    const a = configDir(root, 'a', `${BASE_MAIN}smtpd_banner = $myhostname ESMTP\n`);
    const b = configDir(root, 'b', `${BASE_MAIN}mynetworks = 0.0.0.0/0\n`);
    const json = JSON.parse(cli([a, b, '--format', 'json']).stdout);
    assert.equal(json.new.openRelay, true);
    assert.ok(json.findingsAdded.some((f: { code: string; file: string }) => f.code === 'PF500' && f.file === 'main.cf'));
    const md = cli([a, b, '--format=markdown']).stdout;
    assert.match(md, /^\| service \| client \| recipient \| sender \| before \| after \| \|$/m);
    assert.match(md, /🔴 open relay/);
    const sarif = JSON.parse(cli([a, b, '--format', 'sarif']).stdout);
    const ids = sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId);
    assert.ok(ids.includes('PF500'));
    const removed = json.findingsRemoved.map((f: { code: string }) => f.code);
    for (const code of removed) assert.ok(!json.findingsAdded.some((f: { code: string }) => f.code === code) || ids.includes(code));
    assert.equal(sarif.runs[0].results.length, json.findingsAdded.length);
  });
});

test('CLI usage errors exit 2', () => {
  assert.equal(cli(['/nonexistent-a']).code, 2);
  assert.equal(cli(['a', 'b', '--format', 'xml']).code, 2);
  assert.equal(cli(['/nonexistent-a', '/nonexistent-b']).code, 2);
});

test('--git REV compares the working tree with the revision, files beside main.cf included', () => {
  withTmp((root) => {
    const repo = join(root, 'repo');
    const etc = join(repo, 'etc/postfix');
    mkdirSync(etc, { recursive: true });
    const main = `${BASE_MAIN}smtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients.cidr, reject_unauth_destination\n`;
    writeFileSync(join(etc, 'main.cf'), main);
    writeFileSync(join(etc, 'master.cf'), BASE_MASTER);
    writeFileSync(join(etc, 'clients.cidr'), '192.0.2.0/24 OK\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    // The change: every client is OK in the table, so everyone relays.
    writeFileSync(join(etc, 'clients.cidr'), '0.0.0.0/0 OK\n');
    const r = cli(['--git', 'HEAD', 'etc/postfix'], repo);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /etc\/postfix at HEAD → etc\/postfix \(working tree\)/);
    assert.match(r.stdout, /— an open relay/);
    const none = cli(['--git', 'HEAD', 'etc/postfix'], repo);
    assert.equal(none.code, 1, 'the same change reported again: git state untouched');
    git('add', '-A');
    git('commit', '-qm', 'open');
    const clean = cli(['--git', 'HEAD', 'etc/postfix'], repo);
    assert.equal(clean.code, 0);
    assert.match(clean.stdout, /No behavioural difference/);
    const bad = cli(['--git', 'no-such-revision', 'etc/postfix'], repo);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no-such-revision/);
  });
});

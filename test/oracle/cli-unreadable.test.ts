// A configuration directory whose main.cf is missing or cannot be read is
// not "0 errors": the CLI (lint, simulate and the postconf emulation) says
// what happened in real postconf's words and exits 1 (issue 8). Real
// postconf 3.7.11 is asked on the same directories. We run as root, so
// unreadable means a directory called main.cf or a symbolic link loop; a
// link to /dev/zero makes real postconf read forever, so there only our
// answer is checked. An unreadable table is PF001, never "does not exist".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { runRealArgs } from '../fixtures/mastercf/harness';
import { cliPath as CLI, ensureBuilt } from '../helpers/build';
import { requireTools } from '../helpers/env';

let tmp: string;

before(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-unreadable-'));
  mkdirSync(join(tmp, 'empty'));
  mkdirSync(join(tmp, 'dir', 'main.cf'), { recursive: true });
  mkdirSync(join(tmp, 'loop'));
  symlinkSync('main.cf', join(tmp, 'loop', 'main.cf'));
  mkdirSync(join(tmp, 'zero'));
  symlinkSync('/dev/zero', join(tmp, 'zero', 'main.cf'));
  mkdirSync(join(tmp, 'elsewhere'));
  writeFileSync(join(tmp, 'elsewhere', 'main.cf'), 'myhostname = mx.example.com\nmynetworks = 0.0.0.0/0\n');
  mkdirSync(join(tmp, 'linked'));
  symlinkSync('../elsewhere/main.cf', join(tmp, 'linked', 'main.cf'));
  mkdirSync(join(tmp, 'table-linked'));
  writeFileSync(join(tmp, 'table-linked', 'main.cf'), 'compatibility_level = 3.6\nsmtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr\n');
  symlinkSync('../elsewhere/main.cf', join(tmp, 'table-linked', 'clients.cidr'));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

function ours(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no main.cf, or one that is not a readable file: fatal in postconf\'s words, exit 1', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  for (const name of ['empty', 'dir', 'loop']) {
    const dir = join(tmp, name);
    const real = await runRealArgs(['-c', dir, '-n']);
    assert.equal(real.status, 1, name);
    const fatal = /^postconf: fatal: (.*)$/m.exec(real.stderr)?.[1];
    assert.ok(fatal, `${name}: real postconf said ${real.stderr}`);
    assert.deepEqual(ours(['postconf', '-c', dir, '-n']), { status: 1, stdout: '', stderr: `postconf: fatal: ${fatal}\n` }, `${name}: postconf emulation`);
    assert.deepEqual(ours([dir]), { status: 1, stdout: '', stderr: `postfix-lint: fatal: ${fatal}\n` }, `${name}: lint`);
    const sim = ours(['simulate', '-c', dir, '--client', '192.0.2.1', '--from', 'a@b.example', '--to', 'c@d.example']);
    assert.deepEqual(sim, { status: 1, stdout: '', stderr: `postfix-lint simulate: fatal: ${fatal}\n` }, `${name}: simulate`);
  }
  const zero = join(tmp, 'zero');
  assert.deepEqual(ours([zero]), { status: 1, stdout: '', stderr: `postfix-lint: fatal: open ${zero}/main.cf: a system file (below /proc, /sys or /dev), never read\n` });
});

test('a table that is there but cannot be read is PF001, not "does not exist"', () => {
  const dir = join(tmp, 'tables');
  mkdirSync(join(dir, 'clients.cidr'), { recursive: true });
  symlinkSync('senders', join(dir, 'senders'));
  writeFileSync(
    join(dir, 'main.cf'),
    `smtpd_client_restrictions = check_client_access cidr:${dir}/clients.cidr, check_sender_access texthash:${dir}/senders\n`,
  );
  const r = ours(['--format', 'json', dir]);
  assert.equal(r.status, 1, r.stderr);
  const found = JSON.parse(r.stdout).problems.filter((p: { code: string }) => /^PF(001|374)$/.test(p.code));
  assert.deepEqual(
    found.map((p: { code: string; message: string }) => `${p.code} ${p.message}`).sort(),
    [
      `PF001 cidr:${dir}/clients.cidr: cannot read ${dir}/clients.cidr: Is a directory.`,
      `PF001 texthash:${dir}/senders: cannot open ${dir}/senders: Too many levels of symbolic links.`,
    ],
  );
});

test('a repository copy whose main.cf links out of its directory is not "0 errors": it says why and exits 1; --live reads it', () => {
  const dir = join(tmp, 'linked');
  const target = realpathSync(join(tmp, 'elsewhere', 'main.cf'));
  const why = `${dir}/main.cf is a link out of the configuration directory (to ${target}); a repository copy is read only inside its own tree: lint ${dirname(target)} instead, or pass --live if this is the configuration of this machine`;
  assert.deepEqual(ours([dir]), { status: 1, stdout: '', stderr: `postfix-lint: fatal: ${why}\n` });
  const sim = ours(['simulate', '-c', dir, '--client', '192.0.2.1', '--from', 'a@b.example', '--to', 'c@d.example']);
  assert.deepEqual(sim, { status: 1, stdout: '', stderr: `postfix-lint simulate: fatal: ${why}\n` });
  // As this machine's configuration the link is followed, as Postfix follows it: the open relay is found.
  const live = ours(['--live', '--format', 'json', dir]);
  assert.equal(live.status, 1, live.stderr);
  assert.ok(JSON.parse(live.stdout).problems.some((p: { code: string }) => p.code === 'PF501'), live.stdout);
});

test('a repository copy\'s table that links out of it is PF001 naming the target, never read: not through main.cf, not named on its own', () => {
  const dir = join(tmp, 'table-linked');
  const link = join(dir, 'clients.cidr');
  const target = realpathSync(join(tmp, 'elsewhere', 'main.cf'));
  const why = `${link} is a link out of the configuration directory (to ${target}); a repository copy is read only inside its own tree`;
  type Out = { problems: { code: string; file: string; message: string }[] };
  const viaMain = ours(['--format', 'json', dir]);
  assert.equal(viaMain.status, 1, viaMain.stderr);
  const found = (JSON.parse(viaMain.stdout) as Out).problems.filter((p) => p.code === 'PF001');
  assert.deepEqual(found.map((p) => p.message), [`cidr:/etc/postfix/clients.cidr: ${why}, so it is not read.`]);
  const alone = ours(['--format', 'json', link]);
  assert.equal(alone.status, 1, alone.stderr);
  assert.deepEqual((JSON.parse(alone.stdout) as Out).problems.map((p) => [p.code, p.message]), [['PF001', `${why}, so it is not checked and its content is not shown.`]]);
  // Read as a cidr table, the other file's lines would be quoted back.
  for (const out of [viaMain.stdout, alone.stdout]) assert.ok(!out.includes('mynetworks') && !out.includes('mx.example.com'), out);
});

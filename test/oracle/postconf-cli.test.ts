// Differential test of the built command line: `node dist/cli.js postconf ARGS`
// against the real `postconf ARGS` (Postfix 3.7.11) on the same directories,
// for option combinations as postconf combines them (-nx, -Mf, -Px, ...), its
// fatal errors for combinations it refuses, and MAIL_CONFIG instead of -c.
// stdout and exit status must be identical, stderr the same set of lines.
// Only deterministic cases (no hash-order endings); process_id is postconf's
// own pid, so lines showing it are left out on both sides.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { makeConfigDir, MINIMAL_MAIN, normalizeStderr, runRealArgs } from '../fixtures/mastercf/harness';
import { cliPath as CLI, ensureBuilt } from '../helpers/build';
import { requireTools, sharedDir } from '../helpers/env';
import type { PostconfOutput } from '../../server/src/engine/postconf/output';


before(() => {
  ensureBuilt();
});

function runOurs(args: string[], env?: NodeJS.ProcessEnv): Promise<PostconfOutput> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'postconf', ...args], { encoding: 'latin1', env, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({ stdout, stderr, status: !e ? 0 : typeof e.code === 'number' ? e.code : -1 });
    });
  });
}

const withoutPid = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/(^| )process_id( =|$)|debugger_command = /.test(l))
    .join('\n');

interface Case {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

// postconf sleeps a second before exiting on a fatal error: run several at once.
const PARALLEL = 12;

async function compareAll(cases: Case[]): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const [real, ours] = await Promise.all([runRealArgs(c.args, c.env), runOurs(c.args, c.env)]);
      const same =
        withoutPid(real.stdout) === withoutPid(ours.stdout) &&
        real.status === ours.status &&
        normalizeStderr(real.stderr).join('\n') === normalizeStderr(ours.stderr).join('\n');
      if (!same) {
        bad.push(
          `${c.label}: postconf ${c.args.join(' ')}\n--- real (exit ${real.status})\n${real.stdout}${real.stderr}--- ours (exit ${ours.status})\n${ours.stdout}${ours.stderr}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return bad;
}

/** Directories that exercise the warnings of every step, without hash-order dependent endings. */
function directories(): Record<string, string> {
  const dirs: Record<string, string> = {};
  const dist = '/usr/share/postfix/master.cf.dist';
  if (existsSync(dist)) dirs.stock = makeConfigDir(MINIMAL_MAIN, readFileSync(dist, 'latin1'));
  const upstream = join(sharedDir, 'corpus', 'postfix-upstream');
  if (existsSync(join(upstream, 'master.cf'))) {
    dirs.upstream = makeConfigDir(readFileSync(join(upstream, 'main.cf'), 'latin1'), readFileSync(join(upstream, 'master.cf'), 'latin1'));
  }
  dirs.quirks = makeConfigDir(
    [
      '  orphan = line',
      'compatibility_level = 3.6',
      'myhostname = mx.example.test',
      'myhostname = mx2.example.test',
      'mydomain = example.test',
      'my_rbl = zen.spamhaus.org',
      'smtpd_client_restrictions = reject_rbl_client $my_rbl, $undefined_main',
      'lonely = 1',
      'process_name = foo',
      'virtual_maps = hash:/etc/postfix/virtual',
      'smtpd_banner = $myhostname ESMTP ${my_rbl?{rbl on}:{off}}',
      '',
    ].join('\n'),
    [
      '  orphan master line',
      'smtp      inet  n       -       y       -       -       smtpd -o syslog_name=postfix/$service_name',
      'submission inet n       -       y       -       -       smtpd -o smtpd_tls_securty_level=encrypt -o { smtpd_client_restrictions = permit_sasl_authenticated, reject } -o mua=$mua_undefined',
      'relay     unix  -       -       n       -       -       smtp -o process_name=x -o smtp_helo_name=$myhostname',
      'g         unix  -       -       n       -       -       smtpd -o {a=b}junk {c d}e',
      'pipe1     unix  -       n       n       -       2       pipe flags=R user=nobody argv=/bin/true ${recipient}',
      '',
    ].join('\n'),
  );
  dirs.noMaster = makeConfigDir('compatibility_level = 3.6\nrelayhost = [relay.example.test]:587\n');
  dirs.badMaster = makeConfigDir(MINIMAL_MAIN, 'smtp inet n - y - - smtpd\nrelay unix\n');
  dirs.badMain = makeConfigDir('compatibility_level = 3.6\nmyhostname host.example\n', 'smtp inet n - y - - smtpd\n');
  dirs.macroError = makeConfigDir('compatibility_level = 3.6\nsmtpd_banner = ${oops\n', 'smtp inet n - y - - smtpd\n');
  const db = makeConfigDir('x = 1\n');
  chmodSync(db, 0o755);
  mkdirSync(join(db, 'dir.cf'));
  dirs.dbms = makeConfigDir(
    `compatibility_level = 3.6\nvirtual_alias_maps = ldap:${db}/dir.cf, mysql:${db}/none.cf, ldap:legacy\nlegacy_server_host = ldap.example.test\nlegacy_bogus = 1\n`,
    'smtp inet n - y - - smtpd -o relay_domains=proxy:ldap:sub -o sub_search_base=dc=example -o sub_nonsense=1\n',
  );
  return dirs;
}

test('postfix-lint postconf agrees with real postconf: directories × option combinations', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dirs = directories();
  const modes = [
    ['-n'],
    ['-nx'],
    ['-nf'],
    ['-nh'],
    ['-nH'],
    ['-n', 'myhostname', 'nosuch_parameter', 'lonely', 'my_rbl'],
    ['-x', 'smtpd_banner', 'mydomain', 'myorigin'],
    ['-h', 'mail_version'],
    ['-p', '-n'],
    ['-o', 'relayhost=[other.example]', '-nx'],
    ['-d'],
    ['-dx', 'mynetworks', 'mydestination'],
    ['-dH'],
    [],
    ['-M'],
    ['-Mf'],
    ['-Mx'],
    ['-Mfx'],
    ['-M', 'smtp/inet', 'nosuch'],
    ['-F'],
    ['-Ff'],
    ['-Fx'],
    ['-Fh', 'smtp/inet/command'],
    ['-FH'],
    ['-P'],
    ['-Pf'],
    ['-Px'],
    ['-Ph'],
    ['-PH'],
    ['-P', '*/*/syslog_name'],
  ];
  const cases: Case[] = [];
  for (const [label, dir] of Object.entries(dirs)) for (const m of modes) cases.push({ label, args: ['-c', dir, ...m] });
  const bad = await compareAll(cases);
  t.diagnostic(`${cases.length} commands over ${Object.keys(dirs).length} directories`);
  assert.equal(bad.length, 0, bad.slice(0, 3).join('\n\n'));
});

test('postfix-lint postconf: option checks, usage errors and MAIL_CONFIG as postconf has them', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dir = makeConfigDir(MINIMAL_MAIN, 'smtp inet n - y - - smtpd\n');
  const refused = [
    ['-Mn'],
    ['-Mh'],
    ['-MH'],
    ['-Md'],
    ['-Pd'],
    ['-Fn'],
    ['-MF'],
    ['-FP'],
    ['-hH'],
    ['-nd'],
    ['-od', 'x=1'],
    ['-d', '-o', 'x=1'],
    ['-M', '-n', '-h'],
    ['-z'],
    ['-nE'],
    ['-n', '-c'],
    ['-bt'],
    ['-n', '--', '-x'],
    ['-n', 'mail_version', '-x'],
    ['-o', 'nameonly', '-n'],
    ['-M', '/smtp'],
    ['-F', 'smtp/inet/nosuchfield'],
    ['-P', 'a/b/c/d'],
  ];
  const cases: Case[] = refused.map((args) => ({ label: 'options', args: args.includes('-c') ? args : ['-c', dir, ...args] }));
  const env = { ...process.env, MAIL_CONFIG: dir };
  cases.push({ label: 'MAIL_CONFIG', args: ['-n'], env });
  cases.push({ label: 'MAIL_CONFIG', args: ['-M'], env });
  const noConfig = { ...process.env };
  delete noConfig.MAIL_CONFIG;
  if (!existsSync('/etc/postfix/main.cf')) cases.push({ label: 'default directory without main.cf', args: ['-n'], env: noConfig });
  const bad = await compareAll(cases);
  t.diagnostic(`${cases.length} commands`);
  assert.equal(bad.length, 0, bad.slice(0, 3).join('\n\n'));
});

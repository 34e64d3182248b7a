// One decoding policy, Postfix's, and an encoding per output stream (issues
// 7 and 8). The CLI decodes files as UTF-8 like the language server: a line
// that is not UTF-8 is PF304, as postmap ignores it at compatibility_level
// 3.6. What people read (lint text and JSON, simulator traces) is UTF-8;
// the postconf emulation is bytes in, bytes out, identical to real postconf.
// Real postmap and postconf are asked on the same files.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cliPath as CLI, ensureBuilt } from '../helpers/build';
import { requireTools } from '../helpers/env';
import { backdate } from '../helpers/postfix-tools';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
let tmp: string;

before(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pf-encoding-'));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], input?: string | Buffer) {
  const r = spawnSync(cmd, args, { input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const ours = (args: string[], input?: string | Buffer) => run(process.execPath, [CLI, ...args], input);

/** A directory with main.cf (compatibility_level 3.6) and the given files (bytes). */
function configDir(name: string, files: Record<string, Buffer | string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.cf'), 'compatibility_level = 3.6\n');
  for (const [f, data] of Object.entries(files)) writeFileSync(join(dir, f), data);
  // Written just now: Postfix's tools would sleep and read main.cf again.
  backdate(dir);
  return dir;
}

const LATIN1_TABLE = Buffer.concat([Buffer.from('caf\xe9@example.test REJECT\n', 'latin1'), Buffer.from('grüße@example.test OK\n', 'utf8')]);

test('a Latin-1 key is not found, as real postmap ignores its line; UTF-8 keys are', (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  const dir = configDir('postmap', { F: LATIN1_TABLE });
  execFileSync('postmap', ['-c', dir, `hash:${dir}/F`], { stdio: 'ignore' });
  for (const key of ['café@example.test', 'grüße@example.test']) {
    const real = run('postmap', ['-c', dir, '-q', key, `hash:${dir}/F`]);
    const mine = ours(['postmap', '-q', key, `hash:${dir}/F`]);
    assert.deepEqual([mine.status, mine.stdout.toString('latin1')], [real.status, real.stdout.toString('latin1')], key);
  }
  // Keys on standard input are UTF-8 too: not decoded twice.
  const input = 'grüße@example.test\ncafé@example.test\n';
  const real = run('postmap', ['-c', dir, '-q', '-', `hash:${dir}/F`], input);
  const mine = ours(['postmap', '-q', '-', `hash:${dir}/F`], input);
  assert.equal(mine.stdout.toString('latin1'), real.stdout.toString('latin1'));
  assert.equal(mine.stdout.toString('utf8'), 'grüße@example.test\tOK\n');
});

test('lint reports the non-UTF-8 line as PF304, like the language server', () => {
  const dir = configDir('lint', { F: LATIN1_TABLE });
  writeFileSync(join(dir, 'main.cf'), `compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access texthash:${dir}/F\n`);
  const r = ours(['--format', 'json', dir]);
  const problems = JSON.parse(strictUtf8.decode(r.stdout)).problems as { code: string; file: string; range: { start: { line: number } } }[];
  assert.deepEqual(
    problems.filter((p) => p.code === 'PF304').map((p) => `${p.file}:${p.range.start.line + 1}`),
    [`${join(dir, 'F').replace(`${process.cwd()}/`, '')}:1`],
  );
});

test('text output is UTF-8', () => {
  const dir = configDir('text', {});
  writeFileSync(join(dir, 'main.cf'), 'compatibility_level = 3.6\ngrüße = 1\n');
  const r = ours([dir]);
  const text = strictUtf8.decode(r.stdout);
  assert.match(text, /PF103: .*grüße/);
});

test('simulate: a UTF-8 sender matches a UTF-8 inline: key; JSON and text are valid UTF-8', () => {
  const dir = configDir('simulate', {
    'master.cf': 'smtp inet n - n - - smtpd\n',
  });
  writeFileSync(
    join(dir, 'main.cf'),
    [
      'compatibility_level = 3.6',
      'myhostname = mx.example.test',
      'mydestination = example.test',
      'mynetworks = 127.0.0.0/8',
      'smtpd_sender_restrictions = check_sender_access inline:{ grüße@outside.example=REJECT }',
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
      '',
    ].join('\n'),
  );
  const args = ['simulate', '-c', dir, '--client', '203.0.113.5', '--helo', 'a.example', '--from', 'grüße@outside.example', '--to', 'root@example.test'];
  const json = ours([...args, '--format', 'json']);
  const result = JSON.parse(strictUtf8.decode(json.stdout));
  assert.equal(result.verdict, 'reject');
  assert.equal(result.reply.line, '554 5.7.1 <grüße@outside.example>: Sender address rejected: Access denied');
  const text = strictUtf8.decode(ours(args).stdout);
  assert.match(text, /MAIL FROM:<grüße@outside\.example>/);
  assert.match(text, / → reject/);
});

test('postconf emulation: bytes in, the same bytes out as real postconf', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const dir = configDir('postconf', {});
  writeFileSync(join(dir, 'main.cf'), Buffer.concat([Buffer.from('compatibility_level = 3.6\nsmtpd_banner = $myhostname caf'), Buffer.from([0xe9, 0x20]), Buffer.from('grüße\n')]));
  const real = run('postconf', ['-c', dir, '-n']);
  const mine = ours(['postconf', '-c', dir, '-n']);
  assert.equal(real.status, 0);
  assert.deepEqual([mine.status, mine.stdout.toString('hex')], [real.status, real.stdout.toString('hex')]);
});

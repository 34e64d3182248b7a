// Hostile main.cf files (issue 8) against the real postconf: self-referring
// host defaults, deeply nested relational expressions, NUL bytes and a UTF-8
// byte order mark. Our postconf emulation must print what postconf prints
// (stdout, warnings, exit status), byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { ConfigDir, normalizeWarnings, PID_MARKER, run } from '../helpers/postfix-tools';
import { postconfMain } from '../../server/src/engine/postconf/main';
import { hostModel } from '../../server/src/cli/host';

const host = { ...hostModel(), processId: PID_MARKER };

/** Runs `postconf -c DIR ARGS [NAMES]` for real and emulated on main.cf bytes; returns a difference or ''. */
function differs(main: Buffer, args: string[], names: string[] = []): string {
  const d = new ConfigDir('pflint-hostile-');
  try {
    d.write('main.cf', main);
    const real = run('postconf', ['-c', d.dir, ...args, ...names]);
    const flags = args.join('');
    const ours = postconfMain({
      dir: d.dir,
      mainText: main.toString('latin1'),
      master: undefined,
      nonDefault: flags.includes('n'),
      expand: flags.includes('x'),
      defaults: flags.includes('d'),
      names: names.length > 0 ? names : undefined,
      host,
    });
    const stdout = ours.stdout.replaceAll(PID_MARKER, String(real.pid));
    const realWarn = normalizeWarnings(real.stderr);
    const ourWarn = normalizeWarnings(ours.stderr.replaceAll(PID_MARKER, String(real.pid)));
    if (real.stdout === stdout && real.status === ours.status && realWarn.join('\n') === ourWarn.join('\n')) return '';
    return `postconf ${args.join(' ')} ${names.join(' ')}\n--- real (status ${real.status}):\n${real.stdout.slice(0, 2000)}${realWarn.join('\n').slice(0, 2000)}\n--- ours (status ${ours.status}):\n${stdout.slice(0, 2000)}${ourWarn.join('\n').slice(0, 2000)}`;
  } finally {
    d.dispose();
  }
}

function assertSame(cases: { main: Buffer | string; args: string[]; names?: string[] }[]): void {
  const bad = cases.map((c) => differs(typeof c.main === 'string' ? Buffer.from(c.main, 'latin1') : c.main, c.args, c.names)).filter((s) => s !== '');
  assert.equal(bad.length, 0, bad.join('\n\n'));
}

const HOST_NAMES = ['myhostname', 'mydomain', 'myorigin', 'mydestination'];

test('myhostname and mydomain defaults that refer to each other agree with real postconf', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const mains = [
    'myhostname = mail.$mydomain\n',
    'myhostname = a.b.$mydomain\n',
    'myhostname = $mydomain\n',
    'myhostname = mail.${mydomain}x\n',
    'mydomain = $myhostname\n',
    'myhostname = mail.$mydomain\nmydomain = x.y\n',
    'myhostname = mail.example.com\n',
    '',
  ];
  assertSame(mains.flatMap((main) => [{ main, args: ['-n'] }, { main, args: ['-nx'] }, { main, args: ['-x'], names: HOST_NAMES }]));
});

/** myhostname nested n deep: through relational left or right operands (unbounded in Postfix), or through ${name?{...}} (100 levels). */
function nested(kind: 'left' | 'right' | 'conditional', n: number): string {
  let e = kind === 'conditional' ? 'x' : 'a';
  for (let k = 0; k < n; k++) {
    if (kind === 'left') e = `\${{${e}} == {a}?{y}:{z}}`;
    else if (kind === 'right') e = `\${{a} == {${e}}?{y}:{z}}`;
    else e = `\${mydomain?{${e}}}`;
  }
  return `mydomain = d\nmyhostname = ${e}\n`;
}

test('deeply nested expressions: the same answer or the same nesting error as real postconf at 50, 99-102 and 1000 levels', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const cases: { main: string; args: string[]; names?: string[] }[] = [];
  for (const kind of ['left', 'right', 'conditional'] as const) {
    for (const n of [50, 99, 100, 101, 102, 1000]) {
      cases.push({ main: nested(kind, n), args: ['-x'], names: ['myhostname'] });
      if (n === 1000) cases.push({ main: nested(kind, n), args: ['-nx'] });
    }
  }
  assertSame(cases);
});

test('NUL bytes: postconf -n and -nx cut each logical line at its first NUL, as real postconf does', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const mains = [
    'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\0, reject_unauth_destination\n',
    'compatibility_level = 3.6\nmyhostname = a\0b\nrelayhost = \0x\nmyorigin = x\0\n  continued\nmydomain = d.ex\0ample  \n',
    'compatibility_level = 3.6\nmydomain\0 = d.example\n',
    'compatibility_level = 3.6\n\0mydomain = d.example\n',
    'compatibility_level = 3.6\nmy_list = a\0, $undefined_name\nsmtpd_client_restrictions = $my_list\n',
  ];
  assertSame(mains.flatMap((main) => [{ main, args: ['-n'] }, { main, args: ['-nx'] }]));
});

test('a UTF-8 byte order mark: the same unused-parameter warning or fatal error as real postconf', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const mains = ['compatibility_level = 3.6\nmyhostname = x\n', '# comment\ncompatibility_level = 3.6\n', '\ncompatibility_level = 3.6\n', '  x = y\ncompatibility_level = 3.6\n'];
  assertSame(mains.flatMap((m) => [{ main: Buffer.concat([bom, Buffer.from(m)]), args: ['-n'] }]));
});

/** a0 = WORD, a1 = $a0 $a0, ..., aN = $aN-1 $aN-1 (2^N words in aN). */
function doubling(n: number, word: string): string {
  let s = `a0 = ${word}\n`;
  for (let i = 1; i <= n; i++) s += `a${i} = $a${i - 1} $a${i - 1}\n`;
  return s;
}

test('doubling lists: postconf -nx prints the same 7 MB as real postconf for 2^17 words, and the same self-reference errors', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  assertSame([
    { main: `compatibility_level = 3.6\n${doubling(17, 'permit_mynetworks')}smtpd_recipient_restrictions = $a17, reject_unauth_destination\n`, args: ['-nx'] },
    { main: `compatibility_level = 3.6\n${doubling(17, 'permit_mynetworks')}smtpd_recipient_restrictions = $a17, reject_unauth_destination\n`, args: ['-nx'], names: ['a16', 'a17'] },
    // A chain that comes back to itself: the nesting warnings after the first error depend on every reference left.
    { main: `compatibility_level = 3.6\n${doubling(12, '$a12')}myhostname = $a12 $a3\n`, args: ['-nx'], names: ['myhostname'] },
    { main: `compatibility_level = 3.6\n${doubling(12, 'x')}a13 = $a12 $a13 $a12\nmyhostname = $a12 $a13 $a3\n`, args: ['-nx'], names: ['myhostname'] },
    // A reference reached first 98 levels deep and later at the top: the memo must not hide the nesting error.
    { main: `compatibility_level = 3.6\n${Array.from({ length: 98 }, (_, i) => `b${i} = $b${i + 1}`).join('\n')}\nb98 = $a5 x\n${doubling(5, 'y')}myhostname = $b0 $a5\n`, args: ['-nx'], names: ['myhostname'] },
  ]);
});

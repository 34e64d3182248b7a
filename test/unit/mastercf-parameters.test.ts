// postconf's parameter checks on master.cf -o settings, as editor problems,
// and a few postconf -M/-F/-P outputs recorded from real Postfix 3.7.11 (the
// oracle test compares thousands more when postconf is installed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { masterCfProblems, parseMasterCf } from '../../server/src/engine/mastercf';
import { postconfMaster, printLine } from '../../server/src/engine/postconf/master';
import { registerParameters } from '../../server/src/engine/postconf/parameters';
import { analyzeParameters } from '../../server/src/engine/postconf';
import { postconfMain } from '../../server/src/engine/postconf/main';
import { postconfCommand } from '../../server/src/engine/postconf/command';
import { checkClientFile, ReadFailure } from '../../server/src/engine/postconf/dbms';
import { computeMynetworks, HostModel } from '../../server/src/engine/postconf/host-defaults';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import type { Range } from '../../server/src/engine/types';

const DIR = '/etc/postfix';

function mainOf(entries: Record<string, string> = {}): Map<string, string> {
  return new Map([['config_directory', DIR], ['compatibility_level', '3.6'], ...Object.entries(entries)]);
}

/** Text with «marked» spans removed, and their ranges (single-line fixtures). */
function marked(src: string): { text: string; ranges: Range[] } {
  const ranges: Range[] = [];
  let text = '';
  let line = 0;
  let col = 0;
  let start = { line: 0, character: 0 };
  for (const ch of src) {
    if (ch === '«') start = { line, character: col };
    else if (ch === '»') ranges.push({ start, end: { line, character: col } });
    else {
      text += ch;
      if (ch === '\n') {
        line++;
        col = 0;
      } else col++;
    }
  }
  return { text, ranges };
}

function problems(masterText: string, main: Record<string, string> = {}) {
  return masterCfProblems(parseMasterCf(masterText, `${DIR}/master.cf`), { configDir: DIR, main: mainOf(main) });
}

describe('unused and undefined -o parameters', () => {
  test('an unknown name is unused, with a suggestion, on the name', () => {
    const { text, ranges } = marked('smtp inet n - y - - smtpd -o «smtpd_tls_securty_level»=may\n');
    const ps = problems(text);
    assert.equal(ps.length, 1);
    assert.equal(ps[0].code, 'PF230');
    assert.deepEqual(ps[0].range, ranges[0]);
    assert.match(ps[0].message, /^unused parameter: smtpd_tls_securty_level=may .*did you mean smtpd_tls_security_level\?/);
  });

  test('a user-defined name is fine once a value in the same service or in main.cf refers to it', () => {
    assert.deepEqual(problems('sub inet n - y - - smtpd -o my_rules=permit -o smtpd_client_restrictions=$my_rules\n'), []);
    assert.deepEqual(problems('sub inet n - y - - smtpd -o my_rules=permit\n', { smtpd_banner: '$myhostname $my_rules' }), []);
    // ...but not a reference from another service
    const ps = problems('a inet n - y - - smtpd -o my_rules=permit\nb inet n - y - - smtpd -o smtpd_client_restrictions=$my_rules\n');
    assert.deepEqual(
      ps.map((p) => [p.code, p.range.start.line]),
      [
        ['PF231', 1],
        ['PF230', 0],
      ],
    );
  });

  test('an undefined $name is marked inside the value', () => {
    const { text, ranges } = marked('sub inet n - y - - smtpd -o smtpd_client_restrictions=permit_sasl_authenticated,«${mua_client:reject}»\n');
    const ps = problems(text);
    assert.deepEqual(
      ps.map((p) => p.code),
      ['PF231'],
    );
    assert.match(ps[0].message, /^undefined parameter: mua_client /);
    assert.equal(ps[0].range.start.character, ranges[0].start.character);
    // defined in main.cf: fine, and main.cf's setting counts as used
    const registry = registerParameters({ configDir: DIR, main: mainOf({ mua_client: 'permit' }), master: parseMasterCf(text) });
    assert.deepEqual(registry.findings, []);
    assert.equal(registry.classOf('mua_client'), 'user');
    assert.deepEqual(registry.unusedMain(), []);
  });

  test('restriction classes make their names used; read-only names are ignored', () => {
    assert.deepEqual(problems('s inet n - y - - smtpd -o smtpd_restriction_classes=strict -o strict=reject\n'), []);
    assert.deepEqual(problems('s inet n - y - - smtpd -o strict=reject\n', { smtpd_restriction_classes: 'strict', strict: 'permit' }), []);
    const { text, ranges } = marked('s inet n - y - - smtpd -o «process_name»=x\n');
    const ps = problems(text);
    assert.deepEqual(
      ps.map((p) => [p.code, p.range]),
      [['PF232', ranges[0]]],
    );
  });

  test('service-derived and legacy database names are known', () => {
    assert.deepEqual(problems('relay unix - - n - - smtp -o relay_destination_concurrency_limit=5\n'), []);
    assert.deepEqual(problems('s inet n - y - - smtpd -o virtual_alias_maps=ldap:mydir -o mydir_server_host=ldap.example\n'), []);
    assert.equal(problems('s inet n - y - - smtpd -o mydir_server_host=ldap.example\n')[0].code, 'PF230');
  });

  test('bad $ syntax in a -o value', () => {
    const ps = problems('s inet n - y - - smtpd -o syslog_name=${oops\n');
    assert.deepEqual(
      ps.map((p) => p.code),
      ['PF233'],
    );
    assert.match(ps[0].message, /^truncated macro reference: "\$\{oops"/);
  });
});

describe('postconf output, recorded from Postfix 3.7.11', () => {
  const run = (flags: string, master: string) => {
    const r = postconfMaster(
      { mode: flags[0] as 'M', fold: flags.includes('f'), expand: flags.includes('x') },
      { configDir: '/tmp/mt', master: parseMasterCf(master, '/tmp/mt/master.cf'), mainText: 'compatibility_level = 3.6\n' },
    );
    return r;
  };

  test('-M, -P and -F with postconf\'s own reading of "-osyslog_name=foo"', () => {
    const master = 'smtp inet n - y - - smtpd -osyslog_name=foo -vo smtpd_foo=1 -v\n';
    assert.equal(run('M', master).stdout, 'smtp       inet  n       -       y       -       -       smtpd -o sysl -o g_name=f -o -o -v -o smtpd_foo=1 -v\n');
    assert.equal(run('P', master).stdout, 'smtp/inet/g_name = f\nsmtp/inet/smtpd_foo = 1\n');
    assert.equal(
      run('P', master).stderr,
      'postconf: warning: /tmp/mt/master.cf: unused parameter: g_name=f\npostconf: warning: /tmp/mt/master.cf: unused parameter: smtpd_foo=1\n',
    );
    assert.match(run('F', master).stdout, /^smtp\/inet\/service = smtp\nsmtp\/inet\/type = inet\n/);
  });

  test('-Mf folds; braces come back where a value has blanks', () => {
    const master = 'g unix - - n - - smtpd -o { a = b } x {y z} {q}\ni unix - - n - - smtpd -o {a=b}junk {c d}e\n';
    assert.equal(run('Mf', master).stdout, 'g          unix  -       -       n       -       -       smtpd\n    -o a=b\n    x {y z} q\ni          unix  -       -       n       -       -       smtpd\n    -o a=b\n    c d\n');
    assert.deepEqual(run('M', master).stderr.split('\n').slice(0, 2), [
      'postconf: warning: master.cf: syntax error after \'}\' in "{a=b}junk"',
      'postconf: warning: master.cf: syntax error after \'}\' in "{c d}e"',
    ]);
  });

  test('a bad line is fatal and nothing is shown', () => {
    const r = run('M', 'smtp inet n - y - - smtpd\nrelay unix\n');
    assert.deepEqual(r, { stdout: '', stderr: 'postconf: fatal: file /tmp/mt/master.cf: line 2: bad field count\n', status: 1 });
  });

  test('printLine squeezes blanks and folds at 80 columns', () => {
    assert.equal(printLine('a/b/c =  x \t y', false), 'a/b/c = x y\n');
    assert.equal(printLine(`n = ${'w '.repeat(50)}`, true).split('\n')[1].startsWith('    w'), true);
  });
});

describe('postconf registration, shared by every postconf mode and the editor', () => {
  const iface = (address: string, family: 'IPv4' | 'IPv6', prefix: number, loopback = false) => ({ address, family, prefix, loopback });
  const host: HostModel = {
    hostname: 'box',
    interfaces: [iface('127.0.0.1', 'IPv4', 8, true), iface('192.0.2.2', 'IPv4', 24), iface('::1', 'IPv6', 128, true), iface('fd00::2', 'IPv6', 64)],
    resolve: (n) => (n === 'localhost' ? ['127.0.0.1', '::1'] : undefined),
  };

  test('analyzeParameters: findings with their service and setting, known names, lookups per service', () => {
    const main = parseMainCf('compatibility_level = 3.6\nfoo = $bar\nsmtpd_banner = ${oops\n', '/x/main.cf');
    const master = parseMasterCf('smtp inet n - y - - smtpd -o a=$b\nrelay unix - - n - - smtp -o relay_destination_concurrency_limit=2 -o syslog_name=$service_name\n', '/x/master.cf');
    const a = analyzeParameters({ configDir: '/x', main, master });
    const brief = a.findings.map((f) => [f.kind, f.file, f.name, f.service ?? '', f.parameter ?? '']);
    assert.deepEqual(brief, [
      ['undefined', 'master.cf', 'b', 'smtp/inet', 'a'],
      ['undefined', 'main.cf', 'bar', '', 'foo'],
      ['scan', 'main.cf', 'smtpd_banner', '', 'smtpd_banner'],
      ['macro', 'main.cf', 'smtpd_banner', '', 'smtpd_banner'],
      ['unused', 'main.cf', 'foo', '', 'foo'],
      ['unused', 'master.cf', 'a', 'smtp/inet', 'a'],
    ]);
    assert.equal(a.findings[0].text, '/x/master.cf: undefined parameter: b');
    assert.ok(a.isKnown('relay_destination_concurrency_limit'));
    assert.ok(!a.isKnown('smtp_destination_concurrency_limit_x'));
    assert.equal(a.lookup('relay/unix')('relay_destination_concurrency_limit'), '2');
    assert.equal(a.lookup('relay/unix')('process_name'), 'smtp');
    assert.equal(a.lookup()('relay_destination_concurrency_limit'), '$default_destination_concurrency_limit');
    assert.equal(a.lookup()('compatibility_level'), '3.6');
  });

  test('two -o settings that do not expand: either can be the one postconf dies on', () => {
    const r = postconfMaster(
      { mode: 'M' },
      { configDir: '/d', mainText: 'compatibility_level = 3.6\n', master: parseMasterCf('a unix - - n - - smtpd -o z=$undef1 -o smtpd_banner=$(x -o syslog_name=$(y\n', '/d/master.cf') },
    );
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.alternatives, [
      ['postconf: warning: truncated macro reference: "$(x"', 'postconf: warning: truncated macro reference: "$(x"', 'postconf: fatal: macro processing error'],
      ['postconf: warning: truncated macro reference: "$(y"', 'postconf: warning: truncated macro reference: "$(y"', 'postconf: fatal: macro processing error'],
    ]);
    assert.deepEqual(r.optional, ['postconf: warning: /d/master.cf: undefined parameter: undef1']);
  });

  test('host defaults are computed when needed, and can be fatal then', () => {
    const mainText = 'compatibility_level = 3.6\ninet_interfaces = nosuch.invalid\n';
    const base = { dir: '/d', mainText, master: undefined, expand: false, host };
    const d = postconfMain({ ...base, nonDefault: false, defaults: true, names: ['mail_version'] });
    assert.equal(d.status, 0);
    const n = postconfMain({ ...base, nonDefault: true, defaults: false });
    assert.equal(n.status, 1);
    assert.match(n.stderr, /postconf: fatal: config variable inet_interfaces: host not found: nosuch\.invalid\n$/);
  });

  test('mynetworks from inet_interfaces, inet_protocols and mynetworks_style, with Postfix\'s fatal errors', () => {
    const m = (style: string, interfaces: string, protocols = 'all') => computeMynetworks(host, style, interfaces, protocols);
    assert.deepEqual(m('subnet', 'all'), { value: '127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64 ' });
    assert.deepEqual(m('host', '::1, 127.0.0.1'), { value: '127.0.0.1/32 [::1]/128 ' });
    assert.deepEqual(m('class', 'loopback-only', 'ipv4'), { value: '127.0.0.0/8 ' });
    assert.deepEqual(m('host', '[127.0.0.1] localhost'), { value: '127.0.0.1/32 [::1]/128 ' });
    assert.deepEqual(m('host', '127.1'), { value: '127.0.0.1/32 ' });
    assert.deepEqual(m('host', '::1', 'ipv4'), { fatal: 'config variable inet_interfaces: host not found: ::1' });
    assert.deepEqual(m('host', 'ALL'), { fatal: 'config variable inet_interfaces: host not found: ALL' });
    assert.deepEqual(m('host', '10.9.9.9'), { fatal: 'parameter inet_interfaces: no local interface found for 10.9.9.9' });
    assert.deepEqual(m('Host', 'all'), { fatal: 'unknown mynetworks mask style value "Host" in "Host"' });
    assert.deepEqual(m('host, subnet', 'all'), { fatal: 'bad mynetworks_style value: host, subnet; specify exactly one value' });
    assert.deepEqual(m('host', 'all', 'IPv4'), { fatal: 'unknown inet_protocols value "IPv4" in "IPv4"' });
    assert.deepEqual(m('host', 'nosuch', ''), { value: '' });
  });

  test('database client files: repeated and unknown settings, a line without "=", not a file', () => {
    const files: Record<string, string | ReadFailure> = {
      '/e/ldap.cf': 'server_host = a\nserver_host = b\nbogus = 1\n',
      '/e/bad.cf': 'server_host = a\nno equals here\n',
      '/e/dir.cf': { error: 'not a regular file' },
    };
    const readFile = (p: string) => files[p];
    assert.deepEqual(checkClientFile('ldap', '/e/ldap.cf', readFile), {
      warnings: ['/e/ldap.cf, line 2: overriding earlier entry: server_host=a', 'ldap:/e/ldap.cf: unused parameter: bogus=1'],
    });
    assert.deepEqual(checkClientFile('ldap', '/e/bad.cf', readFile), { warnings: [], fatal: '/e/bad.cf, line 2: missing \'=\' after attribute name: "no equals here"' });
    assert.deepEqual(checkClientFile('mysql', '/e/dir.cf', readFile).warnings, ['open "mysql" configuration "/e/dir.cf": not a regular file']);
    assert.deepEqual(checkClientFile('mysql', '/e/none.cf', readFile).warnings, ['open "mysql" configuration "/e/none.cf": No such file or directory']);
    const r = postconfMain({ dir: '/e', mainText: 'virtual_alias_maps = ldap:/e/bad.cf\n', master: undefined, nonDefault: true, expand: false, defaults: false, readFile });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /postconf: fatal: \/e\/bad\.cf, line 2: missing '=' after attribute name: "no equals here"\n$/);
  });

  test('postconf -n also prints master.cf read warnings, and stdout comes before the unused warnings', () => {
    const master = parseMasterCf('  orphan\nsmtp inet n - y - - smtpd -o {a=b}junk -o lonely=1\n', '/d/master.cf');
    const r = postconfMain({ dir: '/d', mainText: 'compatibility_level = 3.6\n', master, nonDefault: true, expand: false, defaults: false });
    assert.equal(r.stdout, 'compatibility_level = 3.6\nconfig_directory = /d\n');
    assert.equal(
      r.stderr,
      [
        'postconf: warning: /d/master.cf: logical line must not start with whitespace: "  orphan"',
        'postconf: warning: master.cf: syntax error after \'}\' in "{a=b}junk"',
        'postconf: warning: /d/master.cf: unused parameter: a=b',
        'postconf: warning: /d/master.cf: unused parameter: lonely=1',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderrAfterStdout, r.stderr.indexOf('postconf: warning: /d/master.cf: unused'));
  });

  test('the command line: option checks, usage, -c and MAIL_CONFIG', () => {
    const files: Record<string, string> = { '/c/main.cf': 'compatibility_level = 3.6\n', '/c/master.cf': 'smtp inet n - y - - smtpd\n' };
    const ctx = { readFile: (p: string) => files[p] };
    const run = (...argv: string[]) => postconfCommand(argv, ctx);
    assert.deepEqual(run('-c', '/c', '-Mn'), { stdout: '', stderr: 'postconf: fatal: with option -M, do not specify -n\n', status: 1 });
    assert.equal(run('-c', '/c', '-M', '-n', '-h').stderr, 'postconf: fatal: with option -M, do not specify -h -n\n');
    assert.equal(run('-c', '/c', '-FP').stderr, 'postconf: fatal: specify one of -F -P\n');
    assert.equal(run('-c', '/c', '-od', 'x=1').stderr, 'postconf: fatal: specify one of -e -o\n');
    assert.match(run('-z').stderr, /^postconf: invalid option -- 'z'\npostconf: fatal: usage: postconf \[-a/);
    assert.equal(run('-c', '/c', '-m').status, 2);
    assert.equal(run('-c', '/c', '-n').stdout, 'compatibility_level = 3.6\nconfig_directory = /c\n');
    assert.equal(postconfCommand(['-n'], { ...ctx, mailConfig: '/c' }).stdout, 'compatibility_level = 3.6\nconfig_directory = /c\n');
    assert.equal(run('-c', '/c', '-n', '--', '-x').stderr, 'postconf: warning: -x: unknown parameter\n');
    assert.equal(run('-c', '/c', '-Mf').stdout, 'smtp       inet  n       -       y       -       -       smtpd\n');
    assert.equal(run('-c', '/c', '-nh', 'compatibility_level').stdout, '3.6\n');
    assert.equal(run('-c', '/c', '-o', 'relayhost=r.example', '-nH').stdout, 'compatibility_level\nconfig_directory\nrelayhost\n');
  });
});

// postconf's parameter checks on master.cf -o settings, as editor problems,
// and a few postconf -M/-F/-P outputs recorded from real Postfix 3.7.11 (the
// oracle test compares thousands more when postconf is installed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { masterCfProblems, parseMasterCf } from '../../server/src/engine/mastercf';
import { postconfMaster, printLine } from '../../server/src/engine/postconf/master';
import { registerParameters } from '../../server/src/engine/postconf/parameters';
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

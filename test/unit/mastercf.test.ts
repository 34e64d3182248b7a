// master.cf parser: fields, ranges, -o forms, postconf fatals, master and daemon
// start-up errors. Ranges are written into the fixture text with «markers».
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MasterCf, parseMasterCf, serviceParameterNames, MASTER_CODES } from '../../server/src/engine/mastercf';
import type { Range } from '../../server/src/engine/types';
import { masterCfText } from '../fixtures/mastercf/generator';

/** Removes «...» markers and returns the text plus the range of each marked span, in order. */
function marked(src: string): { text: string; ranges: Range[] } {
  const ranges: Range[] = [];
  const open: { line: number; character: number }[] = [];
  let text = '';
  let line = 0;
  let character = 0;
  for (const ch of src) {
    if (ch === '«') {
      open.push({ line, character });
      ranges.push(undefined as unknown as Range);
      (open[open.length - 1] as { index?: number }).index = ranges.length - 1;
      continue;
    }
    if (ch === '»') {
      const start = open.pop() as { line: number; character: number; index: number };
      ranges[start.index] = { start: { line: start.line, character: start.character }, end: { line, character } };
      continue;
    }
    text += ch;
    if (ch === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  return { text, ranges };
}

const codes = (m: MasterCf) => m.problems.map((p) => p.code);
const only = (m: MasterCf, code: string) => m.problems.filter((p) => p.code === code);

describe('fields and ranges', () => {
  test('eight fields with their ranges and the postconf key', () => {
    const { text, ranges } = marked('«smtp»      «inet»  «n»       «-»       «y»       «-»       «-»       «smtpd»\n');
    const m = parseMasterCf(text, '/etc/postfix/master.cf');
    assert.equal(m.services.length, 1);
    const s = m.services[0];
    assert.equal(s.key, 'smtp/inet');
    assert.deepEqual(
      s.fields.map((f) => f.text),
      ['smtp', 'inet', 'n', '-', 'y', '-', '-', 'smtpd'],
    );
    assert.deepEqual(
      s.fields.map((f) => f.range),
      ranges,
    );
    assert.equal(s.program, 'smtpd');
    assert.equal(s.endpoint, '25');
    assert.deepEqual(m.problems, []);
    assert.equal(m.fatal, undefined);
  });

  test('continuation lines, with comment lines in between, make one service', () => {
    const { text, ranges } = marked(
      [
        '# the submission service',
        'submission inet n - y - - smtpd',
        '  -o «syslog_name»=«postfix/submission»',
        '# a comment does not end the service',
        '',
        '\t-o «smtpd_tls_security_level»=«encrypt»',
        'pickup unix n - y 60 1 pickup',
        '',
      ].join('\n'),
    );
    const m = parseMasterCf(text);
    assert.deepEqual(
      m.services.map((s) => [s.key, s.line, s.lastLine]),
      [
        ['submission/inet', 1, 5],
        ['pickup/unix', 6, 6],
      ],
    );
    const o = m.services[0].overrides;
    assert.deepEqual(
      o.map((x) => [x.name, x.value, x.form]),
      [
        ['syslog_name', 'postfix/submission', 'separate'],
        ['smtpd_tls_security_level', 'encrypt', 'separate'],
      ],
    );
    assert.deepEqual([o[0].nameRange, o[0].valueRange, o[1].nameRange, o[1].valueRange], ranges);
    assert.deepEqual(
      m.comments.map((c) => c.line),
      [0, 3],
    );
    assert.deepEqual(m.problems, []);
  });

  test('the three -o forms; braces allow spaces inside the value', () => {
    const { text, ranges } = marked(
      'smtp inet n - y - - smtpd -o «a»=«1» -o«b»=«2» -o { «smtpd_client_restrictions» = «permit_mynetworks, reject» } -o «e»=\n',
    );
    const s = parseMasterCf(text).services[0];
    assert.deepEqual(
      s.overrides.map((o) => [o.name, o.value, o.form]),
      [
        ['a', '1', 'separate'],
        ['b', '2', 'attached'],
        ['smtpd_client_restrictions', 'permit_mynetworks, reject', 'braced'],
        ['e', '', 'separate'],
      ],
    );
    assert.deepEqual(
      s.overrides.slice(0, 3).flatMap((o) => [o.nameRange, o.valueRange]),
      ranges.slice(0, 6),
    );
    assert.deepEqual(s.overrides[3].nameRange, ranges[6]);
    // postconf's normalized argument list, as -M shows it
    assert.deepEqual(
      s.postconf.argv.slice(8).map((a) => a.text),
      ['-o', 'a=1', '-o', 'b=2', '-o', 'smtpd_client_restrictions=permit_mynetworks, reject', '-o', 'e='],
    );
  });

  test('arguments after the options reach the daemon without their braces', () => {
    const s = parseMasterCf('dovecot unix - n n - - pipe\n  flags=DRhu user=vmail argv=/usr/lib/dovecot/deliver -f ${sender} -d ${recipient} {a b}\n').services[0];
    assert.deepEqual(
      s.positional.map((p) => p.value),
      ['flags=DRhu', 'user=vmail', 'argv=/usr/lib/dovecot/deliver', '-f', '${sender}', '-d', '${recipient}', 'a b'],
    );
    assert.deepEqual(s.overrides, []);
  });

  test('a line that starts with whitespace before any service is skipped with a warning', () => {
    const { text, ranges } = marked('«  smtp inet n - y - - smtpd»\nrelay unix - - n - - smtp\n');
    const m = parseMasterCf(text);
    assert.deepEqual(
      m.services.map((s) => s.key),
      ['relay/unix'],
    );
    assert.equal(only(m, 'PF205').length, 1);
    assert.deepEqual(only(m, 'PF205')[0].range, ranges[0]);
    assert.match(only(m, 'PF205')[0].message, /^logical line must not start with whitespace: "  smtp inet n - y - - smtpd"/);
  });
});

describe('what postconf rejects', () => {
  test('bad field count: error on the line, fatal for postconf', () => {
    const { text, ranges } = marked('smtp inet n - y - - smtpd\n«relay unix - - n»\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF200']);
    assert.deepEqual(m.problems[0].range, ranges[0]);
    assert.match(m.problems[0].message, /^line 2: bad field count/);
    assert.deepEqual(m.postconfFatal, { kind: 'field-count', line: 2 });
    assert.equal(m.fatal, m.problems[0]);
    assert.equal(m.shortLines.length, 1);
  });

  test('every bad field is reported; postconf dies at the first, with its own text', () => {
    const { text, ranges } = marked('x «bogus» «yes» n «maybe» «abc» «-1» smtpd\ny unix - - n - «x» smtpd\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF201', 'PF202', 'PF202', 'PF203', 'PF204', 'PF204']);
    assert.deepEqual(
      m.problems.map((p) => p.range),
      ranges,
    );
    assert.match(m.problems[0].message, /^invalid type field "bogus"/);
    assert.match(m.problems[1].message, /^invalid private field "yes"/);
    assert.match(m.problems[2].message, /^invalid chroot field "maybe"/);
    assert.match(m.problems[3].message, /^invalid wakeup field "abc"/);
    assert.match(m.problems[4].message, /^invalid process_limit field "-1"/);
    assert.deepEqual(m.postconfFatal, { kind: 'field', line: 1, text: 'invalid type field "bogus" in "x bogus yes n maybe abc -1 smtpd"' });
    assert.equal(m.fatal, m.problems[0]);
  });

  test('wakeup forms postconf accepts', () => {
    for (const w of ['-', '60', '60?', '0', '?', '-?']) {
      assert.deepEqual(codes(parseMasterCf(`p unix n - n ${w} 1 pickup\n`)).filter((c) => c === 'PF203'), [], w);
    }
  });
});

describe('what the master daemon rejects (postconf does not)', () => {
  test('an inet service cannot be private; "-" means private', () => {
    const { text, ranges } = marked('smtp inet «-» - y - - smtpd\n2525 inet «y» - y - - smtpd\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF214', 'PF214']);
    assert.deepEqual(
      m.problems.map((p) => p.range),
      ranges,
    );
    assert.match(m.problems[0].message, /^inet service cannot be private/);
  });

  test('wakeup "-?" and "?" pass postconf but not the master', () => {
    const m = parseMasterCf('a unix n - n -? 1 pickup\nb unix n - n ? 1 pickup\n');
    assert.deepEqual(codes(m), ['PF215', 'PF215']);
    assert.match(m.problems[0].message, /^field "wakeup_time": bad value: "-\?"/);
  });

  test('command "-", broken inet endpoints, unbalanced braces', () => {
    const m = parseMasterCf('a unix - - n - - -\n[::1 inet n - n - - smtpd\nb unix - - n - - smtpd -o {x=1\nc unix - - n - - pipe {a}b\n');
    assert.deepEqual(codes(m), ['PF216', 'PF217', 'PF206', 'PF206']);
    assert.match(m.problems[1].message, /^missing "\]"/);
    assert.match(m.problems[2].message, /^missing '\}' in "\{x=1"/);
    assert.match(m.problems[3].message, /^syntax error after '\}' in "\{a\}b"/);
  });

  test('duplicate services by the master\'s identity of a service', () => {
    const text = [
      'smtp inet n - y - - smtpd',
      '25 inet n - y - - smtpd',
      'relay unix - - n - - smtp',
      'relay unix y - n - - smtp',
      'relay unix n - n - - smtp', // public/relay: a different socket
      '127.0.0.1:smtp inet n - n - - smtpd',
      '[127.0.0.1]:25 inet n - n - - smtpd',
      '[::1]:2525 inet n - n - - smtpd',
      '[0:0::1]:2525 inet n - n - - smtpd',
      'relay unix-dgram - - n - - postlogd', // another type
      '',
    ].join('\n');
    const m = parseMasterCf(text);
    const dups = only(m, 'PF213');
    assert.deepEqual(
      dups.map((p) => p.range.start.line),
      [1, 3, 6, 8],
    );
    assert.match(dups[0].message, /^duplicate master\.cf entry for service "smtp" \(25\) -- using the last entry/);
    assert.match(dups[1].message, /^duplicate master\.cf entry for service "relay" \(private\/relay\)/);
    assert.match(dups[2].message, /\(\[127\.0\.0\.1\]:25\)/);
    assert.match(dups[3].message, /\(\[::1\]:2525\)/);
  });

  test('fifo is legacy; unix-dgram is only for postlogd', () => {
    const m = parseMasterCf('pickup fifo n - n 60 1 pickup\npostlog unix-dgram n - n - 1 postlogd\nx unix-dgram n - n - 1 smtpd\n');
    assert.deepEqual(codes(m), ['PF218', 'PF219']);
    assert.equal(m.problems[1].range.start.line, 2);
  });
});

describe('what the daemon dies on at start-up (postconf says nothing)', () => {
  test('-o name = value with spaces', () => {
    const { text, ranges } = marked('submission inet n - y - - smtpd -o «smtpd_client_restrictions» = permit_mynetworks,reject\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF208']);
    assert.deepEqual(m.problems[0].range, ranges[0]);
    assert.match(m.problems[0].message, /^invalid "-o smtpd_client_restrictions" option value: missing '=' after attribute name: smtpd will not start; write -o smtpd_client_restrictions=\.\.\. without spaces/);
    assert.deepEqual(m.services[0].overrides, []);
  });

  test('-o name=a, b leaves "b" as an argument: smtpd dies, and so does smtp (since 3.5 it reads only flags=DORX)', () => {
    const { text, ranges } = marked('a inet n - y - - smtpd -o smtpd_client_restrictions=permit_mynetworks, «reject»\nb unix - - n - - smtp -o smtp_x=a, «b»\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF209', 'PF209']);
    assert.deepEqual(
      m.problems.map((p) => p.range),
      ranges,
    );
    assert.match(m.problems[0].message, /^unexpected command-line argument: reject: smtpd will not start; a -o value with spaces needs braces/);
    assert.match(m.problems[1].message, /^unknown attribute name: b: smtp will not start \(it takes only flags=DORX after its options\); a -o value with spaces needs braces/);
    assert.deepEqual(
      m.services[0].overrides.map((o) => [o.name, o.value]),
      [['smtpd_client_restrictions', 'permit_mynetworks,']],
    );
  });

  test('-o without "=", -o at the end, unknown options, braces against -o', () => {
    const m = parseMasterCf(
      ['a unix - - n - - smtpd -o bogus', 'b unix - - n - - smtpd -v -o', 'c unix - - n - - smtpd -X', 'd unix - - n - - smtpd -o{x=1}', ''].join('\n'),
    );
    assert.deepEqual(codes(m), ['PF208', 'PF210', 'PF211', 'PF212']);
    assert.match(m.problems[0].message, /^invalid "-o bogus" option value: missing '=' after attribute name/);
    assert.match(m.problems[1].message, /^invalid option: o/);
    assert.match(m.problems[2].message, /^invalid option: X/);
  });

  test('-oname=value is fine for the daemon, but postconf splits it at an "o"', () => {
    const { text, ranges } = marked('smtp inet n - y - - smtpd «-osyslog_name=postfix/smtp»\n');
    const m = parseMasterCf(text);
    assert.deepEqual(codes(m), ['PF220']);
    assert.deepEqual(m.problems[0].range, ranges[0]);
    assert.deepEqual(
      m.services[0].overrides.map((o) => [o.name, o.value, o.form]),
      [['syslog_name', 'postfix/smtp', 'attached']],
    );
    assert.deepEqual(
      m.services[0].postconf.argv.slice(8).map((a) => a.text),
      ['-o', 'sysl', '-o', 'g_name=p', '-o', 'stfix/smtp'],
    );
  });

  test('clustered options: -vo takes the next word as the -o value', () => {
    const s = parseMasterCf('a unix - - n - - smtpd -vo x=1 -v\n').services[0];
    assert.deepEqual(
      s.overrides.map((o) => [o.name, o.value]),
      [['x', '1']],
    );
    assert.deepEqual(s.positional, []);
  });
});

describe('per-service parameters', () => {
  test('delivery agents, pipe and spawn create <service>_... names; a path in the command does not', () => {
    const m = parseMasterCf(
      [
        'relay unix - - n - - smtp',
        'maildrop unix - n n - - pipe flags=DRhu user=vmail argv=/usr/bin/maildrop',
        'policy unix - n n - 0 spawn user=nobody argv=/usr/bin/policyd',
        'other unix - - n - - /usr/lib/postfix/sbin/smtp',
        'smtp inet n - y - - smtpd',
        '',
      ].join('\n'),
    );
    const names = serviceParameterNames(m);
    assert.ok(names.includes('relay_destination_concurrency_limit'));
    assert.ok(names.includes('relay_transport_rate_delay'));
    assert.ok(names.includes('maildrop_time_limit'));
    assert.ok(names.includes('maildrop_destination_recipient_limit'));
    assert.deepEqual(
      names.filter((n) => n.startsWith('policy_')),
      ['policy_time_limit'],
    );
    assert.ok(!names.some((n) => n.startsWith('other_') || n.startsWith('smtp_')));
    assert.equal(names.length, 16 + 17 + 1);
  });
});

describe('robustness', () => {
  test('never throws, and every range stays inside the text (random master.cf files)', () => {
    fc.assert(
      fc.property(fc.oneof(masterCfText(true), masterCfText(false), fc.string({ unit: 'binary', maxLength: 400 })), (text) => {
        const m = parseMasterCf(text);
        const lines = text.split('\n');
        for (const p of m.problems) {
          for (const pos of [p.range.start, p.range.end]) {
            assert.ok(pos.line >= 0 && pos.line < Math.max(1, lines.length), `line ${pos.line}`);
            assert.ok(pos.character >= 0 && pos.character <= lines[pos.line].length, `character ${pos.character}`);
          }
        }
        for (const c of Object.values(MASTER_CODES)) assert.match(c.code, /^PF2\d\d$/);
      }),
      { numRuns: 400 },
    );
  });

  // Speed on huge input is measured in `npm run bench` (bench-scaling.mjs, series "options"),
  // never asserted here; this test checks what the parser makes of it.
  test('huge and odd input: every -o option of a long line is read, in order', () => {
    const n = 8000;
    const line = 'smtp inet n - y - - smtpd'.concat(' -osyslog_name=a -o { b = c d } -o e=f'.repeat(n), '\n');
    const m = parseMasterCf(line.repeat(2));
    assert.equal(m.services.length, 2);
    for (const svc of m.services) {
      assert.equal(svc.overrides.length, 3 * n);
      assert.deepEqual(
        svc.overrides.slice(0, 3).map((o) => o.name),
        ['syslog_name', 'b', 'e'],
      );
      assert.deepEqual(
        svc.overrides.slice(-3).map((o) => o.name),
        ['syslog_name', 'b', 'e'],
      );
    }
    assert.doesNotThrow(() => parseMasterCf('\0\0\0\n{{{{\n}}}} a b c d e f g h\n\r\r\n'));
  });

  // Issue 8: a line with 100,000 -o options made 300,000 ranges nobody read, and
  // loading it was mostly garbage collection. Ranges are made when asked, the same.
  test('word and -o ranges are made from their offsets when asked, not stored by the parse', () => {
    const m = parseMasterCf('smtp inet n - y - - smtpd\n  -o a=b\n  -o { c = d e }\n  -oe=f\n');
    const s = m.services[0];
    const shapes = [...s.fields, ...s.args, ...s.overrides];
    for (const x of shapes) for (const key of ['range', 'nameRange', 'valueRange']) assert.equal(Object.getOwnPropertyDescriptor(x, key), undefined, key);
    assert.deepEqual(
      s.args.map((w) => w.range),
      [
        { start: { line: 1, character: 2 }, end: { line: 1, character: 4 } },
        { start: { line: 1, character: 5 }, end: { line: 1, character: 8 } },
        { start: { line: 2, character: 2 }, end: { line: 2, character: 4 } },
        { start: { line: 2, character: 5 }, end: { line: 2, character: 16 } },
        { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } },
      ],
    );
    assert.deepEqual(
      s.overrides.map((o) => [o.nameRange, o.valueRange, o.range]),
      [
        [
          { start: { line: 1, character: 5 }, end: { line: 1, character: 6 } },
          { start: { line: 1, character: 7 }, end: { line: 1, character: 8 } },
          { start: { line: 1, character: 2 }, end: { line: 1, character: 8 } },
        ],
        [
          { start: { line: 2, character: 7 }, end: { line: 2, character: 8 } },
          { start: { line: 2, character: 11 }, end: { line: 2, character: 14 } },
          { start: { line: 2, character: 2 }, end: { line: 2, character: 16 } },
        ],
        [
          { start: { line: 3, character: 4 }, end: { line: 3, character: 5 } },
          { start: { line: 3, character: 6 }, end: { line: 3, character: 7 } },
          { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } },
        ],
      ],
    );
    // Asked twice: the same object (a consumer may keep it).
    assert.equal(s.overrides[1].valueRange, s.overrides[1].valueRange);
    assert.equal(s.args[0].range, s.args[0].range);
    assert.doesNotThrow(() => parseMasterCf('a unix - - n - - smtpd {'.concat('{'.repeat(5000))));
  });
});

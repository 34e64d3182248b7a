// Differential test: cidr: tables — our runPostmap against the real postmap on
// hand-written edge cases (every warning of the oracle notes, glibc address
// syntax corners), the corpus and generated tables and addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTools, sharedDir } from '../helpers/env';
import { PostmapOracle, withPostmap } from './postmap.harness';

const EDGE = [
  '1.2.3.4 exact',
  '10.0.0.1/8 hostbits',
  '300.1.1.1/8 badnet',
  '192.168.0.0/33 badmask',
  '192.168.0.0/x badmaskvalue',
  '192.168.0.0/ emptymask',
  'notanip foo',
  '5.5.5.5',
  '!5.5.5.0/24 NEG',
  '! 6.0.0.0/8 NEG-SPACE',
  '!!7.7.7.7 DOUBLE-NEG',
  'if 8.8.8.0/24',
  '8.8.8.8 inner',
  'IF !8.8.8.0/25',
  '8.8.8.200 nested',
  'ENDIF',
  'endif',
  'if',
  'IF1.2.3.4 x',
  'ifx 1.2.3.4',
  'endif garbage',
  'endif',
  '2001:db8::/32 v6',
  '2001:DB8:0:0:1::/80 v6upper',
  '[2001:db8::1]/128 v6b',
  '[1.2.3.5] bracket',
  '[1.2.3.6 missing',
  '[1.2.3.7]x garbage',
  '[1.2.3.0/24] inside',
  '1.2.3.0/256 wrap256',
  '1.2.3.0/4294967328 overflow',
  '1.2.3.0/08 leadingzero-mask',
  '01.2.3.4 leadingzero',
  '1.2.3 short',
  '1.2.3.4.5 long',
  '::ffff:1.2.3.4 mapped',
  '::ffff:1.2.3.0/120 mappedhost',
  '1::/16 hostbits6',
  '::/0 all6',
  '12345::1 fivedigits',
  'fe80::1%eth0 zone',
  '1:2:3:4:5:6:7:8:9 toolong',
  '1:2:3:4:5:6:7:: fullcompress',
  ':1:2::3 leadingcolon',
  '1.2.3.4\tTAB\tRESULT  ',
  '0.0.0.0/0 ALL',
  'if 9.9.9.9',
  'if 9.9.9.0/24',
].join('\n');

const ADDRS = [
  '1.2.3.4',
  '1.2.3.5',
  '5.5.5.5',
  '5.5.5.6',
  '6.1.1.1',
  '7.7.7.7',
  '8.8.8.8',
  '8.8.8.200',
  '8.8.8.100',
  '9.9.9.9',
  '2001:db8::5',
  '2001:db8:0:0:1::7',
  '::ffff:1.2.3.4',
  '::1',
  '1.2.3.04',
  'garbage',
  '',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '255.255.255.255',
];

test('cidr tables: hand-written edge cases agree with postmap', (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  withPostmap((o) => {
    o.write('edge.cidr', EDGE + '\n');
    o.write('empty.cidr', '# nothing\n');
    o.write('crlf.cidr', '10.1.0.0/16 crlf\r\n\r\n   \r\n10.2.0.0/16\r\n');
    o.write('orphan.cidr', '  10.3.0.0/16 orphan\n10.3.0.0/16 ok\n');
    const stdin = ADDRS.join('\n') + '\n';
    const bad = [
      o.compare(['-q', '-', 'cidr:edge.cidr'], stdin),
      o.compare(['-q', '1.2.3.4', 'cidr:edge.cidr']),
      o.compare(['-q', '9.8.7.6', 'cidr:empty.cidr']),
      o.compare(['-q', '-', 'cidr:crlf.cidr'], '10.1.2.3\n10.2.3.4\n'),
      o.compare(['-q', '10.3.1.1', 'cidr:orphan.cidr']),
    ].filter((c) => !c.ok);
    assert.equal(bad.length, 0, bad.map((c) => c.detail).join('\n\n'));
  });
});

test('cidr tables: corpus tables agree with postmap', (t) => {
  const f = join(sharedDir, 'corpus/iredmail/postscreen_access.cidr');
  if (!requireTools(t, { commands: ['postmap'], path: f })) return;
  withPostmap((o) => {
    const text = readFileSync(f, 'utf8');
    o.write('corpus.cidr', text);
    const addrs = text
      .split('\n')
      .map((l) => l.trim().split(/\s/)[0].replace(/^!/, '').split('/')[0])
      .filter((a) => a && !a.startsWith('#') && existsSync(f));
    const c = o.compare(['-q', '-', 'cidr:corpus.cidr'], [...addrs, '192.0.2.1', '2001:db8::1'].join('\n') + '\n');
    assert.ok(c.ok, c.detail);
  });
});

// Addresses from a small space so that rules and queries meet often.
const octet = fc.constantFrom(0, 1, 2, 10, 127, 128, 192, 255, 256, 7);
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const group = fc.constantFrom('0', '1', 'db8', '2001', 'ffff', 'FFFF', 'a', '');
const v6 = fc.oneof(
  fc.tuple(group, group, group).map(([a, b, c]) => `${a}:${b}::${c}`),
  fc.tuple(group, group).map(([a, b]) => `${a}::${b}`),
  v4.map((a) => `::ffff:${a}`),
  fc.constant('::'),
);
const addr = fc.oneof({ weight: 3, arbitrary: v4 }, { weight: 2, arbitrary: v6 });
const mask = fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), fc.constantFrom('', 'x', '08', '256', '-1'));
const pattern = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(addr, mask).map(([a, m]) => `${a}/${m}`) },
  { weight: 2, arbitrary: addr },
  { weight: 1, arbitrary: fc.tuple(addr, mask).map(([a, m]) => `[${a}]/${m}`) },
  { weight: 1, arbitrary: addr.map((a) => `[${a}]`) },
);
const neg = fc.constantFrom('', '', '!', '! ', '!!');
const cidrLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(neg, pattern, fc.constantFrom(' R1', ' R2', '\tR3 x', '', ' ')).map(([n, p, v]) => `${n}${p}${v}`) },
  { weight: 1, arbitrary: fc.tuple(neg, pattern).map(([n, p]) => `if ${n}${p}`) },
  { weight: 1, arbitrary: fc.constantFrom('endif', 'ENDIF', 'endif x', '# c', '') },
);

test('cidr tables: generated tables and addresses agree with postmap', (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  const o = new PostmapOracle();
  let runs = 0;
  try {
    fc.assert(
      fc.property(fc.array(cidrLine, { minLength: 1, maxLength: 20 }), fc.array(addr, { minLength: 10, maxLength: 40 }), (lines, queries) => {
        const text = lines.join('\n') + '\n';
        o.write('gen.cidr', text);
        runs++;
        const c = o.compare(['-q', '-', 'cidr:gen.cidr'], queries.join('\n') + '\n', { context: text });
        if (!c.ok) throw new Error(c.detail);
      }),
      { numRuns: 150 },
    );
  } finally {
    o.dispose();
  }
  assert.equal(runs, 150);
});

// Differential test: exact-match tables (texthash, and hash/cdb built by the
// real postmap) — our runPostmap against the real postmap, on hand-written
// edge cases, the corpus access maps and generated tables and keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTools, sharedDir } from '../helpers/env';
import { PostmapOracle, withPostmap } from './postmap.harness';

const EDGE = [
  '# comment',
  'user@example.com\tREJECT go away',
  'UPPER@Example.COM OK',
  'keyonly',
  'keytrail   ',
  'keycont',
  '   indented_continuation DUNNO',
  'dup@x first',
  'DUP@x second',
  'alias: value',
  '"quoted key" quoted value',
  '"unbalanced key value',
  'back\\ slash escaped-space',
  'trailing\\',
  'value\twith\ttabs   and   spaces   ',
  '',
  '   ',
  '#',
  '10.0.0.0/8 REJECT never matches',
  '1.2.3 partial',
  'Straße umlaut',
  'ÉCOLE accents',
  'crlf@x value\r',
  'multi line',
  ' continued',
  '# comment between',
  '\tand more',
  'last no newline',
].join('\n');

const KEYS = [
  'user@example.com',
  'USER@EXAMPLE.COM',
  'upper@example.com',
  'keyonly',
  'keytrail',
  'keycont',
  'dup@x',
  'alias:',
  'alias',
  '"quoted key"',
  'quoted key',
  'back\\',
  'back\\ slash',
  'trailing\\',
  'value',
  '10.0.0.0/8',
  '1.2.3',
  'strasse',
  'STRASSE',
  'straße',
  'école',
  'crlf@x',
  'multi',
  'last',
  'nothere',
  '',
];

test('access tables: hand-written edge cases agree with postmap (texthash, hash, cdb)', (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  withPostmap((o) => {
    o.write('edge', EDGE);
    o.write('orphan', '   starts indented\nok@x OK\n');
    const stdin = KEYS.join('\n') + '\n';
    const checks = [
      o.compare(['-q', '-', 'texthash:edge'], stdin),
      o.compare(['-f', '-q', '-', 'texthash:edge'], stdin),
      o.compare(['-s', 'texthash:edge'], undefined, { sortStdout: true }),
      o.compare(['-q', 'USER@example.com', 'texthash:edge']),
      o.compare(['-q', 'nothere', 'texthash:edge']),
      o.compare(['-q', 'ok@x', 'texthash:orphan']),
      o.compare(['hash:edge']),
      o.compare(['cdb:edge']),
      o.compare(['lmdb:edge']),
      o.compare(['hash:orphan']),
    ];
    // Now that postmap built them, query the indexed forms too.
    checks.push(o.compare(['-q', '-', 'hash:edge'], stdin));
    checks.push(o.compare(['-q', '-', 'cdb:edge'], stdin));
    checks.push(o.compare(['-s', 'hash:edge'], undefined, { sortStdout: true }));
    checks.push(o.compare(['-q', 'dup@x', 'cdb:edge', 'texthash:edge']));
    checks.push(o.compare(['-q', 'nothere', 'cdb:edge', 'texthash:orphan']));
    // One fatal case only: postmap sleeps a second before exiting on a fatal error.
    checks.push(o.compare(['-q', 'x', 'hash:nosuchmap']));
    const bad = checks.filter((c) => !c.ok);
    assert.equal(bad.length, 0, bad.map((c) => c.detail).join('\n\n'));
  });
});

test('access tables: corpus access maps agree with postmap', (t) => {
  const esmtp = join(sharedDir, 'corpus/docker-mailserver/esmtp_access');
  if (!requireTools(t, { commands: ['postmap'], path: esmtp })) return;
  withPostmap((o) => {
    const files = [esmtp, join(sharedDir, 'corpus/mailcow/smtp_dsn_filter')].filter(existsSync);
    const bad: string[] = [];
    for (const f of files) {
      const text = readFileSync(f);
      o.write('corpus', text);
      const keys = text
        .toString('utf8')
        .split('\n')
        .map((l) => l.split(/\s/)[0])
        .filter((k) => k && !k.startsWith('#'));
      const stdin = [...keys, ...keys.map((k) => k.toUpperCase()), 'no.such.key'].join('\n') + '\n';
      for (const c of [o.compare(['-q', '-', 'texthash:corpus'], stdin), o.compare(['hash:corpus']), o.compare(['-q', '-', 'hash:corpus'], stdin)])
        if (!c.ok) bad.push(`${f}:\n${c.detail}`);
    }
    assert.equal(bad.length, 0, bad.join('\n\n'));
  });
});

// Generated tables: keys from a small alphabet so that duplicates, case
// variants, quotes and escapes are frequent; some malformed lines.
const keyChar = fc.constantFrom(...'abcAB.@-_:"\\xyZ19');
const keyArb = fc.string({ unit: keyChar, minLength: 1, maxLength: 6 });
const valueArb = fc.string({ unit: fc.constantFrom(...'OK REJECT 4.7.1 \tx'), minLength: 0, maxLength: 12 });
const lineArb = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(keyArb, fc.constantFrom(' ', '\t', '  '), valueArb).map(([k, s, v]) => `${k}${s}${v}`) },
  { weight: 1, arbitrary: keyArb },
  { weight: 1, arbitrary: valueArb.map((v) => ` ${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('# c', '', '  # indented comment', 'Straße ß', 'STRASSE big', 'x: y') },
);
const tableArb = fc.array(lineArb, { minLength: 1, maxLength: 25 });

test('access tables: generated tables and keys agree with postmap (texthash and hash)', (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  const o = new PostmapOracle();
  let runs = 0;
  try {
    fc.assert(
      fc.property(tableArb, fc.array(keyArb, { minLength: 5, maxLength: 30 }), fc.boolean(), (lines, extra, fold) => {
        const text = lines.join('\n') + '\n';
        o.write('gen', text);
        const keys = [...lines.map((l) => l.split(/[ \t]/)[0]), ...lines.map((l) => l.split(/[ \t]/)[0].toUpperCase()), ...extra];
        const stdin = keys.join('\n') + '\n';
        const f = fold ? [] : ['-f'];
        runs++;
        for (const args of [[...f, '-q', '-', 'texthash:gen'], [...f, 'hash:gen'], [...f, '-q', '-', 'hash:gen']]) {
          const c = o.compare(args, stdin, { context: text });
          if (!c.ok) throw new Error(c.detail);
        }
        const s = o.compare([...f, '-s', 'hash:gen'], undefined, { sortStdout: true, context: text });
        if (!s.ok) throw new Error(s.detail);
      }),
      { numRuns: 60 },
    );
  } finally {
    o.dispose();
  }
  assert.equal(runs, 60);
});

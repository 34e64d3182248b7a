// Differential test: tables named inline — inline:{...}, static:..., and the
// unionmap:/pipemap: combinations — our runPostmap against the real postmap.
// Postfix treats their syntax errors as fatal (and sleeps a second before
// exiting), so the cases run in parallel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requireTools } from '../helpers/env';
import { withPostmap } from './postmap.harness';

const SPECS = [
  'inline:{a=b}',
  'inline:{ a=b, c=d }',
  'inline:{ {a = b c} }',
  'inline:{ { a = b c }, d=e }',
  'inline:{"a b"=c}',
  'inline:{A=1, a=2}',
  'inline:{a=}',
  'inline:{a==b}',
  'inline:{x\\=y=z}',
  'inline:{=b}',
  'inline:{a=b,,c=d}',
  'inline:{Straße=x}',
  'inline:{ key = value }',
  'inline:{}',
  'inline:{ }',
  'inline:{,}',
  'inline:{a}',
  'inline:{a=b',
  'inline:a=b',
  'inline:{a=b}x',
  'inline:{{a=b}x}',
  'inline:{ {} }',
  'inline:{"a=b}',
  'inline:',
  'static:x',
  'static:{ a b }',
  'static:{a b',
  'static:{}',
  'static:{a}b',
  'static:{ {a} }',
  'unionmap:{inline:{a=1}, static:z}',
  'unionmap:{inline:{a=1}, inline:{a=2,b=3}}',
  'unionmap:{inline:{a=1}, nocolon}',
  'unionmap:{}',
  'unionmap:inline:{a=1}',
  'pipemap:{inline:{a=b}, inline:{b=c}}',
  'pipemap:{inline:{a=b}, inline:{x=y}}',
  'pipemap:{inline:{a=b}, texthash:map}',
  'pipemap:{inline:{a=b}, inline:{a}}',
  'texthash:map',
];
const KEYS = 'a\nA\nb\nc\nx\\=y\n\na b\n"a b"\nstrasse\nSTRASSE\nzz\nkey\n';

test('inline:, static:, unionmap:, pipemap: agree with postmap', async (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  await withPostmap(async (o) => {
    o.write('map', 'b texthash-b\nc texthash-c\n');
    const cases = [
      ...SPECS.map((s) => ({ args: ['-q', '-', s], stdin: KEYS })),
      ...SPECS.slice(0, 12).map((s) => ({ args: ['-s', s], sortStdout: true })),
      { args: ['-q', 'a', 'inline:{x=1}', 'static:fallback'] },
      { args: ['-q', 'x', 'inline:{x=1}', 'inline:{'] },
      { args: ['-q', 'q', 'inline:{x=1}', 'inline:{'] },
      { args: ['-f', '-q', 'A', 'inline:{a=1, A=2}'] },
    ];
    const bad = (await o.compareAll(cases)).filter((c) => !c.ok);
    assert.equal(bad.length, 0, bad.map((c) => c.detail).join('\n\n'));
  });
});

// Bodies from the characters that matter to Postfix's inline parser.
const body = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '=', '{', '}', ',', ' ', '"', '\\', 'x'), maxLength: 14 });

test('inline: generated bodies agree with postmap', async (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  await withPostmap(async (o) => {
    const bodies = fc.sample(body, { numRuns: 150, seed: 42 });
    const cases = bodies.map((b) => ({ args: ['-q', '-', `inline:{${b}}`], stdin: 'a\nA\nb\nx\n"a"\n\n' }));
    const bad: string[] = [];
    for (let i = 0; i < cases.length; i += 50) {
      for (const c of await o.compareAll(cases.slice(i, i + 50))) if (!c.ok) bad.push(c.detail);
    }
    assert.equal(bad.length, 0, bad.join('\n\n'));
  });
});

// Inline pattern tables (Postfix 3.7, dict_stream.c): pcre:{...}, regexp:{...}
// and cidr:{...} hold one rule per `{...}`; brace errors are fatal, rule
// errors are the file parser's warnings with the `{...}` text as map name.
const PATTERN_SPECS = [
  'pcre:{ {/^(.*)$/ $1} }',
  'regexp:{ {/^(.*)$/ $1} }',
  'regexp:{{/^[^A-Z]/ Bogus}}',
  'pcre:{{/^[^A-Z]/ Bogus}}',
  'pcre:{{/a/ x}, {/b/ y}}',
  'pcre:{{/a/ x},,{/b/ y},}',
  'pcre:{{/a/ x} {/a/ y}}',
  'pcre:{ { /a b/ x y } }',
  'pcre:{{  /a/ x}}',
  'pcre:{{/a/ {x}}}',
  'pcre:{{if /a/}, {/b/ y}, {endif}}',
  'regexp:{{IF !/^x/}, {/(.)$/ last=$1}, {ENDIF}}',
  'pcre:{{endif}}',
  'pcre:{{if /a/}}',
  'pcre:{{/(/ x}}',
  'regexp:{{/(/ x}}',
  'pcre:{{ /a/i x }}',
  'pcre:{{/A/i x}, {/a/ y}}',
  'pcre:{{/a/q x}}',
  'pcre:{{/a/X x}}',
  'pcre:{{/a/}}',
  'pcre:{{/a/ $2}}',
  'pcre:{{#/a/ comment}, {/a/ z}}',
  'regexp:{{/^a/!/b/ TWO}}',
  'pcre:{}',
  'pcre:{ }',
  'pcre:{,}',
  'pcre:{{}}',
  'pcre:{{ }}',
  'pcre:{{/a/ x}x}',
  'pcre:{/a/ x}',
  'pcre:{ x {/a/ y}}',
  'pcre:{ {/a/ x} ',
  'pcre:{{/a/ x}',
  'pcre:{{/a/ x}} ',
  'regexp:{{/a/ x}x}',
  'cidr:{{10.0.0.0/8 ten}, {0.0.0.0/0 any}}',
  'cidr:{{10.0.0.0/33 bad}}',
  'cidr:{{10.0.0.0/8 x}',
  'unionmap:{pcre:{{/a/ one}}, regexp:{{/a/ two}}}',
  'pipemap:{pcre:{{/(.*)/ $1x}}, regexp:{{/^(.*)x$/ [$1]}}}',
];
const PATTERN_KEYS = 'a\nA\nb\nab\nba\na b\nget\n1get\nx\n10.1.2.3\n192.0.2.1\n\n';

test('pcre:{...}, regexp:{...}, cidr:{...} inline tables agree with postmap', async (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  await withPostmap(async (o) => {
    const cases = [
      ...PATTERN_SPECS.map((s) => ({ args: ['-q', '-', s], stdin: PATTERN_KEYS })),
      { args: ['-q', 'a@b', 'pcre:{ {/^(.*)$/ $1} }'] },
      { args: ['-q', '1abc', 'regexp:{{/^[^A-Z]/ Bogus}}'] },
      { args: ['-q', 'a', 'pcre:{{/b/ x}}', 'regexp:{{/a/ y}}'] },
    ];
    const bad = (await o.compareAll(cases)).filter((c) => !c.ok);
    assert.equal(bad.length, 0, bad.map((c) => c.detail).join('\n\n'));
  });
});

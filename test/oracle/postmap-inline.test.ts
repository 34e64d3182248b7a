// Differential test: tables named inline — inline:{...}, static:..., and the
// unionmap:/pipemap: combinations — our runPostmap against the real postmap.
// Postfix treats their syntax errors as fatal (and sleeps a second before
// exiting), so the cases run in parallel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requireTools } from '../helpers/env';
import { PostmapOracle } from './postmap.harness';

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
  const o = new PostmapOracle();
  try {
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
  } finally {
    o.dispose();
  }
});

// Bodies from the characters that matter to Postfix's inline parser.
const body = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '=', '{', '}', ',', ' ', '"', '\\', 'x'), maxLength: 14 });

test('inline: generated bodies agree with postmap', async (t) => {
  if (!requireTools(t, { commands: ['postmap'] })) return;
  const o = new PostmapOracle();
  try {
    const bodies = fc.sample(body, { numRuns: 150, seed: 42 });
    const cases = bodies.map((b) => ({ args: ['-q', '-', `inline:{${b}}`], stdin: 'a\nA\nb\nx\n"a"\n\n' }));
    const bad: string[] = [];
    for (let i = 0; i < cases.length; i += 50) {
      for (const c of await o.compareAll(cases.slice(i, i + 50))) if (!c.ok) bad.push(c.detail);
    }
    assert.equal(bad.length, 0, bad.join('\n\n'));
  } finally {
    o.dispose();
  }
});

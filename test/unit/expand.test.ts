// Expansion details beyond the differential tests: results of each form and
// Postfix's exact error texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { expandValue, scanNames, compatLevelValue, newExpansionMemo, EXPANSION_TOO_LARGE } from '../../server/src/engine/expand';

const vars: Record<string, string> = { d: 'ex.test', e: '', h: 'mx.$d', n: '10', lvl: '3.6' };
const x = (v: string) => expandValue(v, (n) => vars[n]);

test('each reference form expands as postconf -x does', () => {
  assert.equal(x('$d ${d} $(d)').value, 'ex.test ex.test ex.test');
  assert.equal(x('a$$b').value, 'a$b');
  assert.equal(x('$h').value, 'mx.ex.test');
  assert.equal(x('${d?yes}|${e?yes}|${none?yes}').value, 'yes||');
  assert.equal(x('${d:no}|${e:no}|${none:no}').value, '|no|no');
  assert.equal(x('${d?{a, b}:{c}}|${e?{a}:{c, d}}').value, 'a, b|c, d');
  assert.equal(x('${{$d} == {ex.test}?{eq}:{ne}}').value, 'eq');
  assert.equal(x('${{$n} < {9}?{lt}:{ge}}').value, 'ge'); // numeric, not string, comparison
  assert.equal(x('${{$lvl} <level {3.10}?{old}:{new}}').value, 'old');
  assert.deepEqual(x('$none ${none}').undefinedNames, ['none']);
});

test('errors use Postfix words', () => {
  assert.deepEqual(x('${d').errors, ['truncated macro reference: "${d"']);
  assert.deepEqual(x('a$').errors, ['empty macro name: "a$"']);
  assert.deepEqual(x('${a b}').errors, ['attribute name syntax error at: "...a>>> b"']);
  assert.deepEqual(expandValue('$a', (n) => (n === 'a' ? '$a' : undefined)).errors, ['unreasonable macro call nesting: "a"']);
  assert.match(x('${{$lvl} <level {x}?{a}}').errors[0], /malformed compatibility level syntax: "x"/);
});

test('scanNames lists both branches of conditionals', () => {
  assert.deepEqual(scanNames('${a?{$b}:{$c}} $(d)').names, ['a', 'b', 'c', 'd']);
});

test('compatibility levels compare as numbers per component', () => {
  assert.ok(compatLevelValue('3.10')! > compatLevelValue('3.9')!);
  assert.equal(compatLevelValue('3'), compatLevelValue('3.0.0'));
  assert.equal(compatLevelValue('3.x'), undefined);
});

// The memo (each $name expanded once per expansion, reused where that gives
// the same answer) must not change a single result, warning or undefined
// name: compared with expanding every reference afresh, which is what the
// differential tests against real postconf prove. Self-references, doubling,
// conditionals, relationals and broken references on purpose.
test('memoised expansion gives exactly what expanding every reference afresh gives', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const ref = fc.oneof(
    fc.constantFrom(...names, 'none').map((n) => `$${n}`),
    fc.constantFrom(...names).map((n) => `\${${n}}`),
    fc.tuple(fc.constantFrom(...names, 'none'), fc.constantFrom('x', '$a', '$b $c', '')).map(([n, w]) => `\${${n}?{${w}}:{y$e}}`),
    // Relational operands count their nesting afresh: a cycle through them runs 13,000 deep (Postfix crashes), so they name no cycle here.
    fc.constantFrom('v', 'none').map((n) => `\${{$${n}} == {x}?{t$a}:{f$b}}`),
    fc.constantFrom('$$', 'w', ' ', ',', '${', '$', '${a b}'),
  );
  const value = fc.array(fc.oneof({ weight: 4, arbitrary: ref }, { weight: 2, arbitrary: fc.constantFrom('p', ' ', 'q,') }), { maxLength: 5 }).map((p) => p.join(''));
  const table = fc.tuple(...names.map(() => fc.option(value, { nil: undefined })));
  fc.assert(
    fc.property(table, fc.array(value, { minLength: 1, maxLength: 4 }), (values, tops) => {
      const vars = new Map(names.map((n, i) => [n, values[i]]));
      const lookup = (n: string) => (n === 'v' ? 'x' : vars.get(n));
      const shared = newExpansionMemo();
      for (const top of tops) {
        const fresh = expandValue(top, lookup, { memo: false });
        assert.deepEqual(expandValue(top, lookup), fresh, `value ${JSON.stringify(top)} with ${JSON.stringify(values)}`);
        assert.deepEqual(expandValue(top, lookup, { memo: shared }), fresh, `shared memo: ${JSON.stringify(top)} with ${JSON.stringify(values)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('a doubling chain expands in time linear in its output, and past the size limit is refused at once', () => {
  const vars = new Map<string, string>([['a0', 'permit_mynetworks']]);
  for (let i = 1; i <= 40; i++) vars.set(`a${i}`, `$a${i - 1} $a${i - 1}`);
  const lookup = (n: string) => vars.get(n);
  // 2^17 words: without the memo this is 2^17 lookups of a0 alone.
  const r = expandValue('$a17', lookup);
  assert.deepEqual(r.errors, []);
  assert.equal(r.value.split(' ').length, 1 << 17);
  assert.ok(r.value.split(' ').every((w) => w === 'permit_mynetworks'));
  const memo = newExpansionMemo();
  const big = expandValue('$a40', lookup, { memo });
  assert.deepEqual(big.errors, [EXPANSION_TOO_LARGE]);
  // Known too large from the first call: the second says so without building anything.
  let lookups = 0;
  const again = expandValue('x $a40', (n) => (lookups++, vars.get(n)), { memo });
  assert.deepEqual(again.errors, [EXPANSION_TOO_LARGE]);
  assert.equal(lookups, 1);
});

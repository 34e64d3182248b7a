// Expansion details beyond the differential tests: results of each form and
// Postfix's exact error texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandValue, scanNames, compatLevelValue } from '../../server/src/engine/expand';

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

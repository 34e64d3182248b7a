// The small Jinja renderer that stages the shared tier's templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJinja } from './jinja-subset';

test('jinja subset: values, if/elif/else, for, comments and string literals', () => {
  const src = 'a = {{ X }}\n{% if C %}\nb = 1\n{% elif D %}\nb = 2\n{% else %}\nb = 3\n{% endif %}\n{# note #}{% for h in L %}{{ h }};{% endfor %}{{ "!" }}';
  const v = { values: { X: 'x' }, conditions: { C: false, D: true }, lists: { L: ['p', 'q'] } };
  assert.equal(renderJinja(src, v), 'a = x\n\nb = 2\n\np;q;!');
  assert.equal(renderJinja(src, { ...v, trimBlocks: true }), 'a = x\nb = 2\np;q;!');
});

test('jinja subset: "-" strips the whitespace on its side, newlines included', () => {
  const src = 'list =\n    a,\n    {%- if B %}\n    b,\n    {%- endif %}\n    c\n{# end #}\n{{- "\\n" }}';
  assert.equal(renderJinja(src, { values: {}, conditions: { B: true } }), 'list =\n    a,\n    b,\n    c\n\n');
  assert.equal(renderJinja(src, { values: {}, conditions: { B: false } }), 'list =\n    a,\n    c\n\n');
});

test('jinja subset: anything not given throws instead of rendering half', () => {
  assert.throws(() => renderJinja('{{ Y }}', { values: {} }), /no value given for \{\{ Y \}\}/);
  assert.throws(() => renderJinja('{% if Z %}{% endif %}', { values: {} }), /no truth given/);
  assert.throws(() => renderJinja('{% if Z %}', { values: {}, conditions: { Z: true } }), /unclosed/);
  assert.throws(() => renderJinja('{% set a = 1 %}', { values: {} }), /unsupported/);
});

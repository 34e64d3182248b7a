// main.cf parsing details: logical lines, ranges, references, problems.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { mainCfChecks } from '../../server/src/engine/maincf/checks';
import { marked } from '../helpers/cursor';

test('name and value ranges over continuation lines, comments skipped', () => {
  const { text, ranges } = marked('«mydestination» = «one,\n# note\n    two»\nrelayhost =\n');
  const m = parseMainCf(text);
  const e = m.byName.get('mydestination')!;
  assert.equal(e.value, 'one,    two');
  assert.deepEqual(e.nameRange, ranges[0]);
  assert.deepEqual(e.valueRange, ranges[1]);
  assert.equal(m.byName.get('relayhost')!.value, '');
  assert.equal(m.comments.length, 1);
});

test('every reference form is found with its range, nested ones included', () => {
  const { text, ranges } = marked('a = «$x» «${y}» «$(z)» $$w «${p?{«$q»}:{«${r}»}}»\n');
  const refs = parseMainCf(text).entries[0].references;
  assert.deepEqual(
    refs.map((r) => r.name),
    ['x', 'y', 'z', 'p', 'q', 'r'],
  );
  assert.deepEqual(refs[0].range, ranges[0]);
  assert.deepEqual(refs[2].range, ranges[2]);
  assert.deepEqual(refs[3].range, ranges[3]);
  assert.deepEqual(refs[4].range, ranges[4]);
  assert.deepEqual(refs[5].range, ranges[5]);
});

test('duplicate with another value is reported on the later line; the last one wins', () => {
  const m = parseMainCf('relayhost = a\nrelayhost = b\n');
  assert.equal(m.byName.get('relayhost')!.value, 'b');
  assert.deepEqual(
    m.problems.map((p) => [p.code, p.range.start.line]),
    [['PF102', 1]],
  );
  assert.match(m.problems[0].message, /overriding earlier entry: relayhost=a/);
});

test('a line without = stops Postfix: fatal problem, later lines unread', () => {
  const m = parseMainCf('a = 1\nmyhostname host.example\nb = 2\n');
  assert.equal(m.fatal?.code, 'PF100');
  assert.match(m.fatal!.message, /missing '=' after attribute name: "myhostname host.example"/);
  assert.equal(m.entries.length, 1);
});

test('first logical line indented: warned and ignored', () => {
  const m = parseMainCf('  myhostname = h\nrelayhost = r\n');
  assert.deepEqual(m.problems.map((p) => p.code), ['PF101']);
  assert.equal(m.byName.has('myhostname'), false);
});

test('CRLF: values come out clean, ranges stop before the CR', () => {
  const m = parseMainCf('myhostname = host.example\r\nmydomain = example\r\n');
  const e = m.byName.get('myhostname')!;
  assert.equal(e.value, 'host.example');
  assert.equal(e.valueRange.end.character, 'myhostname = host.example'.length);
});

test('checks: # inside a value, indented assignment, deprecated and too-new parameters', () => {
  const text = 'smtpd_banner = $myhostname ESMTP # hide\nmydestination = a,\n  mydomain = example.org\nsmtpd_use_tls = yes\nsmtpd_forbid_bare_newline = normalize\n';
  const codes = mainCfChecks(parseMainCf(text), '3.9').map((p) => p.code);
  assert.deepEqual(codes.sort(), ['PF109', 'PF111', 'PF112']);
  const old = mainCfChecks(parseMainCf('smtpd_forbid_bare_newline = normalize\n'), '3.6').map((p) => p.code);
  assert.deepEqual(old, ['PF110']);
  assert.deepEqual(mainCfChecks(parseMainCf('smtpd_use_tls = yes\n'), '3.7'), []);
});

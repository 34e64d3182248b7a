// The bounded matcher behind pcre:/regexp: lookups (tables/regex/vm.ts,
// exec.ts, limits.ts) and inline pattern tables (tables/stream.ts):
// - on short keys, where V8 cannot run away, our matcher gives V8's answer and
//   capture offsets for every translated pattern (the translators were proven
//   against Postfix with V8's semantics);
// - at PCRE2's match limit a rule counts as not matching, with Postfix's warning;
// - the relay matrix on a configuration whose key makes a pattern explode
//   finishes (the 28-character mydestination).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultPcreOptions, lookupRegex, lookupTable, openTable, parseRegexTable, tableFilePath, translatePcre, translatePosix, findTableReferences } from '../../server/src/engine/tables';
import { compilePattern, matchPattern } from '../../server/src/engine/tables/regex/exec';
import { inlineToText } from '../../server/src/engine/tables/stream';
import { loadConfig } from '../../server/src/engine/config';
import { runRules } from '../../server/src/engine/rules';
import { lintDirectory } from '../../server/src/engine/lint';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import { simulateFromDirectory } from '../../server/src/engine/simulate/simulate';

/** V8's match of a translated source: capture offsets like ours (2n, 2n+1; -1 unset), or null. */
function v8(source: string, key: string): number[] | null {
  const m = new RegExp(source, 'd').exec(key);
  if (!m) return null;
  const out = [m.index, m.index + m[0].length];
  const groups = m.indices!.groups ?? {};
  const n = Object.keys(groups).filter((g) => g.startsWith('g')).length;
  for (let g = 1; g <= n; g++) {
    const span = groups[`g${g}`];
    out.push(span ? span[0] : -1, span ? span[1] : -1);
  }
  return out;
}

const atoms = fc.constantFrom('a', 'b', 'A', '.', '[ab]', '[^a]', '\\d', '\\w', '\\b', '^', '$', 'x', '\\.', '(?=a)', '(?!b)', '(?<=a)', '(?>a+)', 'a++', '\\Qa.\\E');
const pcreArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  atom: fc.oneof({ weight: 6, arbitrary: atoms }, { weight: 2, arbitrary: tie('seq').map((s) => `(${s})`) }, { weight: 1, arbitrary: fc.tuple(tie('seq'), tie('seq')).map(([x, y]) => `(?:${x}|${y})`) }),
  piece: fc.tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,2}', '*?', '+?', '{1,}')).map(([a, q]) => `${a}${q}`),
  seq: fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((x) => x.join('')),
})).seq as fc.Arbitrary<string>;
const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'x', '1', '.', ' '), maxLength: 7 });

test('our matcher gives V8 answers and captures on translated patterns (short keys)', () => {
  let compared = 0;
  fc.assert(
    fc.property(pcreArb, fc.boolean(), fc.array(keyArb, { minLength: 1, maxLength: 6 }), (pattern, posix, keys) => {
      const t = posix ? translatePosix(pattern.replace(/\(\?[:=!<>]|\\[dQE]|\+\+|[*+?}]\?/g, '('), { extended: true, icase: false, newline: false }) : translatePcre(pattern, defaultPcreOptions());
      if (t.kind !== 'ok') return;
      const c = compilePattern(t.source);
      assert.ok(!('error' in c), `${t.source}: ${'error' in c ? c.error : ''}`);
      for (const key of keys) {
        const ours = matchPattern(c, key, { pcre: false });
        const theirs = v8(t.source, key);
        assert.notEqual(ours.kind, 'unknown', `${t.source} on ${JSON.stringify(key)}`);
        assert.deepEqual(ours.kind === 'match' ? [...ours.caps] : null, theirs, `${pattern} → ${t.source} on ${JSON.stringify(key)}`);
        compared++;
      }
    }),
    { numRuns: 800, seed: 8 },
  );
  assert.ok(compared > 600, `compared ${compared}`);
});

const PM = `postmaster@${'a'.repeat(28)}`;

test('at PCRE2 match limit a rule does not apply and Postfix warning is reported', () => {
  const t = parseRegexTable('pcre', ['/^postmaster@(a|a)*X$/ PM', 'if /^neg/', '!/^neg(a|a)*X$/ NEG', 'endif', 'if /^if(a|a)*X$/', '/./ IN-IF', 'endif', '/./ LAST'].join('\n'), 't.pcre');
  const warn = (line: number) => `pcre map t.pcre, line ${line}: match limit exceeded`;
  // No X anywhere: PCRE2 fails at once (its required-character check), no warning.
  assert.deepEqual(lookupRegex(t, PM), { status: 'found', value: 'LAST', rule: t.rules[7] });
  // An x (caseless X) after the a's: 3·2^29 frames, far past 10,000,000.
  const r = lookupRegex(t, `${PM}.x`);
  assert.equal(r.status === 'found' && r.value, 'LAST');
  assert.deepEqual(r.warnings, [warn(1)]);
  assert.equal(lookupRegex(t, 'postmaster@aaaaX').status === 'found' && (lookupRegex(t, 'postmaster@aaaaX') as { value: string }).value, 'PM');
  // !/pattern/ at the limit does not apply either (DICT_PCRE_EXEC returns 0).
  const neg = lookupRegex(t, `neg${'a'.repeat(30)}x!`);
  assert.deepEqual([neg.status === 'found' && neg.value, neg.warnings], ['LAST', [warn(3)]]);
  assert.equal((lookupRegex(t, 'nega') as { value: string }).value, 'NEG');
  // An IF at the limit is false: its block is skipped.
  const iff = lookupRegex(t, `if${'a'.repeat(30)}x!`);
  assert.deepEqual([iff.status === 'found' && iff.value, iff.warnings], ['LAST', [warn(5)]]);
  // Near the limit the engine says it cannot tell, rather than guess.
  const near = lookupRegex(t, `postmaster@${'a'.repeat(21)}X!`);
  assert.ok(near.status === 'unknown' || near.possible?.length, JSON.stringify(near.status));
});

test('regexp: has no match limit: the same patterns get the true answer', () => {
  const t = parseRegexTable('regexp', ['/^postmaster@(a|a)*X$/ PM', '/^(a+){25}$/ A25', '/^([a-z]+)*@(z)$/ SUB=$2', '/./ LAST'].join('\n'), 't.regexp');
  for (const [key, value] of [
    [`${PM}.x`, 'LAST'],
    [`${PM}X`, 'PM'],
    ['a'.repeat(40), 'A25'],
    [`${'a'.repeat(40)}!`, 'LAST'],
    [`${'abcde'.repeat(8)}@z`, 'SUB=Z'],
  ]) {
    const r = lookupRegex(t, key);
    assert.equal(r.status === 'found' && r.value, value === 'SUB=Z' ? 'SUB=z' : value, key);
    assert.equal(r.warnings, undefined);
  }
});

test('a lookup that cannot be decided within the budget says so, never hangs', () => {
  // A back reference stops memoization; PCRE2 would reach its limit here.
  const t = parseRegexTable('pcre', '/^(a|a)*\\1X$/ BACK\n', 'b.pcre');
  const r = lookupRegex(t, `${'a'.repeat(40)}x`);
  assert.equal(r.status, 'unknown');
});

test('the relay matrix with an exploding pattern and a 28-character mydestination finishes', () => {
  const files: Record<string, string> = {
    '/etc/postfix/main.cf': `compatibility_level = 3.6\nmyhostname = mx.example.test\nmydestination = ${'a'.repeat(26)}.x\nmynetworks = 127.0.0.0/8\nsmtpd_recipient_restrictions = check_recipient_access pcre:/etc/postfix/rcpt.pcre, permit_mynetworks, reject_unauth_destination\n`,
    '/etc/postfix/master.cf': 'smtp      inet  n       -       n       -       -       smtpd\n',
    '/etc/postfix/rcpt.pcre': '/^postmaster@(a|a)*X$/ OK\n',
  };
  const reader = { readText: (p: string) => files[p] };
  const m = relayMatrix(loadSimConfig('/etc/postfix', reader));
  assert.equal(m.openRelay, false);
  assert.ok(m.cells.length > 0);
});

test('the simulator: a !/pattern/ rule at the match limit does not apply, and smtpd warning is logged', () => {
  const domain = `${'a'.repeat(26)}.x`;
  const files: Record<string, string> = {
    '/etc/postfix/main.cf': `compatibility_level = 3.6\nmyhostname = mx.example.test\nmydestination = ${domain}\nmynetworks = 127.0.0.0/8\nsmtpd_recipient_restrictions = check_recipient_access pcre:/etc/postfix/rcpt.pcre, permit_mynetworks, reject_unauth_destination\n`,
    '/etc/postfix/master.cf': 'smtp      inet  n       -       n       -       -       smtpd\n',
    '/etc/postfix/rcpt.pcre': '!/^postmaster@(a|a)*X$/ REJECT not for you\n',
  };
  const reader = { readText: (p: string) => files[p] };
  const tx = { client: { address: '127.0.0.1' }, sender: 'a@example.org', recipients: [] as string[] };
  // Without the limit the negated rule would reject; PCRE2 gives up, so it does not apply.
  const hit = simulateFromDirectory('/etc/postfix', reader, { ...tx, recipients: [`postmaster@${domain}`] });
  assert.equal(hit.verdict, 'accept');
  assert.deepEqual(hit.actions.warnings, ['warning: pcre map /etc/postfix/rcpt.pcre, line 1: match limit exceeded']);
  const short = simulateFromDirectory('/etc/postfix', reader, { ...tx, recipients: ['postmaster@aaa.x'] });
  assert.equal(short.verdict, 'reject');
  assert.deepEqual(short.actions.warnings, []);
});

test('inline pattern tables: dict_stream rules, lookups, no file', () => {
  assert.deepEqual(inlineToText('{ {/a/ x}, { /b c/ y } ,}'), { text: '/a/ x\n/b c/ y\n', lines: [{ start: 3, end: 8 }, { start: 13, end: 20 }] });
  assert.deepEqual(inlineToText('{}'), { text: '', lines: [] });
  assert.deepEqual(inlineToText('{ x {/a/ y}}'), { error: `no '{' at start of text in "x"` });
  assert.deepEqual(inlineToText('{{/a/ x}x}'), { error: `syntax error after '}' in "{/a/ x}x"` });
  const none = { readText: () => undefined };
  const o = openTable('pcre:{ {/^(.*)$/ $1} }', none);
  assert.equal(o.fatal, undefined);
  assert.equal(o.file, undefined);
  assert.deepEqual(lookupTable(o, 'a@b'), { status: 'found', value: 'a@b', file: undefined, line: 0 });
  const bad = openTable('regexp:{{/(/ x}}', none);
  assert.deepEqual(bad.warnings, ['regexp map {{/(/ x}}, line 1: Unmatched ( or \\(']);
  assert.equal(openTable('pcre:{/a/ x}', none).fatal, `pcre map: no '{' at start of text in "/a/"`);
  const [ref] = findTableReferences('CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}');
  assert.deepEqual(tableFilePath(ref), {});
});

test('inline pattern tables in main.cf: no missing-file error; rule problems land on the rule', () => {
  const main = [
    'compatibility_level = 3.6',
    'smtpd_forbidden_commands = CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}',
    'header_checks = pcre:{ {/(/ bad}, {/a/q x} }',
    'smtpd_helo_restrictions = check_helo_access pcre:{ /x/ OK }',
    'smtp_header_checks = pcre:{ {/^(.*)$$/ $$1}, {/a/q x} }',
  ].join('\n');
  const files: Record<string, string> = { '/etc/postfix/main.cf': `${main}\n`, '/etc/postfix/master.cf': 'smtp      inet  n       -       n       -       -       smtpd\n' };
  const reader = { readText: (p: string) => files[p] };
  const all = lintDirectory('/etc/postfix', reader);
  assert.deepEqual(all.filter((p) => p.code === 'PF374'), []);
  const rules = runRules(loadConfig('/etc/postfix', reader), reader);
  const at = (code: string) => rules.filter((p) => p.code === code).map((p) => [p.range.start.line, p.range.start.character, main.split('\n')[p.range.start.line].slice(p.range.start.character, p.range.end.character)]);
  const line = main.split('\n');
  assert.deepEqual(at('PF348'), [[2, line[2].indexOf('('), '(']]);
  // Written with $$: Postfix reads the expansion; the problem covers the token.
  assert.deepEqual(at('PF342'), [[2, line[2].indexOf('q'), 'q'], [4, line[4].indexOf('pcre:'), line[4].slice(line[4].indexOf('pcre:'))]]);
  assert.deepEqual(at('PF356'), [[3, line[3].indexOf('pcre:'), 'pcre:{ /x/ OK }']]);
});

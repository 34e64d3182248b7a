// Bad input gets a clear error and loses nothing: no parser, no expansion and
// no lint pass may throw or hang on any text, random or mutated from real
// configurations, binary or huge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { parseAccessTable, parseCidrTable, parseRegexTable } from '../../server/src/engine/tables';
import { expandValue } from '../../server/src/engine/expand';
import { lintDocument } from '../../server/src/engine/lint';
import type { FileReader, Problem } from '../../server/src/engine/types';
import { sharedDir } from '../helpers/env';

function corpusTexts(): string[] {
  const out: string[] = [];
  const dir = join(sharedDir, 'corpus');
  if (existsSync(dir)) {
    for (const p of readdirSync(dir)) {
      const sub = join(dir, p);
      if (!existsSync(sub) || p.endsWith('.tsv')) continue;
      for (const f of readdirSync(sub)) out.push(readFileSync(join(sub, f), 'latin1'));
    }
  }
  for (const f of ['/usr/share/postfix/main.cf.dist', '/usr/share/postfix/master.cf.dist']) if (existsSync(f)) out.push(readFileSync(f, 'latin1'));
  // Always have something to mutate, even without the corpus.
  out.push('compatibility_level = 3.6\nmydestination = $myhostname,\n    localhost\nrelayhost = ${x?{a}:{b}}\n');
  out.push('smtp inet n - y - - smtpd\n  -o { smtpd_client_restrictions = permit_mynetworks, reject }\n');
  return out;
}

const noFiles: FileReader = { readText: () => undefined };

/** Every engine entry point over one text; returns the problems so the caller can check their shape. */
function exercise(text: string): Problem[] {
  const problems: Problem[] = [];
  problems.push(...parseMainCf(text, '/x/main.cf').problems);
  problems.push(...parseMasterCf(text, '/x/master.cf').problems);
  problems.push(...parseAccessTable(text, '/x/access').problems);
  problems.push(...parseCidrTable(text, '/x/t.cidr').problems);
  problems.push(...parseRegexTable('pcre', text, '/x/t.pcre').problems);
  problems.push(...parseRegexTable('regexp', text, '/x/t.regexp').problems);
  expandValue(text, (n) => (n.length % 2 ? text.slice(0, 40) : undefined));
  problems.push(...lintDocument('/x/main.cf', text, noFiles));
  problems.push(...lintDocument('/x/master.cf', text, noFiles));
  return problems;
}

function assertWellFormed(problems: Problem[], text: string): void {
  const lines = text.split('\n').length;
  for (const p of problems) {
    assert.ok(typeof p.code === 'string' && /^PF\d{3}$/.test(p.code), `bad code ${p.code}`);
    assert.ok(p.message.length > 0);
    assert.ok(p.range.start.line >= 0 && p.range.end.line < lines + 1, `range outside the text: ${JSON.stringify(p.range)}`);
  }
}

const mutation = (base: string[]) =>
  fc.tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 8 })).map(([text, edits]) => {
    let t = text;
    for (const [at, del, ins] of edits) {
      const i = t.length ? at % t.length : 0;
      t = t.slice(0, i) + ins + t.slice(i + del);
    }
    return t;
  });

test('random text never makes the engine throw', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
      assertWellFormed(exercise(text), text);
    }),
    { numRuns: 400 },
  );
});

test('mutated real configurations never make the engine throw', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(mutation(corpusTexts()), (text) => {
      assertWellFormed(exercise(text), text);
    }),
    { numRuns: 200 },
  );
});

test('binary and pathological input is handled', { timeout: 120_000 }, () => {
  const cases = [
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)).toString('latin1'),
    '\0\0\0 = \0',
    `myhostname = ${'$'.repeat(10_000)}`,
    `relayhost = ${'${'.repeat(5_000)}`,
    `a = $b\nb = $a\nc = ${'$a'.repeat(1000)}\n`,
    `${'x'.repeat(2_000_000)} = y\n`,
    `k = ${'{'.repeat(20_000)}${'}'.repeat(20_000)}\n`,
    'smtp inet n - y - - smtpd -o { -o { -o {\n',
  ];
  for (const text of cases) assertWellFormed(exercise(text), text);
  // A value referring to itself many times grows exponentially in naive expansion.
  const r = expandValue('$a', (n) => (n === 'a' ? '$a$a' : undefined));
  assert.ok(r.errors.length > 0, 'runaway expansion must be reported');
});

// TextMate grammars: assertion files run through vscode-tmgrammar-test (as a
// user would run it), negative controls that must fail, and a check with
// vscode-textmate that the keyword lists agree with the fact tables in
// server/data (so a new restriction or action cannot be forgotten).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, IGrammar, parseRawGrammar, Registry } from 'vscode-textmate';
import { repoDir } from '../helpers/env';
import { LOGGED_ACTIONS, parseSmtpdLogLine } from '../../server/src/engine/review/log-line';

const grammarFiles = ['postfix-main', 'postfix-master', 'postfix-map', 'postfix-aliases', 'postfix-log'].map((n) => `syntaxes/${n}.tmLanguage.json`);

function runTmGrammarTest(glob: string) {
  const args = ['vscode-tmgrammar-test', ...grammarFiles.flatMap((g) => ['-g', g]), glob];
  const r = spawnSync('npx', args, { cwd: repoDir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function readTsv(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(join(repoDir, 'server/data', file), 'utf8').trimEnd().split('\n');
  const cols = header.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

describe('grammar assertion files', () => {
  test('every case under test/grammar/cases passes', () => {
    const cases = readdirSync(join(repoDir, 'test/grammar/cases'));
    assert.ok(cases.length >= 4, `expected the grammar cases, found ${cases}`);
    const r = runTmGrammarTest('test/grammar/cases/*');
    assert.equal(r.status, 0, r.output);
    for (const c of cases) assert.match(r.output, new RegExp(`✓ test/grammar/cases/${c.replace('.', '\\.')} run successfuly`));
  });

  // Each negative control asserts something false; the tool must say which scope is missing.
  const negatives: [string, string][] = [
    ['main-trailing-comment.cf', 'comment.line.number-sign.postfix'],
    ['master-bad-type.cf', 'storage.type.service.postfix'],
    ['map-misspelled-action.access', 'keyword.control.action.postfix'],
    ['log-reject-as-warning.log', 'keyword.control.warning.postfix-log'],
  ];
  for (const [file, scope] of negatives) {
    test(`negative control ${file} fails`, () => {
      const r = runTmGrammarTest(`test/grammar/negative/${file}`);
      assert.notEqual(r.status, 0, r.output);
      assert.match(r.output, new RegExp(`missing required scopes: ${scope.replace(/\./g, '\\.')}`));
    });
  }
});

describe('grammar keyword lists match server/data', () => {
  const grammars = new Map<string, IGrammar>();
  before(async () => {
    const wasm = readFileSync(join(repoDir, 'node_modules/vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const byScope = new Map(
      grammarFiles.map((f) => {
        const text = readFileSync(join(repoDir, f), 'utf8');
        return [JSON.parse(text).scopeName as string, { f, text }];
      }),
    );
    const registry = new Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope) => {
        const g = byScope.get(scope);
        return g ? parseRawGrammar(g.text, g.f) : null;
      },
    });
    for (const scope of byScope.keys()) grammars.set(scope, (await registry.loadGrammar(scope))!);
  });

  /** Scopes at `column` of the last line of `text`. */
  function scopesAt(scope: string, text: string, column: number): string[] {
    let state = INITIAL;
    let tokens: { startIndex: number; endIndex: number; scopes: string[] }[] = [];
    for (const line of text.split('\n')) ({ tokens, ruleStack: state } = grammars.get(scope)!.tokenizeLine(line, state));
    return tokens.find((t) => t.startIndex <= column && column < t.endIndex)?.scopes ?? [];
  }

  test('every restriction smtpd knows is highlighted in main.cf and master.cf', () => {
    const names = readTsv('restrictions.tsv')
      .map((r) => r.name)
      .filter((n) => !n.startsWith('<'));
    assert.ok(names.length > 60);
    for (const n of names) {
      const main = `smtpd_recipient_restrictions = permit_mynetworks, ${n}`;
      assert.ok(scopesAt('source.postfix.main', main, main.length - 1).includes('keyword.other.restriction.postfix'), n);
      const option = `  -o smtpd_client_restrictions=${n}`;
      const master = `smtp inet n - y - - smtpd\n${option}`;
      assert.ok(scopesAt('source.postfix.master', master, option.length - 1).includes('keyword.other.restriction.postfix'), n);
    }
    // and a misspelling is not
    const typo = 'smtpd_recipient_restrictions = reject_unauth_destinaton';
    assert.ok(!scopesAt('source.postfix.main', typo, typo.length - 1).includes('keyword.other.restriction.postfix'));
  });

  test('every access(5) action word is highlighted in tables', () => {
    // DELAY is compiled out of smtpd (since `-`), so it must not look valid.
    const rows = readTsv('access-actions.tsv').filter((r) => /^[A-Z_]+$/.test(r.name));
    const words = rows.filter((r) => r.since !== '-').map((r) => r.name);
    assert.ok(words.length > 15);
    for (const w of words) {
      const line = `key.example ${w} text`;
      assert.ok(scopesAt('source.postfix.map', line, 12).includes('keyword.control.action.postfix'), w);
    }
    for (const r of rows.filter((r) => r.since === '-')) {
      assert.ok(!scopesAt('source.postfix.map', `key.example ${r.name}`, 12).includes('keyword.control.action.postfix'), r.name);
    }
  });

  test('every access action smtpd logs is highlighted in a log, on the lines that get a "Why?" lens', () => {
    assert.ok(LOGGED_ACTIONS.length >= 10);
    for (const a of LOGGED_ACTIONS) {
      const line = `Dec  2 16:10:54 mx postfix/smtpd[1]: NOQUEUE: ${a}: RCPT from unknown[192.0.2.1]: 554 5.7.1 <b@example.net>: no; from=<a@example.org> to=<b@example.net>`;
      assert.equal(parseSmtpdLogLine(line)?.action, a);
      const scopes = scopesAt('source.postfix.log', line, line.indexOf(`${a}:`));
      assert.ok(scopes.some((x) => /^keyword\.control\.(reject|warning|action)\.postfix-log$/.test(x)), `${a}: ${scopes.join(' ')}`);
    }
    const other = 'Dec  2 16:10:54 mx postfix/smtpd[1]: NOQUEUE: rejected: RCPT from unknown[192.0.2.1]: 554 no';
    assert.ok(!scopesAt('source.postfix.log', other, other.indexOf('rejected')).some((x) => x.startsWith('keyword.control')));
  });

  test('every #include names a rule the grammar defines', () => {
    for (const f of grammarFiles) {
      const text = readFileSync(join(repoDir, f), 'utf8');
      const defined = Object.keys(JSON.parse(text).repository);
      const used = [...text.matchAll(/"include": "#([^"]+)"/g)].map((m) => m[1]);
      assert.ok(used.length > 2, f);
      for (const name of used) assert.ok(defined.includes(name), `${f} includes #${name}, which it does not define`);
    }
  });

  test('package.json points at these grammars with matching scope names', () => {
    const manifest = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8'));
    for (const g of manifest.contributes.grammars) {
      const grammar = JSON.parse(readFileSync(join(repoDir, g.path), 'utf8'));
      assert.equal(grammar.scopeName, g.scopeName, g.path);
    }
    const conf = JSON.parse(readFileSync(join(repoDir, 'syntaxes/language-configuration.json'), 'utf8'));
    assert.equal(conf.comments.lineComment, '#');
  });
});

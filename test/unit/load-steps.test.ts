// Loading in steps (issue 8). A cidr: table parsed in steps (tables/cidr.ts parseCidrTableSteps: whole
// logical lines per piece, a yield after each) equals the parse in one piece:
// rules, their ranges, problems and Postfix's warnings, with IF ... ENDIF
// blocks and continuation lines cut anywhere. The lint parses a big table in
// steps, so the language server answers between them (issue 8: a
// 100,000-line cidr table was one piece of half a second).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CidrTable, lookupCidr, parseCidrTable, parseCidrTableSteps } from '../../server/src/engine/tables/cidr';
import { clearParseMemo } from '../../server/src/engine/tables/memo';
import { loadConfig, loadConfigSteps, type PostfixConfig } from '../../server/src/engine/config';
import { clearLintMemo, lintConfigSteps } from '../../server/src/engine/lint';
import { ITEMS_PER_STEP, labelText } from '../../server/src/engine/steps';
import type { FileReader } from '../../server/src/engine/types';
import { assertSameInPieces, countYields, stepped } from '../helpers/table-steps';
import { parseMainCf, type MainCf } from '../../server/src/engine/maincf/parse';

const PIECES = ['10.0.0.0/8 OK', '10.1.2.3 REJECT', 'IF 192.168.0.0/16', 'IF !10.0.0.0/8', 'ENDIF', '  continued', '# note', '', '192.168.1.7/24 DUNNO', '[::1] OK', 'bad', '!172.16.0.0/12 REJECT x', 'ENDIF x'];

/** What a consumer can see of a table, as plain data. */
function view(t: CidrTable) {
  return {
    rules: t.rules.map((r) => ({ op: r.op, line: r.line, match: r.match, family: r.family, net: [...r.net], prefix: r.prefix, value: r.value, blockEnd: r.blockEnd, patternRange: r.patternRange, valueRange: r.valueRange })),
    problems: t.problems,
    warnings: t.warnings,
  };
}

function pieces(text: string, chars: number) {
  clearParseMemo();
  return countYields(parseCidrTableSteps(text, 'clients.cidr', 'clients.cidr', chars));
}

const textArb = fc.array(fc.constantFrom(...PIECES), { minLength: 0, maxLength: 40 }).map((lines) => lines.join('\n') + '\n');

describe('cidr table parse in steps', () => {
  test('cut between logical lines, a yield after each piece: the same table as in one piece', () => {
    // Decoded and NUL texts too.
    assertSameInPieces(pieces, view, textArb, ['10.0.0.0/8 caf\u00e9\n10.0.0.1 a\0b\n  more\nIF 10.0.0.0/8\n10.0.0.2 OK\n', '\ufffd OK\n10.0.0.0/8 OK\n']);
  });

  test('a 30,000-line table gives way many times, and parseCidrTable (drained) gives the same table', () => {
    let big = '';
    for (let i = 0; i < 30_000; i++) big += `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 REJECT listed ${i}\n`;
    const stepped = pieces(big, 32 * 1024);
    assert.ok(stepped.yields >= 20, `yields: ${stepped.yields}`);
    assert.equal(stepped.value.rules.length, 30_000);
    clearParseMemo();
    const whole = parseCidrTable(big, 'clients.cidr');
    assert.deepEqual(view(whole).rules.slice(-3), view(stepped.value).rules.slice(-3));
    assert.equal(lookupCidr(whole, '10.0.117.47')?.value, 'REJECT listed 29999');
    // The ranges are those of the text: line and characters of the last rule's pattern and value.
    assert.deepEqual(whole.rules[29_999].patternRange, { start: { line: 29_999, character: 0 }, end: { line: 29_999, character: 14 } });
    assert.deepEqual(whole.rules[29_999].valueRange, { start: { line: 29_999, character: 15 }, end: { line: 29_999, character: 34 } });
  });

  test('the lint reads a big cidr table in steps, each under a label naming it', () => {
    let table = '';
    for (let i = 0; i < 20_000; i++) table += `10.0.${(i >> 8) & 255}.${i & 255} REJECT\n`;
    const files: Record<string, string> = {
      '/cfg/main.cf': 'compatibility_level = 3.6\nsmtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr, permit\n',
      '/cfg/master.cf': 'smtp inet n - n - - smtpd\n',
      '/cfg/clients.cidr': table,
    };
    const reader: FileReader = { readText: (p) => files[p], mtimeMs: (p) => (p in files ? 1 : undefined) };
    clearParseMemo();
    clearLintMemo();
    const run = lintConfigSteps(loadConfig('/cfg', reader, { mode: 'repository' }));
    let parseSteps = 0;
    for (let r = run.next(); !r.done; r = run.next()) if (r.value && labelText(r.value) === 'parse /cfg/clients.cidr') parseSteps++;
    assert.ok(parseSteps >= 10, `steps: ${parseSteps}`);
  });
});

describe('configuration loading in steps', () => {
  test('a master.cf line with 30,000 -o options loads in many steps, to the same model as in one go', () => {
    const master = 'smtp inet n - n - - smtpd\n'.concat(Array.from({ length: 30_000 }, (_, i) => `  -o p${i}=v${i}\n`).join(''));
    const files: Record<string, string> = { '/cfg/main.cf': 'compatibility_level = 3.6\n', '/cfg/master.cf': master };
    const reader: FileReader = { readText: (p) => files[p] };
    const { value: config, yields } = countYields(loadConfigSteps('/cfg', reader, { mode: 'repository' }));
    assert.ok(yields >= 10, `yields: ${yields}`);
    const o = config.master!.services[0].overrides;
    assert.equal(o.length, 30_000);
    assert.deepEqual([o[29_999].name, o[29_999].value, o[29_999].valueRange], ['p29999', 'v29999', { start: { line: 30_000, character: 12 }, end: { line: 30_000, character: 18 } }]);
    // The synchronous load (CLI) gives the same service.
    files['/cfg/master.cf'] = master + '\n';
    const whole = loadConfig('/cfg', reader, { mode: 'repository' }).master!.services[0];
    assert.deepEqual(
      whole.overrides.map((x) => [x.name, x.value, x.range]),
      o.map((x) => [x.name, x.value, x.range]),
    );
  });
});

describe('expansion memo keys in steps', () => {
  test('past SERVICES_PER_STEP services with -o settings, the names values expand are found in steps while loading; tables found as in one go', () => {
    const services = 4 * ITEMS_PER_STEP;
    let master = 'smtp inet n - y - - smtpd\n';
    for (let i = 0; i < services; i++) master += `s${i} unix - n n - - smtp\n  -o smtp_generic_maps=hash:$maps_dir/g${i % 3}\n`;
    const files: Record<string, string> = { '/keys/main.cf': 'maps_dir = /keys\n', '/keys/master.cf': master };
    const reader: FileReader = { readText: (p) => files[p] };
    const { value: config, labels } = stepped(loadConfigSteps('/keys', reader, { mode: 'repository' }));
    assert.ok(labels.get('expansion memo: names values expand')! >= 4, JSON.stringify([...labels]));
    const specs = (c: PostfixConfig) => [...new Set(c.tables.map((u) => u.spec))];
    assert.deepEqual(specs(config), ['hash:/keys/g0', 'hash:/keys/g1', 'hash:/keys/g2']);
    files['/keys/master.cf'] = `${master}\n`;
    assert.deepEqual(specs(loadConfig('/keys', reader, { mode: 'repository' })), specs(config));
  });
});

describe('main.cf parse in steps', () => {
  test('a main.cf of 30,000 settings loads in many steps, to the entries, references and problems of the parse in one go', () => {
    let main = 'compatibility_level = 3.6\n';
    for (let i = 0; i < 30_000; i++) main += i % 1000 === 999 ? `p${i - 1} = again\n` : `p${i} = $p${Math.max(0, i - 1)} v${i}\n    more${i}\n`;
    main += 'broken line\nafter = fatal\n';
    const files: Record<string, string> = { '/cfg/main.cf': main };
    const reader: FileReader = { readText: (p) => files[p] };
    const { value: config, yields } = countYields(loadConfigSteps('/cfg', reader, { mode: 'repository' }));
    assert.ok(yields >= 10, `yields: ${yields}`);
    const stepped = config.main!;
    // The synchronous parse (the CLI's) of the same text in a file of its own name: the memo gives no shortcut.
    const whole = parseMainCf(main, '/other/main.cf');
    const view = (m: MainCf) => ({
      entries: m.entries.map((e) => [e.name, e.value, e.range, e.valueRange, e.references.map((r) => [r.name, r.range])]),
      problems: m.problems.map((p) => [p.code, p.message, p.range]),
      fatal: m.fatal?.message,
    });
    assert.equal(stepped.entries.length, 30_001);
    assert.ok(stepped.fatal, 'the line without = stops the parse');
    assert.ok(stepped.problems.some((p) => p.message.includes('overriding earlier entry')));
    assert.deepEqual(view(stepped), view(whole));
  });
});

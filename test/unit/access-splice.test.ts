// An exact-match table re-parsed after an edit (tables/access-parse.ts
// reparseAccessTable: only the logical lines the edit touched are read again)
// equals a parse of the whole new text from scratch: entries, duplicate
// verdicts, lookups, problems with their ranges, and Postfix's own warnings.
// Edits are random, over texts built to stress the line rules (continuation
// lines, comments and blank lines between them, orphans, duplicates, quotes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AccessTable } from '../../server/src/engine/tables/access';
import { parseAccessTable, parseAccessTableSteps, reparseAccessTable } from '../../server/src/engine/tables/access-parse';
import { drain } from '../../server/src/engine/steps';
import { clearParseMemo, parseMemoStats } from '../../server/src/engine/tables/memo';
import { accessTableView } from '../helpers/access-view';

const PIECES = ['a@x OK', 'A@X REJECT', 'b@y DUNNO', ' continued', '\t more', '# note', '', '   ', 'key', '"q k" v', '10.0.0.0/8 OK', 'c: d', 'a@x  OK ', 'x\ty', '\r'];

function fromScratch(text: string, file = 'access'): AccessTable {
  clearParseMemo();
  return parseAccessTable(text, file);
}

/** Everything a consumer can see of a table, as plain data, and the entry at each line. */
function view(t: AccessTable) {
  return { ...accessTableView(t), atLines: Array.from({ length: t.src.lineCount }, (_, i) => t.entryAtLine(i)?.index ?? -1) };
}

const textArb = fc.array(fc.constantFrom(...PIECES), { minLength: 0, maxLength: 40 }).map((lines) => lines.join('\n') + '\n');
const insertArb = fc.array(fc.constantFrom('\n', ' ', '\t', '#', 'a', 'A', '@', 'x', ' OK', '"', 'a@x OK\n', '\n continued', 'z'), { minLength: 0, maxLength: 4 }).map((p) => p.join(''));

describe('incremental access table parse', () => {
  test('a random edit re-parsed in place equals a parse from scratch', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), fc.nat(6), insertArb, (text, at, del, insert) => {
        const old = fromScratch(text);
        const pos = at % (text.length + 1);
        const next = text.slice(0, pos) + insert + text.slice(Math.min(text.length, pos + del));
        const spliced = reparseAccessTable(old, next);
        assert.ok(spliced, 'plain ASCII texts are re-parsed in place');
        assert.deepEqual(view(spliced), view(fromScratch(next)));
        // A chain of edits: the spliced table is the base of the next splice.
        const again = next.slice(0, pos) + 'a@x OK\n' + next.slice(pos);
        assert.deepEqual(view(reparseAccessTable(spliced, again)!), view(fromScratch(again)));
      }),
      { numRuns: 400 },
    );
  });

  test('a parse in steps (cut between logical lines, a yield after each piece) equals a parse in one piece', () => {
    const pieces = (text: string, chars: number) => {
      clearParseMemo();
      const steps = parseAccessTableSteps(text, 'access', {}, chars);
      let yields = 0;
      for (;;) {
        const r = steps.next();
        if (r.done) return { table: r.value, yields };
        yields++;
      }
    };
    fc.assert(
      fc.property(textArb, fc.integer({ min: 1, max: 64 }), (text, chars) => {
        const whole = pieces(text, Infinity);
        assert.equal(whole.yields, 0);
        assert.deepEqual(view(pieces(text, chars).table), view(whole.table));
      }),
      { numRuns: 400 },
    );
    // Non-ASCII and NUL texts take the decoding path; cut just as well.
    for (const text of ['caf\u00e9@x OK\nb@y\0z REJECT\n continued\n# c\na@x OK\n', '\ufffd@x OK\nA@X REJECT\n']) {
      assert.deepEqual(view(pieces(text, 3).table), view(pieces(text, Infinity).table));
    }
    // A 100,000-line map gives way many times; drain() runs it in one go to the same table.
    let big = '';
    for (let i = 0; i < 100_000; i++) big += `user${i}@example${i % 1000}.com REJECT 5.7.1 blocked\n`;
    const stepped = pieces(big, 128 * 1024);
    assert.ok(stepped.yields >= 20, `yields: ${stepped.yields}`);
    // Left half-way (an abandoned analysis), then asked for again: resumed, not started over, and the same table.
    clearParseMemo();
    const left = parseAccessTableSteps(big, 'access');
    for (let i = 0; i < 10; i++) assert.equal(left.next().done, false);
    const misses = parseMemoStats().misses;
    const resumed = drain(parseAccessTableSteps(big, 'access'));
    assert.equal(parseMemoStats().misses, misses);
    assert.deepEqual(view(resumed), view(stepped.table));
    // The first caller, going on later, gets the same result.
    assert.equal(drain(left), resumed);
    clearParseMemo();
    assert.equal(drain(parseAccessTableSteps(big, 'access')).count, 100_000);
  });

  test('a keystroke in a big table goes through the memo as a splice, not a parse', () => {
    let text = '';
    for (let i = 0; i < 5000; i++) text += `user${i}@example${i % 50}.com REJECT\n`;
    clearParseMemo();
    const first = parseAccessTable(text, 'big');
    const misses = parseMemoStats().misses;
    const edited = text.replace('user17@', 'user1@');
    const t = parseAccessTable(edited, 'big');
    assert.equal(parseMemoStats().misses, misses + 1);
    assert.notEqual(t, first);
    // user1@example17.com differs from user1@example1.com: no duplicate; then one appears.
    assert.deepEqual(view(t), view(fromScratch(edited, 'big')));
    parseAccessTable(edited, 'big');
    const dup = edited.replace('user18@example18.com', 'user1@example1.com');
    const d = parseAccessTable(dup, 'big');
    assert.equal(d.duplicates.size, 1);
    assert.deepEqual(view(d), view(fromScratch(dup, 'big')));
  });

  test('texts that need decoding or hold NUL are parsed whole', () => {
    const old = fromScratch('a@x OK\n');
    assert.equal(reparseAccessTable(old, 'a@x OK\nb\u00e9 OK\n'), undefined);
    assert.equal(reparseAccessTable(old, 'a@x OK\nb\0 OK\n'), undefined);
    assert.equal(reparseAccessTable(fromScratch('\u00e9 x\n'), '\u00e9 x\nb y\n'), undefined);
  });
});

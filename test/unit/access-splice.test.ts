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
import { EntryStore } from '../../server/src/engine/tables/access-entries';
import { parseAccessTable, parseAccessTableSteps, reparseAccessTable } from '../../server/src/engine/tables/access-parse';
import { drain } from '../../server/src/engine/steps';
import { clearParseMemo, parseMemoStats } from '../../server/src/engine/tables/memo';
import { accessTableView } from '../helpers/access-view';
import { assertSameInPieces, countYields } from '../helpers/table-steps';

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
      return countYields(parseAccessTableSteps(text, 'access', {}, chars));
    };
    // Non-ASCII and NUL texts take the decoding path; cut just as well.
    assertSameInPieces(pieces, view, textArb, ['caf\u00e9@x OK\nb@y\0z REJECT\n continued\n# c\na@x OK\n', '\ufffd@x OK\nA@X REJECT\n']);
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
    assert.deepEqual(view(resumed), view(stepped.value));
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

// The entries live in chunks (tables/access-entries.ts) that an edit shares
// between the parse before and after it. With chunks of a few entries, small
// texts cross many chunk boundaries, so every way an edit can meet them
// (inside one, across two, at an end, emptying one, growing one past its
// size) is exercised by sequences of edits, each applied to the result of the
// one before, as an editor does.
describe('chunked entries after sequences of edits', () => {
  const LINES = ['a@x OK', 'A@X REJECT', 'b@y DUNNO', 'c@z OK', ' continued', '\t more', '# note', '', 'key', '"q k" v', 'd@w  OK  ', 'a@x OK\r', 'b@y x\r', ' cont\r', 'e@v\tHOLD', 'c: d'];
  const PROBES = ['a@x', 'A@X', 'b@y', 'c@z', 'd@w', 'e@v', '"q k"', 'key', 'c:', 'missing'];
  const viewWithProbes = (t: AccessTable) => ({ ...view(t), probes: PROBES.map((k) => t.lookup(k) ?? null) });
  const lineArb = fc.constantFrom(...LINES);
  const opArb = fc.oneof(
    // Insert lines at a line boundary.
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }) }),
    // Delete whole lines.
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
    // Copy an existing line elsewhere: a duplicate key appears (deleting it later makes it disappear).
    fc.record({ kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat() }),
    // One keystroke anywhere, or a deleted character.
    fc.record({ kind: fc.constant('char' as const), at: fc.nat(), text: fc.constantFrom('x', 'A', ' ', '\t', '\n', '\r\n', '#', '"', '\\', '') , del: fc.nat(1) }),
    // A line ending turned into CRLF or back.
    fc.record({ kind: fc.constant('crlf' as const), at: fc.nat() }),
  );

  type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
  function apply(text: string, op: Op): string {
    const lines = text.split('\n');
    const body = lines.slice(0, -1); // text always ends with '\n'
    const at = (n: number, max: number) => (max <= 0 ? 0 : n % max);
    switch (op.kind) {
      case 'insert': {
        const k = at(op.at, body.length + 1);
        body.splice(k, 0, ...op.lines);
        return body.join('\n') + '\n';
      }
      case 'delete': {
        if (body.length === 0) return text;
        body.splice(at(op.at, body.length), op.n);
        return body.length ? body.join('\n') + '\n' : '';
      }
      case 'copy': {
        if (body.length === 0) return text;
        const line = body[at(op.from, body.length)];
        body.splice(at(op.to, body.length + 1), 0, line);
        return body.join('\n') + '\n';
      }
      case 'char': {
        const k = at(op.at, text.length + 1);
        const next = text.slice(0, k) + op.text + text.slice(Math.min(text.length, k + op.del));
        return next.endsWith('\n') || next === '' ? next : next + '\n';
      }
      case 'crlf': {
        if (body.length === 0) return text;
        const k = at(op.at, body.length);
        body[k] = body[k].endsWith('\r') ? body[k].slice(0, -1) : body[k] + '\r';
        return body.join('\n') + '\n';
      }
    }
    return text;
  }

  for (const size of [1, 2, 3, 8]) {
    test(`edits applied one after another equal a fresh parse (chunks of ${size})`, () => {
      const saved = EntryStore.chunkSize;
      EntryStore.chunkSize = size;
      try {
        fc.assert(
          fc.property(fc.array(lineArb, { minLength: 0, maxLength: 30 }), fc.array(opArb, { minLength: 1, maxLength: 12 }), (start, ops) => {
            let text = start.length ? start.join('\n') + '\n' : '';
            let t = fromScratch(text);
            for (const op of ops) {
              const next = apply(text, op);
              const spliced = reparseAccessTable(t, next);
              assert.ok(spliced, 'plain ASCII texts with small edits are re-parsed in place');
              const fresh = fromScratch(next);
              assert.deepEqual(viewWithProbes(spliced), viewWithProbes(fresh), `after ${JSON.stringify(op)} of ${JSON.stringify(text)}`);
              t = spliced;
              text = next;
            }
          }),
          { numRuns: 150 },
        );
      } finally {
        EntryStore.chunkSize = saved;
      }
    });
  }

  test('a one-line edit of a big table shares every chunk but the edited one with the parse before', () => {
    let text = '';
    for (let i = 0; i < 20_000; i++) text += `user${i}@example${i % 100}.com REJECT\n`;
    const old = fromScratch(text);
    const chunks = old.entryStore.chunkCount;
    assert.ok(chunks >= 8, `a 20,000-entry table is in several chunks (${chunks})`);
    for (const [from, to] of [
      ['user10000@', 'xuser10000@'],
      ['user0@example0.com REJECT\n', ''],
      ['user19999@example99.com REJECT\n', 'user19999@example99.com REJECT\nuser1@example1.com OK\n'],
    ]) {
      const next = text.replace(from, to);
      const t = reparseAccessTable(old, next)!;
      assert.ok(t.entryStore.sharedWith(old.entryStore) >= chunks - 2, `${from}: ${t.entryStore.sharedWith(old.entryStore)} of ${chunks} chunks shared`);
      assert.deepEqual(viewWithProbes(t), viewWithProbes(fromScratch(next)));
    }
  });
});

// Hover and completion split the document into lines on every request; the
// split of an edited text is made from the last one (assist/physical-lines.ts:
// splitting 100,000 lines took 40-60 ms a keystroke). Whatever the edits, the
// lines are text.split('\n'), and an edit of a long text is spliced, not split whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { physicalLines, splits } from '../../server/src/engine/assist/physical-lines';

const line = fc.array(fc.constantFrom('a', 'b', ' ', '\t', '=', '#', '\r', 'é'), { maxLength: 40 }).map((cs) => cs.join(''));
/** An edit: at a fraction of the text, delete some characters and insert others (newlines among them). */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat({ max: 200 }),
  insert: fc.array(fc.constantFrom('x', '\n', ' ', '\r\n', 'yz'), { maxLength: 30 }).map((cs) => cs.join('')),
});

function apply(text: string, e: { at: number; remove: number; insert: string }): string {
  const at = Math.floor(e.at * text.length);
  return text.slice(0, at) + e.insert + text.slice(at + e.remove);
}

test('after any edits, the lines are those of split("\\n"); long texts are spliced', () => {
  const before = { ...splits };
  fc.assert(
    fc.property(fc.array(line, { minLength: 12_000, maxLength: 13_000 }), fc.array(edit, { minLength: 1, maxLength: 8 }), (lines, edits) => {
      let text = lines.join('\n');
      assert.deepEqual(physicalLines(text), text.split('\n'));
      for (const e of edits) {
        text = apply(text, e);
        assert.deepEqual(physicalLines(text), text.split('\n'));
      }
    }),
    // No shrinking: a counterexample of 12,000 lines shrinks for minutes.
    { numRuns: 60, endOnFailure: true },
  );
  assert.ok(splits.spliced - before.spliced >= 60, `edits of texts over 64 KB are spliced (${splits.spliced - before.spliced})`);
});

test('edits at the very start and end, and of the whole text, and another document', () => {
  const base = Array.from({ length: 5_000 }, (_, n) => `name_${n} = value ${n}`).join('\n');
  for (const text of [base, `x${base}`, base.slice(1), `${base}\n`, `${base}\nmore`, base.slice(0, -3), `\n${base}`, base.replace('name_2500', 'n\n\n'), base.toUpperCase(), '', base]) {
    assert.deepEqual(physicalLines(text), text.split('\n'));
  }
});

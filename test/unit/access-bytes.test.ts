// An exact-match table read from bytes (tables/access-bytes.ts) equals the
// text parser's table of the decoded text: entries, duplicates, lookups,
// problems and Postfix's warnings; where the bytes hold what only the text
// parser reads (non-ASCII, NUL, continued or indented lines, bad quotes,
// alias-style keys, networks as keys), it gives up and the caller parses the
// text. A clean table is linted without its text ever being decoded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAccessTable } from '../../server/src/engine/tables/access-parse';
import { parseAccessBytes, plainAscii } from '../../server/src/engine/tables/access-bytes';
import { clearParseMemo } from '../../server/src/engine/tables/memo';
import { lintTargets } from '../../server/src/engine/lint';
import { diskReader } from '../../server/src/disk/read-file';
import { accessTableView } from '../helpers/access-view';

const PIECES = ['a@x OK', 'A@X REJECT', 'b@y DUNNO', ' continued', '\t more', '# note', '  # indented note', '', '   ', 'key', '"q k" v', '"q k v', '10.0.0.0/8 OK', 'a/b OK', 'c: d', 'a@x  OK ', 'x\ty', '\r', 'k\\ x v', 'k\\', 'é@x OK', 'z\0 OK', 'B@Y\tREJECT 5.7.1 no\r', 'k v\\'];

const view = accessTableView;

const bytesOf = (text: string) => Buffer.from(text, 'utf8');

describe('access table read from bytes', () => {
  test('equals the text parser wherever it reads the bytes, and gives up where it must', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), fc.boolean(), fc.boolean(), (lines, trailing, fold) => {
        const text = lines.join('\n') + (trailing ? '\n' : '');
        const bytes = bytesOf(text);
        const fromBytes = parseAccessBytes(bytes, () => bytes.toString('utf8'), 'access', { fold });
        clearParseMemo();
        const fromText = parseAccessTable(text, 'access', { fold });
        const simple = lines.every((l) => !/^[ \t\r]+[^ \t\r#]|["\0é:]|\/\d|\\$/.test(l) && (l.trim() === '' || l.trimStart().startsWith('#') || /^\S+[ \t]+\S/.test(l)));
        if (fromBytes === undefined) {
          assert.ok(!simple || !plainAscii(bytes) || /\//.test(text), `gave up on a simple text: ${JSON.stringify(text)}`);
          return;
        }
        read++;
        assert.deepEqual(view(fromBytes), view(fromText), JSON.stringify(text));
        assert.equal(fromBytes.text, text);
      }),
      { numRuns: 600 },
    );
    assert.ok(read > 50, `only ${read} texts were read from bytes`);
  });

  test('duplicates and hash collisions are judged on the bytes', () => {
    // 200,000 distinct keys: FNV-1a collisions among them are compared byte by byte, without decoding the text.
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`user${i}@example${i % 1000}.com REJECT ${i}`);
    let bytes = bytesOf(lines.join('\n') + '\n');
    let decoded = 0;
    const distinct = parseAccessBytes(bytes, () => (decoded++, ''), 'access')!;
    assert.equal(distinct.duplicates.size, 0);
    assert.deepEqual(distinct.problems, []);
    assert.equal(decoded, 0, 'the duplicate search decoded the text');
    // The same with duplicates in other case: found as the text parser finds them (their warnings need the text).
    for (let i = 0; i < 50; i++) lines.push(`USER${i * 997}@EXAMPLE${(i * 997) % 1000}.COM OK`);
    const text = lines.join('\n') + '\n';
    bytes = bytesOf(text);
    const table = parseAccessBytes(bytes, () => bytes.toString('utf8'), 'access')!;
    clearParseMemo();
    const ref = parseAccessTable(text, 'access');
    assert.equal(table.duplicates.size, 50);
    assert.deepEqual([...table.duplicates].sort((a, b) => a[0] - b[0]), [...ref.duplicates].sort((a, b) => a[0] - b[0]));
    assert.deepEqual(table.problems, ref.problems);
  });

  test('lintTargets reads a clean map from disk without decoding its text, and a map with findings as before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-access-bytes-'));
    try {
      const clean = join(dir, 'access');
      const dirty = join(dir, 'other');
      writeFileSync(clean, Array.from({ length: 1000 }, (_, i) => `u${i}@x.example REJECT`).join('\n') + '\n');
      writeFileSync(dirty, 'a@x OK\nA@X REJECT\n  orphan\n10.0.0.0/8 OK\n');
      const disk = diskReader('utf8');
      let decoded = 0;
      const counting = {
        ...disk,
        readSource(p: string) {
          const s = disk.readSource!(p);
          return s && { bytes: s.bytes, text: () => (decoded++, s.text()) };
        },
      };
      assert.deepEqual(lintTargets([clean], counting).problems, []);
      assert.equal(decoded, 0);
      const textOnly = { ...disk, readSource: undefined };
      const viaBytes = lintTargets([dirty], counting).problems;
      assert.ok(viaBytes.length >= 3);
      assert.deepEqual(viaBytes, lintTargets([dirty], textOnly).problems);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

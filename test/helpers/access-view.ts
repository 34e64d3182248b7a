// Everything a consumer can see of an exact-match table, as plain data: two
// parses that must agree (a splice and a parse from scratch, bytes and text)
// are compared through it.
import type { AccessTable } from '../../server/src/engine/tables/access';

export function accessTableView(t: AccessTable) {
  const entries = [...t.entries()];
  return {
    count: t.count,
    entries,
    duplicates: [...t.duplicates].sort((a, b) => a[0] - b[0]),
    lookups: entries.map((e) => t.lookup(e.key)?.index ?? -1),
    problems: t.problems,
    texthash: t.postfixWarnings('texthash', t.file),
    build: t.postfixWarnings('build', t.file),
    lineCount: t.src.lineCount,
  };
}

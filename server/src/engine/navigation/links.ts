// Document links: each table path a configuration file names opens the file
// Postfix reads for it, found by the configuration's own resolver (beside
// main.cf in a repository copy, at its path on a live system: config.ts and
// config-files.ts). The type word of an indexed table (`hash`, `lmdb`, ...)
// opens the compiled sibling (`.db`, `.lmdb`) when it exists, so the two are
// one click apart without overlapping links.

import type { PostfixConfig, TableUse } from '../config';
import type { Range } from '../types';

export interface DocumentLinkTarget {
  range: Range;
  file: string;
  tooltip: string;
}

/** `[a, b)` of the table token, in document coordinates (a token never spans lines). */
function span(use: TableUse, a: number, b: number): Range | undefined {
  const r = use.range;
  if (r.start.line !== r.end.line) return undefined;
  const from = r.start.character + (a - use.ref.start);
  const to = r.start.character + (b - use.ref.start);
  if (from < r.start.character || to > r.end.character || from >= to) return undefined;
  return { start: { line: r.start.line, character: from }, end: { line: r.start.line, character: to } };
}

export function documentLinks(config: PostfixConfig, file: string, exists: (path: string) => boolean): DocumentLinkTarget[] {
  const out: DocumentLinkTarget[] = [];
  for (const use of config.tables) {
    // proxy:hash:/x: the inner reference carries the same files and a narrower range.
    if (use.file !== file || use.ref.type === 'proxy') continue;
    const { source, config: clientFile, indexed } = use.files;
    const target = source ?? clientFile;
    // Written with a $name, the offsets cover the whole token: link all of it.
    const pathRange = use.ref.written ? use.range : span(use, use.ref.nameStart, use.ref.end);
    if (target && pathRange && exists(target)) {
      out.push({ range: pathRange, file: target, tooltip: clientFile && !source ? `Open the ${use.ref.type} client configuration ${target}` : `Open the table ${target}` });
    }
    const compiled = indexed?.find(exists);
    const typeRange = use.ref.written ? undefined : span(use, use.ref.start, use.ref.nameStart - 1);
    if (compiled && typeRange) out.push({ range: typeRange, file: compiled, tooltip: `Open the compiled table ${compiled} (postmap output)` });
  }
  return out;
}

// Editors hide a UTF-8 byte order mark: VS Code and Neovim drop the three
// bytes EF BB BF from the buffer and write them back on save. Postfix reads
// them as part of line 1 (PF181), so the workspace gives the engine an open
// main.cf with the mark in front when its file has one, and the problems on
// line 1 are given back in the editor's terms (one character less).

import { readFileHead } from '../disk/read-file';
import { documentKind } from '../engine/lint';
import type { Problem, Range } from '../engine/types';

const BOM = [0xef, 0xbb, 0xbf];

/** Whether the file on disk starts with a UTF-8 byte order mark. */
export function bomOnDisk(path: string): boolean {
  const head = readFileHead(path, 3);
  return head !== undefined && head.length === 3 && BOM.every((b, i) => head[i] === b);
}

function unshift(r: Range): Range {
  const at = (p: Range['start']) => (p.line === 0 ? { line: 0, character: Math.max(0, p.character - 1) } : p);
  return { start: at(r.start), end: at(r.end) };
}

/** Whether an open main.cf buffer lacks the byte order mark its file on disk starts with (the editor hid it). */
export function bomHiddenByEditor(path: string, text: string): boolean {
  return documentKind(path) === 'main' && !text.startsWith('\ufeff') && bomOnDisk(path);
}

/** The engine saw the buffer with the mark in front: give line-1 positions back in the editor's terms. */
export function inEditorTerms(problems: Problem[], path: string): Problem[] {
  return problems.map((p) =>
    p.file !== path
      ? p
      : {
          ...p,
          range: unshift(p.range),
          // The mark is not in the buffer, so no edit can delete it (PF181's fix is for the CLI and editors that show it).
          ...(p.fixes ? { fixes: p.code === 'PF181' ? [] : p.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => (e.file === path ? { ...e, range: unshift(e.range) } : e)) })) } : {}),
        },
  );
}

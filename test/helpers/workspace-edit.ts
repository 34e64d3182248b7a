// Applying LSP WorkspaceEdits in tests as an editor would: text edits to a
// text, and a whole WorkspaceEdit (documentChanges when present: files
// created first, then edits; else `changes`) to the files on disk.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';

function offsetAt(text: string, p: { line: number; character: number }): number {
  let off = 0;
  for (let l = 0; l < p.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return Math.min(off + p.character, text.length);
}

/** Applies LSP text edits (non-overlapping, any order; insertions at one point in array order) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = edits
    .map((e, i) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText, i }))
    .sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    assert.ok(e.end <= limit, `overlapping edits: ${JSON.stringify(edits)}`);
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** Applies a WorkspaceEdit to the files on disk; returns the paths it wrote. */
export function applyWorkspaceEdit(edit: WorkspaceEdit): string[] {
  const written: string[] = [];
  if (edit.documentChanges) {
    for (const dc of edit.documentChanges) {
      if ('kind' in dc) {
        assert.equal(dc.kind, 'create', `unexpected resource operation ${JSON.stringify(dc)}`);
        const path = fileURLToPath(dc.uri);
        if (!existsSync(path)) writeFileSync(path, '');
        written.push(path);
      } else {
        const path = fileURLToPath(dc.textDocument.uri);
        writeFileSync(path, applyEdits(readFileSync(path, 'utf8'), dc.edits as TextEdit[]));
        written.push(path);
      }
    }
  } else {
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      const path = fileURLToPath(uri);
      writeFileSync(path, applyEdits(readFileSync(path, 'utf8'), edits));
      written.push(path);
    }
  }
  return [...new Set(written)];
}

/**
 * The URIs whose TextDocumentEdits an editor refuses: those naming a version
 * other than the open document's now (`versions`: URI → version of the open
 * texts). Version null applies to whatever the file holds.
 */
export function refusedEdits(edit: WorkspaceEdit, versions: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const dc of edit.documentChanges ?? []) {
    if ('textDocument' in dc && dc.textDocument.version !== null && dc.textDocument.version !== versions.get(dc.textDocument.uri)) out.push(dc.textDocument.uri);
  }
  return out;
}

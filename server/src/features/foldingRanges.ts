// Folding: comment blocks, values continued over several lines (which in
// master.cf are whole services with their -o options), and if/endif blocks
// in regexp/pcre tables.

import { FoldingRange, FoldingRangeKind } from './lsp';
import { CommentLine, LogicalLine, readLogicalLines } from '../engine/lines';
import { parseMainCf } from '../engine/maincf/parse';
import { parseMasterCf } from '../engine/mastercf';
import type { Feature } from './context';
import type { DocumentKind } from './documentKind';

function commentBlocks(comments: CommentLine[]): FoldingRange[] {
  const out: FoldingRange[] = [];
  let start = -1;
  let prev = -2;
  const close = () => {
    if (start >= 0 && prev > start) out.push({ startLine: start, endLine: prev, kind: FoldingRangeKind.Comment });
  };
  for (const c of comments) {
    if (c.line !== prev + 1) {
      close();
      start = c.line;
    }
    prev = c.line;
  }
  close();
  return out;
}

function multiLine(lines: { firstLine: number; lastLine: number }[]): FoldingRange[] {
  return lines.filter((l) => l.lastLine > l.firstLine).map((l) => ({ startLine: l.firstLine, endLine: l.lastLine }));
}

/** `if /re/` … `endif` (nestable); the `endif` line stays visible when folded. */
function conditionalBlocks(lines: LogicalLine[]): FoldingRange[] {
  const out: FoldingRange[] = [];
  const open: number[] = [];
  for (const l of lines) {
    if (/^if\s/.test(l.text)) open.push(l.firstLine);
    else if (/^endif\s*$/.test(l.text)) {
      const start = open.pop();
      if (start !== undefined && l.firstLine - 1 > start) out.push({ startLine: start, endLine: l.firstLine - 1 });
    }
  }
  return out;
}

export function foldingRangesFor(text: string, kind: DocumentKind): FoldingRange[] {
  let ranges: FoldingRange[];
  if (kind === 'main') {
    const cf = parseMainCf(text);
    ranges = [...commentBlocks(cf.comments), ...multiLine(cf.entries.map((e) => e.logical))];
  } else if (kind === 'master') {
    const cf = parseMasterCf(text);
    ranges = [...commentBlocks(cf.comments), ...multiLine(cf.services.map((s) => ({ firstLine: s.line, lastLine: s.lastLine })))];
  } else {
    const ll = readLogicalLines(text);
    ranges = [...commentBlocks(ll.comments), ...multiLine(ll.lines), ...conditionalBlocks(ll.lines)];
  }
  return ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

export const foldingRanges: Feature = {
  name: 'foldingRanges',
  capabilities: { foldingRangeProvider: true },
  register(ctx) {
    ctx.connection.onFoldingRanges(
      ctx.guard('foldingRange', null, (params) => {
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return null;
        return foldingRangesFor(document.getText(), ctx.workspace.describe(document).kind);
      }),
    );
  },
};

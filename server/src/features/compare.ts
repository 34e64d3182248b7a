// postfix/compare { uri, oldDir, oldLabel?, newLabel? } → CompareResponse:
// what the configuration of `uri` (open buffers included, so unsaved edits
// count) does to mail differently from the one in `oldDir`, as the same
// report `postfix-lint diff --format markdown` prints. The client makes
// oldDir (a folder the user picked, or a git revision it checked out after
// asking); the server reads files only.

import { RequestType } from './lsp';
import { behaviourOf } from '../engine/review/behaviour';
import { diffBehaviour, isEmptyDiff } from '../engine/review/diff';
import { summary, toMarkdown } from '../engine/review/report';
import type { Feature } from './context';
import { analysisOptions } from './settings';
import { workspaceConfigForUri } from './simulate';

export const COMPARE_REQUEST = 'postfix/compare';

export interface CompareParams {
  uri: string;
  oldDir: string;
  oldLabel?: string;
  newLabel?: string;
}

export type CompareResponse =
  | { error: string }
  | { markdown: string; summary: string; empty: boolean; opensRelay: boolean; newDir: string };

export const CompareRequest = new RequestType<CompareParams, CompareResponse, void>(COMPARE_REQUEST);

export const compare: Feature = {
  name: 'compare',
  capabilities: {},
  register(ctx) {
    ctx.connection.onRequest(
      CompareRequest,
      ctx.guard(COMPARE_REQUEST, { error: `${COMPARE_REQUEST} failed; see the server log` } as CompareResponse, (p: CompareParams): CompareResponse => {
        const loc = workspaceConfigForUri(ctx.workspace)(p.uri);
        if (!loc) return { error: `no main.cf found for ${p.uri}` };
        const ws = ctx.workspace;
        const reader = {
          readText: (f: string) => ws.readText(f),
          mtimeMs: (f: string) => ws.mtimeMs(f),
          realPath: (f: string) => ws.realPath(f),
          listDirectory: (f: string) => ws.listDirectory(f),
          unreadable: (f: string) => ws.unreadable(f),
          isDirectory: (f: string) => ws.listDirectory(f) !== undefined,
        };
        if (!reader.isDirectory(p.oldDir)) return { error: `${p.oldLabel ?? p.oldDir} is not a directory` };
        // Both sides judged alike, as the CLI does: a repository copy unless the user chose live.
        const { version, mode } = analysisOptions();
        const options = { version, mode: mode ?? 'repository' };
        const before = behaviourOf(p.oldDir, reader, options);
        const after = behaviourOf(loc.dir, reader, options);
        if (!before.exists) return { error: `${p.oldLabel ?? p.oldDir} has no main.cf` };
        const d = diffBehaviour(before, after);
        const labels = { old: p.oldLabel ?? p.oldDir, new: p.newLabel ?? loc.dir };
        return { markdown: toMarkdown(d, labels), summary: summary(d), empty: isEmptyDiff(d), opensRelay: d.cells.some((c) => c.opensRelay), newDir: loc.dir };
      }),
    );
  },
};

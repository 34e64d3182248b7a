// Pushes diagnostics (Neovim 0.7 has no pull diagnostics). Analysis is
// debounced, and one edit re-lints every open file of the same config
// directory, because main.cf, master.cf and the tables judge each other.

import { Diagnostic, DiagnosticSeverity, DidChangeWatchedFilesNotification } from 'vscode-languageserver/node';
import { isAbsolute, resolve } from 'node:path';
import type { Problem, Severity } from '../engine/types';
import { lintDocument } from '../engine/lint';
import { ruleDocUrl } from '../engine/codes';
import { describeError, Feature, ServerContext } from './context';
import type { OpenDocument } from './workspace';
import { uriToPath } from './workspace';
import { analysisOptions, onSettingsChanged } from './settings';

/** Neovim's client debounces changes by 150 ms too; re-linting a typical config takes 10-20 ms. */
export const DEBOUNCE_MS = 150;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(p: Problem): Diagnostic {
  return {
    range: p.range,
    severity: SEVERITY[p.severity] ?? DiagnosticSeverity.Warning,
    code: p.code,
    codeDescription: { href: ruleDocUrl(p.code) },
    source: 'postfix',
    message: p.message,
    data: { category: p.category },
  };
}

/** Problems the engine attributes to another file are that file's business. */
function belongsTo(p: Problem, path: string): boolean {
  return !p.file || !isAbsolute(p.file) || resolve(p.file) === path;
}

class Relinter {
  private readonly dirtyDirs = new Set<string>();
  private tableChanged = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ServerContext) {}

  /** Marks a file's directory for re-analysis after `delayMs` of quiet. */
  schedule(doc: Pick<OpenDocument, 'dir' | 'kind'>, delayMs: number): void {
    this.dirtyDirs.add(doc.dir);
    // A table may be referenced by absolute path from any main.cf or master.cf.
    if (doc.kind === 'map') this.tableChanged = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    this.timer = undefined;
    const dirs = new Set(this.dirtyDirs);
    const tableChanged = this.tableChanged;
    this.dirtyDirs.clear();
    this.tableChanged = false;
    for (const od of this.ctx.workspace.open()) {
      if (dirs.has(od.dir) || (tableChanged && od.kind !== 'map')) this.publish(od);
    }
  }

  private publish(od: OpenDocument): void {
    const { document, path } = od;
    let problems: Problem[];
    try {
      problems = lintDocument(path, document.getText(), this.ctx.workspace, { ...analysisOptions(), kind: od.kind });
    } catch (e) {
      // Keep the previous diagnostics; a bug report beats a dead server.
      this.ctx.log.error(`lint ${path} failed: ${describeError(e)}`);
      return;
    }
    const diagnostics = problems.filter((p) => belongsTo(p, path)).map(toDiagnostic);
    void this.ctx.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }
}

export const diagnostics: Feature = {
  name: 'diagnostics',
  capabilities: {},
  initialized(ctx, client) {
    // Files changed on disk (a checkout, postmap, another editor) can change the
    // verdict on open files. Any file may be a lookup table, hence '**/*'.
    if (client.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void ctx.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] });
    }
  },
  register(ctx) {
    const relinter = new Relinter(ctx);
    // A new target version changes the verdict on every open file.
    onSettingsChanged(() => ctx.workspace.open().forEach((od) => relinter.schedule(od, 0)));
    const justOpened = new Set<string>();
    const safely = (name: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        ctx.log.error(`${name} failed: ${describeError(e)}`);
      }
    };
    // TextDocuments fires onDidOpen and then onDidChangeContent for an open.
    ctx.documents.onDidOpen((e) => justOpened.add(e.document.uri));
    ctx.documents.onDidChangeContent((e) =>
      safely('re-lint', () => {
        const opened = justOpened.delete(e.document.uri);
        relinter.schedule(ctx.workspace.describe(e.document), opened ? 0 : DEBOUNCE_MS);
      }),
    );
    ctx.documents.onDidClose((e) =>
      safely('close', () => {
        justOpened.delete(e.document.uri);
        void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
        // Siblings now read this file from disk again.
        relinter.schedule(ctx.workspace.describe(e.document), 0);
      }),
    );
    ctx.connection.onDidChangeWatchedFiles((params) =>
      safely('watched files', () => {
        for (const change of params.changes) {
          if (uriToPath(change.uri)) relinter.schedule(ctx.workspace.locate(change.uri), DEBOUNCE_MS);
        }
      }),
    );
  },
};

// Whole-workspace diagnostics: the findings of every Postfix configuration in
// the workspace folders, including files never opened, so the Problems panel
// shows a repository's state. The configuration directories are found on the
// disk (disk/find-config-dirs.ts) and each is analysed by the shared analysis
// (analysis.ts), the same one open documents use; a file's findings are
// exactly what it would show when opened.
//
// Open documents stay with diagnostics.ts (pushed or pulled, per keystroke);
// this module reports files that are not open, the same way:
// - clients with pull diagnostics get workspace/diagnostic reports (held open
//   until something changes, then answered with what changed; open documents
//   are in them too, from their buffers, for a client that pulls only the
//   documents it shows in a tab, as VS Code does), and
//   textDocument/diagnostic answers for a closed file (VS Code asks once more
//   when a file closes), through diagnostics.ts, which owns that request;
// - other clients get publishDiagnostics for the closed files.
// Result ids are diagnostics.ts's (a hash of what is shown), so a file's id is
// the same whichever request reports it.
// `postfix.workspaceDiagnostics: false` turns it off (huge workspaces).
// The tree is walked at start, when the setting changes, when workspace
// folders are added or removed, and when a main.cf or master.cf outside the
// configurations found is opened or reported created, changed or deleted: the
// server watches only those two names in the whole tree (one glob per folder),
// besides the files the analyses read (diagnostics.ts).

import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  CancellationToken,
  Diagnostic,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReport,
  WatchKind,
  WorkspaceDiagnosticReport,
  WorkspaceDocumentDiagnosticReport,
  type ClientCapabilities,
  type Disposable,
} from './lsp';
import { findConfigDirsSteps } from '../disk/find-config-dirs';
import type { Analysis } from './analysis';
import { describeError, Feature, ServerContext } from './context';
import { clientPullsDiagnostics, DEBOUNCE_MS, fileDiagnosticsInSteps, globEscape, onWatchedFilesChanged, openDocumentDiagnostics, refreshWatchers, setClosedFileReporter } from './diagnostics';
import { onWorkspaceFoldersChanged } from './workspaceFolders';
import { currentSettings, onSettingsChanged, settingsSettled } from './settings';
import { pathToUri, uriToPath } from './workspace';
import { runSteps } from './priority';

interface FileReport {
  uri: string;
  path: string;
  diagnostics: Diagnostic[];
  /** Changes whenever the diagnostics do (the pull model's resultId). */
  resultId: string;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

class WorkspaceReporter {
  private dirs: string[] = [];
  private discovered: Promise<void> | undefined;
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Pushed diagnostics per URI (push mode), as their resultId. */
  private readonly pushed = new Map<string, string>();
  /** Held workspace/diagnostic requests waiting for a change. */
  private waiters: (() => void)[] = [];

  /** The registration watching main.cf and master.cf in the whole tree, and the folders it covers. */
  private treeWatch: { key: string; registration?: Promise<Disposable> } = { key: '' };

  constructor(private readonly ctx: ServerContext) {}

  /** The workspace folders now (they change with workspace/didChangeWorkspaceFolders). */
  get roots(): string[] {
    return this.ctx.roots;
  }

  /**
   * Watches for main.cf and master.cf created or deleted anywhere in the
   * folders (a checkout, a copy, a new role): the walk runs again when one is.
   */
  watchTree(client: ClientCapabilities): void {
    const watch = client.workspace?.didChangeWatchedFiles;
    if (watch?.dynamicRegistration !== true) return;
    const pattern = '**/{main.cf,master.cf}';
    const kind = WatchKind.Create | WatchKind.Delete;
    const watchers = this.roots.map((r) => (watch.relativePatternSupport === true ? { globPattern: { baseUri: pathToUri(r), pattern }, kind } : { globPattern: `${globEscape(r)}/${pattern}`, kind }));
    const key = JSON.stringify(watchers);
    if (key === this.treeWatch.key) return;
    const previous = this.treeWatch.registration;
    this.treeWatch = { key };
    void previous?.then((d) => d.dispose()).catch(() => undefined);
    if (watchers.length === 0) return;
    const registration = this.ctx.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers });
    registration.catch((e) => this.ctx.log.error(`watching for new configurations failed: ${describeError(e)}`));
    this.treeWatch.registration = registration;
  }

  private get enabled(): boolean {
    return currentSettings().workspaceDiagnostics && this.roots.length > 0;
  }

  /** Looks for configuration directories again (at start, when one appears or goes, when the setting changes). */
  rediscover(): Promise<void> {
    const run = async () => {
      if (!this.enabled) {
        this.dirs = [];
      } else {
        const found = (await runSteps(findConfigDirsSteps(this.roots)))!;
        this.dirs = found.dirs;
        if (found.truncated) this.ctx.log.info(`workspace diagnostics: stopped looking for configuration directories at a limit; ${found.dirs.length} found`);
      }
      this.ctx.analyses.pinned = new Set(this.dirs);
    };
    this.discovered = (this.discovered ?? Promise.resolve()).then(run).catch((e) => this.ctx.log.error(`workspace diagnostics: finding configurations failed: ${describeError(e)}`));
    return this.discovered;
  }

  /** Something changed: report again after `delayMs` of quiet. */
  schedule(delayMs: number): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((e) => this.ctx.log.error(`workspace diagnostics failed: ${describeError(e)}`));
    }, delayMs);
  }

  /** The configuration directories found; walks the tree now when workspace diagnostics are off. */
  async configDirs(): Promise<string[]> {
    await settingsSettled;
    await this.discovered;
    if (this.enabled) return this.dirs;
    return (await runSteps(findConfigDirsSteps(this.roots)))!.dirs;
  }

  /** Whether a directory is among the configurations found (or lies outside the workspace folders). */
  knows(dir: string): boolean {
    return this.dirs.includes(dir) || !this.roots.some((r) => dir === r || dir.startsWith(`${r}/`));
  }

  /** An open document's diagnostics belong to diagnostics.ts; when it closes, it is ours again. */
  release(uri: string): void {
    this.pushed.delete(uri);
  }

  /**
   * The files of every configuration found, open or not, with their findings.
   * A table named by several configurations is reported as its own
   * directory's configuration judges it (as when it is opened), else as the first.
   */
  async collect(isStale: () => boolean): Promise<Map<string, FileReport> | undefined> {
    // Before the settings are known, there is nothing to say yet (a request that came early waits).
    await settingsSettled;
    await this.discovered;
    const out = new Map<string, FileReport>();
    if (!this.enabled) return out;
    for (const dir of this.dirs) {
      const analysis: Analysis | undefined = await this.ctx.analyses.computeDir(dir, isStale);
      if (!analysis) return undefined;
      for (const [path, problems] of this.ctx.analyses.filesOf(analysis)) {
        const uri = pathToUri(path);
        const had = out.get(uri);
        if (had && dirname(path) !== dir) continue;
        if (!had && !isRegularFile(path)) continue;
        const made = await fileDiagnosticsInSteps(problems, isStale);
        if (!made) return undefined;
        out.set(uri, { uri, path, ...made });
      }
    }
    refreshWatchers();
    return out;
  }

  private isOpen(uri: string): boolean {
    return this.ctx.documents.get(uri) !== undefined;
  }

  private async flush(): Promise<void> {
    const generation = this.generation;
    if (clientPullsDiagnostics()) {
      // Held requests look again; they answer only if something changed.
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
      return;
    }
    const reports = await this.collect(() => generation !== this.generation);
    if (!reports || generation !== this.generation) return;
    for (const r of reports.values()) {
      if (this.isOpen(r.uri)) {
        this.pushed.delete(r.uri);
        continue;
      }
      if (this.pushed.get(r.uri) === r.resultId) continue;
      // A file with no findings is reported only to clear what was pushed before.
      if (r.diagnostics.length === 0 && !this.pushed.has(r.uri)) continue;
      this.pushed.set(r.uri, r.resultId);
      void this.ctx.connection.sendDiagnostics({ uri: r.uri, diagnostics: r.diagnostics });
    }
    for (const uri of [...this.pushed.keys()]) {
      if (reports.has(uri)) continue;
      this.pushed.delete(uri);
      if (!this.isOpen(uri)) void this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** Resolves at the next flush (a change settled) or when the request is cancelled. */
  private nextChange(token: CancellationToken): Promise<void> {
    return new Promise((resolve) => {
      const sub = token.onCancellationRequested(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      });
      const wake = () => {
        sub.dispose();
        resolve();
      };
      this.waiters.push(wake);
    });
  }

  /**
   * workspace/diagnostic: full reports for files whose findings the client
   * does not have (by resultId; open documents from their buffers),
   * `unchanged` for the others; when
   * nothing changed since the client's last answer, the request is held until
   * something does (or the client cancels it), so the client's re-requests do
   * not poll.
   */
  async workspaceReport(previous: readonly { uri: string; value: string }[], token: CancellationToken): Promise<WorkspaceDiagnosticReport> {
    const known = new Map(previous.map((p) => [p.uri, p.value]));
    for (;;) {
      const reports = await this.collect(() => token.isCancellationRequested);
      const items: WorkspaceDocumentDiagnosticReport[] = [];
      let changed = false;
      for (const r of reports?.values() ?? []) {
        if (this.isOpen(r.uri)) continue;
        if (known.get(r.uri) === r.resultId) {
          items.push({ kind: 'unchanged', uri: r.uri, version: null, resultId: r.resultId });
        } else {
          items.push({ kind: 'full', uri: r.uri, version: null, resultId: r.resultId, items: r.diagnostics });
          changed = true;
        }
      }
      // Open documents, from their buffers and with their version: VS Code
      // pulls textDocument/diagnostic only for documents shown in a tab and
      // prefers that answer, so this is what it shows for a document open
      // without one (its tab closed, or opened by another extension). The
      // result id is the document pull's, so a pulled document is `unchanged`.
      for (const od of this.ctx.workspace.open()) {
        const now = await openDocumentDiagnostics(this.ctx, od, () => token.isCancellationRequested);
        if (!now) continue;
        const { uri, version } = od.document;
        if (known.get(uri) === now.resultId) {
          items.push({ kind: 'unchanged', uri, version, resultId: now.resultId });
        } else {
          items.push({ kind: 'full', uri, version, resultId: now.resultId, items: now.diagnostics });
          changed = true;
        }
      }
      // Files the client has findings for that are no longer part of a configuration.
      for (const uri of known.keys()) {
        if (reports?.has(uri) || this.isOpen(uri)) continue;
        items.push({ kind: 'full', uri, version: null, items: [] });
        changed = true;
      }
      if (changed || known.size === 0 || token.isCancellationRequested || !reports) return { items };
      await this.nextChange(token);
      if (token.isCancellationRequested) return { items: [] };
    }
  }

  /** textDocument/diagnostic for a closed file (diagnostics.ts answers open ones): its workspace findings. */
  async documentReport(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const reports = await this.collect(() => token.isCancellationRequested);
    const r = reports?.get(uri);
    if (!r) return { kind: 'full', items: [] };
    if (r.resultId === previousResultId) return { kind: 'unchanged', resultId: r.resultId };
    return { kind: 'full', resultId: r.resultId, items: r.diagnostics };
  }
}

const CONFIG_FILE_NAMES = new Set(['main.cf', 'master.cf']);

let reporter: WorkspaceReporter | undefined;

/** The configuration directories in the workspace folders (the walk of workspace diagnostics, or one now when that is off). */
export async function workspaceConfigDirs(): Promise<string[]> {
  return (await reporter?.configDirs()) ?? [];
}

export const workspaceDiagnostics: Feature = {
  name: 'workspaceDiagnostics',
  // diagnostics.ts announces the diagnosticProvider (it owns textDocument/diagnostic).
  capabilities: {},
  initialized(_ctx, client) {
    const r = reporter;
    if (!r) return;
    r.watchTree(client);
    onWorkspaceFoldersChanged(() => {
      r.watchTree(client);
      void r.rediscover().then(() => r.schedule(0));
    });
    if (r.roots.length === 0) return;
    // The setting may turn it off: read it before walking a huge workspace.
    void settingsSettled.then(() => r.rediscover()).then(() => r.schedule(0));
  },
  register(ctx) {
    const r = new WorkspaceReporter(ctx);
    reporter = r;
    let enabled = currentSettings().workspaceDiagnostics;
    onSettingsChanged((s) => {
      if (s.workspaceDiagnostics !== enabled) {
        enabled = s.workspaceDiagnostics;
        void r.rediscover();
      }
      r.schedule(0);
    });
    onWatchedFilesChanged((paths) => {
      if (paths.some((p) => CONFIG_FILE_NAMES.has(basename(p)))) void r.rediscover();
      r.schedule(DEBOUNCE_MS);
    });
    // A configuration directory that appeared since the walk (a checkout, a copy) is found when one
    // of its files is opened or reported changed (the server watches only the files it read, not the tree).
    ctx.documents.onDidOpen((e) => {
      r.release(e.document.uri);
      const path = uriToPath(e.document.uri);
      if (path && CONFIG_FILE_NAMES.has(basename(path)) && !r.knows(dirname(path))) void r.rediscover();
    });
    ctx.documents.onDidChangeContent(() => r.schedule(DEBOUNCE_MS));
    ctx.documents.onDidClose((e) => {
      r.release(e.document.uri);
      r.schedule(0);
    });
    setClosedFileReporter((uri, previousResultId, token) => r.documentReport(uri, previousResultId, token));
    ctx.connection.languages.diagnostics.onWorkspace(
      ctx.guard('workspace/diagnostic', { items: [] } as WorkspaceDiagnosticReport, (params, token) => r.workspaceReport(params.previousResultIds ?? [], token)),
    );
  },
};

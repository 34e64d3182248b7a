// The findings of open documents, delivered the way the client takes them:
// pulled (textDocument/diagnostic, LSP 3.17) when the client declares it,
// pushed (publishDiagnostics; Neovim 0.7 has no pull) otherwise, never both.
// Either way they come from the same place: the debounced analysis shared per
// configuration directory (analysis.ts), where main.cf, master.cf and the
// tables judge each other, so one edit can change the findings of every open
// file that reads the edited one, and a table or setting that changes can
// change them without any edit.
//
// Each document's findings carry a result id (a hash of what is shown), so a
// pull whose previous result id still holds is answered `unchanged`. When a
// re-analysis (an edit, a watched file, a setting, a .postfix-lint.json)
// changes what a pulling client was last given for some document, the server
// sends workspace/diagnostic/refresh and the client pulls again.
// Closed files (workspace diagnostics, issue 12) are answered by
// workspaceDiagnostics.ts through `closedFileReport`.

import type * as Crypto from 'node:crypto';
import {
  CancellationToken,
  Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReport,
  LSPErrorCodes,
  ResponseError,
} from './lsp';
import { basename, dirname } from 'node:path';
import type { Problem, ProblemTag, Severity } from '../engine/types';
import { CONFIG_FILE_NAME } from '../engine/rule-settings';
import { ruleDocUrl } from '../engine/codes';
import type { Analysis } from './analysis';
import { describeError, Feature, ServerContext } from './context';
import type { OpenDocument } from './workspace';
import { pathToUri, uriToPath } from './workspace';
import { runSteps } from './priority';
import { pushAll } from '../engine/arrays';
import { DIAGNOSTICS_PER_STEP, type Steps } from '../engine/steps';
import { onSettingsChanged, ruleSettingsFilesChanged, settingsGeneration } from './settings';

/** Neovim's client debounces changes by 150 ms too; re-linting a typical config takes 10-20 ms. */
export const DEBOUNCE_MS = 150;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const TAG: Record<ProblemTag, DiagnosticTag> = { unnecessary: DiagnosticTag.Unnecessary, deprecated: DiagnosticTag.Deprecated };

function tagsOf(tags: ProblemTag[] | undefined): DiagnosticTag[] | undefined {
  const out = (tags ?? []).map((t) => TAG[t]).filter((t) => t !== undefined);
  return out.length ? out : undefined;
}

export function toDiagnostic(p: Problem): Diagnostic {
  const tags = tagsOf(p.tags);
  return {
    range: p.range,
    severity: SEVERITY[p.severity] ?? DiagnosticSeverity.Warning,
    code: p.code,
    codeDescription: { href: ruleDocUrl(p.code) },
    source: 'postfix',
    message: p.message,
    data: { category: p.category },
    ...(tags ? { tags } : {}),
    // The other places of the same mistake (clients without support ignore it).
    ...(p.related?.length ? { relatedInformation: p.related.map((r) => ({ location: { uri: pathToUri(r.file), range: r.range }, message: r.message })) } : {}),
  };
}

/**
 * A problem's diagnostics: its own, plus a hint for each related place of the
 * same file that is dead text (the setting an override makes useless), which
 * editors draw faded; a client only fades a diagnostic's own range.
 */
export function toDiagnostics(p: Problem): Diagnostic[] {
  const out = [toDiagnostic(p)];
  for (const r of p.related ?? []) {
    const tags = r.file === p.file ? tagsOf(r.tags) : undefined;
    if (!tags) continue;
    out.push({ range: r.range, severity: DiagnosticSeverity.Hint, code: p.code, codeDescription: { href: ruleDocUrl(p.code) }, source: 'postfix', message: r.message, data: { category: p.category }, tags });
  }
  return out;
}

/** What a client is given for one file: its diagnostics and their result id. */
export interface FileDiagnostics {
  diagnostics: Diagnostic[];
  /** Changes exactly when the diagnostics do (the pull model's resultId). */
  resultId: string;
}

/**
 * node:crypto, loaded when a result id is first asked for: loading it starts
 * OpenSSL (10-30 ms of the server's start on a loaded machine), and a client
 * that takes pushed diagnostics never asks for one.
 */
let crypto: typeof Crypto | undefined;

/**
 * The diagnostics of a file's problems (rule settings already applied), with
 * their result id (hashed when first read), made between requests; undefined
 * when `isStale()` turns true on the way.
 */
export async function fileDiagnosticsInSteps(problems: readonly Problem[], isStale: () => boolean): Promise<FileDiagnostics | undefined> {
  const diagnostics = await runSteps(diagnosticsSteps(problems), isStale);
  return diagnostics && withResultId(diagnostics);
}

/** The diagnostics of problems, DIAGNOSTICS_PER_STEP at a time (10,000 findings were one piece of 40-200 ms after the analysis). */
function* diagnosticsSteps(problems: readonly Problem[]): Steps<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (let i = 0; i < problems.length; i++) {
    if (i > 0 && i % DIAGNOSTICS_PER_STEP === 0) yield 'diagnostics';
    pushAll(out, toDiagnostics(problems[i]));
  }
  return out;
}

function withResultId(diagnostics: Diagnostic[]): FileDiagnostics {
  let resultId: string | undefined;
  return Object.defineProperty({ diagnostics } as FileDiagnostics, 'resultId', {
    enumerable: true,
    get: () => (resultId ??= (crypto ??= require('node:crypto') as typeof Crypto).createHash('sha1').update(JSON.stringify(diagnostics)).digest('hex')),
  });
}

/**
 * An open document's findings now, from its configuration's shared analysis;
 * undefined when `isStale()` turned true on the way. The document pull, the
 * push and the workspace report (workspaceDiagnostics.ts) all answer with it.
 */
export async function openDocumentDiagnostics(ctx: ServerContext, od: OpenDocument, isStale: () => boolean): Promise<(FileDiagnostics & { serial: number }) | undefined> {
  const analysis: Analysis | undefined = await ctx.analyses.compute(od.document, isStale);
  if (!analysis || isStale()) return undefined;
  const made = await fileDiagnosticsInSteps(ctx.analyses.problemsFor(od.document, analysis), isStale);
  if (!made) return undefined;
  // Not spread: that would read (hash) the result id, which a push never needs.
  return Object.assign(made, { serial: analysis.serial });
}

/** Called with the paths of every didChangeWatchedFiles batch, after the workspace forgot them (workspaceDiagnostics.ts listens). */
const watchedFilesListeners: ((paths: string[]) => void)[] = [];
export function onWatchedFilesChanged(listener: (paths: string[]) => void): void {
  watchedFilesListeners.push(listener);
}

/** Registers watchers for what the analyses read now (workspace diagnostics analyses files no open document reads). */
export let refreshWatchers: () => void = () => undefined;

/** textDocument/diagnostic for a file that is not open: workspaceDiagnostics.ts answers (nothing when it is off). */
type ClosedFileReporter = (uri: string, previousResultId: string | undefined, token: CancellationToken) => Promise<DocumentDiagnosticReport>;
let closedFileReporter: ClosedFileReporter = async () => ({ kind: 'full', items: [] });
export function setClosedFileReporter(reporter: ClosedFileReporter): void {
  closedFileReporter = reporter;
}

/** The client pulls diagnostics (it declared textDocument.diagnostic): nothing is pushed to it. */
let pullMode = false;
export function clientPullsDiagnostics(): boolean {
  return pullMode;
}
/** The client takes workspace/diagnostic/refresh. */
let refreshSupport = false;

/** LSP 3.17 relative patterns (`{ baseUri, pattern }`), when the client takes them. */
let relativePatterns = false;
let canWatch = false;

/**
 * Re-analyses after `delayMs` of quiet and delivers what changed. Every open
 * document asks its configuration's shared analysis (analysis.ts), which is
 * recomputed only when something it read changed: a keystroke anywhere lints
 * each affected configuration once, and a change elsewhere lints nothing.
 * A newer change abandons an analysis under way (it yields between phases).
 */
class Relinter {
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every change that can make an analysis stale. */
  private generation = 0;
  /**
   * Push: what the last publication was of (analysis, version, settings: a
   * client waiting for a version's diagnostics gets them even when they did
   * not change). Pull: the result id last answered.
   */
  private readonly delivered = new Map<string, string>();
  /** Pull: documents with a textDocument/diagnostic under way (their answer will be current). */
  private readonly pulling = new Map<string, number>();
  private watching: { key: string; registration?: Promise<{ dispose(): void }> } = { key: '' };

  constructor(private readonly ctx: ServerContext) {}

  /** Something changed: analyses under way are stale; look again after `delayMs` of quiet. */
  schedule(delayMs: number): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((e) => this.ctx.log.error(`re-lint failed: ${describeError(e)}`));
    }, delayMs);
  }

  forget(uri: string): void {
    this.delivered.delete(uri);
  }

  private async flush(): Promise<void> {
    const generation = this.generation;
    const isStale = () => generation !== this.generation;
    const open = this.ctx.workspace.open();
    this.ctx.analyses.prune(open);
    let refresh = false;
    for (const od of open) {
      let now: (FileDiagnostics & { serial: number }) | undefined;
      try {
        now = await openDocumentDiagnostics(this.ctx, od, isStale);
      } catch (e) {
        // Keep the previous diagnostics; a bug report beats a dead server.
        this.ctx.log.error(`lint ${od.path} failed: ${describeError(e)}`);
        continue;
      }
      // A newer change arrived: its own flush is scheduled.
      if (!now || isStale()) return;
      const uri = od.document.uri;
      const last = this.delivered.get(uri);
      if (pullMode) {
        // The client holds what it pulled last; a document it never pulled it pulls on its own.
        if (last !== undefined && last !== now.resultId && !this.pulling.has(uri)) refresh = true;
      } else {
        const key = `${now.serial} ${od.document.version} ${settingsGeneration()}`;
        if (last === key) continue;
        this.delivered.set(uri, key);
        void this.ctx.connection.sendDiagnostics({ uri, version: od.document.version, diagnostics: now.diagnostics });
      }
    }
    this.watch();
    if (refresh && refreshSupport) {
      // Answered by pulls, which record what they deliver: one refresh per change.
      for (const od of open) this.delivered.delete(od.document.uri);
      this.ctx.connection.languages.diagnostics.refresh().catch((e) => this.ctx.log.error(`workspace/diagnostic/refresh failed: ${describeError(e)}`));
    }
  }

  /** textDocument/diagnostic: an open document's findings from the shared analysis; a closed file's from the workspace reporter. */
  async pull(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const document = this.ctx.documents.get(uri);
    if (!document) return closedFileReporter(uri, previousResultId, token);
    this.pulling.set(uri, (this.pulling.get(uri) ?? 0) + 1);
    let now: FileDiagnostics | undefined;
    try {
      // TextDocuments updates a document object in place: its version tells an edit.
      const version = document.version;
      const isStale = () => token.isCancellationRequested || this.ctx.documents.get(uri) !== document || document.version !== version;
      now = await openDocumentDiagnostics(this.ctx, this.ctx.workspace.describe(document), isStale);
    } finally {
      const n = (this.pulling.get(uri) ?? 1) - 1;
      if (n > 0) this.pulling.set(uri, n);
      else this.pulling.delete(uri);
    }
    // Cancelled, or closed meanwhile: the client asks again if it still cares.
    if (!now) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed or closed during the analysis', { retriggerRequest: true });
    this.delivered.set(uri, now.resultId);
    if (previousResultId === now.resultId) return { kind: 'unchanged', resultId: now.resultId };
    return { kind: 'full', resultId: now.resultId, items: now.diagnostics };
  }

  /** Watches exactly the files the analyses read (tables, their .db, master.cf, ...) and the rule settings files that apply, grouped by directory. */
  watch(): void {
    if (!canWatch) return;
    const byDir = new Map<string, Set<string>>();
    const add = (p: string) => {
      if (p.startsWith('/nonexistent-untitled/')) return;
      const set = byDir.get(dirname(p)) ?? new Set<string>();
      set.add(basename(p));
      byDir.set(dirname(p), set);
    };
    const read = this.ctx.analyses.watchedPaths();
    for (const p of read) add(p);
    // The .postfix-lint.json the findings of each file are judged by is the
    // nearest above it (settings.ts): watch every place one could appear.
    const dirs = new Set([...read, ...this.ctx.workspace.open().map((od) => od.path)].map((p) => dirname(p)));
    for (const start of dirs) {
      if (start.startsWith('/nonexistent-untitled')) continue;
      for (let d = start, i = 0; i < 64; i++) {
        add(`${d === '/' ? '' : d}/${CONFIG_FILE_NAME}`);
        const up = dirname(d);
        if (up === d) break;
        d = up;
      }
    }
    const watchers = [...byDir]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([dir, names]) => {
        const list = [...names].sort();
        const pattern = list.length === 1 ? globEscape(list[0]) : `{${list.map(globEscape).join(',')}}`;
        return relativePatterns ? { globPattern: { baseUri: pathToUri(dir), pattern } } : { globPattern: `${globEscape(dir === '/' ? '' : dir)}/${pattern}` };
      });
    const key = JSON.stringify(watchers);
    if (key === this.watching.key) return;
    const previous = this.watching.registration;
    this.watching = { key };
    // Until the client confirms the new watchers, the workspace asks the disk every time.
    this.ctx.workspace.watching(undefined);
    void previous?.then((d) => d.dispose()).catch(() => undefined);
    if (watchers.length > 0) {
      const registration = this.ctx.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers });
      const covered = read.filter((p) => !p.startsWith('/nonexistent-untitled/'));
      registration.then(
        () => {
          if (this.watching.key === key) this.ctx.workspace.watching(covered);
        },
        (e) => this.ctx.log.error(`watching files failed: ${describeError(e)}`),
      );
      this.watching.registration = registration;
    }
  }
}

/** A file name as a glob that matches only itself. */
export function globEscape(name: string): string {
  return name.replace(/[\\*?[\]{}(),!]/g, (c) => `[${c}]`);
}

export const diagnostics: Feature = {
  name: 'diagnostics',
  capabilities: {},
  capabilitiesFor(client) {
    pullMode = client.textDocument?.diagnostic !== undefined;
    refreshSupport = client.workspace?.diagnostics?.refreshSupport === true;
    // workspaceDiagnostics.ts answers workspace/diagnostic (it is off without workspace folders: the report is then empty).
    return pullMode ? { diagnosticProvider: { identifier: 'postfix', interFileDependencies: true, workspaceDiagnostics: true } } : {};
  },
  initialized(_ctx, client) {
    // Files changed on disk (a checkout, postmap, another editor) can change
    // the verdict on open files: the relinter registers watchers for the
    // files the open configurations read once it knows them.
    canWatch = client.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    relativePatterns = client.workspace?.didChangeWatchedFiles?.relativePatternSupport === true;
  },
  register(ctx) {
    const relinter = new Relinter(ctx);
    refreshWatchers = () => relinter.watch();
    // A new target version changes the verdict on every open file.
    onSettingsChanged(() => relinter.schedule(0));
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
        relinter.schedule(opened ? 0 : DEBOUNCE_MS);
      }),
    );
    ctx.documents.onDidClose((e) =>
      safely('close', () => {
        justOpened.delete(e.document.uri);
        relinter.forget(e.document.uri);
        // A pulling client drops a closed document's diagnostics itself (and pulls the workspace findings).
        if (!pullMode) void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
        // Siblings now read this file from disk again.
        relinter.schedule(0);
      }),
    );
    ctx.connection.onDidChangeWatchedFiles((params) =>
      safely('watched files', () => {
        const paths: string[] = [];
        for (const change of params?.changes ?? []) {
          const path = typeof change?.uri === 'string' ? uriToPath(change.uri) : undefined;
          if (!path) continue;
          ctx.workspace.forget(path);
          paths.push(path);
        }
        if (paths.length === 0) return;
        // New rule settings change what is shown, not the analyses; the settings listeners re-lint.
        if (paths.some((p) => basename(p) === CONFIG_FILE_NAME)) ruleSettingsFilesChanged();
        relinter.schedule(DEBOUNCE_MS);
        for (const l of watchedFilesListeners) l(paths);
      }),
    );
    ctx.connection.languages.diagnostics.on(async (params, token) => {
      try {
        return await relinter.pull(params.textDocument.uri, params.previousResultId, token);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        ctx.log.error(`textDocument/diagnostic failed: ${describeError(e)}`);
        return { kind: 'full', items: [] };
      }
    });
  },
};

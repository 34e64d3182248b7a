// Pushes diagnostics (Neovim 0.7 has no pull diagnostics). Analysis is
// debounced and shared per configuration directory (analysis.ts): main.cf,
// master.cf and the tables judge each other, so one edit can change the
// diagnostics of every open file that reads the edited one.

import { Diagnostic, DiagnosticSeverity, DiagnosticTag, DidChangeWatchedFilesNotification } from 'vscode-languageserver/node';
import { basename, dirname } from 'node:path';
import type { Problem, ProblemTag, Severity } from '../engine/types';
import { ruleDocUrl } from '../engine/codes';
import type { Analysis } from './analysis';
import { describeError, Feature, ServerContext } from './context';
import type { OpenDocument } from './workspace';
import { pathToUri, uriToPath } from './workspace';
import { onSettingsChanged, settingsGeneration } from './settings';

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

/** Called with the paths of every didChangeWatchedFiles batch, after the workspace forgot them (workspaceDiagnostics.ts listens). */
const watchedFilesListeners: ((paths: string[]) => void)[] = [];
export function onWatchedFilesChanged(listener: (paths: string[]) => void): void {
  watchedFilesListeners.push(listener);
}

/** Registers watchers for what the analyses read now (workspace diagnostics analyses files no open document reads). */
export let refreshWatchers: () => void = () => undefined;

/** LSP 3.17 relative patterns (`{ baseUri, pattern }`), when the client takes them. */
let relativePatterns = false;
let canWatch = false;

/**
 * Re-analyses after `delayMs` of quiet and publishes what changed. Every open
 * document asks its configuration's shared analysis (analysis.ts), which is
 * recomputed only when something it read changed: a keystroke anywhere lints
 * each affected configuration once, and a change elsewhere lints nothing.
 * A newer change abandons an analysis under way (it yields between phases).
 */
class Relinter {
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every change that can make an analysis stale. */
  private generation = 0;
  private readonly published = new Map<string, { serial: number; version: number; count: number; settings: number }>();
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
    this.published.delete(uri);
  }

  private async flush(): Promise<void> {
    const generation = this.generation;
    const isStale = () => generation !== this.generation;
    const open = this.ctx.workspace.open();
    this.ctx.analyses.prune(open);
    for (const od of open) {
      let analysis: Analysis | undefined;
      try {
        analysis = await this.ctx.analyses.compute(od.document, isStale);
      } catch (e) {
        // Keep the previous diagnostics; a bug report beats a dead server.
        this.ctx.log.error(`lint ${od.path} failed: ${describeError(e)}`);
        continue;
      }
      // A newer change arrived: its own flush is scheduled.
      if (!analysis || isStale()) return;
      this.publish(od, analysis);
    }
    this.watch();
  }

  private publish(od: OpenDocument, analysis: Analysis): void {
    const { document } = od;
    const last = this.published.get(document.uri);
    // New rule settings (postfix.rules) change what is shown of the same analysis.
    const settings = settingsGeneration();
    if (last && last.serial === analysis.serial && last.version === document.version && last.settings === settings) return;
    const problems = this.ctx.analyses.problemsFor(document, analysis);
    this.published.set(document.uri, { serial: analysis.serial, version: document.version, count: problems.length, settings });
    const diagnostics = problems.flatMap(toDiagnostics);
    void this.ctx.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  /** Watches exactly the files the analyses read (tables, their .db, master.cf, ...), grouped by directory. */
  watch(): void {
    if (!canWatch) return;
    const byDir = new Map<string, Set<string>>();
    for (const p of this.ctx.analyses.watchedPaths()) {
      if (p.startsWith('/nonexistent-untitled/')) continue;
      const set = byDir.get(dirname(p)) ?? new Set<string>();
      set.add(basename(p));
      byDir.set(dirname(p), set);
    }
    const watchers = [...byDir]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([dir, names]) => {
        const list = [...names].sort();
        const pattern = list.length === 1 ? globEscape(list[0]) : `{${list.map(globEscape).join(',')}}`;
        return relativePatterns ? { globPattern: { baseUri: pathToUri(dir), pattern } } : { globPattern: `${globEscape(dir)}/${pattern}` };
      });
    const key = JSON.stringify(watchers);
    if (key === this.watching.key) return;
    const previous = this.watching.registration;
    this.watching = { key };
    void previous?.then((d) => d.dispose()).catch(() => undefined);
    if (watchers.length > 0) {
      const registration = this.ctx.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers });
      registration.catch((e) => this.ctx.log.error(`watching files failed: ${describeError(e)}`));
      this.watching.registration = registration;
    }
  }
}

/** A file name as a glob that matches only itself. */
function globEscape(name: string): string {
  return name.replace(/[\\*?[\]{}(),!]/g, (c) => `[${c}]`);
}

export const diagnostics: Feature = {
  name: 'diagnostics',
  capabilities: {},
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
        void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
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
        relinter.schedule(DEBOUNCE_MS);
        for (const l of watchedFilesListeners) l(paths);
      }),
    );
  },
};

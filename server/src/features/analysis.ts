// One analysis per configuration directory per change, shared by every
// feature: diagnostics, code actions, hover, completion (and the navigation
// features). An analysis is the loaded configuration and every problem of
// the directory (main.cf, master.cf and the tables they name); each open
// document's diagnostics are its share of them.
//
// An analysis records what it read: the version of each open buffer and the
// identity (size, mtime, inode, watcher events) of each file on disk, every
// mtime asked for (.db beside a table), directory listings and resolved
// links. It stays current while all of them read the same, so a keystroke
// in main.cf re-lints the directory once, reading no unchanged table (the
// workspace keeps their text, engine/tables/memo.ts their parse), and a
// keystroke in a table lints its configuration once for all open files.
//
// API for features:
//   ctx.analyses.current(document)  the current analysis (computed now if stale)
//   ctx.analyses.last(document)     the newest current one already computed, or undefined; never computes
//   ctx.analyses.newest(document)   the newest one's configuration however stale; never computes
//   ctx.analyses.problemsFor(document, analysis)  the problems shown on that document
//   ctx.analyses.compute(document, isStale)  asynchronously, yielding between phases; undefined when abandoned
//   ctx.analyses.computeDir(dir, isStale)     the same for a directory with no open document (workspace diagnostics)
//   ctx.analyses.filesOf(analysis)            each file of the configuration with its problems (workspace diagnostics)
//   ctx.analyses.stateNow()                   the open texts, settings and disk events an analysis started now would see

import { basename, resolve } from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { joinPath, loadConfigSteps, type PostfixConfig } from '../engine/config';
import { ConfigFiles } from '../engine/config-files';
import { lintConfigSteps, standaloneTableFindings, standInProblems } from '../engine/lint';
import { serviceParametersSteps } from '../engine/mastercf';
import { applyRuleSettings } from '../engine/rule-settings';
import type { FileReader, Problem } from '../engine/types';
import { analysisOptions, ruleSettingsFor } from './settings';
import { bomHiddenByEditor, inEditorTerms } from './byte-order-mark';
import { uriToPath, type OpenDocument, type Workspace } from './workspace';
import { yieldToRequests } from './priority';
import type { StepLabel, Steps } from '../engine/steps';

export interface Analysis {
  /** The configuration directory, or for a main.cf/master.cf under another name (main.cf.proto) its own path. */
  readonly unit: string;
  readonly dir: string;
  /** The configuration as loaded for this analysis (do not change it). */
  readonly config: PostfixConfig;
  /** Every problem of the configuration, all files. */
  readonly problems: readonly Problem[];
  /** Reads files as the analysis did (open buffers first; for a stand-in, its text at main.cf or master.cf). */
  readonly reader: FileReader;
  /** Monotonic number: a newer analysis of the same unit has a larger one. */
  readonly serial: number;
}

interface Entry extends Analysis {
  readonly settings: string;
  /** What was read, and what it read as. */
  readonly deps: Map<string, string>;
  /**
   * The deps checked first: open buffers' versions (no system call), which a
   * keystroke changes; the rest (stat, realpath, listings) only when these hold.
   */
  readonly cheap: string[];
  readonly costly: string[];
  /** The deps loadConfig made (main.cf, master.cf, the paths it resolved): while they hold, `config` is what loading again would give. */
  readonly configDeps: ReadonlySet<string>;
  /** Problems per document path, filtered once. */
  readonly perPath: Map<string, Problem[]>;
  /** The texts the load read (by path): a file opened or saved unchanged leaves the load as it was. */
  readonly texts: ReadonlyMap<string, string | undefined>;
}

/** An analysis under way, shared by every caller that asks for its unit in the same state (see `run`). */
interface Run {
  readonly key: string;
  readonly steps: Steps<Entry>;
  done: boolean;
  value?: Entry;
  failed?: { error: unknown };
  /** The label of the step it has just done (engine/steps.ts). */
  label?: StepLabel | void;
  /** The configuration it loaded, once it has, and the reader of its buffers. */
  loaded?: { config: PostfixConfig; reader: FileReader };
}

const CANONICAL: Record<string, string | undefined> = { main: 'main.cf', master: 'master.cf' };

export class Analyses {
  private readonly entries = new Map<string, Entry>();
  private serial = 0;
  /** Analyses computed so far (the benchmark and tests count them). */
  computed = 0;
  /** Of those, how many kept the configuration loaded by the one before (tests count them). */
  reusedLoads = 0;
  /**
   * Told the label of each step an asynchronous analysis has done (engine/steps.ts), before it
   * gives way to requests: the server writes them to the protocol trace (labelText, only while
   * the trace is on: unread, a label is not formatted).
   */
  onStep?: (label: StepLabel) => void;

  constructor(private readonly workspace: Workspace) {}

  /**
   * The unit a document belongs to, and the path its text stands in for: a
   * main.cf or master.cf under another name (main.cf.proto opened as
   * postfix-main) is read at main.cf or master.cf of its directory.
   */
  unitOf(od: Omit<OpenDocument, 'document'>): { unit: string; standIn?: string } {
    const canonical = CANONICAL[od.kind];
    if (canonical && basename(od.path) !== canonical) return { unit: od.path, standIn: joinPath(od.dir, canonical) };
    return { unit: od.dir };
  }

  private settingsKey(): string {
    const o = analysisOptions();
    return `${o.version} ${o.mode ?? 'auto'}`;
  }

  /** A recording reader over the workspace (and a stand-in's text); a directory analysed with no document has none. */
  private readers(
    od: OpenDocument | undefined,
    standIn: string | undefined,
    resolved?: ReadonlyMap<string, string>,
  ): { plain: FileReader; tracked: FileReader; deps: Map<string, string>; texts: Map<string, string | undefined> } {
    const ws = this.workspace;
    // The document's own text where the engine looks for it: a stand-in's at
    // main.cf or master.cf, an untitled buffer's at its made-up path.
    const at = od ? (standIn ?? (uriToPath(od.document.uri) === undefined ? od.path : undefined)) : undefined;
    const text = at && od ? od.document.getText() : undefined;
    const plain: FileReader = {
      readText: (p) => (at && p === at ? text : ws.readText(p)),
      mtimeMs: (p) => ws.mtimeMs(p),
      realPath: (p) => ws.realPath(p),
      listDirectory: (p) => ws.listDirectory(p),
      unreadable: (p) => (at && p === at ? undefined : ws.unreadable(p)),
    };
    const deps = new Map<string, string>();
    const texts = new Map<string, string | undefined>();
    const realPaths = new Map<string, string | undefined>();
    // depNow's answers for 'r' keys, this same moment: String(undefined) for none.
    for (const [key, v] of resolved ?? []) if (key[0] === 'r') realPaths.set(key, v === 'undefined' ? undefined : v);
    const tracked: FileReader = {
      readText: (p) => {
        if (at && p === at) return text;
        deps.set(`t ${p}`, ws.identity(p));
        const t = ws.readText(p);
        texts.set(p, t);
        return t;
      },
      mtimeMs: (p) => {
        const m = ws.mtimeMs(p);
        deps.set(`m ${p}`, String(m));
        return m;
      },
      realPath: (p) => {
        // Asked for every path the configuration resolves, many times each: once per analysis is enough.
        const key = `r ${p}`;
        if (realPaths.has(key)) {
          const r = realPaths.get(key);
          // A seeded answer is recorded when first used.
          if (!deps.has(key)) deps.set(key, String(r));
          return r;
        }
        const r = ws.realPath(p);
        realPaths.set(key, r);
        deps.set(key, String(r));
        return r;
      },
      unreadable: (p) => {
        if (at && p === at) return undefined;
        deps.set(`t ${p}`, ws.identity(p));
        return ws.unreadable(p);
      },
      listDirectory: (p) => {
        const l = ws.listDirectory(p);
        deps.set(`l ${p}`, l === undefined ? '' : `:${l.join('\0')}`);
        return l;
      },
    };
    if (at && od) deps.set(`s ${od.document.uri}`, String(od.document.version));
    return { plain, tracked, deps, texts };
  }

  private depNow(key: string): string {
    const ws = this.workspace;
    const p = key.slice(2);
    switch (key[0]) {
      case 't':
        return ws.identity(p);
      case 'm':
        return String(ws.mtimeMs(p));
      case 'r':
        return String(ws.realPath(p));
      case 'l': {
        const l = ws.listDirectory(p);
        return l === undefined ? '' : `:${l.join('\0')}`;
      }
      default:
        return String(ws.versionOf(p));
    }
  }

  private isCurrent(e: Entry): boolean {
    if (e.settings !== this.settingsKey()) return false;
    for (const key of e.cheap) if (this.depNow(key) !== e.deps.get(key)) return false;
    for (const key of e.costly) if (this.depNow(key) !== e.deps.get(key)) return false;
    return true;
  }

  /**
   * The configuration of a stale entry when loading it again would give the
   * same (none of what loadConfig read changed, only what the lint read: a
   * keystroke in a table), with every dep as it reads now; else undefined.
   */
  private reusableLoad(e: Entry | undefined): { config: PostfixConfig; deps: Map<string, string> } | undefined {
    if (!e || e.settings !== this.settingsKey()) return undefined;
    const now = new Map<string, string>();
    for (const keys of [e.cheap, e.costly]) {
      for (const key of keys) {
        const v = this.depNow(key);
        if (v !== e.deps.get(key) && e.configDeps.has(key) && !this.sameText(e, key)) return undefined;
        now.set(key, v);
      }
    }
    return { config: e.config, deps: now };
  }

  /**
   * Whether a file the load read has the same text now though its identity
   * changed: opening a master.cf of 100,000 lines as it is on disk, or saving
   * it unchanged, need not load the configuration again (about a second).
   */
  private sameText(e: Entry, key: string): boolean {
    if (key[0] !== 't') return false;
    const p = key.slice(2);
    if (!e.texts.has(p)) return false;
    const was = e.texts.get(p);
    return was !== undefined && this.workspace.readText(p) === was;
  }

  /**
   * The configuration of the newest analysis of the document's unit when
   * loading again would give the same (only what its lint read changed, or a
   * file it read was opened or saved unchanged); never computes. Hover uses it
   * while the analysis of the new state has not loaded yet.
   */
  loadedBefore(document: TextDocument): { config: PostfixConfig; reader: FileReader } | undefined {
    const od = this.workspace.describe(document);
    const e = this.entries.get(this.unitOf(od).unit);
    return e && e.dir === od.dir && this.reusableLoad(e) ? { config: e.config, reader: e.reader } : undefined;
  }

  /**
   * The configuration of the newest analysis of the document's unit however
   * stale (texts it read may have changed since), for the same settings, with
   * the texts it read (not a stand-in's own); never computes. A hover just
   * after an edit of a huge main.cf answers from it, saying so (assist-config.ts).
   */
  newest(document: TextDocument): { config: PostfixConfig; reader: FileReader; texts: ReadonlyMap<string, string | undefined> } | undefined {
    const od = this.workspace.describe(document);
    const e = this.entries.get(this.unitOf(od).unit);
    return e && e.dir === od.dir && e.settings === this.settingsKey() ? { config: e.config, reader: e.reader, texts: e.texts } : undefined;
  }

  /** The newest analysis of the document's unit if it is still current; never computes. */
  last(document: TextDocument): Analysis | undefined {
    const od = this.workspace.describe(document);
    const e = this.entries.get(this.unitOf(od).unit);
    return e && this.isCurrent(e) ? e : undefined;
  }

  /** The current analysis of the document's configuration, computed now if needed (joining one under way). */
  current(document: TextDocument): Analysis {
    const od = this.workspace.describe(document);
    const { unit, standIn } = this.unitOf(od);
    const e = this.entries.get(unit);
    if (e && this.isCurrent(e)) return e;
    const run = this.run(unit, (r) => this.startUnit(unit, od, standIn, r));
    while (!this.advance(unit, run));
    return run.value!;
  }

  /**
   * The current analysis, computed with a yield to the event loop between
   * phases; undefined when `isStale()` turns true on the way (a newer edit
   * arrived). An analysis of the same unit already under way for the same
   * texts (the re-lint's, a code action's) is joined, not started again;
   * one that every caller gave up on is dropped with the next change.
   */
  async compute(document: TextDocument, isStale: () => boolean): Promise<Analysis | undefined> {
    const od = this.workspace.describe(document);
    const { unit, standIn } = this.unitOf(od);
    const e = this.entries.get(unit);
    if (e && this.isCurrent(e)) return e;
    return this.drive(unit, this.run(unit, (r) => this.startUnit(unit, od, standIn, r)), isStale);
  }

  /**
   * The current analysis of a configuration directory that may have no open
   * document (workspace diagnostics): the same unit, and so the same entry,
   * as its open main.cf or master.cf would use. Computed like `compute`.
   */
  async computeDir(dir: string, isStale: () => boolean): Promise<Analysis | undefined> {
    const e = this.entries.get(dir);
    if (e && this.isCurrent(e)) return e;
    return this.drive(dir, this.run(dir, (r) => this.startUnit(dir, undefined, undefined, r)), isStale);
  }

  /**
   * The configuration an analysis under way for the document's current texts
   * has loaded (its lint still running), or undefined; never computes. Hover
   * and completion use it rather than load 100,000 lines a second time.
   */
  loading(document: TextDocument): { config: PostfixConfig; reader: FileReader } | undefined {
    const od = this.workspace.describe(document);
    const r = this.runs.get(this.unitOf(od).unit);
    return r && !r.failed && r.key === this.stateNow() ? r.loaded : undefined;
  }

  /** Analyses under way, one per unit, with the state of the documents and settings they started from. */
  private readonly runs = new Map<string, Run>();

  /**
   * What a run's result depends on besides the disk: the open documents' versions, the settings, the watcher's events.
   * A feature that must not answer from older texts compares it before and after its work (codeActions.ts).
   */
  stateNow(): string {
    return `${this.settingsKey()}\0${this.workspace.diskChanges}\0${this.workspace.openVersions()}`;
  }

  /** The run under way for `unit` if it started from the state of now, else a new one. */
  private run(unit: string, start: (run: Run) => Steps<Entry>): Run {
    const key = this.stateNow();
    const r = this.runs.get(unit);
    if (r && r.key === key && !r.failed) return r;
    const run = { key, done: false } as { -readonly [K in keyof Run]: Run[K] };
    run.steps = start(run);
    this.runs.set(unit, run);
    return run;
  }

  /** One step of a run; true when it is done (its value set). A step that throws ends the run for every caller. */
  private advance(unit: string, r: Run): boolean {
    if (r.failed) throw r.failed.error;
    if (r.done) return true;
    try {
      const x = r.steps.next();
      if (!x.done) {
        r.label = x.value;
        return false;
      }
      r.done = true;
      r.value = x.value;
    } catch (error) {
      r.failed = { error };
      throw error;
    } finally {
      if ((r.done || r.failed) && this.runs.get(unit) === r) this.runs.delete(unit);
    }
    return true;
  }

  private async drive(unit: string, r: Run, isStale: () => boolean): Promise<Analysis | undefined> {
    for (;;) {
      if (isStale()) return undefined;
      if (this.advance(unit, r)) return r.value;
      if (r.label && this.onStep) this.onStep(r.label);
      await yieldToRequests();
    }
  }

  private *startUnit(unit: string, od: OpenDocument | undefined, standIn: string | undefined, run: Run): Steps<Entry> {
    const dir = od?.dir ?? unit;
    const settings = this.settingsKey();
    // A keystroke in a table changes none of what loading main.cf and
    // master.cf read: the loaded configuration is kept (its parse, its table
    // uses, the paths it resolved) and only linted again, reading through
    // this analysis' reader. Its load deps carry over as they read now.
    const previous = this.entries.get(unit);
    const reuse = previous?.dir === dir ? this.reusableLoad(previous) : undefined;
    // The links just resolved for the check are not resolved a second time.
    const { plain, tracked, deps, texts } = this.readers(od, standIn, reuse?.deps);
    let config: PostfixConfig;
    let configDeps: Set<string>;
    if (reuse) {
      const files = reuse.config.files;
      config = { ...reuse.config, files: new ConfigFiles(files.dir, files.mode, tracked, files.installedDirs) };
      configDeps = new Set(previous!.configDeps);
      for (const key of configDeps) deps.set(key, reuse.deps.get(key)!);
      for (const [p, t] of previous!.texts) texts.set(p, t);
      this.reusedLoads++;
    } else {
      // In steps: a master.cf of 100,000 lines or -o options took a second in one piece.
      config = yield* loadConfigSteps(dir, tracked, analysisOptions());
      configDeps = new Set(deps.keys());
      // Made here, before hover and completion get the configuration (loading()), not by the first of them:
      // 100,000 services make 800,000 per-service names (a hover waited 0.9 s); the lint uses them too.
      if (config.master) yield* serviceParametersSteps(config.master);
    }
    run.loaded = { config, reader: plain };
    yield `load ${dir}`;
    const problems = yield* lintConfigSteps(config);
    const cheap: string[] = [];
    const costly: string[] = [];
    for (const [key, v] of deps) (key[0] === 's' || v.startsWith('open ') ? cheap : costly).push(key);
    const entry: Entry = { unit, dir, config, problems, reader: plain, serial: ++this.serial, settings, deps, cheap, costly, configDeps, perPath: new Map(), texts };
    this.entries.set(unit, entry);
    this.computed++;
    return entry;
  }

  /**
   * The problems shown on a document: its share of the configuration's, as
   * lintDocument (engine/lint.ts) gives them; a table no configuration of its
   * directory names is judged on its own.
   */
  problemsFor(document: TextDocument, analysis: Analysis = this.current(document)): Problem[] {
    const od = this.workspace.describe(document);
    const e = analysis as Entry;
    const { standIn } = this.unitOf(od);
    // A table's standalone problems depend on its text; the memo is keyed by version.
    const key = od.kind === 'map' ? `${od.path} ${document.version}` : od.path;
    let out = e.perPath.get(key);
    if (out) return this.judged(od.path, out);
    if (standIn) {
      out = standInProblems(e.problems, standIn, od.path);
    } else if (od.kind === 'map' && !e.config.tables.some((t) => t.files.source === od.path)) {
      out = standaloneTableFindings(e.config, od.path, document.getText());
      for (const k of e.perPath.keys()) if (k.startsWith(`${od.path} `)) e.perPath.delete(k);
    } else {
      out = e.problems.filter((p) => p.file === od.path);
      if (od.kind === 'main' && this.workspace.hiddenBom(document, od.path)) out = inEditorTerms(out, od.path);
    }
    e.perPath.set(key, out);
    return this.judged(od.path, out);
  }

  /**
   * Problems about an analysis' configuration (its own, or advice made from
   * it) with places in the editor's terms, as problemsFor gives them: the
   * analysis read an open main.cf whose byte order mark the editor hides
   * with the mark (workspace.ts). A stand-in's unit reads no open main.cf
   * this way, and a closed main.cf is left as read.
   */
  inEditorTerms(analysis: Analysis, problems: readonly Problem[]): Problem[] {
    const path = analysis.config.mainPath;
    const open = analysis.unit === analysis.dir ? this.workspace.openAt(path) : undefined;
    return open && this.workspace.hiddenBom(open, path) ? inEditorTerms([...problems], path) : [...problems];
  }

  /** Rule settings applied (severity, "off"); outside the memo, since settings change without an edit. */
  private judged(path: string, problems: Problem[]): Problem[] {
    return applyRuleSettings(problems, ruleSettingsFor(path));
  }

  /** A closed file's share of a configuration's problems; `mainText` is main.cf's text, whose byte-order mark editors hide. */
  private fileShare(e: Entry, path: string, mainText: string | undefined): Problem[] {
    const out = e.problems.filter((p) => p.file === path);
    return mainText !== undefined && bomHiddenByEditor(path, mainText) ? inEditorTerms(out, path) : out;
  }

  /**
   * The files of a configuration a workspace report covers, each with its
   * share of the problems as problemsFor gives them to the open document
   * (rule settings applied):
   * main.cf, master.cf and the tables (and table configuration files) the
   * configuration names, where they are part of it. Whether each is a
   * regular file is for the caller to check.
   */
  filesOf(analysis: Analysis): Map<string, Problem[]> {
    const e = analysis as Entry;
    const paths = new Set<string>([e.config.mainPath, e.config.masterPath]);
    for (const t of e.config.tables) {
      if (t.files.source) paths.add(t.files.source);
      if (t.files.config) paths.add(t.files.config);
    }
    const out = new Map<string, Problem[]>();
    for (const p of paths) {
      const key = `w ${p}`;
      let share = e.perPath.get(key);
      if (!share) {
        share = this.fileShare(e, p, p === e.config.mainPath ? e.reader.readText(p) : undefined);
        e.perPath.set(key, share);
      }
      out.set(p, this.judged(p, share));
    }
    return out;
  }

  /** Every file an analysis read from disk or from an open buffer (the watcher watches these). */
  watchedPaths(): string[] {
    const out = new Set<string>();
    for (const e of this.entries.values()) {
      for (const key of e.deps.keys()) if (key[0] === 't' || key[0] === 'm') out.add(resolve(key.slice(2)));
    }
    return [...out];
  }

  /** Configuration directories kept analysed with no open document (workspace diagnostics sets them). */
  pinned: ReadonlySet<string> = new Set();

  /** Forgets analyses no open document belongs to, except the pinned directories'. */
  prune(open: OpenDocument[]): void {
    const live = new Set(open.map((od) => this.unitOf(od).unit));
    for (const unit of this.entries.keys()) if (!live.has(unit) && !this.pinned.has(unit)) this.entries.delete(unit);
    for (const unit of this.runs.keys()) if (!live.has(unit) && !this.pinned.has(unit)) this.runs.delete(unit);
  }
}

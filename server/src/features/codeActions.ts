// Quick fixes, "Fix all" and "Harden this configuration".
//
//   textDocument/codeAction  → one `quickfix` per Fix of each of our diagnostics
//                              in the request (matched by code and range against
//                              the shared analysis of the current text), then
//                              "Disable PFxxx for this line / for this file" (comment
//                              directives the engine honours, CLI and server alike);
//                              the source actions `source.fixAll.postfix` (every
//                              safe fix of the document) and `source.postfix.harden`
//                              when asked for.
//   postfix/harden { uri }   → the WorkspaceEdit of judgedHardening() (rule settings applied; from the
//                              shared analysis, in steps, for the texts of when it answers) for the
//                              configuration directory of `uri` (the client's
//                              `postfix.harden` command confirms and applies it).
//
// Edits leave the server only as WorkspaceEdits; the server never writes files.

import { isAbsolute, resolve } from 'node:path';
import {
  CancellationToken,
  CodeAction,
  CodeActionKind,
  CodeActionTriggerKind,
  RequestType,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from './lsp';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { loadConfig, type PostfixConfig } from '../engine/config';
import { mergeSafeFixes } from '../engine/rules';
import { hardeningOf, lintConfigSteps } from '../engine/lint';
import { applyRuleSettings } from '../engine/rule-settings';
import { disableFixes } from '../engine/fixes/disable';
import type { FileReader, Fix, Problem, Range } from '../engine/types';
import type { Feature, ServerContext } from './context';
import { analysisOptions, ruleSettingsFor } from './settings';
import type { OpenDocument } from './workspace';
import { pathToUri, uriToPath } from './workspace';
import { overlayReader } from '../engine/overlay-reader';
import { annotatedWorkspaceEdit, clientTakesAnnotations, openVersion, versionedEdit } from './annotated-edit';
import { recipeCommandActions } from './recipes';
import { runSteps } from './priority';
import type { Analysis } from './analysis';

export const HARDEN_KIND = 'source.postfix.harden';
export const FIX_ALL_KIND = 'source.fixAll.postfix';
export const HARDEN_REQUEST = 'postfix/harden';
export const HardenRequest = new RequestType<{ uri: string }, WorkspaceEdit, void>(HARDEN_REQUEST);

const EMPTY_EDIT: WorkspaceEdit = { changes: {} };

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null;
}

function isPosition(x: unknown): boolean {
  return isObject(x) && Number.isInteger(x.line) && Number.isInteger(x.character);
}

function isRange(x: unknown): x is Range {
  return isObject(x) && isPosition(x.start) && isPosition(x.end);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** A document as the engine sees it, with the mapping back from engine paths to URIs. */
export interface Subject {
  od: Omit<OpenDocument, 'document'>;
  /** The workspace reader, with this document's buffer at its (possibly stand-in) path. */
  reader: FileReader;
  toUri(file: string): string;
}

export function subject(ctx: ServerContext, uri: string, document: TextDocument | undefined): Subject {
  const od = document ? ctx.workspace.describe(document) : ctx.workspace.locate(uri);
  const text = document?.getText();
  const reader = overlayReader(ctx.workspace, (p) => (text !== undefined && p === od.path ? text : undefined));
  const toUri = (file: string) => {
    const path = isAbsolute(file) ? resolve(file) : resolve(od.dir, file);
    // An untitled buffer's stand-in path maps back to its own URI.
    return path === od.path ? uri : pathToUri(path);
  };
  return { od, reader, toUri };
}

/**
 * The engine's edits as a WorkspaceEdit (`changes` keyed by URI). A fix that
 * creates files (a recipe's new table) also carries `documentChanges`: each
 * file created, then filled, then the edits of the existing files.
 */
export function toWorkspaceEdit(fix: Fix, toUri: (file: string) => string): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of fix.edits) (changes[toUri(e.file)] ??= []).push({ range: e.range, newText: e.newText });
  if (!fix.newFiles?.length) return { changes };
  const documentChanges: WorkspaceEdit['documentChanges'] = [];
  for (const f of fix.newFiles) {
    const uri = toUri(f.file);
    documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
    documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: f.text }] });
  }
  for (const [uri, edits] of Object.entries(changes)) documentChanges.push({ textDocument: { uri, version: null }, edits });
  return { changes, documentChanges };
}

/**
 * Where the configuration `uri` belongs to lives: its directory (`uri` may
 * name it), the text that stands in for main.cf or master.cf (a main.cf.proto
 * opened as postfix-main: the shared analysis' unit, Analyses.unitOf) and the
 * mapping from engine paths back to URIs; undefined when there is no main.cf.
 * Nothing is loaded.
 */
function configPlace(ctx: ServerContext, s: Subject): { dir: string; reader: FileReader; standIn?: string; toUri(file: string): string } | undefined {
  let dir = s.od.dir;
  if (s.reader.readText(`${dir}/main.cf`) === undefined && s.reader.readText(`${s.od.path}/main.cf`) !== undefined) dir = s.od.path;
  const standIn = dir === s.od.dir ? ctx.analyses.unitOf(s.od).standIn : undefined;
  let reader = s.reader;
  if (standIn) {
    const text = s.reader.readText(s.od.path);
    reader = overlayReader(s.reader, (p) => (p === standIn ? text : undefined));
  }
  if (reader.readText(`${dir}/main.cf`) === undefined) return undefined;
  const toUri = (file: string) => (standIn && resolve(file) === standIn ? s.toUri(s.od.path) : s.toUri(file));
  return { dir, reader, standIn, toUri };
}

/** The configuration `uri` belongs to, loaded and linted (an Analysis' share of it), with the mapping back to URIs. */
export interface AnalysedConfig {
  config: PostfixConfig;
  reader: FileReader;
  problems: readonly Problem[];
  /** The path whose text stands in for main.cf or master.cf, if any. */
  standIn?: string;
  /** The shared analysis it is from (none for a closed stand-in, linted on its own). */
  analysis?: Analysis;
  toUri(file: string): string;
}

/**
 * The configuration `uri` belongs to, from the shared analysis (analysis.ts:
 * the last one if current, else the one under way, joined, or a new one,
 * each run in steps so other requests are answered meanwhile); undefined
 * when there is no main.cf or `isStale()` turned true on the way.
 */
export async function analysedConfig(ctx: ServerContext, uri: string, isStale: () => boolean): Promise<AnalysedConfig | undefined> {
  const document = ctx.documents.get(uri);
  const place = configPlace(ctx, subject(ctx, uri, document));
  if (!place) return undefined;
  let analysed: { config: PostfixConfig; reader: FileReader; problems: readonly Problem[]; analysis?: Analysis } | undefined;
  let analysis: Analysis | undefined;
  if (document) analysis = await ctx.analyses.compute(document, isStale);
  else if (!place.standIn) analysis = await ctx.analyses.computeDir(place.dir, isStale);
  else {
    // A closed main.cf.proto: no shared analysis reads its text as main.cf. Its own, in steps all the same.
    const config = loadConfig(place.dir, place.reader, analysisOptions());
    const problems = await runSteps(lintConfigSteps(config), isStale);
    analysed = problems && { config, reader: place.reader, problems };
  }
  if (analysis) analysed = { config: analysis.config, reader: analysis.reader, problems: analysis.problems, analysis };
  if (!analysed || isStale()) return undefined;
  return { ...analysed, standIn: place.standIn, toUri: place.toUri };
}

/** Whether the texts, settings or disk an answer is made from changed since now, or the request was cancelled. */
function staleSinceNow(ctx: ServerContext, token?: CancellationToken): () => boolean {
  const state = ctx.analyses.stateNow();
  return () => token?.isCancellationRequested === true || ctx.analyses.stateNow() !== state;
}

/**
 * `work` for the configuration as it is when answered: done again when a
 * text changed while it ran, since an edit made from older texts would land
 * in the wrong places. Undefined when the request is cancelled.
 */
export async function forCurrentTexts<T>(ctx: ServerContext, token: CancellationToken | undefined, work: (isStale: () => boolean) => Promise<T>): Promise<T | undefined> {
  for (;;) {
    if (token?.isCancellationRequested) return undefined;
    const isStale = staleSinceNow(ctx, token);
    const r = await work(isStale);
    if (!isStale()) return r;
  }
}

/**
 * The hardening edit for the configuration `uri` belongs to (undefined when
 * there is no main.cf, nothing to change, or `isStale()` turned true): the
 * safe fixes and the recipes the intent findings call for, from the shared
 * analysis' problems, each part annotated for confirmation where the client
 * shows a preview.
 */
async function hardenEdit(ctx: ServerContext, uri: string, isStale: () => boolean): Promise<{ fix: Fix; edit: WorkspaceEdit } | undefined> {
  const c = await analysedConfig(ctx, uri, isStale);
  if (!c) return undefined;
  // Judged as the diagnostics are (and as the CLI's --fix): a rule turned off in .postfix-lint.json or the editor's settings is not applied;
  // places in the editor's terms, as the diagnostics give them (an open main.cf's hidden byte order mark).
  const settings = ruleSettingsFor(c.config.mainPath);
  const analysis = c.analysis;
  const judge = (ps: readonly Problem[]) => applyRuleSettings(analysis ? ctx.analyses.inEditorTerms(analysis, ps) : ps, settings);
  const { fix } = hardeningOf(c.config, c.reader, c.problems, judge, { recipes: true });
  if (fix.edits.length === 0 && !fix.newFiles?.length) return undefined;
  if (!clientTakesAnnotations()) return { fix, edit: toWorkspaceEdit(fix, c.toUri) };
  const files = new Map((fix.newFiles ?? []).map((f) => [f.file, f.text]));
  const parts = fix.parts.map((p) => ({
    label: p.recipe ? `Recipe ${p.recipe}${p.code ? ` (${p.code})` : ''}` : `${p.code || 'Hardening'}: ${p.title}`,
    description: p.title,
    edits: p.edits.map((i) => fix.edits[i]),
    newFiles: p.newFiles.map((file) => ({ file, text: files.get(file) ?? '' })),
  }));
  return { fix, edit: annotatedWorkspaceEdit(parts, c.toUri) };
}

/** Whether the request asks for the source action `kind` (by it or a parent kind; none named: an explicit menu). */
function wantsSource(params: CodeActionParams, kind: string): boolean {
  const only = params.context.only;
  if (Array.isArray(only) && only.length > 0) {
    return only.some((k) => typeof k === 'string' && (kind === k || kind.startsWith(`${k}.`)));
  }
  // The lightbulb asks automatically on every cursor move; hardening is for the explicit menu.
  return params.context.triggerKind !== CodeActionTriggerKind.Automatic;
}

function wantsQuickfix(params: CodeActionParams): boolean {
  const only = params.context.only;
  return !Array.isArray(only) || only.length === 0 || only.some((k) => k === CodeActionKind.QuickFix || k === 'quickfix' || k === '');
}

/** The diagnostic is the problem's own, or the faded hint of one of its dead places (diagnostics.ts toDiagnostics). */
function belongsTo(p: Problem, d: Diagnostic): boolean {
  if (p.code !== String(d.code)) return false;
  return sameRange(p.range, d.range) || (p.related ?? []).some((r) => r.file === p.file && r.tags?.length && sameRange(r.range, d.range));
}

/**
 * textDocument/codeAction. Fixes come from the shared analysis of the text
 * the request is about: the last one if it is still current, else the one
 * under way (the re-lint's, joined) or a new one, driven step by step so
 * other requests are answered meanwhile (analysis.ts compute). When the
 * document changes before that analysis is done, nothing is offered: a fix
 * made on older text would edit the wrong places, and the client asks again
 * for the new version.
 */
export async function handleCodeActions(ctx: ServerContext, params: CodeActionParams, token?: CancellationToken): Promise<CodeAction[]> {
  if (!isObject(params) || !isObject(params.textDocument) || typeof params.textDocument.uri !== 'string' || !isObject(params.context)) return [];
  const uri = params.textDocument.uri;
  const document = ctx.documents.get(uri);
  if (!document) return [];
  const s = subject(ctx, uri, document);
  const actions: CodeAction[] = [];

  const diagnostics: Diagnostic[] = Array.isArray(params.context.diagnostics)
    ? params.context.diagnostics.filter((d) => isObject(d) && isRange(d.range) && (typeof d.code === 'string' || typeof d.code === 'number') && (d.source === undefined || d.source === 'postfix'))
    : [];
  const quickfixes = diagnostics.length > 0 && wantsQuickfix(params);
  const fixAll = wantsSource(params, FIX_ALL_KIND);
  // TextDocuments updates a document object in place: its version tells an edit.
  const version = document.version;
  const isStale = () => token?.isCancellationRequested === true || ctx.documents.get(uri) !== document || document.version !== version;
  // The hardening edit spans the configuration's files: an edit of any open text makes it stale too.
  const changed = staleSinceNow(ctx, token);
  const hardenStale = () => isStale() || changed();
  let analysed: Problem[] | undefined;
  if (quickfixes || fixAll) {
    const analysis = await ctx.analyses.compute(document, isStale);
    if (!analysis || isStale()) return [];
    analysed = ctx.analyses.problemsFor(document, analysis);
  }
  const documentProblems = () => analysed ?? [];
  if (quickfixes) {
    const problems = documentProblems();
    const silencers: CodeAction[] = [];
    for (const d of diagnostics) {
      const here = problems.filter((p) => belongsTo(p, d));
      const matches = here.filter((p) => (p.fixes?.length ?? 0) > 0);
      const seen = new Set<string>();
      let first = true;
      for (const p of matches) {
        for (const fix of p.fixes ?? []) {
          if (fix.edits.length === 0 || seen.has(fix.title)) continue;
          seen.add(fix.title);
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: first || undefined,
            edit: toWorkspaceEdit(fix, s.toUri),
          });
          first = false;
        }
      }
      actions.push(...recipeCommandActions(uri, d, here));
      const p = here[0];
      if (!p) continue;
      for (const fix of disableFixes(p, document.getText())) {
        if (silencers.some((a) => a.title === fix.title)) continue;
        silencers.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: toWorkspaceEdit(fix, s.toUri) });
      }
    }
    // After the repairs: silencing is the last resort.
    actions.push(...silencers);
  }

  if (fixAll) {
    const fix = mergeSafeFixes(documentProblems());
    if (fix.edits.length > 0) actions.push({ title: fix.title, kind: FIX_ALL_KIND, edit: toWorkspaceEdit(fix, s.toUri) });
  }

  if (wantsSource(params, HARDEN_KIND)) {
    const h = await hardenEdit(ctx, uri, hardenStale);
    // Nothing from older text: the client asks again for the new version.
    if (hardenStale()) return [];
    if (h) actions.push({ title: h.fix.title, kind: HARDEN_KIND, edit: h.edit });
  }
  // Not stale (checked above): the open texts are the ones the edits were made from.
  for (const a of actions) if (a.edit) a.edit = versionedEdit(a.edit, openVersion(ctx));
  return actions;
}

/** postfix/harden: the hardening edit for the texts as they are when it is answered (made again if one changed meanwhile). */
export async function handleHarden(ctx: ServerContext, params: { uri: string }, token?: CancellationToken): Promise<WorkspaceEdit> {
  if (!isObject(params) || typeof params.uri !== 'string' || (!uriToPath(params.uri) && !ctx.documents.get(params.uri))) return EMPTY_EDIT;
  const h = await forCurrentTexts(ctx, token, (isStale) => hardenEdit(ctx, params.uri, isStale));
  return h ? versionedEdit(h.edit, openVersion(ctx)) : EMPTY_EDIT;
}

export const codeActions: Feature = {
  name: 'codeActions',
  capabilities: {
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, HARDEN_KIND], resolveProvider: false },
  },
  register(ctx) {
    ctx.connection.onCodeAction(ctx.guard('codeAction', [] as CodeAction[], (params: CodeActionParams, token?: CancellationToken) => handleCodeActions(ctx, params, token)));
    ctx.connection.onRequest(HardenRequest, ctx.guard(HARDEN_REQUEST, EMPTY_EDIT, (params: { uri: string }, token?: CancellationToken) => handleHarden(ctx, params, token)));
  },
};

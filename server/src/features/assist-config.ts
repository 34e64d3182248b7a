// The configuration hover, completion and navigation answer from: the shared
// analysis' when it is of the current texts, else a load of the document's
// directory with the document's own text. Hover and completion are asked on
// every keystroke and never load a huge file in one piece: that is the
// analysis' work, done in steps (analysis.ts); meanwhile they answer from
// what is at hand and say so (`provisional`).

import { ConfigCache } from '../engine/assist';
import { joinPath, type PostfixConfig } from '../engine/config';
import { mainParsedAlready } from '../engine/maincf/parse';
import { physicalLines } from '../engine/assist/physical-lines';
import { overlayReader } from '../engine/overlay-reader';
import type { FileReader } from '../engine/types';
import type { ServerContext } from './context';
import { analysisOptions } from './settings';
import type { OpenDocument } from './workspace';

/**
 * A main.cf or master.cf longer than this (about 20,000 lines) is not read in
 * one piece for a hover or a completion: 100,000 settings took half a second
 * (parse and table references), 100,000 -o options a second.
 */
const HUGE_CHARS = 1 << 20;

/** One configuration cache for completion, hover and navigation. */
export const configCache = new ConfigCache();

/**
 * Why a quick answer's configuration is not the one of the current texts:
 * - 'without master.cf': made from main.cf alone, beside a huge master.cf the analysis has not loaded yet;
 * - 'before the edit': the last analysis' configuration, from before an edit of a huge file;
 * - 'not read yet': none (a huge file the first analysis has not loaded yet, or edits that added or removed lines).
 */
export type Provisional = 'without master.cf' | 'before the edit' | 'not read yet';

export interface QuickConfig {
  config?: PostfixConfig;
  reader: FileReader;
  provisional?: Provisional;
}

/**
 * The document's directory as a configuration (the shared analysis's when it
 * is current, else a load of main.cf and master.cf), with the document's own
 * text for its path (untitled buffers too). A main.cf or master.cf under
 * another name (main.cf.proto, master.cf.dist) stands in for main.cf or
 * master.cf. Navigation needs the configuration of the current texts and
 * loads it whatever its size.
 */
export function assistConfig(ctx: ServerContext, od: OpenDocument): { config: PostfixConfig; reader: FileReader } {
  const at = atHand(ctx, od);
  if (at) return at;
  const reader = overlay(ctx, od);
  return { config: configCache.get(od.path, od.dir, reader, analysisOptions(), Date.now()), reader };
}

/**
 * assistConfig for hover and completion, which never load a huge main.cf or
 * master.cf in one piece (see Provisional). A huge main.cf whose text was the
 * last parsed is loaded: its parse and table references are kept.
 * An earlier configuration is used only when the edits since kept the line
 * count of both files: its lines are then those of the document, but for
 * what the edited lines say.
 */
export function quickAssistConfig(ctx: ServerContext, od: OpenDocument): QuickConfig {
  const at = atHand(ctx, od);
  if (at) return at;
  const reader = overlay(ctx, od);
  const main = fileNow(reader, joinPath(od.dir, 'main.cf'), mainParsedAlready);
  // A huge master.cf costs a load even when parsed already: its -o values are searched for tables (100,000 took 30 ms).
  const master = fileNow(reader, joinPath(od.dir, 'master.cf'), () => false);
  if (main.costly || master.costly) {
    const earlier = ctx.analyses.newest(od.document);
    const own = od.kind === 'main' ? main.path : od.kind === 'master' ? master.path : undefined;
    if (earlier && [main, master].every((f) => sameLineCount(earlier.texts.get(f.path), f.text, f.path === own))) {
      return { config: earlier.config, reader: earlier.reader, provisional: 'before the edit' };
    }
    if (!main.costly && od.kind === 'main') {
      const withoutMaster: FileReader = { ...reader, readText: (p) => (p === master.path ? undefined : reader.readText(p)) };
      return { config: configCache.get(`${od.path}\0without master.cf`, od.dir, withoutMaster, analysisOptions(), Date.now()), reader: withoutMaster, provisional: 'without master.cf' };
    }
    return { reader, provisional: 'not read yet' };
  }
  return { config: configCache.get(od.path, od.dir, reader, analysisOptions(), Date.now()), reader };
}

/** main.cf or master.cf as a load would read it now, and whether reading it would be costly (huge, and not the last parse). */
function fileNow(reader: FileReader, path: string, parsedAlready: (text: string, path: string) => boolean) {
  const text = reader.readText(path);
  return { path, text, costly: text !== undefined && text.length > HUGE_CHARS && !parsedAlready(text, path) };
}

/** `own`: `now` is the document's text, split by the hover or completion that asks anyway. */
function sameLineCount(before: string | undefined, now: string | undefined, own: boolean): boolean {
  if (before === now) return true;
  if (before === undefined || now === undefined) return false;
  return keptNewlines(before) === (own ? physicalLines(now).length - 1 : keptNewlines(now));
}

/**
 * Newlines of texts an analysis read, which stay the same over many
 * requests: counted once (a Map hashes a string once), not 4-8 MB a keystroke.
 */
const newlineCounts = new Map<string, number>();

function keptNewlines(text: string): number {
  let n = newlineCounts.get(text);
  if (n === undefined) {
    n = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    if (newlineCounts.size >= 4) newlineCounts.clear();
    newlineCounts.set(text, n);
  }
  return n;
}

/** The shared analysis' configuration when it is of the current texts (or loaded what loading them would give); never waits for one. */
function atHand(ctx: ServerContext, od: OpenDocument): { config: PostfixConfig; reader: FileReader } | undefined {
  const a = ctx.analyses.last(od.document) ?? ctx.analyses.loading(od.document) ?? ctx.analyses.loadedBefore(od.document);
  return a && { config: a.config, reader: a.reader };
}

/** The workspace with the document's text at its path (and at main.cf or master.cf for a stand-in). */
function overlay(ctx: ServerContext, od: OpenDocument): FileReader {
  const text = od.document.getText();
  const standIn = od.kind === 'main' ? joinPath(od.dir, 'main.cf') : od.kind === 'master' ? joinPath(od.dir, 'master.cf') : od.path;
  return overlayReader(ctx.workspace, (p) => (p === od.path || p === standIn ? text : undefined));
}

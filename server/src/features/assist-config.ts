// The configuration hover, completion and navigation answer from: the shared
// analysis' when it is of the current texts, else a load of the document's
// directory with the document's own text. Hover and completion are asked on
// every keystroke and never load a huge file in one piece: that is the
// analysis' work, done in steps (analysis.ts); meanwhile they answer from
// what is at hand and say so (`provisional`).

import { ConfigCache } from '../engine/assist';
import { joinPath, type PostfixConfig } from '../engine/config';
import { parsedAlready } from '../engine/maincf/parse';
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
 * - 'before the edit': the last analysis' configuration, from before an edit of a huge main.cf;
 * - 'not read yet': none, a huge main.cf the first analysis has not loaded yet.
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
 * master.cf in one piece (see Provisional). A main.cf whose text the last
 * analysis read is loaded, however long: its parse and table references are
 * kept (a keystroke in master.cf beside it).
 */
export function quickAssistConfig(ctx: ServerContext, od: OpenDocument): QuickConfig {
  const at = atHand(ctx, od);
  if (at) return at;
  const reader = overlay(ctx, od);
  const mainPath = joinPath(od.dir, 'main.cf');
  const mainText = reader.readText(mainPath);
  if (mainText !== undefined && mainText.length > HUGE_CHARS && !parsedAlready(mainText, mainPath)) {
    const earlier = ctx.analyses.newest(od.document);
    return earlier ? { ...earlier, provisional: 'before the edit' } : { reader, provisional: 'not read yet' };
  }
  const masterPath = joinPath(od.dir, 'master.cf');
  if (od.kind === 'main' && (reader.readText(masterPath)?.length ?? 0) > HUGE_CHARS) {
    const withoutMaster: FileReader = { ...reader, readText: (p) => (p === masterPath ? undefined : reader.readText(p)) };
    return { config: configCache.get(`${od.path}\0without master.cf`, od.dir, withoutMaster, analysisOptions(), Date.now()), reader: withoutMaster, provisional: 'without master.cf' };
  }
  return { config: configCache.get(od.path, od.dir, reader, analysisOptions(), Date.now()), reader };
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

// The engine reads sibling files (master.cf beside main.cf, lookup tables)
// through a FileReader. This one prefers the editor's open, possibly unsaved
// buffers over the disk, so an edit to master.cf changes main.cf's diagnostics
// before it is saved. Files on disk are read once while their identity (size,
// mtime, inode, and a count of the watcher's change events) stays the same,
// so the engine's parse memo (engine/tables/memo.ts) gets the same string
// back and an unchanged 100,000-line table is neither read nor parsed again.

import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileReader, UnreadableFile } from '../engine/types';
import { diskReader } from '../disk/read-file';
import { bomHiddenByEditor } from './byte-order-mark';
import { DocumentKind, documentKind } from './documentKind';
import type { DocumentStore } from './documents';

export interface OpenDocument {
  document: TextDocument;
  /** File-system path; for non-file URIs a stand-in that names no real file. */
  path: string;
  dir: string;
  kind: DocumentKind;
}

/** Path for a `file:` URI; undefined for untitled and other schemes. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

const STAND_IN_NAME: Record<DocumentKind, string> = { main: 'main.cf', master: 'master.cf', map: 'table' };

/** Files that are not open are read from disk under the shared policy (disk/read-file.ts), as UTF-8. */
const disk = diskReader('utf8');

interface CachedFile {
  size: number;
  mtimeMs: number;
  ino: number;
  text: string;
}

/** Disk files kept in memory (most recently used); an entry is dropped when its file changes. */
const MAX_CACHED_FILES = 256;

export class Workspace implements FileReader {
  private readonly files = new Map<string, CachedFile>();
  /** Change events the watcher reported per path: a change within the file system's timestamp granularity still counts. */
  private readonly changes = new Map<string, number>();
  private readonly paths = new Map<string, string | undefined>();
  /** bomHiddenByEditor per open document version: the engine reads an open main.cf many times per analysis. */
  private readonly boms = new Map<string, { uri: string; version: number; hidden: boolean }>();

  constructor(private readonly documents: DocumentStore) {}

  /** uriToPath, remembered (it runs for every open document on every read). */
  private pathOf(uri: string): string | undefined {
    if (!this.paths.has(uri)) {
      if (this.paths.size > 1024) this.paths.clear();
      this.paths.set(uri, uriToPath(uri));
    }
    return this.paths.get(uri);
  }

  /** The version of an open document, or undefined. */
  versionOf(uri: string): number | undefined {
    return this.documents.get(uri)?.version;
  }

  /** Watcher events so far (an analysis under way may have read a file before one). */
  diskChanges = 0;

  /** The open documents' URIs and versions, as one string (analysis.ts keys shared runs by it). */
  openVersions(): string {
    let key = '';
    for (const d of this.documents.all()) key += `${d.uri}\0${d.version}\0`;
    return key;
  }

  /**
   * Files the client's watchers report changes of (diagnostics.ts registers
   * them, for every file the analyses read): their stat and realpath answers
   * are kept until an event about them, so an analysis after a keystroke
   * makes no system call for them. Undefined while no registration holds
   * (a client that cannot watch, or a new registration not yet confirmed):
   * then every answer comes from the disk.
   */
  private watched: ReadonlySet<string> | undefined;
  private readonly stats = new Map<string, Stats | undefined>();
  private readonly realPaths = new Map<string, string | undefined>();

  /** Watchers for exactly these paths are registered (or, undefined, none is confirmed): see `watched`. */
  watching(paths: Iterable<string> | undefined): void {
    this.watched = paths === undefined ? undefined : new Set([...paths].map((p) => resolve(p)));
    this.stats.clear();
    this.realPaths.clear();
  }

  /** Whether answers about `path` may be kept (resolved path). */
  private keeps(p: string): boolean {
    return this.watched !== undefined && this.watched.has(p);
  }

  /** The watcher says the file changed: read it again next time. */
  forget(path: string): void {
    this.diskChanges++;
    const p = resolve(path);
    this.stats.delete(p);
    // A link anywhere may have changed what paths resolve to.
    this.realPaths.clear();
    this.files.delete(p);
    this.boms.delete(p);
    this.changes.set(p, (this.changes.get(p) ?? 0) + 1);
  }

  private stat(path: string): Stats | undefined {
    const p = resolve(path);
    const keep = this.keeps(p);
    if (keep && this.stats.has(p)) return this.stats.get(p);
    let st: Stats | undefined;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (keep) this.stats.set(p, st);
    return st;
  }

  /**
   * What a read of `path` would return, as a short string that changes when
   * the answer may: the open buffer's version, or the file's size, mtime,
   * inode and reported changes, or its absence.
   */
  identity(path: string): string {
    const open = this.openAt(path);
    if (open) return `open ${open.uri} ${open.version}`;
    const st = this.stat(path);
    if (!st) return 'none';
    return `${st.isFile() ? 'file' : 'other'} ${st.size} ${st.mtimeMs} ${st.ino} ${this.changes.get(resolve(path)) ?? 0}`;
  }

  /** Path, directory and kind of a URI (open or not). */
  locate(uri: string, languageId?: string): Omit<OpenDocument, 'document'> {
    const real = this.pathOf(uri);
    const kind = documentKind(real, languageId);
    // Untitled buffers get a path in a directory of their own, so the engine
    // still knows the file kind and finds no siblings.
    const path = real ?? resolve('/nonexistent-untitled', encodeURIComponent(uri), STAND_IN_NAME[kind]);
    return { path, dir: dirname(path), kind };
  }

  describe(document: TextDocument): OpenDocument {
    return { document, ...this.locate(document.uri, document.languageId) };
  }

  open(): OpenDocument[] {
    return this.documents.all().map((d) => this.describe(d));
  }

  /** The open document of a file, if any. */
  openAt(path: string): TextDocument | undefined {
    const wanted = resolve(path);
    return this.documents.all().find((d) => this.pathOf(d.uri) === wanted);
  }

  readText(path: string): string | undefined {
    const open = this.openAt(path);
    if (open) {
      const text = open.getText();
      return this.hiddenBom(open, path) ? `\ufeff${text}` : text;
    }
    const key = resolve(path);
    const st = this.stat(key);
    // Only regular files are kept; anything else goes to the disk policy every time (disk/read-file.ts).
    if (!st || !st.isFile()) {
      this.files.delete(key);
      return disk.readText(key);
    }
    const cached = this.files.get(key);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs && cached.ino === st.ino) {
      this.files.delete(key);
      this.files.set(key, cached);
      return cached.text;
    }
    const text = disk.readText(key);
    this.files.delete(key);
    if (text === undefined) return undefined;
    this.files.set(key, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, text });
    if (this.files.size > MAX_CACHED_FILES) this.files.delete(this.files.keys().next().value as string);
    return text;
  }

  /** Whether the editor hides a byte order mark the file of this open document starts with (read once per version). */
  hiddenBom(open: TextDocument, path: string): boolean {
    const key = resolve(path);
    const known = this.boms.get(key);
    if (known && known.uri === open.uri && known.version === open.version) return known.hidden;
    const hidden = bomHiddenByEditor(key, open.getText());
    if (this.boms.size > 1024) this.boms.clear();
    this.boms.set(key, { uri: open.uri, version: open.version, hidden });
    return hidden;
  }

  unreadable(path: string): UnreadableFile | undefined {
    return this.openAt(path) ? undefined : disk.unreadable(path);
  }

  realPath(path: string): string | undefined {
    const p = resolve(path);
    const keep = this.keeps(p);
    if (keep && this.realPaths.has(p)) return this.realPaths.get(p);
    const onDisk = disk.realPath!(path);
    // Not kept when the file is not there: an open buffer's path (below) answers while it is open.
    if (keep && onDisk !== undefined) this.realPaths.set(p, onDisk);
    return onDisk ?? (this.openAt(path) ? p : undefined);
  }

  listDirectory(path: string): string[] | undefined {
    return disk.listDirectory!(path);
  }

  mtimeMs(path: string): number | undefined {
    return this.stat(path)?.mtimeMs;
  }
}

/** The folder paths of an `initialize` request: workspaceFolders, else rootUri, else rootPath. */
export function workspaceRoots(params: { workspaceFolders?: { uri: string }[] | null; rootUri?: string | null; rootPath?: string | null }): string[] {
  const folders = Array.isArray(params?.workspaceFolders) ? params.workspaceFolders.map((f) => (typeof f?.uri === 'string' ? uriToPath(f.uri) : undefined)) : [];
  const paths = folders.filter((p): p is string => p !== undefined);
  if (paths.length > 0) return paths;
  const root = typeof params?.rootUri === 'string' ? uriToPath(params.rootUri) : typeof params?.rootPath === 'string' ? resolve(params.rootPath) : undefined;
  return root ? [root] : [];
}

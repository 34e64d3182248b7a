// The engine reads sibling files (master.cf beside main.cf, lookup tables)
// through a FileReader. This one prefers the editor's open, possibly unsaved
// buffers over the disk, so an edit to master.cf changes main.cf's diagnostics
// before it is saved.

import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileReader, UnreadableFile } from '../engine/types';
import { diskReader } from '../disk/read-file';
import { DocumentKind, documentKind } from './documentKind';

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

export class Workspace implements FileReader {
  constructor(private readonly documents: TextDocuments<TextDocument>) {}

  /** Path, directory and kind of a URI (open or not). */
  locate(uri: string, languageId?: string): Omit<OpenDocument, 'document'> {
    const real = uriToPath(uri);
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

  private openAt(path: string): TextDocument | undefined {
    const wanted = resolve(path);
    return this.documents.all().find((d) => uriToPath(d.uri) === wanted);
  }

  readText(path: string): string | undefined {
    const open = this.openAt(path);
    return open ? open.getText() : disk.readText(path);
  }

  unreadable(path: string): UnreadableFile | undefined {
    return this.openAt(path) ? undefined : disk.unreadable(path);
  }

  realPath(path: string): string | undefined {
    return disk.realPath!(path) ?? (this.openAt(path) ? resolve(path) : undefined);
  }

  listDirectory(path: string): string[] | undefined {
    return disk.listDirectory!(path);
  }

  mtimeMs(path: string): number | undefined {
    return disk.mtimeMs!(path);
  }
}

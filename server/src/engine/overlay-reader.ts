// A FileReader that answers some paths from memory (an unsaved editor buffer,
// a stand-in name) and everything else from the reader underneath, keeping
// that reader's other abilities (why a file is unreadable, symbolic links,
// directory listings), so wrapping never loses the file-access policy.

import type { FileReader } from './types';

export function overlayReader(base: FileReader, texts: (path: string) => string | undefined): FileReader {
  return {
    readText: (p) => texts(p) ?? base.readText(p),
    mtimeMs: base.mtimeMs ? (p) => base.mtimeMs!(p) : undefined,
    realPath: base.realPath ? (p) => base.realPath!(p) ?? (texts(p) !== undefined ? p : undefined) : undefined,
    listDirectory: base.listDirectory ? (p) => base.listDirectory!(p) : undefined,
    unreadable: base.unreadable ? (p) => (texts(p) !== undefined ? undefined : base.unreadable!(p)) : undefined,
  };
}

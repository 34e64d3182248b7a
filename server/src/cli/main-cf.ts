// A configuration directory without a readable main.cf is not a clean
// configuration: Postfix itself refuses to start. The CLI says so in
// postconf's words ("fatal: open /x/main.cf: No such file or directory") and
// exits 1 rather than report "0 errors".

import type { FileReader } from '../engine/types';

/** postconf's fatal text for DIR/main.cf, or undefined when it reads. */
export function mainCfFailure(dir: string, reader: FileReader): string | undefined {
  const path = `${dir.replace(/\/+$/, '')}/main.cf`;
  if (reader.readText(path) !== undefined) return undefined;
  const why = reader.unreadable?.(path);
  return why && why.code !== 'ENOENT' ? `${why.op} ${path}: ${why.reason}` : `open ${path}: No such file or directory`;
}

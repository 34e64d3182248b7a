// A configuration directory without a readable main.cf is not a clean
// configuration: Postfix itself refuses to start. The CLI says so in
// postconf's words ("fatal: open /x/main.cf: No such file or directory") and
// exits 1 rather than report "0 errors". A repository copy's main.cf that is
// a link out of its directory is not read either (engine/config-files.ts
// keeps an untrusted tree from naming other files): that is said too.

import { dirname } from 'node:path';
import { configFiles, detectMode, linkedOutText } from '../engine/config-files';
import type { ConfigMode } from '../engine/config-files';
import type { FileReader } from '../engine/types';

/** Why DIR/main.cf cannot be linted (postconf's fatal text where Postfix would fail too), or undefined. */
export function mainCfFailure(dir: string, reader: FileReader, mode?: ConfigMode): string | undefined {
  const base = dir.replace(/\/+$/, '');
  const path = `${base}/main.cf`;
  if (reader.readText(path) === undefined) {
    const why = reader.unreadable?.(path);
    return why && why.code !== 'ENOENT' ? `${why.op} ${path}: ${why.reason}` : `open ${path}: No such file or directory`;
  }
  const m = mode ?? detectMode(base);
  const target = m === 'repository' ? configFiles(base, reader, m).linkTarget(path) : undefined;
  if (target) return `${linkedOutText(path, target)}: lint ${dirname(target)} instead, or pass --live if this is the configuration of this machine`;
  return undefined;
}

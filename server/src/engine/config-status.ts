// What the editor's status bar and its program-running commands need to know
// about a configuration: how it is judged (live or repository copy), which
// Postfix release the checks target, and, for a table file, the commands that
// build its compiled form. Pure: a loaded configuration in, plain data out.

import { describeMode, type ConfigMode } from './config-files';
import type { PostfixConfig } from './config';

export interface TableBuild {
  /** postalias for aliases(5) files, postmap for every other indexed table. */
  program: 'postmap' | 'postalias';
  /**
   * Its arguments: `-c DIR` so it reads this configuration's main.cf (a copy
   * need not be installed), then `type:path` where the file is in this workspace.
   */
  args: string[];
}

export interface ConfigStatus {
  dir: string;
  mode: ConfigMode;
  modeDescription: string;
  version: string;
  /** Indexed tables whose source is `path` (empty when no path was asked about). */
  builds: TableBuild[];
}

export function configStatus(config: PostfixConfig, path?: string): ConfigStatus {
  const builds: TableBuild[] = [];
  const seen = new Set<string>();
  for (const use of path === undefined ? [] : config.tables) {
    if (use.writable || use.files.source !== path || !use.files.indexed?.length) continue;
    const build: TableBuild = { program: use.format === 'aliases' ? 'postalias' : 'postmap', args: ['-c', config.dir, `${use.ref.type}:${path}`] };
    const key = `${build.program} ${build.args.join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    builds.push(build);
  }
  return { dir: config.dir, mode: config.mode, modeDescription: describeMode(config.mode), version: config.version, builds };
}

// The shared corpus of real-world configurations (/work/shared/corpus) and
// a scratch configuration directory, as the protocol tests of hover and
// completion use them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS = '/work/shared/corpus';

/** Corpus directories with a usable main.cf and/or master.cf (Jinja templates are not main.cf). */
export const CORPUS_CONFIGS: readonly { name: string; main?: string; master?: string }[] = [
  { name: 'debian-postfix-3.7', main: 'main.cf.dist', master: 'master.cf.dist' },
  { name: 'docker-mailserver', main: 'main.cf', master: 'master.cf' },
  { name: 'iredmail', main: 'main.cf', master: 'master.cf' },
  { name: 'mailu', main: 'main.cf', master: 'master.cf' },
  { name: 'postfix-upstream', main: 'main.cf', master: 'master.cf' },
  { name: 'mailcow', master: 'master.cf' },
];

/** A fresh configuration directory `name` under `root` with these files. */
export function configDirIn(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

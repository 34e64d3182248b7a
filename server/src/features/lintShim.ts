// TEMPORARY stand-in for server/src/engine/lint.ts (the lead's facade) until it
// lands: same signature, main.cf parse problems only. Delete when lint.ts exists.

import { basename } from 'node:path';
import { parseMainCf } from '../engine/maincf/parse';
import type { FileReader, Problem } from '../engine/types';

export function lintDocument(path: string, text: string, _reader: FileReader): Problem[] {
  return /^main\.cf/.test(basename(path)) ? parseMainCf(text, path).problems : [];
}

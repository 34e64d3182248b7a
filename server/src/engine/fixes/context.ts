// What a quick fix needs besides its problem: the configuration it was found
// in and the text of the files, read once per lint.

import type { PostfixConfig } from '../config';
import type { Position, Range } from '../types';
import { fileLines, FileLines } from './text';

export class FixContext {
  private files = new Map<string, FileLines | undefined>();
  /** `readText` first, then the configuration's files (a table edited in the editor but not part of the configuration). */
  constructor(
    readonly config: PostfixConfig,
    private readonly readText?: (file: string) => string | undefined,
  ) {}

  lines(file: string): FileLines | undefined {
    if (!this.files.has(file)) {
      const text = this.readText?.(file) ?? this.config.files.readText(file);
      this.files.set(file, text === undefined ? undefined : fileLines(file, text));
    }
    return this.files.get(file);
  }
}

export function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

export function sameRange(a: Range, b: Range): boolean {
  return samePosition(a.start, b.start) && samePosition(a.end, b.end);
}

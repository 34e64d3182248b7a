// What a CLI command writes to; tests pass buffers, main.ts passes the process streams.
import type { FileReader } from '../engine/types';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  reader: FileReader;
  /** Lines of standard input, for commands that read it (postmap -q -). */
  stdinLines?: () => string[];
}

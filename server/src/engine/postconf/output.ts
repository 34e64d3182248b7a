// What a postconf run prints: stdout, stderr and exit status, and the output
// rules every mode shares (Postfix's logging escapes, pcf_print_line's
// whitespace squeezing and folding, the stdout buffer a fatal error loses).
//
// Text here is a byte string: one character per byte, as a file read as
// latin1 gives it. Postfix counts columns and truncates in bytes, and so do we.

import type { Finding, PostconfFatal } from './parameters';

export interface PostconfOutput {
  stdout: string;
  stderr: string;
  status: number;
  /**
   * Output that depends on postconf's per-run hash order. When the run dies
   * in a step whose items postconf visits in random order, `alternatives`
   * lists each stderr ending it may print (the lines of the item it died on,
   * fatal line included); ours is alternatives[0].
   */
  alternatives?: string[][];
  /** stderr lines postconf may or may not print before that ending (items it happened to visit first). */
  optional?: string[];
  /** Offset in `stderr` from which postconf prints after stdout (the CLI interleaves the streams at that point). */
  stderrAfterStdout?: number;
}

/** Columns and indent of folded lines (postconf -f). */
export const LINE_LIMIT = 80;
export const INDENT = '    ';
/** postconf's stdout buffer: a fatal error loses what is still in it. */
const STDOUT_BUFFER = 4096;

/**
 * Postfix's logging shows every byte that is not printable ASCII as `?`
 * (postconf does not enable UTF-8 there).
 */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

export const warningLine = (text: string): string => `postconf: warning: ${printable(text)}`;
export const fatalLine = (text: string): string => `postconf: fatal: ${printable(text)}`;

/** pcf_print_line: words joined by single spaces, folded at 80 columns with -f. */
export function printLine(text: string, fold: boolean): string {
  let out = '';
  let len = 0;
  for (const word of text.split(/[ \t\r\n]+/)) {
    if (word.length === 0) continue;
    if (len > 0) {
      if (!fold || len + word.length < LINE_LIMIT) {
        out += ' ';
        len += 1;
      } else {
        out += `\n${INDENT}`;
        len = INDENT.length;
      }
    }
    out += word;
    len += word.length;
  }
  return `${out}\n`;
}

/** Thrown to end a run after its fatal line is recorded. */
export class Died extends Error {}

/** Collects one run's output in postconf's order. */
export class PostconfPrinter {
  private stdout = '';
  private readonly err: string[] = [];
  private errAfterStdout: number | undefined;
  private alternatives?: string[][];
  private optional?: string[];

  write(s: string): void {
    this.stdout += s;
  }

  /** From here on stderr shows after stdout (postconf flushes stdout before its "unused" warnings). */
  stdoutStarts(): void {
    this.errAfterStdout ??= this.err.join('').length;
  }

  warn(text: string): void {
    this.err.push(`${warningLine(text)}\n`);
  }

  findings(list: readonly Finding[]): void {
    for (const f of list) this.warn(f.text);
  }

  die(text: string): never {
    this.err.push(`${fatalLine(text)}\n`);
    throw new Died();
  }

  /** Dies the way registration or a lookup did; its first ending is the one we print. */
  dieWith(fatal: PostconfFatal): never {
    const endings = fatal.outcomes.map((o) => [...o.warnings.map((w) => warningLine(w.text)), fatalLine(o.fatal)]);
    const optional = fatal.optional.map((w) => warningLine(w.text));
    if (endings.length > 1 || optional.length > 0) {
      this.alternatives = endings;
      this.optional = optional;
    }
    for (const l of endings[0]) this.err.push(`${l}\n`);
    throw new Died();
  }

  result(status: number): PostconfOutput {
    const stderr = this.err.join('');
    const out: PostconfOutput = { stdout: status === 0 ? this.stdout : this.flushedOnDeath(), stderr, status };
    if (this.alternatives) out.alternatives = this.alternatives;
    if (this.optional) out.optional = this.optional;
    if (this.errAfterStdout !== undefined && this.errAfterStdout < stderr.length) out.stderrAfterStdout = this.errAfterStdout;
    return out;
  }

  /** Only whole buffers reach the pipe before a fatal exit. */
  private flushedOnDeath(): string {
    return this.stdout.slice(0, Math.floor(this.stdout.length / STDOUT_BUFFER) * STDOUT_BUFFER);
  }
}

// Shared by the postmap differential tests: runs the real postmap and our
// `runPostmap` on the same files in a scratch directory and compares stdout,
// exit status and warnings (sorted and deduplicated: Postfix repeats warnings
// when it re-reads a file and prints -s listings in hash order).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigDir } from '../helpers/postfix-tools';
import { runPostmap, splitStdinLines } from '../../server/src/cli/postmap';
import type { FileReader } from '../../server/src/engine/types';

export interface PostmapRun {
  stdout: string;
  stderr: string;
  status: number;
}

export interface Comparison {
  ok: boolean;
  detail: string;
  real: PostmapRun;
  ours: PostmapRun;
}

export function normalize(stderr: string): string[] {
  return [...new Set(stderr.split('\n').filter((l) => l.length > 0))].sort();
}

export class PostmapOracle {
  readonly d = new ConfigDir('pmap-');
  readonly pm: string;

  constructor() {
    this.d.write('PM/main.cf', 'compatibility_level = 3.6\n');
    this.pm = join(this.d.dir, 'PM');
  }

  get dir(): string {
    return this.d.dir;
  }

  /** Writes a file (backdated, so postmap reads it once). */
  write(name: string, text: string | Buffer): string {
    this.d.write(name, text);
    return name;
  }

  real(args: string[], stdin?: string): PostmapRun {
    const r = spawnSync('postmap', ['-c', this.pm, ...args], { cwd: this.dir, input: stdin, maxBuffer: 256 << 20 });
    return { stdout: (r.stdout ?? Buffer.alloc(0)).toString('utf8'), stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8'), status: r.status ?? -1 };
  }

  /** Like real(), without blocking: postmap sleeps a second after a fatal error, so fatal cases run in parallel. */
  realAsync(args: string[], stdin?: string): Promise<PostmapRun> {
    return new Promise((resolve) => {
      const child = spawn('postmap', ['-c', this.pm, ...args], { cwd: this.dir });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), status: code ?? -1 }));
      // postmap may exit (fatal) before reading its input: a broken pipe is expected then.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });
  }

  /** Compares many cases at once (see realAsync). */
  async compareAll(cases: { args: string[]; stdin?: string; sortStdout?: boolean }[]): Promise<Comparison[]> {
    const reals = await Promise.all(cases.map((c) => this.realAsync(c.args, c.stdin)));
    return cases.map((c, i) => this.judge(c.args, c.stdin, reals[i], this.ours(c.args, c.stdin), c));
  }

  reader(): FileReader {
    const abs = (p: string) => (isAbsolute(p) ? p : join(this.dir, p));
    return {
      readText: (p) => {
        try {
          return readFileSync(abs(p)).toString('utf8');
        } catch {
          return undefined;
        }
      },
      mtimeMs: (p) => {
        try {
          return statSync(abs(p)).mtimeMs;
        } catch {
          return undefined;
        }
      },
    };
  }

  ours(args: string[], stdin?: string): PostmapRun {
    let stdout = '';
    let stderr = '';
    const status = runPostmap(args, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      reader: this.reader(),
      stdinLines: () => splitStdinLines(stdin ?? ''),
    });
    return { stdout, stderr, status };
  }

  /** Runs both; `sortStdout` for listings (-s), whose order is hash order in Postfix. */
  compare(args: string[], stdin?: string, opts: { sortStdout?: boolean; context?: string } = {}): Comparison {
    return this.judge(args, stdin, this.real(args, stdin), this.ours(args, stdin), opts);
  }

  private judge(args: string[], stdin: string | undefined, real: PostmapRun, ours: PostmapRun, opts: { sortStdout?: boolean; context?: string }): Comparison {
    const out = (s: string) => (opts.sortStdout ? s.split('\n').sort().join('\n') : s);
    const ok = out(real.stdout) === out(ours.stdout) && real.status === ours.status && JSON.stringify(normalize(real.stderr)) === JSON.stringify(normalize(ours.stderr));
    const detail = ok
      ? ''
      : [
          `postmap ${args.join(' ')}${stdin !== undefined ? ` <<< ${JSON.stringify(stdin.slice(0, 400))}` : ''}`,
          opts.context ?? '',
          `--- real (status ${real.status}):`,
          real.stdout + normalize(real.stderr).join('\n'),
          `--- ours (status ${ours.status}):`,
          ours.stdout + normalize(ours.stderr).join('\n'),
        ].join('\n');
    return { ok, detail, real, ours };
  }

  dispose(): void {
    this.d.dispose();
  }
}

/** Runs `fn` with a PostmapOracle, disposed (its scratch directory removed) when `fn` is done, or its promise settles. */
export function withPostmap<T>(fn: (o: PostmapOracle) => T): T {
  const o = new PostmapOracle();
  let settling = false;
  try {
    const r = fn(o);
    if (r instanceof Promise) {
      settling = true;
      return r.finally(() => o.dispose()) as T;
    }
    return r;
  } finally {
    if (!settling) o.dispose();
  }
}

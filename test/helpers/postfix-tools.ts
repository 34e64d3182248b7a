// Runs the real postconf/postmap against a private directory, the way the
// oracle notes say: files backdated so Postfix reads them once, stderr kept,
// warnings normalised (sorted, deduplicated) because their order is hash order.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, utimesSync, rmSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { pool } from '../../server/src/cli/against';

export interface ToolRun {
  stdout: string;
  stderr: string;
  status: number;
  pid: number;
}

export function run(cmd: string, args: string[], input?: string): ToolRun {
  const r = spawnSync(cmd, args, { input, encoding: 'latin1', maxBuffer: 256 << 20 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1, pid: r.pid ?? 0 };
}

/**
 * `run` in the background. A postconf or postmap that stops at a fatal error
 * sleeps a second before it exits (Postfix's msg_fatal), without using the
 * CPU: tests that run many of them overlap those seconds with runBounded.
 */
export function runAsync(cmd: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { encoding: 'latin1', maxBuffer: 256 << 20, env }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({ stdout: stdout ?? '', stderr: stderr ?? '', status: !e ? 0 : typeof e.code === 'number' ? e.code : -1, pid: child.pid ?? 0 });
    });
    if (input !== undefined) child.stdin?.end(input, 'latin1');
    else child.stdin?.end();
  });
}

/**
 * How many short-lived tool runs (postconf, postmap: no daemons) a test keeps
 * going at once. They mostly sleep (see runAsync), so several times the
 * cores; POSTFIX_TOOLS_PARALLEL overrides it on a crowded machine.
 */
export const TOOLS_PARALLEL = Math.max(1, Number(process.env.POSTFIX_TOOLS_PARALLEL ?? 12) || 12);

/** fn over every item, at most `limit` at a time (the CLI's pool); results in the items' order. */
export function runBounded<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit = TOOLS_PARALLEL): Promise<R[]> {
  return pool(items, limit, fn);
}

/** Our emulation prints this where postconf prints its own process id; tests substitute the real pid. */
export const PID_MARKER = '@@PID@@';

/**
 * Sets a file's times 10 s back, or every file's below a directory. Postfix
 * reads a configuration file again, after sleeping, while its modification
 * time is this second or the last: a postconf on files written just now
 * takes a second or two longer, for nothing.
 */
export function backdate(path: string): void {
  const past = new Date(Date.now() - 10_000);
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else utimesSync(p, past, past);
  };
  walk(path);
}

/** A scratch config directory; files are written backdated by 10 s. */
export class ConfigDir {
  readonly dir: string;
  constructor(prefix = 'pflint-') {
    const base = join(tmpdir(), 'postfix-lint-tests');
    mkdirSync(base, { recursive: true });
    this.dir = mkdtempSync(join(base, prefix));
  }
  write(name: string, text: string | Buffer): string {
    const p = join(this.dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    backdate(p);
    return p;
  }
  remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Warning lines sorted and deduplicated; Postfix repeats and reorders them. */
export function normalizeWarnings(stderr: string): string[] {
  return [...new Set(stderr.split('\n').filter((l) => l.length > 0))].sort();
}

// Runs the real postconf/postmap against a private directory, the way the
// oracle notes say: files backdated so Postfix reads them once, stderr kept,
// warnings normalised (sorted, deduplicated) because their order is hash order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, utimesSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

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

/** Our emulation prints this where postconf prints its own process id; tests substitute the real pid. */
export const PID_MARKER = '@@PID@@';

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
    const past = new Date(Date.now() - 10_000);
    utimesSync(p, past, past);
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

// A machine-wide bound on running live Postfix instances. The test runner runs
// files side by side, and several people run suites at once on a small
// machine: every live instance (a `postfix start`, a foreground master) first
// takes one of LIVE_POSTFIX_SLOTS slots (default 2) and gives it back when it
// stops.
//
// A slot is an exclusive flock(1) on /tmp/pf-live-harness/slot-N.lock, held by
// a small `flock ... cat` helper process: the kernel grants the lock when it is
// free (no polling), and releases it when the helper exits, which it does when
// we close its stdin or when this process dies in any way (its stdin pipe
// closes). Nothing can stay locked by a dead process. Beside each lock, a
// record names the instances started under the slot; whoever takes the slot
// next stops any the previous holder left running (a process killed with
// SIGKILL cannot stop them itself).
//
// The lock files differ from /tmp/postfix-live.lock, which people take around
// whole test runs: holding that one never blocks a slot here.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_DIR = process.env.LIVE_POSTFIX_LOCK_DIR ?? '/tmp/pf-live-harness';
export const SLOT_LIMIT = Math.max(1, Number(process.env.LIVE_POSTFIX_SLOTS ?? 2) || 2);

export interface Slot {
  index: number;
  /** A loopback network of the slot's own (127.210+N.0.0/16): nobody else binds there while we hold it. */
  readonly hostPrefix: string;
  /** Records a config directory started under this slot (stopped by the next holder if we die). */
  own(etc: string): void;
  disown(etc: string): void;
  /**
   * One more user of this slot: a test that needs two instances at once (a
   * before/after pair) runs the second in the first one's slot, since waiting
   * for a second slot while holding one could deadlock with another such test.
   */
  share(): void;
  /** Gives the slot back once every user has released it. */
  release(): Promise<void>;
}

interface SlotRecord {
  pid: number;
  etcs: string[];
}

function recordFile(index: number): string {
  return join(LOCK_DIR, `slot-${index}.json`);
}

/** Stops what a previous holder of the slot left running (it died before stopping it). */
function reapLeftovers(index: number): void {
  const f = recordFile(index);
  if (!existsSync(f)) return;
  let rec: SlotRecord | undefined;
  try {
    rec = JSON.parse(readFileSync(f, 'utf8')) as SlotRecord;
  } catch {
    rec = undefined;
  }
  for (const etc of rec?.etcs ?? []) {
    try {
      execFileSync('postfix', ['-c', etc, 'abort'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // Already gone, or its directory was removed.
    }
  }
  rmSync(f, { force: true });
}

/** Starts a helper that holds slot `index`; resolves once the kernel granted the lock. */
function lockHelper(index: number): { child: ChildProcess; granted: Promise<boolean> } {
  const file = join(LOCK_DIR, `slot-${index}.lock`);
  // `flock` opens the file, waits for the exclusive lock, then runs the shell,
  // which says so and becomes `cat`: it lives exactly as long as our pipe.
  const child = spawn('flock', ['-x', file, 'sh', '-c', 'echo granted; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const granted = new Promise<boolean>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('granted')) resolve(true);
    });
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  return { child, granted };
}

/** Gives the slot back (or stops waiting for it). */
function endHelper(child: ChildProcess, granted: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // cat ends at end of input, and flock with it. A flock still waiting for
    // the lock is killed; had it just been granted, its orphaned cat still
    // sees the end of input and lets go.
    child.stdin?.end();
    if (!granted) child.kill('SIGTERM');
  });
}

const waiters: ((slot: Slot) => void)[] = [];
let acquiring = false;

/**
 * Waits on every slot at once (one helper each; a slot this process holds is
 * granted when we give it back, as our helper is another process); keeps the
 * first granted and gives back the others.
 */
async function acquireOne(): Promise<{ index: number; child: ChildProcess }> {
  mkdirSync(LOCK_DIR, { recursive: true });
  try {
    chmodSync(LOCK_DIR, 0o1777);
  } catch {
    // Someone else's directory: it is usable as it is.
  }
  const helpers = Array.from({ length: SLOT_LIMIT }, (_, i) => ({ index: i, ok: false, ...lockHelper(i) }));
  const winner = await new Promise<{ index: number; child: ChildProcess }>((resolve, reject) => {
    let pending = helpers.length;
    let done = false;
    for (const h of helpers) {
      void h.granted.then((ok) => {
        h.ok = ok;
        if (ok && !done) {
          done = true;
          resolve({ index: h.index, child: h.child });
        } else if (!ok && --pending === 0 && !done) reject(new Error(`live-postfix slots: flock failed (is util-linux flock installed? lock dir ${LOCK_DIR})`));
      });
    }
  });
  await Promise.all(helpers.filter((h) => h.index !== winner.index).map((h) => endHelper(h.child, h.ok)));
  return winner;
}

function makeSlot(index: number, child: ChildProcess): Slot {
  const rec: SlotRecord = { pid: process.pid, etcs: [] };
  const save = () => writeFileSync(recordFile(index), JSON.stringify(rec));
  reapLeftovers(index);
  save();
  // From now on the helper must not keep this process alive on its own: if
  // the process ends without releasing, the helper sees its pipe close.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  let released = false;
  let users = 1;
  return {
    index,
    hostPrefix: `127.${210 + index}`,
    own(etc) {
      rec.etcs.push(etc);
      save();
    },
    disown(etc) {
      rec.etcs = rec.etcs.filter((e) => e !== etc);
      save();
    },
    share() {
      users++;
    },
    async release() {
      if (released || --users > 0) return;
      released = true;
      if (rec.etcs.length === 0) rmSync(recordFile(index), { force: true });
      // Waiting for the helper to end must keep this process alive again.
      child.ref();
      (child.stdout as unknown as { ref?: () => void }).ref?.();
      await endHelper(child, true);
      pump();
    },
  };
}

function pump(): void {
  if (acquiring || waiters.length === 0) return;
  acquiring = true;
  void acquireOne().then(
    ({ index, child }) => {
      acquiring = false;
      const w = waiters.shift();
      const slot = makeSlot(index, child);
      if (w) w(slot);
      else void slot.release();
      pump();
    },
    (err: Error) => {
      acquiring = false;
      console.error(`# ${err.message}`);
      process.exitCode = 1;
    },
  );
}

/**
 * Takes a machine-wide live-instance slot, waiting (on the kernel's lock, not
 * a timer) while all are busy. Release it when the instance is stopped.
 */
export function acquireSlot(): Promise<Slot> {
  return new Promise((resolve) => {
    waiters.push(resolve);
    pump();
  });
}

// ---- Instances are stopped however this process ends ----

const running = new Map<string, () => void>();

/** Registers a synchronous stopper for an instance; returns the function that unregisters it. */
export function onExitStop(key: string, stop: () => void): () => void {
  running.set(key, stop);
  return () => running.delete(key);
}

function stopAll(): void {
  for (const stop of running.values()) {
    try {
      stop();
    } catch {
      // Best effort: the next holder of the slot reaps what is left.
    }
  }
  running.clear();
}

process.once('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const handler = () => {
    stopAll();
    // Alone (no test-runner handler), re-raise so the signal ends the process as usual.
    if (process.listenerCount(sig) === 1) {
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    }
  };
  process.on(sig, handler);
}

/** `postfix -c etc abort`, synchronously (for exit handlers). */
export function abortSync(etc: string): void {
  execFileSync('postfix', ['-c', etc, 'abort'], { stdio: 'ignore', timeout: 60_000 });
}

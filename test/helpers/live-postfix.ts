// THE live-Postfix harness: private, real Postfix instances for differential
// tests.
// - PostfixInstance: one instance in a directory of its own (config, queue,
//   log file), on a loopback network of its own, started with
//   `postfix start` (which runs `postfix check`, the slow part), stopped by
//   signalling its master (what `postfix abort` does), and given a new
//   configuration with `reconfigure()` + `reload()` (what `postfix reload`
//   does), so that a test runs scenario after scenario in one instance
//   instead of starting one per scenario. Every instance first takes one of a few
//   machine-wide slots (./live-slots.ts), so that test files running side by
//   side, and other people's test runs, never start more than a couple of
//   Postfix instances at once on a small machine; instances are stopped however
//   the process ends. A command that hangs is reported as a timeout, with
//   what it printed and the instance's log, never as a bare exit status.
// - LivePostfix: an instance for the simulator's oracle, our configuration
//   under test plus essentials that keep it self-contained (discard
//   transports, XCLIENT allowed from 127.0.0.1 so clients can be impersonated).
//   One instance serves many transactions, run in parallel.

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abortSync, acquireSlot, onExitStop, type Slot } from './live-slots';

import { interpretSwaks, type LiveResult, type LiveTransaction } from './live-swaks';
import { fakeDovecotAuth, type SaslUsers } from './fake-dovecot';

export { interpretSwaks, parseSwaks, type LiveReply, type LiveResult, type LiveStage, type LiveTransaction } from './live-swaks';
export { SLOT_LIMIT, acquireSlot, onExitStop, type Slot } from './live-slots';
export { fakeDovecotAuth, type SaslUsers } from './fake-dovecot';

/**
 * Hang detectors, not performance limits: generous, so that a loaded machine
 * only makes a test slower (LIVE_POSTFIX_TIMEOUT_S scales them).
 */
const HANG_S = Math.max(1, Number(process.env.LIVE_POSTFIX_TIMEOUT_S ?? 180) || 180);

/** How long a client waits for one SMTP reply before giving up (a hang, not a slow server). */
export const REPLY_S = Math.max(5, Math.round(HANG_S / 3));

export interface RunResult {
  code: number;
  out: string;
  /** Killed after the time limit: `out` is what it printed until then. */
  timedOut: boolean;
}

/** Runs a command; a command killed by the time limit says so (timedOut), with its output so far. */
export function runTool(cmd: string, args: string[], timeoutS = HANG_S, encoding: BufferEncoding = 'utf8'): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 4 << 20, encoding }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean; signal?: string | null }) | null;
      const timedOut = !!e && e.killed === true;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : timedOut ? -1 : 1;
      const spawnError = e && typeof e.code === 'string' ? `${cmd}: ${e.code} ${e.message}\n` : '';
      resolve({ code, out: `${stdout}${stderr}${spawnError}`, timedOut });
    });
  });
}

/** A readable account of a failed or timed-out command. */
export function describeRun(what: string, r: RunResult, timeoutS = HANG_S, log = ''): string {
  const head = r.timedOut ? `${what} timed out after ${timeoutS} s` : `${what} failed (exit ${r.code})`;
  const out = r.out.trim() ? `output:\n${r.out.trim()}` : 'no output';
  const tail = log.trim() ? `\nlast lines of the instance's maillog:\n${log.trim().split('\n').slice(-20).join('\n')}` : '';
  return `${head}; ${out}${tail}`;
}

async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, host);
  });
}

/**
 * Waits until host:port opens (or closes). Each try is a connection attempt
 * answered at once by the kernel; between tries the loop yields briefly.
 */
export async function waitPort(host: string, port: number, open: boolean, what: string, timeoutS = HANG_S): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if ((await accepts(host, port)) === open) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${host}:${port} did not ${open ? 'open' : 'close'} within ${timeoutS} s (timed out)`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Whether a process still runs. A zombie does not: it has exited and closed
 * its sockets, and a master started by `postfix start` is reaped by init, which
 * in some containers takes a second or more.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'latin1');
      // pid (comm) state ppid ...; comm may contain spaces and parentheses.
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // Exited while we read.
    }
  }
  return out;
}

function countReloads(log: string): number {
  return (log.match(/postfix\/master\[\d+\]: reload -- /g) ?? []).length;
}

/**
 * Parameters that the master reads only when it starts (its listening
 * addresses, directories and log file): a change needs a stop and a start.
 */
function restartKey(main: string): string {
  return [...main.matchAll(/^(inet_interfaces|inet_protocols|queue_directory|data_directory|maillog_file|maillog_file_prefixes)\s*=\s*(.*?)\s*$/gm)]
    .map((m) => `${m[1]}=${m[2]}`)
    .join('\n');
}

let logMarks = 0;
let instanceCounter = 0;

export interface InstanceFiles {
  /** main.cf; `{{DIR}}` (the instance directory), `{{ETC}}` (its config directory) and `{{HOST}}` are replaced. */
  main: string;
  /** master.cf, with the same substitutions. */
  master: string;
  /** Table files written into the config directory (name → content), same substitutions. */
  tables?: Record<string, string>;
  /** Tables to compile with postmap (`hash:name`, `cdb:name`, ...), relative to the config directory. */
  postmap?: string[];
}

/** One private Postfix instance: directory, slot, address, start/stop. Always `dispose()` it. */
export class PostfixInstance {
  readonly etc: string;
  /** Its own loopback address (the slot's network), for services on fixed port numbers. */
  readonly host: string;
  private running = false;
  private unregister?: () => void;
  private disposed = false;
  private auth?: Server;
  /** The running master's pid (from its pid file), once started. */
  private masterPid?: number;
  /** Where the master writes its pid file: the instance's queue directory. */
  private queueDir?: string;

  private constructor(
    readonly label: string,
    readonly dir: string,
    private readonly slot: Slot,
  ) {
    this.etc = join(dir, 'etc');
    instanceCounter++;
    this.host = `${slot.hostPrefix}.${process.pid & 255}.${1 + (instanceCounter % 250)}`;
  }

  /**
   * Takes a machine-wide slot (waiting for one), then writes the instance's
   * files. `sharing`: run in that instance's slot instead (a pair a test needs
   * at the same time; never wait for a second slot while holding one).
   */
  static async create(label: string, files: InstanceFiles, sharing?: PostfixInstance): Promise<PostfixInstance> {
    let slot: Slot;
    if (sharing) {
      slot = sharing.slot;
      slot.share();
    } else slot = await acquireSlot();
    let inst: PostfixInstance | undefined;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'pf-live-'));
      chmodSync(dir, 0o755);
      inst = new PostfixInstance(label, dir, slot);
      mkdirSync(inst.etc);
      mkdirSync(join(dir, 'spool'));
      await inst.reconfigure(files);
      return inst;
    } catch (e) {
      if (inst) await inst.dispose();
      else await slot.release();
      throw e;
    }
  }

  /**
   * Writes the instance's files (main.cf, master.cf, tables) and compiles the
   * tables named in `postmap`. A running instance goes on with its old
   * configuration until `reload()`. Its queue directory must stay the same.
   */
  async reconfigure(files: Partial<InstanceFiles>): Promise<void> {
    if (files.main !== undefined) {
      const main = this.subst(files.main);
      this.writeFile('main.cf', main);
      const q = [...main.matchAll(/^queue_directory\s*=\s*(\S+)\s*$/gm)].pop()?.[1];
      this.queueDir = q && !q.includes('$') ? q : undefined;
    }
    if (files.master !== undefined) this.writeFile('master.cf', this.subst(files.master));
    for (const [n, text] of Object.entries(files.tables ?? {})) this.writeFile(n, this.subst(text));
    for (const spec of files.postmap ?? []) {
      const i = spec.indexOf(':');
      const r = await runTool('postmap', ['-c', this.etc, `${spec.slice(0, i)}:${this.path(spec.slice(i + 1))}`]);
      if (r.code !== 0) throw new Error(describeRun(`postmap ${spec} (${this.label})`, r));
    }
  }

  subst(s: string): string {
    return s.replaceAll('{{DIR}}', this.dir).replaceAll('{{ETC}}', this.etc).replaceAll('{{HOST}}', this.host);
  }

  path(name: string): string {
    return join(this.etc, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'latin1');
  }

  /** Writes a file backdated by 10 s, so that Postfix does not see it as changing while it reads it. */
  writeFile(name: string, text: string): void {
    writeFileSync(this.path(name), text, 'latin1');
    const old = new Date(Date.now() - 10000);
    utimesSync(this.path(name), old, old);
  }

  maillog(): string {
    const f = join(this.dir, 'maillog');
    return existsSync(f) ? readFileSync(f, 'latin1') : '';
  }

  /**
   * Logs a line of our own through the instance's postlogd and waits for it:
   * whatever the daemons logged before (a reload lets old daemons finish
   * and log after the reload line) is in the file before it. Returns the
   * offset just after it.
   */
  async logMark(): Promise<number> {
    const mark = `test harness mark ${process.pid}.${++logMarks}`;
    const r = await runTool('postlog', ['-c', this.etc, '-t', 'postfix/test-harness', mark], HANG_S, 'latin1');
    if (r.code !== 0) throw new Error(describeRun(`postlog (${this.label})`, r, HANG_S, this.maillog()));
    const deadline = Date.now() + HANG_S * 1000;
    for (;;) {
      const log = this.maillog();
      const at = log.indexOf(`${mark}\n`);
      if (at >= 0) return at + mark.length + 1;
      if (Date.now() > deadline) throw new Error(`${this.label}: our log line "${mark}" did not reach the maillog within ${HANG_S} s (timed out)`);
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  /**
   * `postfix start` (which also runs `postfix check`), then waits until each
   * of `listen` accepts connections. Throws with the output and the log on
   * failure, saying "timed out" when that is what happened.
   */
  async start(listen: { host: string; port: number }[] = []): Promise<void> {
    if (this.disposed) throw new Error(`${this.label}: instance already disposed`);
    this.slot.own(this.etc);
    const etc = this.etc;
    this.unregister = onExitStop(etc, () => abortSync(etc));
    this.running = true;
    const r = await runTool('postfix', ['-c', etc, 'start'], HANG_S, 'latin1');
    if (r.code !== 0) {
      const msg = describeRun(`postfix start (${this.label})`, r, HANG_S, this.maillog());
      await this.stop().catch(() => undefined);
      throw new Error(msg);
    }
    this.masterPid = this.readMasterPid();
    for (const l of listen) await waitPort(l.host, l.port, true, `postfix start (${this.label})`);
  }

  /** Whether the master runs (as far as this instance started it). */
  get isRunning(): boolean {
    return this.running;
  }

  private readMasterPid(): number | undefined {
    if (!this.queueDir) return undefined;
    try {
      const pid = Number(readFileSync(join(this.queueDir, 'pid', 'master.pid'), 'latin1').trim());
      return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Makes the running master read main.cf and master.cf again (SIGHUP, as
   * `postfix reload`; an instance that is not running is started instead).
   * Returns once the master logged the reload, every process it had started
   * before (daemons with the old configuration) has exited, and each of
   * `listen` accepts connections: from then on every connection is served
   * with the new files. Unlike `start()` this runs no `postfix check`.
   */
  async reload(listen: { host: string; port: number }[] = []): Promise<void> {
    if (!this.running) return this.start(listen);
    const pid = this.masterPid;
    const what = `postfix reload (${this.label})`;
    if (pid === undefined) {
      const r = await runTool('postfix', ['-c', this.etc, 'reload'], HANG_S, 'latin1');
      if (r.code !== 0) throw new Error(describeRun(what, r, HANG_S, this.maillog()));
    } else {
      const reloads = countReloads(this.maillog());
      const old = childrenOf(pid);
      process.kill(pid, 'SIGHUP');
      const deadline = Date.now() + HANG_S * 1000;
      // The master logs the reload through postlogd, which it restarts too: wait for the line.
      while (countReloads(this.maillog()) <= reloads || old.some(alive)) {
        if (!alive(pid)) throw new Error(`${what}: the master exited; last lines of its maillog:\n${this.maillog().trim().split('\n').slice(-20).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`${what}: no reload line, or daemons of the old configuration still running, after ${HANG_S} s (timed out)`);
        await new Promise((res) => setTimeout(res, 25));
      }
    }
    for (const l of listen) await waitPort(l.host, l.port, true, what);
  }

  /** Stops the master (SIGTERM, as `postfix abort`), then waits until the services closed and the master is gone. */
  async stop(listen: { host: string; port: number }[] = []): Promise<void> {
    if (!this.running) return;
    const pid = this.masterPid;
    if (pid !== undefined && alive(pid)) {
      // The master passes the signal on to its daemons and exits.
      process.kill(pid, 'SIGTERM');
    } else if (pid === undefined) {
      const r = await runTool('postfix', ['-c', this.etc, 'abort'], HANG_S, 'latin1');
      if (r.timedOut) throw new Error(describeRun(`postfix abort (${this.label})`, r));
    }
    for (const l of listen) await waitPort(l.host, l.port, false, `postfix abort (${this.label})`);
    // The master must be gone before the next start.
    const deadline = Date.now() + HANG_S * 1000;
    for (;;) {
      if (pid !== undefined) {
        if (!alive(pid)) break;
      } else {
        const st = await runTool('postfix', ['-c', this.etc, 'status'], HANG_S, 'latin1');
        if (st.code !== 0 && !st.timedOut) break;
      }
      if (Date.now() > deadline) throw new Error(`postfix abort (${this.label}): master still running after ${HANG_S} s (timed out)`);
      await new Promise((res) => setTimeout(res, pid !== undefined ? 25 : 50));
    }
    this.running = false;
    this.masterPid = undefined;
    this.unregister?.();
    this.slot.disown(this.etc);
  }

  /**
   * A fake Dovecot auth socket (./fake-dovecot.ts) at `private/auth` in the
   * queue directory, what `smtpd_sasl_type = dovecot` with
   * `smtpd_sasl_path = private/auth` connects to; it serves until dispose().
   * Call it after the first start(): `postfix start` creates private/ with the
   * owner and mode `postfix check` expects.
   */
  async serveDovecotAuth(users: SaslUsers = {}): Promise<void> {
    if (this.auth) return;
    const dir = join(this.dir, 'spool', 'private');
    if (!existsSync(dir)) throw new Error(`${this.label}: ${dir} does not exist yet; start the instance before serving Dovecot auth`);
    this.auth = await fakeDovecotAuth(join(dir, 'auth'), users);
  }

  /** Stops the instance if it runs, removes its directory and gives the slot back. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.auth?.close();
    try {
      await this.stop().catch((e: Error) => console.error(`# ${this.label}: ${e.message}`));
      if (!process.env.KEEP_LIVE_POSTFIX) {
        try {
          rmSync(this.dir, { recursive: true, force: true });
        } catch {
          // A daemon still closing a file; the directory is in tmp and harmless.
        }
      }
    } finally {
      await this.slot.release();
    }
  }
}

export interface LiveService {
  /** Logical name used by the test (e.g. `smtp`, `submission`). */
  name: string;
  /** `-o name=value` options, without the `-o`. */
  options?: string[];
  /**
   * What the built-in client speaks to it: STARTTLS (a service that requires
   * TLS), TLS on connect (wrapper mode), or plain text (default). A service
   * with TLS gets tlsmgr in master.cf; the configuration names the certificate.
   */
  tls?: 'none' | 'starttls' | 'implicit';
}

export interface LiveConfig {
  /** main.cf lines under test; `{{ETC}}` is replaced by the instance's config directory. */
  mainCf: string;
  services: LiveService[];
  /** Table files to write into the config directory (name → content; `{{ETC}}` replaced). */
  tables?: Record<string, string>;
  /** Table files to compile with postmap (`hash:name`, `cdb:name`, ...). */
  postmap?: string[];
  /** Serve a fake Dovecot auth socket at private/auth with these logins (smtpd_sasl_type = dovecot). */
  dovecotAuth?: SaslUsers;
}

/**
 * The daemons every private instance needs besides its smtpd services (its
 * master.cf is only these plus the services under test).
 */
export const ESSENTIAL_SERVICES = `pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
proxymap  unix  - - n -  - proxymap
discard   unix  - - n -  - discard
error     unix  - - n -  - error
retry     unix  - - n -  - error
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

/** The TLS session cache manager, for instances whose smtpd speaks TLS (add it to ESSENTIAL_SERVICES). */
export const TLSMGR = 'tlsmgr    unix  - - n 1000? 1 tlsmgr\n';

/** What every LivePostfix instance runs with, before the configuration under test. */
const ESSENTIAL_MAIN = [
  'compatibility_level = 3.6',
  'queue_directory = {{DIR}}/spool',
  'data_directory = {{DIR}}/data',
  'maillog_file = {{DIR}}/maillog',
  'maillog_file_prefixes = {{DIR}}',
  'myhostname = mx.example.test',
  'inet_interfaces = 127.0.0.1',
  'inet_protocols = all',
  'default_transport = discard',
  'relay_transport = discard',
  'local_transport = discard',
  'virtual_transport = discard',
  'alias_maps =',
  'alias_database =',
  'service_throttle_time = 1s',
  'smtpd_authorized_xclient_hosts = 127.0.0.1',
];

export class LivePostfix {
  /** Logical service name → `127.0.0.1:PORT`. */
  readonly serviceNames = new Map<string, string>();
  private readonly ports = new Map<string, number>();
  /** Logical service name → what the built-in client speaks (LiveService.tls). */
  private readonly tls = new Map<string, LiveService['tls']>();
  /** smtpd's fatal error, when it dies before greeting clients. */
  fatal?: string;
  /** Where this configuration's part of the maillog starts (see reconfigure). */
  private logBase = 0;

  private constructor(private readonly inst: PostfixInstance) {}

  get dir(): string {
    return this.inst.dir;
  }

  get etc(): string {
    return this.inst.etc;
  }

  /** `sharing`: a second instance the test needs at the same time runs in the first one's slot. */
  static async start(config: LiveConfig, sharing?: LivePostfix): Promise<LivePostfix> {
    const files = await LivePostfix.files(config);
    const inst = await PostfixInstance.create('simulator oracle', files, sharing?.inst);
    const live = new LivePostfix(inst);
    live.take(files);
    try {
      await inst.start(live.listen());
      if (config.dovecotAuth) await inst.serveDovecotAuth(config.dovecotAuth);
      await live.probe();
    } catch (e) {
      await inst.dispose();
      throw e;
    }
    return live;
  }

  /**
   * Runs another configuration in this instance, instead of stopping it and
   * starting a new one: new files, new service ports, `reload()` (a restart
   * when a parameter only the master's start reads differs). From then on
   * `maillog()` and `fatal` are this configuration's alone.
   */
  async reconfigure(config: LiveConfig): Promise<void> {
    const files = await LivePostfix.files(config);
    const restart = restartKey(this.inst.subst(files.main)) !== restartKey(this.inst.read('main.cf'));
    if (restart) await this.inst.stop(this.listen());
    await this.inst.reconfigure(files);
    this.take(files);
    if (restart) await this.inst.start(this.listen());
    else await this.inst.reload(this.listen());
    // The fake Dovecot socket keeps serving (with the logins it was first given).
    if (config.dovecotAuth) await this.inst.serveDovecotAuth(config.dovecotAuth);
    this.logBase = await this.inst.logMark();
    await this.probe();
  }

  private static async files(config: LiveConfig): Promise<InstanceFiles & { ports: Map<string, number>; tls: Map<string, LiveService['tls']> }> {
    const ports = new Map<string, number>();
    const tls = new Map<string, LiveService['tls']>();
    let master = ESSENTIAL_SERVICES;
    if (config.services.some((s) => (s.tls ?? 'none') !== 'none')) master += TLSMGR;
    for (const svc of config.services) {
      const port = await freePort();
      ports.set(svc.name, port);
      tls.set(svc.name, svc.tls);
      master += `127.0.0.1:${port} inet n - n - - smtpd\n`;
      for (const o of svc.options ?? []) master += `  -o ${o}\n`;
    }
    // The configuration's own value of an essential wins either way (the last one counts), but
    // a setting given twice makes every Postfix process warn "overriding earlier entry" as it
    // starts, postlogd included, which sends the warning to its own socket. After a reload that
    // burst can fill the socket's queue: postlogd blocks writing to itself, the master blocks
    // logging to postlogd (no reload line, no reaping, postlog never answers), and the harness
    // waited for its timeout (seen with two live test files running). Each setting once.
    const own = new Set([...config.mainCf.matchAll(/^([A-Za-z0-9_]+)[ \t]*=/gm)].map((m) => m[1]));
    const essentials = ESSENTIAL_MAIN.filter((l) => !own.has(l.slice(0, l.indexOf(' '))));
    const main = `# essentials of the private test instance
${essentials.join('\n')}
# configuration under test
${config.mainCf}
`;
    return { main, master, tables: config.tables, postmap: config.postmap, ports, tls };
  }

  private take(files: { ports: Map<string, number>; tls: Map<string, LiveService['tls']> }): void {
    this.serviceNames.clear();
    this.ports.clear();
    this.tls.clear();
    this.fatal = undefined;
    for (const [k, t] of files.tls) this.tls.set(k, t);
    for (const [k, port] of files.ports) {
      this.serviceNames.set(k, `127.0.0.1:${port}`);
      this.ports.set(k, port);
    }
  }

  private listen(): { host: string; port: number }[] {
    return [...this.ports.values()].map((port) => ({ host: '127.0.0.1', port }));
  }

  /** Waits for a greeting on each port; when smtpd dies instead, records its fatal error. */
  private async probe(): Promise<void> {
    for (const [name, port] of this.ports) {
      // A wrapper-mode service greets only inside TLS.
      const implicit = this.tls.get(name) === 'implicit';
      const greeted = await new Promise<boolean | 'timeout'>((resolve) => {
        const s: Socket = implicit ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : new Socket();
        let done = false;
        const finish = (v: boolean | 'timeout') => {
          if (done) return;
          done = true;
          clearInterval(poll);
          clearTimeout(hang);
          s.destroy();
          resolve(v);
        };
        s.setEncoding('utf8');
        s.on('data', (d: string) => {
          // Any reply proves smtpd runs (a connect-time reject replaces the 220 greeting).
          if (/^\d{3} /m.test(d)) {
            s.write('QUIT\r\n');
            finish(true);
          }
        });
        s.on('error', () => finish(false));
        s.on('close', () => finish(false));
        // smtpd's death shows in the log before the connection closes.
        const poll = setInterval(() => {
          if (this.maillogFatal()) finish(false);
        }, 50);
        const hang = setTimeout(() => finish('timeout'), HANG_S * 1000);
        if (!implicit) s.connect(port, '127.0.0.1');
      });
      if (greeted === 'timeout') throw new Error(`smtpd on 127.0.0.1:${port}: no greeting within ${HANG_S} s (timed out)\n${this.maillog().split('\n').slice(-20).join('\n')}`);
      if (!greeted) {
        this.fatal = this.maillogFatal() ?? 'no greeting';
        return;
      }
    }
  }

  /** The maillog of the current configuration. */
  maillog(): string {
    return this.inst.maillog().slice(this.logBase);
  }

  /** Waits until every line the daemons logged so far is in the maillog (PostfixInstance.logMark), reporting a timeout as one. */
  async logMark(): Promise<void> {
    await this.inst.logMark();
  }

  /** smtpd's fatal error, or its crash: master keeps the client's connection open while it restarts a crashing smtpd. */
  private maillogFatal(): string | undefined {
    const log = this.maillog();
    const m = /postfix\/smtpd\[\d+\]: fatal: (.*)$/m.exec(log);
    if (m) return m[1];
    const crash = /postfix\/master\[\d+\]: warning: process \S*\/smtpd pid \d+ (killed by signal \d+)/m.exec(log);
    return crash?.[1];
  }

  /**
   * Runs one transaction, impersonating the client via XCLIENT: with swaks
   * (the independent reference client), or with a minimal built-in client
   * that sends the same commands in the same order and is ~20 times cheaper.
   */
  async send(tx: LiveTransaction, client: 'swaks' | 'native' = 'swaks'): Promise<LiveResult> {
    if (client === 'native') return this.sendNative(tx);
    if (this.fatal) return { outcome: 'fatal', fatal: this.fatal, rcpt: [], transcript: '' };
    const port = this.ports.get(tx.service);
    if (port === undefined) throw new Error(`unknown service ${tx.service}`);
    const args = [
      '--timeout', String(REPLY_S),
      '--server', '127.0.0.1',
      '--port', String(port),
      '--xclient-addr', tx.clientAddress.includes(':') ? `IPv6:${tx.clientAddress}` : tx.clientAddress,
      '--xclient-name', tx.clientName ?? '[UNAVAILABLE]',
      '--xclient-reverse-name', tx.clientName ?? '[UNAVAILABLE]',
      '--helo', tx.helo,
      '--from', tx.sender === '' ? '<>' : tx.sender,
      '--to', tx.recipients.join(','),
    ];
    if (tx.saslUser) args.push('--xclient-login', tx.saslUser);
    if ((tx.through ?? 'rcpt') === 'rcpt') args.push('--quit-after', 'RCPT');
    const r = await runTool('swaks', args);
    if (r.timedOut) return { outcome: 'error', rcpt: [], transcript: `${describeRun('swaks', r)}` };
    return interpretSwaks(r.out);
  }

  /** The swaks dialogue over a plain socket (see smtpSession). */
  private async sendNative(tx: LiveTransaction): Promise<LiveResult> {
    if (this.fatal) return { outcome: 'fatal', fatal: this.fatal, rcpt: [], transcript: '' };
    const port = this.ports.get(tx.service);
    if (port === undefined) throw new Error(`unknown service ${tx.service}`);
    return smtpSession('127.0.0.1', port, tx, this.tls.get(tx.service) ?? 'none');
  }

  /** Runs transactions with bounded parallelism, results in input order. */
  async sendAll(txs: LiveTransaction[], parallel = 8, client: 'swaks' | 'native' = 'swaks'): Promise<LiveResult[]> {
    const out: LiveResult[] = new Array(txs.length);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= txs.length) return;
        out[i] = await this.send(txs[i], client);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, txs.length) }, worker));
    return out;
  }

  /** Stops the instance, removes its directory, gives its slot back. */
  async stop(): Promise<void> {
    await this.inst.dispose();
  }
}

/** A self-signed EC certificate and key in one PEM file (smtpd_tls_chain_files) in dir, for services that must speak TLS. */
export async function selfSignedCert(dir: string): Promise<string> {
  const pem = join(dir, 'mx.pem');
  const r = await runTool('sh', ['-c', `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=mx.example.test -keyout ${pem}.key -out ${pem}.crt 2>&1 && cat ${pem}.key ${pem}.crt > ${pem} && chmod 600 ${pem}`]);
  if (r.code !== 0) throw new Error(describeRun('openssl req', r));
  return pem;
}

/**
 * The built-in client: the swaks dialogue (EHLO, XCLIENT, EHLO, MAIL, RCPT,
 * optionally DATA) over a socket, ~20 times cheaper than swaks, with STARTTLS
 * (when offered) or TLS on connect for submission services (swaks needs Net::SSLeay for
 * TLS, which this machine lacks). The transcript uses swaks' notation so one
 * parser reads both; the certificate is not verified (test instances use a
 * self-signed one).
 */
export async function smtpSession(host: string, port: number, tx: LiveTransaction, tls: 'none' | 'starttls' | 'implicit' = 'none'): Promise<LiveResult> {
  let sock: Socket = tls === 'implicit' ? tlsConnect({ host, port, rejectUnauthorized: false }) : new Socket();
  sock.setEncoding('latin1');
  let buf = '';
  let closed = false;
  let waiter: (() => void) | undefined;
  const onData = (d: string) => {
    buf += d;
    waiter?.();
  };
  const onEnd = () => {
    closed = true;
    waiter?.();
  };
  const listen = (s: Socket) => {
    s.on('data', onData);
    s.on('close', onEnd);
    s.on('error', onEnd);
  };
  listen(sock);
  const lines: string[] = [];
  /** One complete reply (the last line has "ddd "); undefined when the server hung up. */
  const reply = async (): Promise<string | undefined> => {
    const deadline = Date.now() + REPLY_S * 1000;
    for (;;) {
      const m = /^(\d{3}) .*\r?\n/m.exec(buf);
      if (m) {
        const end = m.index + m[0].length;
        const chunk = buf.slice(0, end).split(/\r?\n/).filter((l) => l !== '');
        buf = buf.slice(end);
        const last = chunk[chunk.length - 1];
        for (const l of chunk) lines.push(`${/^[45]/.test(last) ? '<**' : '<- '} ${l}`);
        return last;
      }
      if (closed || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        waiter = r;
        setTimeout(r, 100);
      });
      waiter = undefined;
    }
  };
  const cmd = async (c: string): Promise<string | undefined> => {
    lines.push(` -> ${c}`);
    sock.write(`${c}\r\n`);
    return reply();
  };
  const ok = (r: string | undefined) => r !== undefined && /^[23]/.test(r);
  await new Promise<void>((resolve) => {
    sock.once(tls === 'implicit' ? 'secureConnect' : 'connect', () => resolve());
    sock.once('error', () => resolve());
    if (tls !== 'implicit') sock.connect(port, host);
  });
  try {
    if (!ok(await reply())) return interpretSwaks(lines.join('\n'));
    if (!ok(await cmd(`EHLO ${tx.helo}`))) return interpretSwaks(lines.join('\n'));
    // STARTTLS when offered (as swaks --tls-optional): a service without TLS is then judged on what it does in plain text.
    if (tls === 'starttls' && lines.some((l) => /^<- +250[- ]STARTTLS\b/i.test(l))) {
      if (!ok(await cmd('STARTTLS'))) return interpretSwaks(lines.join('\n'));
      const plain = sock;
      plain.removeListener('data', onData);
      sock = tlsConnect({ socket: plain, rejectUnauthorized: false });
      sock.setEncoding('latin1');
      listen(sock);
      await new Promise<void>((resolve) => {
        sock.once('secureConnect', () => resolve());
        sock.once('error', () => resolve());
      });
      if (closed) return interpretSwaks(lines.join('\n'));
      if (!ok(await cmd(`EHLO ${tx.helo}`))) return interpretSwaks(lines.join('\n'));
    }
    const xtext = (v: string) => v.replace(/[^!-*,-<>-~]/g, (ch) => `+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    const addr = tx.clientAddress.includes(':') ? `IPv6:${tx.clientAddress}` : tx.clientAddress;
    const name = tx.clientName ?? '[UNAVAILABLE]';
    const attrs = [`ADDR=${xtext(addr)}`, `NAME=${xtext(name)}`, `REVERSE_NAME=${xtext(name)}`];
    if (tx.saslUser) attrs.push(`LOGIN=${xtext(tx.saslUser)}`);
    if (!ok(await cmd(`XCLIENT ${attrs.join(' ')}`))) return interpretSwaks(lines.join('\n'));
    let ehlo = await cmd(`EHLO ${tx.helo}`);
    if (!ok(ehlo)) ehlo = await cmd(`HELO ${tx.helo}`);
    if (!ok(ehlo)) return interpretSwaks(lines.join('\n'));
    if (!ok(await cmd(`MAIL FROM:<${tx.sender}>`))) return interpretSwaks(lines.join('\n'));
    let accepted = 0;
    for (const r of tx.recipients) {
      const rr = await cmd(`RCPT TO:<${r}>`);
      if (rr === undefined) return interpretSwaks(lines.join('\n'));
      if (ok(rr)) accepted++;
    }
    if ((tx.through ?? 'rcpt') === 'data' && accepted > 0) {
      if (ok(await cmd('DATA'))) {
        for (const l of ['Subject: test', '', 'This is a test mailing', '']) lines.push(` -> ${l}`);
        sock.write('Subject: test\r\n\r\nThis is a test mailing\r\n\r\n');
        await cmd('.');
      }
    }
    await cmd('QUIT');
    return interpretSwaks(lines.join('\n'));
  } finally {
    sock.destroy();
  }
}

/** True when this machine can run a live instance (root, postfix, swaks). */
export function canRunLivePostfix(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v postfix && command -v swaks'], { stdio: 'ignore' });
    return typeof process.getuid === 'function' && process.getuid() === 0;
  } catch {
    return false;
  }
}

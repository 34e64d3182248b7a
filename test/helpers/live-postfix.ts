// A private, real Postfix instance on 127.0.0.1 for differential tests: our
// configuration under test plus the essentials that keep it self-contained
// (own queue, discard transports, log file, XCLIENT allowed from 127.0.0.1 so
// swaks can impersonate any client, HELO name and SASL login). One instance
// serves many transactions; swaks runs them in parallel.

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LiveService {
  /** Logical name used by the test (e.g. `smtp`, `submission`). */
  name: string;
  /** `-o name=value` options, without the `-o`. */
  options?: string[];
}

export interface LiveConfig {
  /** main.cf lines under test; `{{ETC}}` is replaced by the instance's config directory. */
  mainCf: string;
  services: LiveService[];
  /** Table files to write into the config directory (name → content; `{{ETC}}` replaced). */
  tables?: Record<string, string>;
  /** Table files to compile with postmap (`hash:name`, `cdb:name`, ...). */
  postmap?: string[];
}

export interface LiveTransaction {
  /** Logical service name. */
  service: string;
  clientAddress: string;
  clientName?: string;
  helo: string;
  saslUser?: string;
  sender: string;
  recipients: string[];
  through?: 'rcpt' | 'data';
}

export interface LiveReply {
  code: number;
  enhanced: string;
  text: string;
  line: string;
}

export type LiveStage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'end-of-data';

export interface LiveResult {
  /** `fatal`: smtpd died before the greeting (see `fatal`). */
  outcome: 'replied' | 'fatal' | 'error';
  /** The first non-success reply, or the last reply when everything was accepted. */
  reply?: LiveReply;
  stage?: LiveStage;
  /** Reply to each RCPT TO, in order. */
  rcpt: LiveReply[];
  fatal?: string;
  transcript: string;
}

function replyOf(line: string): LiveReply {
  const m = /^(\d{3})[ -](?:([245]\.\d{1,3}\.\d{1,3})(?: |$))?(.*)$/.exec(line);
  if (!m) return { code: 0, enhanced: '', text: line, line };
  return { code: Number(m[1]), enhanced: m[2] ?? '', text: m[3], line };
}

/** Splits a swaks transcript into (command, final reply line) pairs. */
export function parseSwaks(out: string): { cmd: string; reply: string }[] {
  const pairs: { cmd: string; reply: string }[] = [];
  let cmd = '(connect)';
  let last: string | undefined;
  let inData = false;
  for (const raw of out.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith(' -> ') || line === ' -> ') {
      const c = line.slice(4);
      if (inData) {
        if (c === '.') {
          cmd = '.';
          inData = false;
        }
        continue;
      }
      cmd = c;
      continue;
    }
    const m = /^(<-|<\*\*) {1,2}(.*)$/.exec(line);
    if (!m) continue;
    last = m[2];
    // Only the last line of a multi-line reply ("250 x" after "250-...") completes it.
    if (/^\d{3}-/.test(last)) continue;
    pairs.push({ cmd, reply: last });
    if (/^DATA$/i.test(cmd) && last.startsWith('354')) inData = true;
    cmd = '(none)';
  }
  return pairs;
}

function stageOf(cmd: string, afterXclient: boolean): LiveStage {
  const c = cmd.toUpperCase();
  if (c.startsWith('EHLO') || c.startsWith('HELO')) return 'helo';
  if (c.startsWith('MAIL')) return 'mail';
  if (c.startsWith('RCPT')) return 'rcpt';
  if (c === 'DATA') return 'data';
  if (c === '.') return 'end-of-data';
  if (c.startsWith('XCLIENT') || afterXclient) return 'connect';
  return 'connect';
}

/** Interprets a transcript of one XCLIENT-impersonated transaction. */
export function interpretSwaks(out: string): LiveResult {
  const pairs = parseSwaks(out);
  const rcpt: LiveReply[] = [];
  let seenXclient = false;
  let firstBad: { reply: LiveReply; stage: LiveStage } | undefined;
  let lastGood: { reply: LiveReply; stage: LiveStage } | undefined;
  for (const p of pairs) {
    const c = p.cmd.toUpperCase();
    if (c.startsWith('XCLIENT')) {
      seenXclient = true;
      // The reply to XCLIENT is the greeting for the impersonated client.
      const r = replyOf(p.reply);
      if (r.code !== 220 && !firstBad) firstBad = { reply: r, stage: 'connect' };
      continue;
    }
    if (!seenXclient || c === 'QUIT' || c === '(NONE)' || c === '(CONNECT)') continue;
    const r = replyOf(p.reply);
    const stage = stageOf(p.cmd, seenXclient);
    if (stage === 'rcpt') rcpt.push(r);
    if (r.code >= 400) {
      if (!firstBad && stage !== 'rcpt') firstBad = { reply: r, stage };
    } else if (stage !== 'helo') lastGood = { reply: r, stage };
  }
  // Recipients: the message is decided at RCPT only if no recipient was accepted.
  if (!firstBad && rcpt.length && rcpt.every((r) => r.code >= 400)) {
    firstBad = { reply: rcpt.find((r) => r.code < 500) ?? rcpt[0], stage: 'rcpt' };
  }
  const decided = firstBad ?? lastGood;
  if (!decided) return { outcome: 'error', rcpt, transcript: out };
  return { outcome: 'replied', reply: decided.reply, stage: decided.stage, rcpt, transcript: out };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], timeoutMs = 20000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const ESSENTIAL_SERVICES = `pickup    unix  n - n 60 1 pickup
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

export class LivePostfix {
  /** Logical service name → `127.0.0.1:PORT`. */
  readonly serviceNames = new Map<string, string>();
  private readonly ports = new Map<string, number>();
  private started = false;
  /** smtpd's fatal error, when it dies before greeting clients. */
  fatal?: string;

  private constructor(
    readonly dir: string,
    readonly etc: string,
  ) {}

  static async start(config: LiveConfig): Promise<LivePostfix> {
    const dir = mkdtempSync(join(tmpdir(), 'pf-live-'));
    chmodSync(dir, 0o755);
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    mkdirSync(join(dir, 'spool'));
    const live = new LivePostfix(dir, etc);
    const subst = (s: string) => s.replaceAll('{{ETC}}', etc);
    let master = ESSENTIAL_SERVICES;
    for (const svc of config.services) {
      const port = await freePort();
      const name = `127.0.0.1:${port}`;
      live.serviceNames.set(svc.name, name);
      live.ports.set(svc.name, port);
      master += `${name} inet n - n - - smtpd\n`;
      for (const o of svc.options ?? []) master += `  -o ${subst(o)}\n`;
    }
    const main = `# essentials of the private test instance
compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
myhostname = mx.example.test
inet_interfaces = 127.0.0.1
inet_protocols = all
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard
alias_maps =
alias_database =
service_throttle_time = 1s
smtpd_authorized_xclient_hosts = 127.0.0.1
# configuration under test
${subst(config.mainCf)}
`;
    writeFileSync(join(etc, 'main.cf'), main);
    writeFileSync(join(etc, 'master.cf'), master);
    for (const [name, content] of Object.entries(config.tables ?? {})) writeFileSync(join(etc, name), subst(content));
    const old = new Date(Date.now() - 10000);
    for (const f of ['main.cf', 'master.cf', ...Object.keys(config.tables ?? {})]) utimesSync(join(etc, f), old, old);
    // postmap needs a main.cf; the instance's own is fine.
    for (const spec of config.postmap ?? []) {
      const i = spec.indexOf(':');
      const r = await run('postmap', ['-c', etc, `${spec.slice(0, i)}:${join(etc, spec.slice(i + 1))}`]);
      if (r.code !== 0) throw new Error(`postmap ${spec} failed: ${r.out}`);
    }
    // `postfix start` runs the same integrity checks as `postfix check` (creating the queue directories).
    const start = await run('postfix', ['-c', etc, 'start']);
    if (start.code !== 0) throw new Error(`postfix start failed; see ${dir}/maillog`);
    live.started = true;
    await live.waitListening();
    await live.probe();
    return live;
  }

  private accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
  }

  /** Resolves when every smtpd port accepts connections (event-driven retries, no fixed sleep). */
  private async waitListening(): Promise<void> {
    for (const port of this.ports.values()) {
      const deadline = Date.now() + 10000;
      for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
          const s = new Socket();
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
          s.connect(port, '127.0.0.1');
        });
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`smtpd on port ${port} does not listen`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Waits for a greeting on each port; when smtpd dies instead, records its fatal error. */
  private async probe(): Promise<void> {
    for (const port of this.ports.values()) {
      const greeted = await new Promise<boolean>((resolve) => {
        const s = new Socket();
        let done = false;
        const finish = (v: boolean) => {
          if (done) return;
          done = true;
          clearInterval(poll);
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
        const poll = setInterval(() => {
          if (this.maillogFatal()) finish(false);
        }, 50);
        s.connect(port, '127.0.0.1');
        setTimeout(() => finish(false), 8000);
      });
      if (!greeted) {
        this.fatal = this.maillogFatal() ?? 'no greeting';
        return;
      }
    }
  }

  maillog(): string {
    const f = join(this.dir, 'maillog');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  private maillogFatal(): string | undefined {
    const m = /postfix\/smtpd\[\d+\]: fatal: (.*)$/m.exec(this.maillog());
    return m?.[1];
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
      '--timeout', '5',
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
    const r = await run('swaks', args, 30000);
    return interpretSwaks(r.out);
  }

  /** The swaks dialogue over a plain socket; the transcript uses swaks' notation so one parser reads both. */
  private async sendNative(tx: LiveTransaction): Promise<LiveResult> {
    if (this.fatal) return { outcome: 'fatal', fatal: this.fatal, rcpt: [], transcript: '' };
    const port = this.ports.get(tx.service);
    if (port === undefined) throw new Error(`unknown service ${tx.service}`);
    const sock = new Socket();
    sock.setEncoding('latin1');
    let buf = '';
    let closed = false;
    let waiter: (() => void) | undefined;
    sock.on('data', (d: string) => {
      buf += d;
      waiter?.();
    });
    sock.on('close', () => {
      closed = true;
      waiter?.();
    });
    sock.on('error', () => {
      closed = true;
      waiter?.();
    });
    const lines: string[] = [];
    /** One complete reply (the last line has "ddd "); undefined when the server hung up. */
    const reply = async (): Promise<string | undefined> => {
      const deadline = Date.now() + 5000;
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
      sock.once('connect', () => resolve());
      sock.once('error', () => resolve());
      sock.connect(port, '127.0.0.1');
    });
    try {
      if (!ok(await reply())) return interpretSwaks(lines.join('\n'));
      if (!ok(await cmd(`EHLO ${tx.helo}`))) return interpretSwaks(lines.join('\n'));
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

  async stop(): Promise<void> {
    if (this.started) {
      // `postfix stop` polls once a second; `abort` signals master, and we wait for its ports to close.
      await run('postfix', ['-c', this.etc, 'abort']);
      for (const port of this.ports.values()) {
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && (await this.accepts(port))) await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.started = false;
    if (!process.env.KEEP_LIVE_POSTFIX) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // A daemon still closing a file; the directory is in tmp and harmless.
      }
    }
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

// Deployed configuration → test copy. A test keeps the files an admin would
// deploy (services on port 25/587/465 of every interface, certificates and
// queue where production has them), lints those, and runs a private instance
// of the shared harness (./live-postfix.ts) on a copy rewritten only where a
// test instance must differ: its own queue, log and loopback address, real
// port numbers, no chroot, discard transports, XCLIENT allowed, a test
// certificate in place of the deployed one.

import { Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backdate } from './postfix-tools';
import { describeRun, ESSENTIAL_SERVICES, interpretSwaks, parseSwaks, PostfixInstance, REPLY_S, runTool, smtpSession, TLSMGR, type LiveResult } from './live-postfix';

/** Parameters the test instance sets itself; the deployed values are commented out in the test copy. */
const INSTANCE_MAIN = `queue_directory = {{DIR}}/spool
data_directory = {{DIR}}/data
maillog_file = {{DIR}}/maillog
maillog_file_prefixes = {{DIR}}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard
mailbox_command =
alias_maps =
alias_database =
service_throttle_time = 1s
smtpd_authorized_xclient_hosts = 127.0.0.0/8
`;
const OWNED = new Set(INSTANCE_MAIN.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(' '))));
const CERT_PARAMS = /^(smtpd_tls_cert_file|smtpd_tls_key_file|smtpd_tls_chain_files|smtpd_tls_eccert_file|smtpd_tls_eckey_file)\s*=/;


/** Logical lines: a line that starts a setting or service, with its indented continuation lines. */
export function logicalLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^[ \t]+\S/.test(line) && !/^[ \t]*#/.test(line) && out.length && !/^\s*(#|$)/.test(out[out.length - 1])) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out;
}

const PORTS: Record<string, number> = { smtp: 25, submission: 587, submissions: 465, smtps: 465 };

/**
 * The test copy of main.cf: the deployed text with instance-owned settings
 * commented out, the instance's appended. `pem`: the test certificate that
 * replaces the deployed ones; '' keeps the deployed certificate settings (a
 * test that judges which certificate is served maps their paths with rewrites).
 */
export function liveMain(deployed: string, pem: string): string {
  const lines = logicalLines(deployed).map((l) => {
    const name = /^([A-Za-z0-9_]+)\s*=/.exec(l)?.[1];
    if (name && OWNED.has(name)) return l.replace(/^/gm, '#live# ');
    if (pem && CERT_PARAMS.test(l) && /=\s*\S/.test(l)) return l.replace(/^/gm, '#live# ');
    return l;
  });
  const hadCert = lines.some((l) => /^#live# (smtpd_tls_(cert|chain)_files?|smtpd_tls_cert_file)\s*=/.test(l));
  return `${lines.join('\n')}\n# test instance\n${INSTANCE_MAIN}${hadCert ? `smtpd_tls_chain_files = ${pem}\n` : ''}`;
}

/** The test copy of master.cf: the smtpd listeners on the instance's address and real port numbers, unchrooted, plus the essential services. */
export function liveMaster(deployed: string): { text: string; ports: number[] } {
  const blocks = logicalLines(deployed).filter((b) => !/^\s*(#|$)/.test(b));
  const postscreen = blocks.some((b) => /^\S+\s+inet\s+(\S+\s+){5}postscreen\b/.test(b));
  const out: string[] = [];
  const ports: number[] = [];
  for (const b of blocks) {
    const m = /^(\S+)\s+(inet|pass)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)\s+smtpd\b([^\n]*)(\n[\s\S]*)?$/.exec(b);
    if (!m) continue;
    let [, name, type] = m;
    if (type === 'pass') {
      if (!postscreen) continue;
      name = 'smtp';
    }
    const host = name.includes(':') ? name.slice(0, name.lastIndexOf(':')) : '';
    if (/^(127\.|\[?::1|localhost)/.test(host)) continue;
    const svc = name.slice(name.lastIndexOf(':') + 1);
    const port = PORTS[svc] ?? (/^\d+$/.test(svc) ? Number(svc) : undefined);
    if (port === undefined) continue;
    ports.push(port);
    out.push(`{{HOST}}:${port} inet ${m[3]} ${m[4]} n ${m[5]} ${m[6]} smtpd${m[7]}${m[8] ?? ''}`);
  }
  return { text: `${out.join('\n')}\n${ESSENTIAL_SERVICES}${TLSMGR}`, ports };
}

/** Files as deployed: main.cf, master.cf and table files beside them. */
export interface DeployedFiles {
  main: string;
  master: string;
  files?: Record<string, string>;
}

/** One client for Deployment.xclient: impersonated with XCLIENT. */
export interface DeployedClient {
  addr: string;
  /** Client hostname (default: none, [UNAVAILABLE]). */
  name?: string;
  /** Reverse name (PTR); default: the same as name. */
  reverseName?: string;
  helo?: string;
  login?: string;
  sender: string;
  to: string;
}

/**
 * A deployed configuration directory (what the linter and the recipes read
 * and write) and the private instance that runs its test copy.
 */
export class Deployment {
  readonly dir: string;
  private instance?: PostfixInstance;
  private ports: number[] = [];
  private logMark = 0;

  /**
   * `pem`: the test certificate that replaces a deployed one ('': the deployed
   * certificate settings stay, see liveMain); `rewrites`: further changes for
   * the test copy only (paths that exist only in production).
   */
  constructor(
    readonly label: string,
    files: DeployedFiles,
    readonly pem = '',
    readonly rewrites: [RegExp, string][] = [],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `pf-deploy-${label.replace(/[^A-Za-z0-9-]+/g, '-')}-`));
    this.write('main.cf', files.main);
    this.write('master.cf', files.master);
    for (const [n, t] of Object.entries(files.files ?? {})) this.write(n, t);
  }

  get inst(): PostfixInstance {
    if (!this.instance) throw new Error(`${this.label}: not started yet`);
    return this.instance;
  }

  /** Ports of the smtpd services in the test copy (25, 587, 465, ...). */
  get servicePorts(): number[] {
    return [...this.ports];
  }

  write(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
    backdate(join(this.dir, name));
  }

  read(name: string): string | undefined {
    const p = join(this.dir, name);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }

  /** Backdates files changed by someone else (a CLI run): Postfix re-reads files younger than a second. */
  settle(): void {
    for (const n of readdirSync(this.dir)) if (statSync(join(this.dir, n)).isFile()) backdate(join(this.dir, n));
  }

  /** The test copy of every deployed file, written into the instance (created on first use). */
  private async sync(): Promise<void> {
    let main = liveMain(this.read('main.cf')!, this.pem);
    let master = liveMaster(this.read('master.cf')!);
    for (const [re, to] of this.rewrites) {
      main = main.replace(re, to);
      master = { ...master, text: master.text.replace(re, to) };
    }
    this.ports = master.ports;
    const tables: Record<string, string> = {};
    for (const n of readdirSync(this.dir)) if (n !== 'main.cf' && n !== 'master.cf' && statSync(join(this.dir, n)).isFile()) tables[n] = readFileSync(join(this.dir, n), 'utf8');
    if (!this.instance) {
      this.instance = await PostfixInstance.create(this.label, { main, master: master.text, tables });
      return;
    }
    this.instance.writeFile('main.cf', this.instance.subst(main));
    this.instance.writeFile('master.cf', this.instance.subst(master.text));
    for (const [n, t] of Object.entries(tables)) this.instance.writeFile(n, this.instance.subst(t));
  }

  private listen() {
    return this.ports.map((port) => ({ host: this.inst.host, port }));
  }

  /**
   * Stops the test instance if it runs, writes the test copy of the deployed
   * files, runs `postconf -n` on both copies and, when that succeeds, starts
   * the instance (`postfix start` runs `postfix check`). `warnings`: what
   * postconf and postfix check said, normalised (directories, pids and line
   * numbers left out) so that two runs compare.
   */
  async restart(): Promise<{ code: number; warnings: string[] }> {
    if (this.instance) await this.instance.stop(this.listen());
    await this.sync();
    const p = await runTool('postconf', ['-c', this.inst.etc, '-n'], undefined, 'latin1');
    const d = await runTool('postconf', ['-c', this.dir, '-n'], undefined, 'latin1');
    const pc = this.normalise(`${p.out}\n${d.out}`, /^postconf: (warning|fatal|error)/);
    if (p.code || d.code) return { code: p.code || d.code, warnings: pc };
    this.logMark = this.inst.maillog().length;
    await this.inst.start(this.listen());
    const check = this.normalise(this.recentLog().replace(/^\S+ \S+ \S+ \S+ /gm, ''), /^postfix(\/(postfix-script|postsuper|postlog|master))?\[\d+\]: (warning|fatal|error)/);
    return { code: 0, warnings: [...pc, ...check].sort() };
  }

  private normalise(text: string, keep: RegExp): string[] {
    const lines = text
      .replaceAll(this.inst.etc, 'ETC')
      .replaceAll(this.dir, 'ETC')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => keep.test(l))
      .map((l) => l.replace(/\[\d+\]/, '').replace(/, line \d+/, ''));
    return [...new Set(lines)].sort();
  }

  /** The instance's log since the last restart. */
  recentLog(): string {
    return this.instance ? this.instance.maillog().slice(this.logMark) : '';
  }

  /**
   * One transaction up to RCPT TO from an impersonated client: swaks on port
   * 25; the harness's built-in client on 587 (STARTTLS when offered) and 465
   * (TLS on connect), which swaks cannot speak on this machine.
   */
  async xclient(port: number, c: DeployedClient): Promise<LiveResult> {
    const inst = this.inst;
    const helo = c.helo ?? c.name ?? 'mail.elsewhere.example';
    if (port === 587 || port === 465) {
      return smtpSession(inst.host, port, { service: String(port), clientAddress: c.addr, clientName: c.name, helo, saslUser: c.login, sender: c.sender, recipients: [c.to] }, port === 465 ? 'implicit' : 'starttls');
    }
    const name = c.name ?? '[UNAVAILABLE]';
    const args = ['--timeout', String(REPLY_S), '--server', inst.host, '--port', String(port), '--xclient-addr', c.addr, '--xclient-name', name, '--xclient-reverse-name', c.reverseName ?? name, '--helo', helo, '--from', c.sender === '' ? '<>' : c.sender, '--to', c.to, '--quit-after', 'RCPT'];
    if (c.login) args.push('--xclient-login', c.login);
    const r = await runTool('swaks', args, undefined, 'latin1');
    if (r.timedOut) throw new Error(describeRun(`swaks (${this.label} port ${port})`, r, undefined, this.recentLog()));
    return interpretSwaks(r.out);
  }

  /** The reply lines to EHLO from a plain connection (no XCLIENT, no TLS), without the 250 code. */
  async ehlo(port: number): Promise<string[]> {
    const r = await runTool('swaks', ['--timeout', String(REPLY_S), '--server', this.inst.host, '--port', String(port), '--helo', 'client.example.test', '--quit-after', 'HELO'], undefined, 'latin1');
    if (r.timedOut) throw new Error(describeRun(`swaks EHLO (${this.label} port ${port})`, r, undefined, this.recentLog()));
    const out = r.out.split('\n');
    const at = out.findIndex((l) => /^ -> EHLO /.test(l));
    const lines: string[] = [];
    for (const l of out.slice(at + 1)) {
      const m = /^<-\s+250([- ])(.*)$/.exec(l.replace(/\r$/, ''));
      if (!m) break;
      lines.push(m[2]);
      if (m[1] === ' ') break;
    }
    return lines;
  }

  /** AUTH with swaks (PLAIN or LOGIN): the reply to AUTH's last step. */
  async auth(port: number, mechanism: 'PLAIN' | 'LOGIN', user: string, password: string): Promise<string> {
    const r = await runTool('swaks', ['--timeout', String(REPLY_S), '--server', this.inst.host, '--port', String(port), '--helo', 'client.example.test', '--auth', mechanism, '--auth-user', user, '--auth-password', password, '--quit-after', 'AUTH'], undefined, 'latin1');
    if (r.timedOut) throw new Error(describeRun(`swaks AUTH (${this.label} port ${port})`, r, undefined, this.recentLog()));
    const pairs = parseSwaks(r.out);
    const start = pairs.findIndex((p) => /^AUTH /i.test(p.cmd));
    return pairs.slice(Math.max(start, 0)).find((p) => start >= 0 && !/^334 /.test(p.reply))?.reply ?? `no AUTH reply: ${r.out}`;
  }

  /**
   * A plain connection from the source address `from` (no XCLIENT: anvil
   * counts the address the connection really comes from), held open until
   * closed. `greeting` settles with smtpd's first reply line (220, or 421 when
   * a limit refuses the connection), 'closed' when the connection ends without
   * one, or 'timeout' after `waitS` seconds without either (on a loaded machine
   * a late greeting; a master with no free smtpd process never greets).
   */
  hold(port: number, from: string, waitS = REPLY_S): { greeting: Promise<string | 'closed' | 'timeout'>; close(): void } {
    const sock = new Socket();
    sock.setEncoding('latin1');
    let buf = '';
    const greeting = new Promise<string | 'closed' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), waitS * 1000);
      const done = (v: string | 'closed') => {
        clearTimeout(timer);
        resolve(v);
      };
      sock.on('data', (d: string) => {
        buf += d;
        const m = /^(\d{3} [^\r\n]*)\r?\n/m.exec(buf);
        if (m) done(m[1]);
      });
      sock.on('error', () => done('closed'));
      sock.on('close', () => done('closed'));
    });
    sock.connect({ host: this.inst.host, port, localAddress: from });
    return { greeting, close: () => sock.destroy() };
  }

  /**
   * The certificate smtpd serves on `port` (STARTTLS on 25/587, TLS on
   * connect on 465), checked against `ca` for the name `servername`: whether
   * a client that verifies certificates would accept it, and why not.
   */
  async servedCertificate(port: number, ca: string, servername: string): Promise<{ authorized: boolean; error?: string; subject?: string; issuer?: string }> {
    const host = this.inst.host;
    const implicit = port === 465;
    const plain = new Socket();
    plain.setEncoding('latin1');
    const reply = (sock: Socket, pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`${this.label} port ${port}: no ${pattern} reply within ${REPLY_S} s (timed out); got: ${buf}`)), REPLY_S * 1000);
        const onData = (d: string) => {
          buf += d;
          if (pattern.test(buf)) {
            clearTimeout(timer);
            sock.removeListener('data', onData);
            resolve(buf);
          }
        };
        sock.on('data', onData);
        sock.once('close', () => {
          clearTimeout(timer);
          reject(new Error(`${this.label} port ${port}: connection closed waiting for ${pattern}; got: ${buf}\n${this.recentLog()}`));
        });
      });
    if (!implicit) {
      const greeted = reply(plain, /^220 /m);
      plain.connect(port, host);
      await greeted;
      const ehlo = reply(plain, /^250 /m);
      plain.write('EHLO client.example.test\r\n');
      await ehlo;
      const ready = reply(plain, /^220 /m);
      plain.write('STARTTLS\r\n');
      await ready;
      plain.removeAllListeners('data');
      plain.removeAllListeners('close');
    }
    const secure = implicit ? tlsConnect({ host, port, ca, servername, rejectUnauthorized: false }) : tlsConnect({ socket: plain, ca, servername, rejectUnauthorized: false });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.label} port ${port}: TLS handshake not done within ${REPLY_S} s (timed out)`)), REPLY_S * 1000);
        secure.once('secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        secure.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const cert: PeerCertificate = secure.getPeerCertificate();
      const error = secure.authorizationError ? String(secure.authorizationError) : undefined;
      const cn = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
      return { authorized: secure.authorized, error, subject: cn(cert.subject?.CN), issuer: cn(cert.issuer?.CN) };
    } finally {
      secure.destroy();
      plain.destroy();
    }
  }

  async dispose(): Promise<void> {
    await this.instance?.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

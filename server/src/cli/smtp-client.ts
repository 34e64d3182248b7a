// A small SMTP client for `postfix-lint simulate --against`: it plays one
// simulated transaction to a live server, impersonating the simulated client
// with XCLIENT, and stops after RCPT TO (RSET, QUIT): no message is ever
// sent. Only the CLI uses it (the user asked for it, explicitly); the engine
// never opens a socket.
//
// Every wait has a limit, and running out of time is reported as a timeout
// (with what was awaited), never as a reply or a crash.

import { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parseReplyLine } from '../engine/simulate/reply';
import type { Reply } from '../engine/simulate/types';

export interface LiveTransaction {
  clientAddress: string;
  /** Reverse and forward name of the client; none = [UNAVAILABLE], as for a client without DNS name. */
  clientName?: string;
  /** HELO/EHLO name after XCLIENT; undefined: the client sends MAIL FROM without greeting. */
  helo?: string;
  /** XCLIENT LOGIN: the session counts as authenticated with this name. */
  saslUser?: string;
  sender: string;
  recipients: string[];
}


export type LiveStage = 'connect' | 'helo' | 'mail' | 'rcpt';

/** SMTP stages as people read them (the simulator's and the live client's). */
export const STAGE_NAME: Record<string, string> = {
  startup: 'smtpd startup',
  connect: 'connect',
  helo: 'HELO/EHLO',
  mail: 'MAIL FROM',
  rcpt: 'RCPT TO',
  data: 'DATA',
  'end-of-data': 'end of data',
};

export type LiveOutcome =
  /** The server answered; `reply` decides (first refusal, else the last RCPT reply). */
  | { kind: 'replied'; stage: LiveStage; reply: Reply; rcpt: Reply[]; transcript: string[] }
  /** The server closed the connection without a reply (e.g. smtpd exits at start). */
  | { kind: 'closed'; stage: LiveStage; waitingFor: string; transcript: string[] }
  | { kind: 'timeout'; waitingFor: string; seconds: number; transcript: string[] }
  /** XCLIENT is not offered or is refused: this host is not in smtpd_authorized_xclient_hosts. */
  | { kind: 'xclient-refused'; message: string; transcript: string[] }
  /** Cannot connect, TLS failed, STARTTLS not offered, a garbled reply. */
  | { kind: 'error'; message: string; transcript: string[] };

export interface SmtpTarget {
  host: string;
  port: number;
  /** `starttls`: upgrade before XCLIENT (the service requires TLS); `implicit`: TLS on connect (smtps). */
  tls: 'none' | 'starttls' | 'implicit';
  /** Limit for connecting and for each reply, in seconds. */
  timeoutS: number;
  /** Our own name in the EHLO that precedes XCLIENT (XCLIENT then resets the session). */
  localName?: string;
}

/** XCLIENT attribute values are xtext (RFC 3461): '+', '=', controls and non-ASCII as +XX. */
export function xtext(v: string): string {
  return Buffer.from(v, 'utf8')
    .toString('latin1')
    .replace(/[^!-*,-<>-~]/g, (ch) => `+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

class Stopped extends Error {
  constructor(readonly outcome: LiveOutcome) {
    super(outcome.kind);
  }
}

/**
 * One connection: replies are read line by line; `reply()` resolves with the
 * lines of one complete reply, rejects with a Stopped outcome when the server
 * hangs up or the time runs out.
 */
class Connection {
  private buf = '';
  private closed = false;
  private failure?: string;
  private wake?: () => void;
  readonly transcript: string[] = [];

  constructor(
    private sock: Socket | TLSSocket,
    private readonly timeoutS: number,
  ) {
    this.listen(sock);
  }

  private listen(s: Socket | TLSSocket): void {
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    s.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    s.on('error', (e) => {
      this.failure ??= e.message;
      this.closed = true;
      this.wake?.();
    });
  }

  /** Waits for one complete reply (the line with "ddd "), at most timeoutS. */
  async reply(waitingFor: string, stage: LiveStage): Promise<string[]> {
    const deadline = Date.now() + this.timeoutS * 1000;
    for (;;) {
      const end = /^\d{3}(?: .*)?\r?\n/m.exec(this.buf);
      if (end) {
        const cut = end.index + end[0].length;
        const lines = this.buf.slice(0, cut).split(/\r?\n/).filter((l) => l !== '');
        this.buf = this.buf.slice(cut);
        for (const l of lines) this.transcript.push(`<- ${l}`);
        return lines;
      }
      if (this.buf.length > 1 << 16) throw new Stopped({ kind: 'error', message: `no SMTP reply to ${waitingFor}: more than 64 KiB without a final reply line`, transcript: this.transcript });
      if (this.closed) {
        if (this.failure) throw new Stopped({ kind: 'error', message: `${waitingFor}: ${this.failure}`, transcript: this.transcript });
        throw new Stopped({ kind: 'closed', stage, waitingFor, transcript: this.transcript });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Stopped({ kind: 'timeout', waitingFor, seconds: this.timeoutS, transcript: this.transcript });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  async command(c: string, stage: LiveStage): Promise<string[]> {
    this.transcript.push(`-> ${c}`);
    this.sock.write(`${c}\r\n`);
    return this.reply(`the reply to ${c.split(' ')[0]}`, stage);
  }

  /** STARTTLS done: the rest of the dialogue runs over TLS on the same socket. */
  async upgrade(host: string): Promise<void> {
    const plain = this.sock as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = tlsConnect({ socket: plain, servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: false });
    this.sock = secure;
    this.listen(secure);
    await this.secured(secure, 'the TLS handshake after STARTTLS');
  }

  async secured(s: TLSSocket, what: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Stopped({ kind: 'timeout', waitingFor: what, seconds: this.timeoutS, transcript: this.transcript })), this.timeoutS * 1000);
      s.once('secureConnect', () => {
        clearTimeout(t);
        resolve();
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(new Stopped({ kind: 'error', message: `${what}: ${e.message}`, transcript: this.transcript }));
      });
      s.once('close', () => {
        clearTimeout(t);
        reject(new Stopped({ kind: 'error', message: `${what}: the server closed the connection`, transcript: this.transcript }));
      });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

async function open(target: SmtpTarget): Promise<Connection> {
  const transcript: string[] = [];
  if (target.tls === 'implicit') {
    const s = tlsConnect({ host: target.host, port: target.port, servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host, rejectUnauthorized: false });
    const c = new Connection(s, target.timeoutS);
    try {
      await c.secured(s, `connecting with TLS to ${target.host}:${target.port}`);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }
  const s = new Socket();
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      s.destroy();
      reject(new Stopped({ kind: 'timeout', waitingFor: `connecting to ${target.host}:${target.port}`, seconds: target.timeoutS, transcript }));
    }, target.timeoutS * 1000);
    s.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
    s.once('error', (e) => {
      clearTimeout(t);
      s.destroy();
      reject(new Stopped({ kind: 'error', message: `cannot connect to ${target.host}:${target.port}: ${e.message}`, transcript }));
    });
    s.connect(target.port, target.host);
  });
  return new Connection(s, target.timeoutS);
}

const good = (lines: string[]) => /^[23]/.test(lines[lines.length - 1]);
const last = (lines: string[]) => parseReplyLine(lines[lines.length - 1]);

/**
 * Plays `tx` to the server: greeting, EHLO, [STARTTLS, EHLO], XCLIENT, [EHLO
 * helo], MAIL FROM, RCPT TO each recipient, then RSET and QUIT.
 */
export async function playTransaction(target: SmtpTarget, tx: LiveTransaction): Promise<LiveOutcome> {
  let conn: Connection | undefined;
  try {
    conn = await open(target);
    const c = conn;
    const refused = (stage: LiveStage, lines: string[]): LiveOutcome => ({ kind: 'replied', stage, reply: last(lines), rcpt: [], transcript: c.transcript });
    const greeting = await c.reply('the greeting', 'connect');
    // Our own connection refused before XCLIENT: the server will not talk to this host at all.
    if (!good(greeting)) return { kind: 'error', message: `the server refuses this host before XCLIENT: ${greeting[greeting.length - 1]}`, transcript: c.transcript };
    const me = target.localName ?? 'postfix-lint.invalid';
    let ehlo = await c.command(`EHLO ${me}`, 'connect');
    if (!good(ehlo)) return { kind: 'error', message: `the server refuses EHLO ${me} from this host before XCLIENT: ${ehlo[ehlo.length - 1]}`, transcript: c.transcript };
    const offers = (lines: string[], word: string) => lines.some((l) => new RegExp(`^250[- ]${word}\\b`, 'i').test(l));
    if (target.tls === 'starttls') {
      if (!offers(ehlo, 'STARTTLS')) return { kind: 'error', message: 'the simulation assumes TLS, but the server does not offer STARTTLS', transcript: c.transcript };
      const r = await c.command('STARTTLS', 'connect');
      if (!good(r)) return { kind: 'error', message: `STARTTLS refused: ${r[r.length - 1]}`, transcript: c.transcript };
      await c.upgrade(target.host);
      ehlo = await c.command(`EHLO ${me}`, 'connect');
      if (!good(ehlo)) return { kind: 'error', message: `EHLO after STARTTLS refused: ${ehlo[ehlo.length - 1]}`, transcript: c.transcript };
    }
    const hint = `add the address this host connects from to smtpd_authorized_xclient_hosts on the server (for this service)`;
    if (!offers(ehlo, 'XCLIENT')) return { kind: 'xclient-refused', message: `the server does not offer XCLIENT to this host: ${hint}`, transcript: c.transcript };
    const addr = tx.clientAddress.includes(':') ? `IPv6:${tx.clientAddress}` : tx.clientAddress;
    const name = tx.clientName ?? '[UNAVAILABLE]';
    const attrs = [`ADDR=${xtext(addr)}`, `NAME=${xtext(name)}`, `REVERSE_NAME=${xtext(name)}`];
    if (tx.saslUser !== undefined) attrs.push(`LOGIN=${xtext(tx.saslUser)}`);
    const x = await c.command(`XCLIENT ${attrs.join(' ')}`, 'connect');
    const xr = last(x);
    if (xr.code === 550 && xr.enhanced === '5.7.0') return { kind: 'xclient-refused', message: `XCLIENT refused (${xr.line}): ${hint}`, transcript: c.transcript };
    if (xr.code >= 500 && /^5\.5\./.test(xr.enhanced)) return { kind: 'error', message: `XCLIENT not understood: ${xr.line}`, transcript: c.transcript };
    // The reply to XCLIENT is the greeting of the impersonated client's session.
    if (!good(x)) return refused('connect', x);
    if (tx.helo !== undefined) {
      let h = await c.command(`EHLO ${tx.helo}`, 'helo');
      // A server that rejects EHLO as a command still takes HELO; a policy reject answers both the same.
      if (last(h).code === 502 || last(h).code === 500) h = await c.command(`HELO ${tx.helo}`, 'helo');
      if (!good(h)) return refused('helo', h);
    }
    const m = await c.command(`MAIL FROM:<${tx.sender}>`, 'mail');
    if (!good(m)) return refused('mail', m);
    const rcpt: Reply[] = [];
    for (const r of tx.recipients) rcpt.push(last(await c.command(`RCPT TO:<${r}>`, 'rcpt')));
    // Never DATA: end the transaction and the session politely; their replies do not matter.
    for (const end of ['RSET', 'QUIT']) {
      try {
        await c.command(end, 'rcpt');
      } catch {
        break;
      }
    }
    // Like the simulator: the mail is refused at RCPT only when every recipient is.
    const accepted = rcpt.find((r) => r.code < 400);
    const decided = accepted ?? rcpt.find((r) => r.code < 500) ?? rcpt[0];
    return { kind: 'replied', stage: 'rcpt', reply: decided, rcpt, transcript: c.transcript };
  } catch (e) {
    if (e instanceof Stopped) return e.outcome;
    return { kind: 'error', message: (e as Error).message, transcript: conn?.transcript ?? [] };
  } finally {
    conn?.close();
  }
}

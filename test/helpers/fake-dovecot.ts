// A stand-in for Dovecot's auth socket, for live smtpd tests with
// smtpd_sasl_type = dovecot. smtpd connects to it when a session starts (to
// learn the mechanisms it announces after EHLO) and for every AUTH command;
// without a socket it logs "SASL: Connect to private/auth failed" and the
// session dies. This server speaks the client side of Dovecot's auth protocol
// (version 1): the handshake, then AUTH with PLAIN (initial response or not)
// and LOGIN, answering OK with user=LOGIN for a known login and password,
// FAIL otherwise. XCLIENT LOGIN=... stays the cheap way to impersonate a
// logged-in user; this is for tests that need smtpd's AUTH itself.

import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/** Logins and their passwords. */
export type SaslUsers = Record<string, string>;

const MECHANISMS = ['PLAIN', 'LOGIN'];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** One client connection: line-oriented, tab-separated requests. */
function serve(sock: Socket, users: SaslUsers): void {
  sock.setEncoding('utf8');
  sock.on('error', () => undefined);
  sock.write(`VERSION\t1\t2\n${MECHANISMS.map((m) => `MECH\t${m}\tplaintext\n`).join('')}SPID\t${process.pid}\nCUID\t1\nCOOKIE\t${'0123456789abcdef'.repeat(2)}\nDONE\n`);
  // Pending LOGIN exchanges: request id → the user name once given.
  const login = new Map<string, string | undefined>();
  const verdict = (id: string, user: string, password: string) => {
    login.delete(id);
    if (Object.hasOwn(users, user) && users[user] === password) sock.write(`OK\t${id}\tuser=${user}\n`);
    else sock.write(`FAIL\t${id}\tuser=${user}\treason=Authentication failed\n`);
  };
  const plain = (id: string, resp: string) => {
    const [, user = '', password = ''] = unb64(resp).split('\0');
    verdict(id, user, password);
  };
  let buf = '';
  sock.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const f = buf.slice(0, nl).split('\t');
      buf = buf.slice(nl + 1);
      const [cmd, id = ''] = f;
      if (cmd === 'AUTH') {
        const mech = (f[2] ?? '').toUpperCase();
        const resp = f.find((x) => x.startsWith('resp='))?.slice(5);
        if (mech === 'PLAIN') {
          if (resp !== undefined) plain(id, resp);
          else {
            login.set(id, 'PLAIN');
            sock.write(`CONT\t${id}\t\n`);
          }
        } else if (mech === 'LOGIN') {
          login.set(id, undefined);
          sock.write(`CONT\t${id}\t${b64('Username:')}\n`);
        } else sock.write(`FAIL\t${id}\treason=Unsupported mechanism\n`);
      } else if (cmd === 'CONT') {
        const data = f[2] ?? '';
        if (!login.has(id)) sock.write(`FAIL\t${id}\treason=Unexpected continuation\n`);
        else if (login.get(id) === 'PLAIN') {
          login.delete(id);
          plain(id, data);
        } else if (login.get(id) === undefined) {
          login.set(id, `user:${unb64(data)}`);
          sock.write(`CONT\t${id}\t${b64('Password:')}\n`);
        } else verdict(id, login.get(id)!.slice(5), unb64(data));
      }
      // VERSION and CPID from the client need no answer.
    }
  });
}

/**
 * Listens on the Unix socket `path` (an old socket file is replaced) until
 * closed. The socket is world-writable: smtpd runs as the postfix user.
 */
export function fakeDovecotAuth(path: string, users: SaslUsers = {}): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const srv = createServer((s) => serve(s, users));
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(path, () => {
      chmodSync(path, 0o666);
      resolve(srv);
    });
  });
}

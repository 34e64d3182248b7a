// The swaks command that sends a simulated transaction to the real server, so
// an admin can check the prediction (the way seed 004 tests its changes).
// Where the client's address matters, swaks impersonates it with XCLIENT,
// which smtpd allows only from smtpd_authorized_xclient_hosts.

import { findSmtpdService, ServiceView, type SimConfig } from './config';
import type { Transaction } from './types';

export interface SwaksCommand {
  argv: string[];
  /** What the admin must know before running it. */
  notes: string[];
}

const WELL_KNOWN_PORTS: Record<string, number> = { smtp: 25, submission: 587, submissions: 465, smtps: 465 };

/** host and port of the service's listener, from its master.cf name. */
export function serviceEndpoint(name: string | undefined): { host: string; port: number } {
  if (!name) return { host: 'localhost', port: 25 };
  const m = /^(?:\[?([^\]]*)\]?:)?([^:]+)$/.exec(name);
  const port = m ? (/^\d+$/.test(m[2]) ? Number(m[2]) : WELL_KNOWN_PORTS[m[2]]) : undefined;
  return { host: m?.[1] || 'localhost', port: port ?? 25 };
}

export function swaksCommand(config: SimConfig, tx: Transaction, server?: { host: string; port?: number }): SwaksCommand {
  const service = findSmtpdService(config, tx.service).service;
  const view = new ServiceView(config, service, {});
  const at = serviceEndpoint(service?.name ?? tx.service);
  const host = server?.host ?? at.host;
  const port = server?.port ?? at.port;
  const argv = ['swaks', '--server', host, '--port', String(port)];
  const notes: string[] = [];
  const loopback = /^(127\.|::1$|\[?::1\]?$)/.test(tx.client.address);
  const xclient = !loopback || tx.client.hostname !== undefined;
  if (xclient) {
    const addr = tx.client.address.includes(':') ? `IPv6:${tx.client.address}` : tx.client.address;
    argv.push('--xclient-addr', addr, '--xclient-name', tx.client.hostname ?? '[UNAVAILABLE]', '--xclient-reverse-name', tx.client.hostname ?? '[UNAVAILABLE]');
    notes.push(`XCLIENT makes smtpd treat the connection as coming from ${tx.client.address}; it is refused unless the host you run swaks on is in smtpd_authorized_xclient_hosts.`);
  }
  if (tx.helo !== undefined) argv.push('--helo', tx.helo);
  argv.push('--from', tx.sender === '' ? '<>' : tx.sender, '--to', tx.recipients.join(','));
  if (tx.saslUser) {
    if (xclient) argv.push('--xclient-login', tx.saslUser);
    else {
      argv.push('--auth', 'PLAIN', '--auth-user', tx.saslUser, '--auth-password', '$SMTP_PASSWORD');
      notes.push('Set SMTP_PASSWORD to the password of the login first.');
    }
  }
  const wrapper = view.bool('smtpd_tls_wrappermode');
  const level = view.value('smtpd_tls_security_level').trim().toLowerCase();
  if (wrapper) argv.push('--tls-on-connect');
  else if (level === 'encrypt' || tx.saslUser !== undefined && !xclient) argv.push('--tls');
  if ((tx.through ?? 'rcpt') === 'rcpt') argv.push('--quit-after', 'RCPT');
  return { argv, notes };
}

/** The command as one line for a POSIX shell; $SMTP_PASSWORD stays expandable. */
export function shellLine(argv: string[]): string {
  return argv
    .map((a) => {
      if (a === '$SMTP_PASSWORD') return '"$SMTP_PASSWORD"';
      return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

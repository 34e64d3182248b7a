// The simulator panel's form: the transaction (service, client, HELO, login,
// sender, recipients, how far) and the assumptions the CLI takes as
// --assume-* options, as HTML and back as the request the server answers.
// No VS Code API here, so the unit tests run it as is.

import type { Assumptions, Transaction } from '../../../server/src/engine/simulate/types';

export interface FormValues {
  service: string;
  client: string;
  clientName: string;
  helo: string;
  saslUser: string;
  sender: string;
  recipients: string;
  /** '' = the simulator's default (data when data restrictions exist). */
  through: '' | 'rcpt' | 'data';
  dnsListed: string;
  unresolvable: string;
  policy: string;
  verify: '' | 'deliverable' | 'undeliverable' | 'unknown';
  tls: '' | 'yes' | 'no';
  unknownUsers: boolean;
}

export const DEFAULT_FORM: FormValues = {
  service: '',
  client: '203.0.113.5',
  clientName: '',
  helo: 'mail.example.net',
  saslUser: '',
  sender: 'sender@example.net',
  recipients: 'someone@example.org',
  through: '',
  dnsListed: '',
  unresolvable: '',
  policy: '',
  verify: '',
  tls: '',
  unknownUsers: false,
};

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^(ipv6:)?[0-9a-f:.]*:[0-9a-f:.]*$/i;

const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
const bare = (s: string) => s.trim().replace(/^<(.*)>$/, '$1');

/** The request for the form, or what is wrong with it (shown next to the form). */
export function toRequest(v: FormValues): { transaction: Transaction; assumptions: Assumptions } | { error: string } {
  const address = v.client.trim().replace(/^\[(.*)\]$/, '$1');
  if (!IPV4.test(address) && !IPV6.test(address)) return { error: `client address: "${v.client}" is not an IPv4 or IPv6 address` };
  const recipients = list(v.recipients).map(bare);
  if (recipients.length === 0) return { error: 'at least one recipient' };
  const transaction: Transaction = {
    service: v.service.trim() || undefined,
    client: { address, hostname: v.clientName.trim() || undefined },
    helo: v.helo.trim() || undefined,
    saslUser: v.saslUser.trim() || undefined,
    sender: v.sender.trim() === '<>' ? '' : bare(v.sender),
    recipients,
    through: v.through || undefined,
  };
  const assumptions: Assumptions = {};
  if (list(v.dnsListed).length) assumptions.dnsListed = list(v.dnsListed);
  if (list(v.unresolvable).length) assumptions.unresolvable = list(v.unresolvable);
  if (v.policy.trim()) assumptions.policyServiceAction = v.policy.trim();
  if (v.verify) assumptions.addressVerification = v.verify;
  if (v.tls) assumptions.tls = v.tls === 'yes';
  if (v.unknownUsers) assumptions.unreadableTables = 'notfound';
  return { transaction, assumptions };
}

/** Reads untrusted webview input back into form values (anything missing or odd → the default). */
export function fromMessage(raw: unknown): FormValues {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const text = (k: keyof FormValues) => (typeof o[k] === 'string' ? (o[k] as string).slice(0, 2000) : (DEFAULT_FORM[k] as string));
  const oneOf = <T extends string>(k: keyof FormValues, allowed: readonly T[]): T => (allowed.includes(o[k] as T) ? (o[k] as T) : (DEFAULT_FORM[k] as T));
  return {
    service: text('service'),
    client: text('client'),
    clientName: text('clientName'),
    helo: text('helo'),
    saslUser: text('saslUser'),
    sender: text('sender'),
    recipients: text('recipients'),
    through: oneOf('through', ['', 'rcpt', 'data'] as const),
    dnsListed: text('dnsListed'),
    unresolvable: text('unresolvable'),
    policy: text('policy'),
    verify: oneOf('verify', ['', 'deliverable', 'undeliverable', 'unknown'] as const),
    tls: oneOf('tls', ['', 'yes', 'no'] as const),
    unknownUsers: o.unknownUsers === true,
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function input(name: keyof FormValues, label: string, value: string, hint: string): string {
  return `<label>${escapeHtml(label)} <input name="${name}" value="${escapeHtml(value)}" title="${escapeHtml(hint)}" placeholder="${escapeHtml(hint)}"></label>`;
}

function select(name: keyof FormValues, label: string, value: string, options: [string, string][]): string {
  const opts = options.map(([v, text]) => `<option value="${escapeHtml(v)}"${v === value ? ' selected' : ''}>${escapeHtml(text)}</option>`).join('');
  return `<label>${escapeHtml(label)} <select name="${name}">${opts}</select></label>`;
}

/** The form; `services` are the configuration's smtpd services (master.cf names). */
export function formHtml(v: FormValues, services: string[]): string {
  const serviceOptions: [string, string][] = [['', 'port 25 (default)'], ...services.map((s): [string, string] => [s, s])];
  return `<form id="tx">
<fieldset><legend>Transaction</legend>
${select('service', 'Service', v.service, serviceOptions)}
${input('client', 'Client address', v.client, '203.0.113.5 or 2001:db8::5')}
${input('clientName', 'Client name', v.clientName, 'verified reverse name; empty: unknown')}
${input('helo', 'HELO', v.helo, 'empty: the client sends none')}
${input('saslUser', 'Login', v.saslUser, 'SASL user; empty: not logged in')}
${input('sender', 'MAIL FROM', v.sender, '<> for the null sender')}
${input('recipients', 'RCPT TO', v.recipients, 'one or more, separated by commas')}
${select('through', 'Up to', v.through, [['', 'default'], ['rcpt', 'RCPT TO'], ['data', 'end of DATA']])}
</fieldset>
<fieldset><legend>Assumptions (what the simulator cannot look up)</legend>
${input('dnsListed', 'Listed by', v.dnsListed, 'DNS lists that list the client or domain, e.g. zen.spamhaus.org')}
${input('unresolvable', 'Not resolving', v.unresolvable, 'names that do not resolve')}
${input('policy', 'Policy service answers', v.policy, 'DUNNO (default)')}
${select('verify', 'Address verification', v.verify, [['', 'deliverable (default)'], ['deliverable', 'deliverable'], ['undeliverable', 'undeliverable'], ['unknown', 'unknown']])}
${select('tls', 'TLS', v.tls, [['', 'when the service requires it'], ['yes', 'yes'], ['no', 'no']])}
<label><input type="checkbox" name="unknownUsers"${v.unknownUsers ? ' checked' : ''}> Tables the simulator cannot read find no recipient</label>
</fieldset>
<p><button type="submit" id="run">Simulate</button> <button type="button" id="swaks">Copy as swaks command</button> <span id="note" role="status"></span></p>
</form>`;
}

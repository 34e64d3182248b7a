// Address rewriting and resolution as smtpd asks trivial-rewrite for them:
// canonicalise in the "local" context (source routes, bang paths, the percent
// hack, @$myorigin), strip local domains while routing operators remain, then
// classify the destination domain: local (mydestination, own address
// literals), virtual alias, virtual mailbox, relay, or other.

import type { ServiceView } from './config';
import { matchList } from './lists';
import { parseIp } from './ip';

export type AddressClass = 'local' | 'alias' | 'virtual' | 'relay' | 'default';

export interface Resolved {
  /** Resolved recipient, case-folded, `user@domain`. */
  address: string;
  domain: string;
  cls: AddressClass;
  /** Routing operators remain in the local part: relaying through us is suspicious. */
  routed: boolean;
  /** Malformed destination. */
  error: boolean;
  /** A domain list lookup failed (Postfix: temporary failure). */
  fail?: string;
  /** Why the class was chosen. */
  why: string;
  /** A lookup in a table the engine cannot read was assumed to miss. */
  assumed?: string;
}

/** Postfix's valid_hostname(): letters, digits, `_`, `-` inside labels, not all numeric. */
export function validHostname(name: string): boolean {
  if (name === '' || name.length > 255) return false;
  let labelLen = 0;
  let nonNumeric = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (/[A-Za-z0-9_]/.test(c)) {
      labelLen++;
      if (labelLen > 63) return false;
      if (!/[0-9]/.test(c)) nonNumeric = true;
    } else if (c === '.') {
      if (labelLen === 0 || i === name.length - 1) return false;
      labelLen = 0;
    } else if (c === '-') {
      nonNumeric = true;
      labelLen++;
      if (labelLen === 1 || i === name.length - 1 || name[i + 1] === '.') return false;
    } else return false;
  }
  return nonNumeric;
}

export function validHostaddr(addr: string): boolean {
  if (addr.includes(':')) return /^[0-9A-Fa-f:.]+$/.test(addr) && parseIp(addr)?.version === 6;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) && parseIp(addr)?.version === 4;
}

/** `[1.2.3.4]` or `[IPv6:...]`, as valid_mailhost_literal() checks. */
export function validMailhostLiteral(lit: string): boolean {
  if (!lit.startsWith('[') || !lit.endsWith(']')) return false;
  return validMailhostAddr(lit.slice(1, -1));
}

export function validMailhostAddr(a: string): boolean {
  if (/^ipv6:/i.test(a)) return validHostaddr(a.slice(5)) && a.includes(':', 5);
  return !a.includes(':') && validHostaddr(a);
}

/** Strips one trailing dot, but not from `..` or `@.`. */
function stripTrailingDot(a: string): string {
  if (a.length > 1 && a.endsWith('.') && !a.endsWith('..') && !a.endsWith('@.')) return a.slice(0, -1);
  return a;
}

/** The "local" rewriting context: what trivial-rewrite does before smtpd looks an address up. */
export function rewriteLocal(view: ServiceView, address: string): string {
  let a = address;
  if (a === '') return a;
  if (a === '@') return '';
  // Source route @a,@b:user@c → user@c
  if (a.startsWith('@')) {
    const colon = a.indexOf(':');
    if (colon > 0 && colon < a.length - 1) a = a.slice(colon + 1);
  }
  if (!a.includes('@')) {
    const bang = a.indexOf('!');
    const pct = a.lastIndexOf('%');
    if (view.bool('swap_bangpath') && bang >= 0) {
      a = `${a.slice(bang + 1)}@${a.slice(0, bang)}`;
    } else if (view.bool('allow_percent_hack') && pct >= 0) {
      a = `${a.slice(0, pct)}@${a.slice(pct + 1)}`;
    } else if (view.bool('append_at_myorigin')) {
      const origin = view.value('myorigin');
      if (origin) a = `${a}@${origin}`;
    }
  }
  if (view.bool('append_dot_mydomain')) {
    const at = a.lastIndexOf('@');
    const dom = at >= 0 ? a.slice(at + 1) : '';
    const mydomain = view.value('mydomain');
    if (at >= 0 && dom !== '' && !dom.startsWith('[') && !dom.includes('.') && mydomain) a = `${a}.${mydomain}`;
  }
  return stripTrailingDot(a);
}

/** resolve_local(): mydestination, or an address literal of one of our interfaces. */
export function isLocalDomain(view: ServiceView, domain: string): { local: boolean; fail?: string; assumed?: string } {
  let d = domain.toLowerCase();
  if (d === '') return { local: false };
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d === '' || d.endsWith('.')) return { local: false };
  const m = matchList(view, 'mydestination', 'string', [d]);
  if (m.error) return { local: false, fail: m.error };
  if (m.matched) return { local: true, assumed: m.assumed };
  if (d.startsWith('[') && d.endsWith(']')) {
    const inner = d.slice(1, -1);
    if (validMailhostAddr(inner)) {
      const ip = parseIp(inner);
      const own = [...view.ownAddresses(), ...proxyAddresses(view)];
      if (ip && own.some((o) => parseIp(o.addr)?.value === ip.value && parseIp(o.addr)?.version === ip.version)) return { local: true };
    }
  }
  return { local: false, assumed: m.assumed };
}

function proxyAddresses(view: ServiceView): { addr: string; prefix: number }[] {
  return view
    .value('proxy_interfaces')
    .split(/[\s,]+/)
    .filter((s) => s && parseIp(s))
    .map((s) => ({ addr: s.replace(/^\[|\]$/g, ''), prefix: 32 }));
}

const ROUTING = /[@!%]/;

/** Resolves an address the way smtpd's resolver client does (rewrite, then resolve). */
export function resolveAddress(view: ServiceView, address: string): Resolved {
  let a = rewriteLocal(view, address);
  let savedDomain: string | undefined;
  let remoteDomain: string | undefined;
  let assumed: string | undefined;
  const swap = view.bool('swap_bangpath');
  const percent = view.bool('allow_percent_hack');
  for (let loops = 0; loops < address.length + 100; loops++) {
    a = stripTrailingDot(a);
    const at = a.lastIndexOf('@');
    if (at >= 0) {
      const dom = a.slice(at + 1);
      if (dom !== '') {
        const loc = isLocalDomain(view, dom);
        if (loc.assumed) assumed = loc.assumed;
        if (loc.fail) return { address: a.toLowerCase(), domain: dom, cls: 'default', routed: false, error: false, fail: loc.fail, why: loc.fail };
        if (!loc.local) {
          remoteDomain = dom;
          break;
        }
      }
      savedDomain = dom;
      a = a.slice(0, at);
    }
    if (a.includes('@') || (swap && a.includes('!')) || (percent && a.includes('%'))) {
      a = rewriteLocal(view, a);
      continue;
    }
    if (a === '' || a === '""') {
      a = view.value('empty_address_recipient') || 'MAILER-DAEMON';
      continue;
    }
    if (savedDomain === undefined) {
      a = `${a}@${view.value('myhostname')}`;
      continue;
    }
    break;
  }
  if (remoteDomain === undefined) a = `${a}@${savedDomain ?? view.value('myhostname')}`;
  const final = a.toLowerCase();
  const domain = final.slice(final.lastIndexOf('@') + 1);
  let error = false;
  if (domain.startsWith('[')) error = !validMailhostLiteral(domain);
  else if (!validHostname(domain)) error = true;
  const firstOp = final.search(ROUTING);
  const routed = firstOp >= 0 && final.slice(firstOp + 1) !== domain;
  if (error) return { address: final, domain, cls: 'default', routed, error, why: `"${domain}" is not a valid domain`, assumed };
  if (remoteDomain === undefined) {
    return { address: final, domain, cls: 'local', routed, error, why: `${domain} is local (mydestination or one of our addresses)`, assumed };
  }
  const lists: [string, AddressClass, 'string' | 'domain'][] = [
    ['virtual_alias_domains', 'alias', 'string'],
    ['virtual_mailbox_domains', 'virtual', 'string'],
    ['relay_domains', 'relay', 'domain'],
  ];
  for (const [param, cls, kind] of lists) {
    const m = matchList(view, param, kind, [domain]);
    if (m.assumed) assumed = m.assumed;
    if (m.error) return { address: final, domain, cls: 'default', routed, error, fail: m.error, why: `${param}: ${m.error}`, assumed };
    if (m.matched) return { address: final, domain, cls, routed, error, why: `${domain} matches ${param} (${m.pattern})`, assumed };
  }
  return { address: final, domain, cls: 'default', routed, error, why: `${domain} is not in mydestination, virtual_alias_domains, virtual_mailbox_domains or relay_domains`, assumed };
}

/** Local, virtual alias and virtual mailbox domains: mail for them is delivered here. */
export function isFinal(cls: AddressClass): boolean {
  return cls === 'local' || cls === 'alias' || cls === 'virtual';
}

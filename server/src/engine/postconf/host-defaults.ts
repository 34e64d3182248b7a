// Defaults Postfix derives from the machine: mydomain from myhostname, and
// mynetworks from the interfaces that inet_interfaces and inet_protocols
// select, widened according to mynetworks_style. Pure: the interfaces and the
// host name lookup are data. Every way these computations die is here too,
// with Postfix's words.

import { Address4, Address6 } from 'ip-address';

export interface HostInterface {
  address: string;
  family: 'IPv4' | 'IPv6';
  prefix: number;
  loopback: boolean;
}

/** Resolves a host name in inet_interfaces to addresses; undefined when it does not resolve. */
export type Resolver = (name: string) => string[] | undefined;

/** What Postfix learns from the machine it runs on (the CLI reads it; tests may fake it). */
export interface HostModel {
  hostname: string;
  /** In the order the system lists them (Postfix: IPv4 first). */
  interfaces: HostInterface[];
  /** Shown as process_id (postconf prints its own pid). */
  processId?: string;
  /** Host name lookup for inet_interfaces (the CLI reads /etc/hosts). */
  resolve?: Resolver;
}

/** mydomain defaults to myhostname without its first label. */
export function mydomainOf(myhostname: string): string {
  const dot = myhostname.indexOf('.');
  return dot >= 0 ? myhostname.slice(dot + 1) : 'localdomain';
}

/** name_mask(): words separated by commas and blanks, each one of `names` (case matters). */
function nameMask(context: string, names: readonly string[], value: string): Set<string> | string {
  const out = new Set<string>();
  for (const w of value.split(/[, \t\r\n]+/)) {
    if (!w) continue;
    if (!names.includes(w)) return `unknown ${context} value "${w}" in "${value}"`;
    out.add(w);
  }
  return out;
}

/** inet_aton(): `a.b.c.d`, `a.b.c`, `a.b`, `a`, each part decimal, octal (0...) or hex (0x...). */
function inetAton(s: string): string | undefined {
  const parts = s.split('.');
  if (parts.length > 4 || parts.some((p) => !/^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i.test(p))) return undefined;
  const nums = parts.map((p) => (/^0x/i.test(p) ? parseInt(p.slice(2) || '0', 16) : p.length > 1 && p[0] === '0' ? parseInt(p, 8) : Number(p)));
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let v = last;
  nums.forEach((n, i) => (v += n * 2 ** (8 * (3 - i))));
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

interface Addr {
  family: 'IPv4' | 'IPv6';
  /** Canonical text. */
  text: string;
  value: bigint;
}

function parseAddress(s: string): Addr | undefined {
  const v4 = inetAton(s);
  if (v4 !== undefined) return { family: 'IPv4', text: v4, value: new Address4(v4).bigInt() };
  if (s.includes('/') || !Address6.isValid(s)) return undefined;
  const a = new Address6(s);
  return { family: 'IPv6', text: a.correctForm(), value: a.bigInt() };
}

/** inet_addr_host(): a numeric address (optionally in brackets) or a host name. */
function hostAddresses(word: string, families: Set<string>, resolve?: Resolver): Addr[] {
  const name = word.startsWith('[') && word.endsWith(']') ? word.slice(1, -1) : word;
  const numeric = parseAddress(name);
  const found = numeric ? [numeric] : (resolve?.(name) ?? []).map(parseAddress).filter((a): a is Addr => a !== undefined);
  return found.filter((a) => families.has(a.family));
}

/**
 * mynetworks as Postfix computes it when main.cf leaves it unset (the
 * expanded inet_interfaces, mynetworks_style and inet_protocols given), or
 * the fatal error it dies with.
 */
export function computeMynetworks(host: HostModel, style: string, inetInterfaces: string, protocols: string): { value: string } | { fatal: string } {
  const proto = nameMask('inet_protocols', ['all', 'ipv4', 'ipv6'], protocols);
  if (typeof proto === 'string') return { fatal: proto };
  const families = new Set<string>();
  if (proto.has('all') || proto.has('ipv4')) families.add('IPv4');
  if (proto.has('all') || proto.has('ipv6')) families.add('IPv6');
  // All protocols disabled: nothing to look up.
  if (families.size === 0) return { value: '' };
  const mask = nameMask('mynetworks mask style', ['host', 'subnet', 'class'], style);
  if (typeof mask === 'string') return { fatal: mask };
  if (mask.size !== 1) return { fatal: `bad mynetworks_style value: ${style}; specify exactly one value` };
  const maskStyle = [...mask][0];

  const local = host.interfaces
    .filter((i) => families.has(i.family))
    .map((i) => ({ iface: i, addr: parseAddress(i.address) }))
    .filter((x): x is { iface: HostInterface; addr: Addr } => x.addr !== undefined);
  const noInterfaces = { fatal: 'could not find any active network interfaces' };
  let chosen: { addr: Addr; prefix: number }[];
  if (inetInterfaces === 'all' || inetInterfaces === 'loopback-only') {
    if (local.length === 0) return noInterfaces;
    chosen = local.filter((x) => inetInterfaces === 'all' || x.iface.loopback).map((x) => ({ addr: x.addr, prefix: x.iface.prefix }));
  } else {
    const addrs: Addr[] = [];
    for (const w of inetInterfaces.split(/[ \t,]+/)) {
      if (!w) continue;
      const found = hostAddresses(w, families, host.resolve);
      if (found.length === 0) return { fatal: `config variable inet_interfaces: host not found: ${w}` };
      addrs.push(...found);
    }
    // inet_addr_list_uniq sorts by family, then address.
    addrs.sort((a, b) => (a.family !== b.family ? (a.family === 'IPv4' ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const unique = addrs.filter((a, i) => i === 0 || a.family !== addrs[i - 1].family || a.value !== addrs[i - 1].value);
    if (unique.length > 0 && local.length === 0) return noInterfaces;
    chosen = [];
    for (const a of unique) {
      const own = local.find((x) => x.addr.family === a.family && x.addr.value === a.value);
      if (!own) return { fatal: `parameter inet_interfaces: no local interface found for ${a.text}` };
      chosen.push({ addr: a, prefix: own.iface.prefix });
    }
  }

  const out: string[] = [];
  for (const { addr, prefix } of chosen) {
    let bits: number;
    if (addr.family === 'IPv4') {
      const first = Number(addr.value >> 24n);
      if (maskStyle === 'host') bits = 32;
      else if (maskStyle === 'subnet') bits = prefix;
      else if (first < 128) bits = 8;
      else if (first < 192) bits = 16;
      else if (first < 224) bits = 24;
      else if (first < 240) bits = 4;
      else return { fatal: `mynetworks_core: unknown address class: ${addr.text}` };
      out.push(`${new Address4(`${addr.text}/${bits}`).startAddress().correctForm()}/${bits}`);
    } else {
      bits = maskStyle === 'host' ? 128 : prefix;
      out.push(`[${new Address6(`${addr.text}/${bits}`).startAddress().correctForm()}]/${bits}`);
    }
  }
  // Repeats are dropped, first one kept; every entry ends with a space.
  return { value: [...new Set(out)].map((e) => `${e} `).join('') };
}

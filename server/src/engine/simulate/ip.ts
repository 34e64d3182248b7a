// IP address parsing and network matching (ip-address does the parsing).

import { Address4, Address6 } from 'ip-address';

export interface Ip {
  version: 4 | 6;
  value: bigint;
}

/** An IPv4 address as a plain 32-bit number: no BigInt for lists of a hundred thousand networks. */
export interface Ip4Number {
  version: 4;
  v4: number;
}

/** Parses `1.2.3.4`, `2001:db8::1`, `[...]` or `IPv6:...`; undefined when not an address. */
export function parseIp(text: string): Ip | undefined {
  const r = parseIpOrNumber(text);
  return r && 'v4' in r ? { version: 4, value: BigInt(r.v4) } : r;
}

/** As parseIp, but a dotted-quad IPv4 address comes back as a number (IPv4-mapped IPv6 forms stay BigInt). */
export function parseIpOrNumber(text: string): Ip | Ip4Number | undefined {
  const quad = dottedQuad(text);
  if (quad !== null) return quad === undefined ? undefined : { version: 4, v4: quad };
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (/^ipv6:/i.test(s)) s = s.slice(5);
  if (s.includes('/') || s.includes('%')) return undefined;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    // Computed here rather than through Address4: mynetworks can list a million addresses.
    let v = 0;
    for (const o of s.split('.')) {
      const n = Number(o);
      if (n > 255 || (o.length > 1 && o[0] === '0')) return undefined; // ip-address refuses leading zeroes too
      v = v * 256 + n;
    }
    return { version: 4, v4: v };
  }
  if (!s.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  try {
    const a = new Address6(s);
    // IPv4-mapped addresses behave as IPv4, as Postfix converts them.
    if (a.isMapped4()) return { version: 4, value: a.to4().bigInt() };
    return { version: 6, value: a.bigInt() };
  } catch {
    return undefined;
  }
}

/**
 * A text of digits and dots only, read in one pass without regular
 * expressions or splitting: the address as a number, or undefined when it is
 * not a valid dotted quad (the same answer as parseIp's general path: 1-3
 * digits a part, four parts, each at most 255, no leading zeroes). null: the
 * text has other characters, for the general path.
 */
function dottedQuad(s: string): number | undefined | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let bad = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) bad = true;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) bad = true; // a leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) bad = true;
    } else return null;
  }
  if (bad || digits === 0 || parts !== 3) return undefined;
  return value * 256 + part;
}

/** Whether the 32-bit address `addr` lies in `net/prefix` (both unsigned numbers below 2^32). */
export function ip4InNet(addr: number, net: number, prefix: number): boolean {
  if (prefix <= 0) return true;
  // `>>> 32` shifts by nothing in JavaScript, so /32 gets its mask spelled out.
  const mask = prefix >= 32 ? -1 : ~(0xffffffff >>> prefix);
  return ((addr ^ net) & mask) === 0;
}

export function ipInNet(addr: Ip, net: Ip, prefix: number): boolean {
  if (addr.version !== net.version) return false;
  const max = addr.version === 4 ? 32 : 128;
  if (prefix <= 0) return true;
  const shift = BigInt(max - prefix);
  return addr.value >> shift === net.value >> shift;
}

/** Matches `addr` against `net` or `net/len` (brackets allowed); undefined when the pattern is not a network. */
export function matchNetwork(pattern: string, addr: string): boolean | undefined {
  let p = pattern.trim();
  const m = /^\[([^\]]+)\](\/\d+)?$/.exec(p);
  if (m) p = m[1] + (m[2] ?? '');
  const slash = p.indexOf('/');
  const base = parseIp(slash < 0 ? p : p.slice(0, slash));
  if (!base) return undefined;
  const a = parseIp(addr);
  if (!a) return false;
  const max = base.version === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(p.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) return undefined;
  return ipInNet(a, base, len);
}

/** Postfix's textual form of a client address: IPv6 lower-case and compressed, no brackets. */
export function canonicalAddress(text: string): string {
  const ip = parseIp(text);
  if (!ip) return text.trim();
  if (ip.version === 4) return Address4.fromBigInt(ip.value).correctForm();
  return Address6.fromBigInt(ip.value).correctForm();
}

// Defaults Postfix derives from the machine: mydomain from myhostname, and
// mynetworks from the interfaces selected by inet_interfaces/inet_protocols,
// widened according to mynetworks_style. Pure: the interfaces are data.

import { Address4, Address6 } from 'ip-address';

export interface HostInterface {
  address: string;
  family: 'IPv4' | 'IPv6';
  prefix: number;
  loopback: boolean;
}

/** mydomain defaults to myhostname without its first label. */
export function mydomainOf(myhostname: string): string {
  const dot = myhostname.indexOf('.');
  return dot >= 0 ? myhostname.slice(dot + 1) : 'localdomain';
}

/** Resolves a host name in inet_interfaces to addresses; undefined when it does not resolve. */
export type Resolver = (name: string) => string[] | undefined;

function isAddress(w: string): boolean {
  return Address4.isValid(w) || Address6.isValid(w);
}

/** The inet_interfaces words Postfix could not resolve (it dies on the first). */
export function unresolvedInterfaces(inetInterfaces: string, resolve?: Resolver): string[] {
  return inetInterfaces
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((w) => w.replace(/^\[|\]$/g, ''))
    .filter((w) => !['all', 'loopback-only'].includes(w.toLowerCase()) && !isAddress(w) && (resolve?.(w) ?? undefined) === undefined);
}

function selectInterfaces(all: HostInterface[], inetInterfaces: string, protocols: string, resolve?: Resolver): HostInterface[] {
  const words = inetInterfaces.split(/[\s,]+/).filter(Boolean).map((w) => w.toLowerCase());
  const proto = protocols.split(/[\s,]+/).filter(Boolean).map((w) => w.toLowerCase());
  const v4 = proto.includes('all') || proto.includes('ipv4');
  const v6 = proto.includes('all') || proto.includes('ipv6');
  const byFamily = all.filter((i) => (i.family === 'IPv4' ? v4 : v6));
  if (words.includes('all')) return byFamily;
  if (words.includes('loopback-only')) return byFamily.filter((i) => i.loopback);
  const wanted = new Set(
    words.map((w) => w.replace(/^\[|\]$/g, '')).flatMap((w) => (isAddress(w) ? [w] : (resolve?.(w) ?? []))),
  );
  return byFamily.filter((i) => wanted.has(i.address.toLowerCase()));
}

export function computeMynetworks(all: HostInterface[], style: string, inetInterfaces: string, protocols: string, resolve?: Resolver): string {
  const chosen = selectInterfaces(all, inetInterfaces, protocols, resolve);
  const v4: string[] = [];
  const v6: string[] = [];
  const s = style.toLowerCase();
  for (const i of chosen) {
    try {
      if (i.family === 'IPv4') {
        let prefix = s === 'host' ? 32 : i.prefix;
        if (s === 'class') {
          const first = Number(i.address.split('.')[0]);
          prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
        }
        const entry = `${new Address4(`${i.address}/${prefix}`).startAddress().correctForm()}/${prefix}`;
        if (!v4.includes(entry)) v4.push(entry);
      } else {
        const prefix = s === 'host' ? 128 : i.prefix;
        const entry = `[${new Address6(`${i.address}/${prefix}`).startAddress().correctForm()}]/${prefix}`;
        if (!v6.includes(entry)) v6.push(entry);
      }
    } catch {
      // An address the library cannot read is left out rather than guessed.
    }
  }
  // Postfix ends each entry with a space, the last one included.
  return [...v4, ...v6].map((e) => `${e} `).join('');
}

// Reads the host facts Postfix uses for run-time defaults (host name and
// interfaces). Only the CLI does this; the engine receives them as data.

import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import type { HostInterface, HostModel } from '../engine/postconf/host-defaults';

export function hostModel(): HostModel {
  const interfaces: HostInterface[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      interfaces.push({
        address: i.address,
        family: i.family === 'IPv6' ? 'IPv6' : 'IPv4',
        prefix: Number((i.cidr ?? '/0').split('/')[1]),
        loopback: i.internal,
      });
    }
  }
  // Postfix lists IPv4 interfaces before IPv6 ones.
  interfaces.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  return { hostname: hostname(), interfaces, resolve: hostsFileResolver() };
}

/** Looks names up in /etc/hosts only: the CLI does no DNS. */
function hostsFileResolver(): (name: string) => string[] | undefined {
  let text = '';
  try {
    text = readFileSync('/etc/hosts', 'utf8');
  } catch {
    // No hosts file: nothing resolves.
  }
  const table = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!addr) continue;
    for (const n of names) table.set(n.toLowerCase(), [...(table.get(n.toLowerCase()) ?? []), addr]);
  }
  return (name) => table.get(name.toLowerCase());
}

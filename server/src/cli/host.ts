// Reads the host facts Postfix uses for run-time defaults (host name and
// interfaces). Only the CLI does this; the engine receives them as data.

import { hostname, networkInterfaces } from 'node:os';
import type { HostModel } from '../engine/postconf/main';
import type { HostInterface } from '../engine/postconf/host-defaults';

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
  return { hostname: hostname(), interfaces };
}

// How the master daemon identifies a service: by type plus an endpoint name
// derived from the service field, so `smtp inet` and `25 inet` are the same
// service and `relay unix` with private y or n are two different ones. Used to
// find duplicates the way master_conf.c does. Pure: host names are not resolved
// (the master would), so `localhost:25` and `127.0.0.1:25` stay distinct.

/** Ports of the usual /etc/services names seen in master.cf files (Debian 12; it has no `lmtp`). */
const SERVICE_PORTS: Record<string, string> = {
  smtp: '25',
  mail: '25',
  submission: '587',
  submissions: '465',
  smtps: '465',
  ssmtp: '465',
  urd: '465',
  qmtp: '209',
  pop3: '110',
  pop3s: '995',
  imap: '143',
  imap2: '143',
  imaps: '993',
  http: '80',
  https: '443',
  domain: '53',
  sieve: '4190',
};

export interface HostPort {
  host: string;
  port: string;
}

function validIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Canonical IPv6 text (RFC 5952 style, as inet_ntop prints it), or undefined when not an address. */
export function canonicalIpv6(s: string): string | undefined {
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    // Trailing dotted IPv4 part: rewrite it as two hex groups.
    const v4 = text.slice(lastColon + 1);
    if (!validIpv4(v4)) return undefined;
    const b = v4.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (given > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest];
  } else {
    if (given !== 8) return undefined;
    groups = head;
  }
  // Longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

function validHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  return s.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9_\-\u0080-\uffff]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}

function validHostaddr(s: string): boolean {
  return validIpv4(s) || (s.includes(':') && canonicalIpv6(s.replace(/^ipv6:/i, '')) !== undefined);
}

/** Splits an inet service name like host_port() does for the master; a string is Postfix's error. */
export function parseInetEndpoint(name: string): HostPort | string {
  let host: string | undefined;
  let port: string | undefined;
  if (name.startsWith('[')) {
    let rest = name.slice(1);
    const ipv6 = /^ipv6:/i.test(rest);
    if (ipv6) rest = rest.slice(5);
    const close = rest.indexOf(']');
    if (close < 0) return 'missing "]"';
    host = rest.slice(0, close);
    let after = rest.slice(close + 1);
    if (after.length > 0) {
      if (after[0] !== ':') return 'garbage after "]"';
      after = after.slice(1);
    }
    if (ipv6 && canonicalIpv6(host) === undefined) return 'malformed IPv6 address';
    port = after.length > 0 ? after : undefined;
    if (port === undefined) return 'missing service information';
    if (!validHostname(host) && !validHostaddr(host)) return 'valid hostname or network address required';
  } else {
    const colon = name.lastIndexOf(':');
    if (colon >= 0) {
      host = name.slice(0, colon);
      port = colon + 1 < name.length ? name.slice(colon + 1) : undefined;
    } else {
      host = '';
      port = name.length > 0 ? name : undefined;
    }
    if (port === undefined) return 'missing service information';
    if (host !== '' && !validHostname(host) && !validHostaddr(host)) return 'valid hostname or network address required';
  }
  if (/^[0-9]/.test(port) && !/^[0-9]+$/.test(port)) return 'garbage after numerical service';
  return { host, port };
}

/**
 * The master's internal name for a service: `25` or `[127.0.0.1]:2525` for
 * inet, `private/relay` or `public/pickup` for the local socket types.
 */
export function masterEndpoint(name: string, type: string, privateField: string): string {
  if (type === 'inet') {
    const hp = parseInetEndpoint(name);
    if (typeof hp === 'string') return name;
    const port = Object.prototype.hasOwnProperty.call(SERVICE_PORTS, hp.port) ? SERVICE_PORTS[hp.port] : hp.port;
    if (hp.host === '') return port;
    const v6 = hp.host.includes(':') ? canonicalIpv6(hp.host.replace(/^ipv6:/i, '')) : undefined;
    const host = v6 ?? hp.host;
    return `[${host}]:${port}`;
  }
  const isPrivate = privateField === 'y' || privateField === '-';
  return `${isPrivate ? 'private' : 'public'}/${name}`;
}

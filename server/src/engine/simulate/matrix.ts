// The relay matrix: who may send mail where, per smtpd service. Clients
// (localhost, another mynetworks address, an outside address, an outside
// address that authenticated) × recipients (a local domain, a relay domain,
// an outside domain). An outside, unauthenticated client whose mail for an
// outside domain is accepted marks an open relay. The outside client also
// tries what it may claim to be (probes.ts): senders and HELO names that some
// access table on the path permits.

import { findSmtpdService, ServiceView, simServiceIndexSteps, smtpdServices, type SimConfig } from './config';
import { matchList, matchListsSteps, parentStyle } from './lists';
import { parseIp, ipInNet } from './ip';
import { simulateTransactionSteps } from './simulate';
import { outsideProbesSteps, type Probe } from './probes';
import { Address4, Address6 } from 'ip-address';
import type { Assumptions, AssumptionUsed, Reply, SimulationResult, SmtpStage, Transaction, Verdict } from './types';
import { drain, SERVICES_PER_STEP, type Steps } from '../steps';

export interface MatrixClient {
  label: string;
  address: string;
  hostname?: string;
  saslUser?: string;
  /** Why this address was chosen. */
  note: string;
}

export interface MatrixRecipient {
  label: string;
  address: string;
  note: string;
}

export interface MatrixCell {
  service: string;
  client: string;
  recipient: string;
  verdict: Verdict;
  reply?: Reply;
  stage: SmtpStage;
  fatal?: string;
  /** Why there is no verdict (verdict `unknown`). */
  unknown?: string;
  /** Mail from an outside, unauthenticated client to an outside domain is accepted. */
  openRelay: boolean;
  /** The outside client got this verdict only by claiming another sender or HELO name. */
  probe?: Probe;
}

export interface RelayMatrix {
  services: string[];
  clients: MatrixClient[];
  recipients: MatrixRecipient[];
  sender: string;
  helo: string;
  cells: MatrixCell[];
  assumptions: AssumptionUsed[];
  openRelay: boolean;
  /** What the outside client also claimed to be, on the default service (the first is the plain one). */
  probes: Probe[];
}

export interface RelayMatrixOptions {
  sender?: string;
  helo?: string;
  saslUser?: string;
  assumptions?: Assumptions;
}

const OUTSIDE_ADDRESS = '203.0.113.5';
const OUTSIDE_DOMAIN = 'elsewhere.example';

/** An address inside mynetworks other than localhost, taken from its CIDR patterns. */
function insideAddress(view: ServiceView): { address: string; pattern: string } | undefined {
  for (const raw of view.list('mynetworks')) {
    if (raw.startsWith('!') || (raw.includes(':') && !raw.startsWith('['))) continue;
    const m = /^\[?([0-9A-Fa-f:.]+)\]?(?:\/(\d+))?$/.exec(raw);
    if (!m) continue;
    const net = parseIp(m[1]);
    if (!net) continue;
    const max = net.version === 4 ? 32 : 128;
    const len = m[2] === undefined ? max : Number(m[2]);
    if (len > max) continue;
    // A host inside the network: the network address + 1 (or the host itself).
    const base = (net.value >> BigInt(max - len)) << BigInt(max - len);
    let value = len >= max - 1 ? net.value : base + 1n;
    // A very wide network (0.0.0.0/0, ::/0): show a typical private address instead of 0.0.0.1.
    if (net.version === 4 && len < 8) {
      const sample = parseIp('192.168.1.10')!;
      if (ipInNet(sample, net, len)) value = sample.value;
    }
    if (net.version === 4 && value >> 24n === 127n) {
      if (len > 8) continue;
      value = (127n << 24n) + 2n;
    }
    if (net.version === 6 && value === 1n) continue;
    const address = net.version === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
    if (address === '127.0.0.1') continue;
    return { address, pattern: raw };
  }
  return undefined;
}

/** Stands for any host on the Internet (TEST-NET-3); says whether mynetworks trusts it anyway. */
function outsideAddress(view: ServiceView): { address: string; inside: boolean } {
  const address = OUTSIDE_ADDRESS;
  return { address, inside: matchList(view, 'mynetworks', 'namadr', ['unknown', address]).matched };
}

/** A plain domain from a domain list (skipping tables, files and negations). */
function firstDomain(view: ServiceView, param: string): string | undefined {
  for (const p of view.list(param)) {
    if (p.startsWith('!') || p.startsWith('/') || (p.includes(':') && !p.startsWith('['))) continue;
    if (p.startsWith('[')) continue;
    if (!p.startsWith('.')) return p;
    // `.example.com` matches subdomains only, in a domain list without parent style; no name otherwise (lists.ts).
    if (param === 'relay_domains' && !parentStyle(view, param)) return `sub${p}`;
  }
  return undefined;
}

const accepted = (v: Verdict) => v === 'accept' || v === 'hold' || v === 'discard';

/**
 * The transaction a cell answers, for `service` (a master.cf name): its client
 * and recipient, with the sender and HELO name of the probe that answered it
 * when there is one (matrix probes), else the matrix's own.
 */
export function cellTransaction(m: RelayMatrix, cell: MatrixCell, service?: string): Transaction | undefined {
  const client = m.clients.find((c) => c.label === cell.client);
  const recipient = m.recipients.find((r) => r.label === cell.recipient);
  if (!client || !recipient) return undefined;
  return {
    service,
    client: { address: client.address, hostname: client.hostname },
    saslUser: client.saslUser,
    helo: cell.probe?.helo ?? m.helo,
    sender: cell.probe?.sender ?? m.sender,
    recipients: [recipient.address],
    through: 'rcpt',
  };
}

export function relayMatrix(config: SimConfig, options: RelayMatrixOptions = {}): RelayMatrix {
  return drain(relayMatrixSteps(config, options));
}

/**
 * relayMatrix in steps: it yields after each simulated transaction (a cell,
 * a probe), and inside one every few thousand restrictions walked
 * (simulateTransactionSteps), so the language server answers requests in
 * between: one transaction over a doubling list of 2^17 words took 0.6-1.5 s.
 */
export function* relayMatrixSteps(config: SimConfig, options: RelayMatrixOptions = {}): Steps<RelayMatrix> {
  const assumptions = options.assumptions ?? {};
  // Indexed in steps: a master.cf can hold 100,000 services.
  yield* simServiceIndexSteps(config);
  const base = findSmtpdService(config);
  const view = new ServiceView(config, base.service, assumptions);
  yield* matchListsSteps(view);
  const services = smtpdServices(config);
  const serviceNames = services.length ? services.map((s) => s.name) : [undefined];

  const clients: MatrixClient[] = [{ label: 'localhost', address: '127.0.0.1', hostname: 'localhost', note: '127.0.0.1' }];
  const inside = insideAddress(view);
  if (inside) clients.push({ label: 'mynetworks', address: inside.address, note: `${inside.address}, inside mynetworks (${inside.pattern})` });
  yield 'relay matrix: the inside client';
  const outside = outsideAddress(view);
  yield 'relay matrix: the outside client';
  clients.push({
    label: 'outside',
    address: outside.address,
    note: outside.inside ? `${outside.address}, any Internet host: mynetworks trusts it!` : `${outside.address}, any Internet host (not in mynetworks, no hostname)`,
  });
  const user = options.saslUser ?? 'user';
  clients.push({ label: 'authenticated', address: outside.address, saslUser: user, note: `${outside.address} logged in as ${user}` });

  const recipients: MatrixRecipient[] = [];
  const local = firstDomain(view, 'mydestination') ?? view.value('myhostname');
  recipients.push({ label: 'local domain', address: `postmaster@${local}`, note: `postmaster@ is accepted by every local recipient table` });
  const virtualDomain = firstDomain(view, 'virtual_mailbox_domains') ?? firstDomain(view, 'virtual_alias_domains');
  if (virtualDomain) recipients.push({ label: 'virtual domain', address: `someone@${virtualDomain}`, note: `a virtual domain (${virtualDomain})` });
  const relay = firstDomain(view, 'relay_domains');
  if (relay) recipients.push({ label: 'relay domain', address: `someone@${relay}`, note: `a relay_domains entry (${relay})` });
  recipients.push({ label: 'outside domain', address: `someone@${OUTSIDE_DOMAIN}`, note: 'a domain this server does not handle' });

  const sender = options.sender ?? `sender@${OUTSIDE_DOMAIN}`;
  const helo = options.helo ?? `mail.${OUTSIDE_DOMAIN}`;
  const cells: MatrixCell[] = [];
  const used = new Map<string, AssumptionUsed>();
  // Services with the same type, program and -o settings get the same answers
  // unless something reads $service_name: simulate each such group once (a
  // master.cf can hold thousands of smtpd services).
  const done = new Map<string, Omit<MatrixCell, 'service'>[]>();
  let copied = 0;
  // Whether a cell is an open relay, noted as they are made: 100,000 services alike make 1.6 million cells.
  let openRelay = false;
  for (const service of serviceNames) {
    const resolved = service === undefined ? undefined : findSmtpdService(config, service).service;
    const signature = resolved && JSON.stringify([resolved.type, resolved.command, resolved.overrides.map((o) => [o.name, o.value])]);
    const same = signature === undefined ? undefined : done.get(signature);
    if (same && resolved) {
      for (const c of same) {
        cells.push({ ...c, service: resolved.key });
        openRelay ||= c.openRelay;
      }
      // Thousands of services alike are copied between yields, not all of them in one piece.
      if (++copied % SERVICES_PER_STEP === 0) yield () => `relay matrix: ${copied} services answered as one alike`;
      continue;
    }
    const own: Omit<MatrixCell, 'service'>[] = [];
    let readsName = false;
    let ran: ServiceView | undefined;
    for (const c of clients) {
      for (const r of recipients) {
        const res: SimulationResult = yield* simulateTransactionSteps(
          config,
          { service, client: { address: c.address, hostname: c.hostname }, helo, saslUser: c.saslUser, sender, recipients: [r.address], through: 'rcpt' },
          assumptions,
          (v) => (ran = v),
        );
        yield () => `relay matrix ${service ?? '(default)'}: ${c.label} -> ${r.label}`;
        readsName ||= ran?.readsServiceName ?? true;
        for (const a of res.assumptions) used.set(a.what, a);
        const outsideClient = c.label === 'outside';
        let final = res;
        let probe: Probe | undefined;
        if (outsideClient && r.label === 'outside domain' && !accepted(res.verdict) && res.verdict !== 'fatal' && ran) {
          // Would another sender or HELO name get through?
          for (const p of (yield* outsideProbesSteps(ran, sender, helo)).slice(1)) {
            const alt = yield* simulateTransactionSteps(
              config,
              { service, client: { address: c.address }, helo: p.helo, sender: p.sender, recipients: [r.address], through: 'rcpt' },
              assumptions,
              (v) => (readsName ||= v.readsServiceName),
            );
            yield () => `relay matrix ${service ?? '(default)'}: ${c.label} -> ${r.label}, probe ${p.helo !== helo ? `HELO ${p.helo}` : `MAIL FROM ${p.sender}`}`;
            if (accepted(alt.verdict)) {
              final = alt;
              probe = p;
              for (const a of alt.assumptions) used.set(a.what, a);
              break;
            }
          }
        }
        const cell: MatrixCell = {
          service: final.service,
          client: c.label,
          recipient: r.label,
          verdict: final.verdict,
          reply: final.reply,
          stage: final.stage,
          fatal: final.fatal,
          ...(final.unknown ? { unknown: final.unknown } : {}),
          openRelay: outsideClient && r.label === 'outside domain' && accepted(final.verdict),
          ...(probe ? { probe } : {}),
        };
        cells.push(cell);
        openRelay ||= cell.openRelay;
        const { service: _key, ...rest } = cell;
        own.push(rest);
      }
    }
    if (signature !== undefined && !readsName) done.set(signature, own);
  }
  const names = services.length ? services.map((s) => s.key) : ['(default)'];
  const probes = yield* outsideProbesSteps(view, sender, helo);
  return { services: names, clients, recipients, sender, helo, cells, assumptions: [...used.values()], openRelay, probes };
}

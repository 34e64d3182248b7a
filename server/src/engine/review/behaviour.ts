// What a configuration directory does, reduced to what a reviewer compares:
// the relay matrix of every smtpd service, the findings (with paths made
// relative to the directory, so a copy elsewhere compares equal), and the
// effective parameters at `postconf -n` and `postconf -P` level. Two of these
// make a behavioural diff (diff.ts).

import { lintTargets } from '../lint';
import type { ConfigMode } from '../config-files';
import { postconfCommand } from '../postconf/command';
import type { HostModel } from '../postconf/host-defaults';
import { loadSimConfig, smtpdServices } from '../simulate/config';
import { cellTransaction, relayMatrix } from '../simulate/matrix';
import { simulateTransaction } from '../simulate/simulate';
import type { Reply, Verdict } from '../simulate/types';
import type { FileReader, Problem } from '../types';

export interface BehaviourOptions {
  mode?: ConfigMode;
  version?: string;
  host?: HostModel;
}

/** A finding with its file relative to the configuration directory. */
export interface ReviewFinding extends Problem {
  /** Path relative to the configuration directory (absolute when outside it). */
  relFile: string;
}

/** One relay-matrix transaction, in terms both sides of a diff can replay. */
export interface Probe {
  /** master.cf service key (`smtp/inet`), or `(default)`. */
  service: string;
  client: string;
  clientAddress: string;
  clientHostname?: string;
  saslUser?: string;
  recipient: string;
  recipientAddress: string;
  sender: string;
  helo: string;
}

export interface Answer {
  verdict: Verdict;
  reply?: Reply;
}

export interface Behaviour {
  dir: string;
  mode: ConfigMode;
  /** False when the directory has no readable main.cf: nothing else is filled in. */
  exists: boolean;
  findings: ReviewFinding[];
  /** The relay matrix: each transaction tried, keyed by probeKey(), and smtpd's answer. */
  probes: Map<string, Probe>;
  answers: Map<string, Answer>;
  /** Answers a transaction the other side's matrix tried; undefined when the service does not exist here. */
  replay(probe: Probe): Answer | undefined;
  openRelay: boolean;
  /** `postconf -n`: name → value. */
  main: Map<string, string>;
  /** `postconf -P`: service/type/name → value. */
  services: Map<string, string>;
}

/**
 * The same transaction on both sides: by addresses, not labels (the
 * "mynetworks" client of one configuration may be another address in the other).
 */
export function probeKey(p: Probe): string {
  return [p.service, p.clientAddress, p.clientHostname ?? '', p.saslUser ?? '', p.recipientAddress, p.sender, p.helo].join('\u0000');
}

function relativeTo(dir: string, file: string): string {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file === dir ? '.' : file;
}

/** `name = value` lines of postconf output into a map (continuation-free: postconf prints one line per entry). */
function parsePostconf(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 3));
    else if (line.endsWith(' =')) out.set(line.slice(0, -2), '');
  }
  return out;
}

export function behaviourOf(dir: string, reader: FileReader & { isDirectory(p: string): boolean }, options: BehaviourOptions = {}): Behaviour {
  const d = dir.replace(/\/+$/, '') || '/';
  const mode: ConfigMode = options.mode ?? 'repository';
  const empty: Behaviour = { dir: d, mode, exists: false, findings: [], probes: new Map(), answers: new Map(), replay: () => undefined, openRelay: false, main: new Map(), services: new Map() };
  if (reader.readText(`${d}/main.cf`) === undefined) return empty;

  const report = lintTargets([d], reader, { mode, version: options.version });
  const findings = report.problems.map((p) => ({ ...p, relFile: relativeTo(d, p.file) }));

  const sim = loadSimConfig(d, reader, mode);
  const matrix = relayMatrix(sim);
  const probes = new Map<string, Probe>();
  const answers = new Map<string, Answer>();
  for (const c of matrix.cells) {
    // The outside client's cell may be answered for another sender or HELO name it
    // claimed (matrix probes): cellTransaction records that transaction, not the plain one.
    const tx = cellTransaction(matrix, c);
    if (!tx) continue;
    const probe: Probe = {
      service: c.service,
      client: c.client,
      clientAddress: tx.client.address,
      clientHostname: tx.client.hostname,
      saslUser: tx.saslUser,
      recipient: c.recipient,
      recipientAddress: tx.recipients[0],
      sender: tx.sender,
      helo: tx.helo ?? matrix.helo,
    };
    const key = probeKey(probe);
    probes.set(key, probe);
    answers.set(key, { verdict: c.verdict, reply: c.reply });
  }
  const serviceNames = new Map(smtpdServices(sim).map((s) => [s.key, s.name]));
  const replay = (p: Probe): Answer | undefined => {
    const name = serviceNames.get(p.service);
    if (name === undefined && !(p.service === '(default)' && serviceNames.size === 0)) return undefined;
    const r = simulateTransaction(sim, {
      service: name,
      client: { address: p.clientAddress, hostname: p.clientHostname },
      helo: p.helo,
      saslUser: p.saslUser,
      sender: p.sender,
      recipients: [p.recipientAddress],
      through: 'rcpt',
    });
    return { verdict: r.verdict, reply: r.reply };
  };

  const ctx = { readFile: (p: string) => reader.readText(p), host: options.host, version: options.version };
  const main = parsePostconf(postconfCommand(['-c', d, '-n'], ctx).stdout);
  const services = parsePostconf(postconfCommand(['-c', d, '-P'], ctx).stdout);
  return { dir: d, mode, exists: true, findings, probes, answers, replay, openRelay: matrix.openRelay, main, services };
}

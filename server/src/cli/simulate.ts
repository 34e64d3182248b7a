// `postfix-lint simulate`: what smtpd would answer to one SMTP transaction, or
// the relay matrix of every smtpd service. Arguments in, engine, formatted
// output; the analysis is server/src/engine/simulate.
//
//   postfix-lint simulate -c DIR [--service NAME] --client ADDR[,HOSTNAME] [--helo NAME | --no-helo]
//                         [--sasl-user USER] --from ADDR --to ADDR [--to ADDR...]
//                         [--through rcpt|data] [--format text|json] [assumption options]
//   postfix-lint simulate -c DIR --matrix [--format text|json] [assumption options]
//   either of them with --against [SERVICE=]HOST:PORT: also played to a live
//   server through XCLIENT (against.ts), reporting where it answers otherwise.
//
// Exit status: 0 the mail is accepted (matrix: no open relay), 1 it is
// rejected, deferred or smtpd cannot start (matrix: an open relay or a
// service that cannot start), 2 usage error. With --against: 0 the live
// server answers every transaction as simulated, 1 it does not or some could
// not be checked, 2 usage error.

import { resolve } from 'node:path';
import { loadSimConfig } from '../engine/simulate/config';
import { relayMatrix, type RelayMatrix } from '../engine/simulate/matrix';
import { simulateTransaction } from '../engine/simulate/simulate';
import { shellLine, swaksCommand } from '../engine/simulate/swaks';
import type { Assumptions, SimulationResult, Transaction, TraceStep } from '../engine/simulate/types';
import type { FileReader } from '../engine/types';
import type { ConfigMode } from '../engine/config-files';
import { mainCfFailure } from './main-cf';
import { formatAgainst, parseAgainst, runAgainst, type AgainstTarget } from './against';
import { STAGE_NAME } from './smtp-client';

export interface SimulateIo {
  stdout(s: string): void;
  stderr(s: string): void;
  reader: FileReader;
}

const USAGE = `usage: postfix-lint simulate -c DIR [--service NAME] --client ADDR[,HOSTNAME] [--helo NAME | --no-helo]
                            [--sasl-user USER] --from ADDR --to ADDR [--to ADDR...]
                            [--through rcpt|data] [--format text|json]
       postfix-lint simulate -c DIR --matrix [--format text|json]
  --swaks [--server HOST[:PORT]]  also print the swaks command that sends this
                               transaction to the real server [the service's port on localhost]
  --against [SERVICE=]HOST:PORT  play the transaction (or the matrix of the service)
                               to that live server with XCLIENT, stopping after RCPT TO,
                               and report where its replies differ from the simulation;
                               repeat for several services [SERVICE: --service, else the
                               service listening on PORT, else port 25's]
  --timeout SECONDS            with --against: limit for connecting and each reply [30]
  --helo NAME                  the HELO/EHLO name [the client's hostname, else its
                               address literal such as [203.0.113.5]]
  --no-helo                    the client sends MAIL FROM without greeting first
  --live, --repository         judge DIR as this machine's configuration or as a copy
                               kept elsewhere [live for /etc/postfix, else repository]
assumptions (what the simulator cannot know; defaults in brackets):
  --assume-listed DOMAIN       a DNS list that lists every queried name [none]
  --assume-unresolvable NAME   a domain or host name that does not resolve [all resolve]
  --assume-policy ACTION       check_policy_service answer [DUNNO]
  --assume-verify deliverable|undeliverable|unknown   address verification [deliverable]
  --assume-tls yes|no          the client uses TLS [yes when the service requires it]
  --assume-hostname NAME       the machine's hostname [localhost.localdomain]
  --assume-interfaces A/N,...  the machine's interface addresses [127.0.0.1/8,::1/128]
  --assume-unknown-users       recipient tables the engine cannot read find nobody [they find everyone]
`;

interface Parsed {
  dir: string;
  mode?: ConfigMode;
  matrix: boolean;
  format: 'text' | 'json';
  tx: Transaction;
  assumptions: Assumptions;
  errors: string[];
  /** Print the swaks command for the transaction (to HOST[:PORT] when given). */
  swaks?: { host: string; port?: number } | true;
  /** --no-helo: the client does not greet. */
  noHelo: boolean;
  /** --against: live servers to check the simulation on. */
  against: AgainstTarget[];
  timeoutS: number;
}

function parse(argv: string[]): Parsed {
  const args = argv[0] === 'simulate' ? argv.slice(1) : argv;
  const p: Parsed = { dir: '/etc/postfix', matrix: false, format: 'text', tx: { client: { address: '' }, sender: '', recipients: [] }, assumptions: {}, errors: [], noHelo: false, against: [], timeoutS: 30 };
  let haveFrom = false;
  const list = (k: 'dnsListed' | 'unresolvable', v: string) => {
    p.assumptions[k] = [...(p.assumptions[k] ?? []), ...v.split(',').filter(Boolean)];
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) {
        p.errors.push(`${name} needs a value`);
        return '';
      }
      return v;
    };
    switch (name) {
      case '-c':
      case '--config':
        p.dir = value();
        break;
      case '--matrix':
        p.matrix = true;
        break;
      case '--swaks':
        p.swaks = true;
        break;
      case '--server': {
        const v = value();
        const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(v);
        if (m) p.swaks = { host: m[1], port: m[2] ? Number(m[2]) : undefined };
        else p.errors.push(`--server takes HOST[:PORT], not "${v}"`);
        break;
      }
      case '--against': {
        const v = value();
        const t = parseAgainst(v);
        if (t) p.against.push(t);
        else p.errors.push(`--against takes [SERVICE=]HOST:PORT, not "${v}"`);
        break;
      }
      case '--timeout': {
        const v = value();
        if (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 3600) p.timeoutS = Number(v);
        else p.errors.push(`--timeout takes seconds (up to 3600), not "${v}"`);
        break;
      }
      case '--live':
      case '--repository':
        if (p.mode && p.mode !== name.slice(2)) p.errors.push('--live and --repository exclude each other');
        p.mode = name.slice(2) as ConfigMode;
        break;
      case '--service':
        p.tx.service = value();
        break;
      case '--client': {
        const [addr, host] = value().split(',');
        p.tx.client = { address: addr ?? '', hostname: host || undefined };
        break;
      }
      case '--helo':
        p.tx.helo = value();
        break;
      case '--no-helo':
        p.noHelo = true;
        break;
      case '--sasl-user':
        p.tx.saslUser = value();
        break;
      case '--from':
        p.tx.sender = value().replace(/^<(.*)>$/, '$1');
        haveFrom = true;
        break;
      case '--to':
        p.tx.recipients.push(value().replace(/^<(.*)>$/, '$1'));
        break;
      case '--through': {
        const v = value();
        if (v === 'rcpt' || v === 'data') p.tx.through = v;
        else p.errors.push(`--through takes rcpt or data, not "${v}"`);
        break;
      }
      case '--format': {
        const v = value();
        if (v === 'text' || v === 'json') p.format = v;
        else p.errors.push(`--format takes text or json, not "${v}"`);
        break;
      }
      case '--assume-listed':
        list('dnsListed', value());
        break;
      case '--assume-unresolvable':
        list('unresolvable', value());
        break;
      case '--assume-policy':
        p.assumptions.policyServiceAction = value();
        break;
      case '--assume-verify': {
        const v = value();
        if (v === 'deliverable' || v === 'undeliverable' || v === 'unknown') p.assumptions.addressVerification = v;
        else p.errors.push(`--assume-verify takes deliverable, undeliverable or unknown`);
        break;
      }
      case '--assume-tls': {
        const v = value().toLowerCase();
        if (v === 'yes' || v === 'no') p.assumptions.tls = v === 'yes';
        else p.errors.push('--assume-tls takes yes or no');
        break;
      }
      case '--assume-hostname':
        p.assumptions.hostname = value();
        break;
      case '--assume-interfaces':
        p.assumptions.interfaces = value().split(',').filter(Boolean);
        break;
      case '--assume-unknown-users':
        p.assumptions.unreadableTables = 'notfound';
        break;
      default:
        if (a.startsWith('-c') && a.length > 2) p.dir = a.slice(2);
        else p.errors.push(`unknown argument: ${a}`);
    }
  }
  if (!p.matrix) {
    if (!p.tx.client.address) p.errors.push('--client is required');
    if (!haveFrom) p.errors.push('--from is required (use --from "<>" for the null sender)');
    if (p.tx.recipients.length === 0) p.errors.push('at least one --to is required');
    if (p.noHelo && p.tx.helo !== undefined) p.errors.push('--helo and --no-helo exclude each other');
  }
  if (p.against.length && p.tx.through === 'data') p.errors.push('--against never sends DATA (no mail is sent): leave out --through data');
  if (p.against.length && p.swaks) p.errors.push('--against and --swaks exclude each other');
  return p;
}

/** The name a client greets with when none is given: its hostname, else its address literal. */
export function defaultHelo(client: Transaction['client']): string {
  if (client.hostname) return client.hostname;
  const a = client.address.replace(/^\[|\]$/g, '').replace(/^ipv6:/i, '');
  return a.includes(':') ? `[IPv6:${a}]` : `[${a}]`;
}

function where(step: { source?: { file: string; range: { start: { line: number; character: number } } } }): string {
  if (!step.source) return '';
  return `${step.source.file}:${step.source.range.start.line + 1}:${step.source.range.start.character + 1}`;
}

export function formatResult(r: SimulationResult, tx: Transaction): string {
  const out: string[] = [];
  const client = `${tx.client.hostname ?? 'unknown'}[${tx.client.address}]`;
  out.push(`Service:  ${r.service}`);
  out.push(`Client:   ${client}${tx.helo ? `, HELO ${tx.helo}` : ''}${tx.saslUser ? `, SASL login ${tx.saslUser}` : ''}`);
  out.push(`Envelope: MAIL FROM:<${tx.sender}> RCPT TO:${tx.recipients.map((x) => `<${x}>`).join(' ')}`);
  out.push(`Verdict:  ${r.verdict.toUpperCase()} at ${STAGE_NAME[r.stage] ?? r.stage}${r.list ? ` (smtpd_${r.list}_restrictions)` : ''}`);
  if (r.fatal) out.push(`Fatal:    ${r.fatal}`);
  if (r.unknown) out.push(`Unknown:  ${r.unknown}`);
  if (r.reply) out.push(`Reply:    ${r.reply.line || r.reply.text}`);
  if (r.recipients.length > 1) {
    out.push('Recipients:');
    for (const o of r.recipients) out.push(`  <${o.address}>  ${o.reply.line}`);
  }
  const acts = r.actions;
  const notes = [
    acts.discard && `discarded (${acts.discard})`,
    acts.hold && `held (${acts.hold})`,
    acts.filter && `content filter ${acts.filter}`,
    acts.redirect && `redirected to ${acts.redirect}`,
    ...acts.bcc.map((b) => `BCC to ${b}`),
    ...acts.prepend.map((h) => `header prepended: ${h}`),
    ...acts.warnings.map((w) => `logged ${w}`),
  ].filter(Boolean);
  if (notes.length) {
    out.push('Actions:');
    for (const n of notes) out.push(`  ${n}`);
  }
  out.push('Trace:');
  const stepLine = (t: TraceStep) => {
    const indent = '  '.repeat(t.depth + 1);
    const loc = where(t);
    const stage = `${STAGE_NAME[t.stage] ?? t.stage}${t.recipient !== undefined ? ` <${t.recipient}>` : ''}`;
    return `${indent}[${stage}${t.list ? `, ${t.list} restrictions` : ''}] ${t.restriction} → ${t.result}${t.assumed ? ' (assumed)' : ''}: ${t.why}${loc ? `  (${loc})` : ''}`;
  };
  for (const t of r.trace) out.push(stepLine(t));
  if (r.assumptions.length) {
    out.push('Assumptions:');
    for (const a of r.assumptions) out.push(`  ${a.what}: ${a.value}  (change with the "${a.option}" assumption)`);
  }
  if (r.logWarnings.length) {
    out.push('smtpd would log:');
    for (const w of r.logWarnings) out.push(`  warning: ${w}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatMatrix(m: RelayMatrix): string {
  const out: string[] = [];
  out.push(`Relay matrix (sender <${m.sender}>, HELO ${m.helo})`);
  out.push('Clients:');
  for (const c of m.clients) out.push(`  ${c.label.padEnd(14)} ${c.note}`);
  out.push('Recipients:');
  for (const r of m.recipients) out.push(`  ${r.label.padEnd(14)} <${r.address}>  ${r.note}`);
  const width = Math.max(...m.recipients.map((r) => r.label.length), 24);
  for (const service of m.services) {
    out.push('');
    out.push(`${service}`);
    out.push(`  ${'client'.padEnd(14)} ${m.recipients.map((r) => r.label.padEnd(width)).join(' ')}`);
    for (const c of m.clients) {
      const cells = m.recipients.map((r) => {
        const cell = m.cells.find((x) => x.service === service && x.client === c.label && x.recipient === r.label);
        if (!cell) return ''.padEnd(width);
        const text = cell.verdict === 'fatal' ? 'FATAL (smtpd exits)' : `${cell.verdict.toUpperCase()}${cell.reply && cell.verdict !== 'accept' ? ` ${cell.reply.code} ${cell.reply.enhanced}` : ''}${cell.openRelay ? ' OPEN RELAY' : ''}`;
        return text.padEnd(width);
      });
      out.push(`  ${c.label.padEnd(14)} ${cells.join(' ')}`);
    }
    const fatal = m.cells.find((x) => x.service === service && x.fatal);
    if (fatal) out.push(`  fatal: ${fatal.fatal}`);
  }
  if (m.assumptions.length) {
    out.push('');
    out.push('Assumptions:');
    for (const a of m.assumptions) out.push(`  ${a.what}: ${a.value}`);
  }
  out.push('');
  out.push(m.openRelay ? 'OPEN RELAY: an outside client without authentication can send mail to outside domains.' : 'No open relay: outside clients without authentication cannot send to outside domains.');
  return `${out.join('\n')}\n`;
}

export function runSimulate(argv: string[], io: SimulateIo): number | Promise<number> {
  const p = parse(argv);
  if (p.errors.length) {
    io.stderr(`postfix-lint simulate: ${p.errors.join('; ')}\n${USAGE}`);
    return 2;
  }
  const dir = resolve(p.dir);
  const failure = mainCfFailure(dir, io.reader, p.mode);
  if (failure) {
    io.stderr(`postfix-lint simulate: fatal: ${failure}\n`);
    return 1;
  }
  const config = loadSimConfig(dir, io.reader, p.mode);
  // Which files were read depends on the mode (engine/config-files.ts): say which.
  const configuration = { dir, mode: config.mode };
  const header = `Config:   ${dir} (${config.mode === 'live' ? 'live configuration' : 'repository copy: tables read beside main.cf'})\n`;
  // A person asking "what happens to this mail" means a client that greets, as every mail client does.
  const greeting = !p.matrix && p.tx.helo === undefined && !p.noHelo ? defaultHelo(p.tx.client) : undefined;
  const tx: Transaction = greeting ? { ...p.tx, helo: greeting } : p.tx;
  if (p.against.length) {
    return runAgainst(config, { targets: p.against, service: p.tx.service, tx: p.matrix ? undefined : tx, assumptions: p.assumptions, timeoutS: p.timeoutS, parallel: 4 }).then((r) => {
      io.stdout(p.format === 'json' ? `${JSON.stringify({ configuration, ...r }, null, 2)}\n` : header + formatAgainst(r));
      return r.errors.length || r.summary.disagree || r.summary.unchecked ? 1 : 0;
    });
  }
  if (p.matrix) {
    const m = relayMatrix(config, { assumptions: p.assumptions });
    io.stdout(p.format === 'json' ? `${JSON.stringify({ configuration, ...m }, null, 2)}\n` : header + formatMatrix(m));
    return m.openRelay || m.cells.some((c) => c.verdict === 'fatal') ? 1 : 0;
  }
  const r = simulateTransaction(config, tx, p.assumptions);
  const swaks = p.swaks ? swaksCommand(config, tx, p.swaks === true ? undefined : p.swaks) : undefined;
  if (r.verdict === 'fatal' && r.stage === 'startup' && !r.trace.length && r.fatal) {
    // Not smtpd's fatal but ours (unknown service, bad address): a usage problem.
    if (/^(master\.cf has no|no master\.cf|not a client IP)/.test(r.fatal)) {
      io.stderr(`postfix-lint simulate: ${r.fatal}\n`);
      return 2;
    }
  }
  if (greeting && r.stage !== 'startup' && r.stage !== 'connect') {
    const at = r.trace.findIndex((s) => s.stage !== 'startup' && s.stage !== 'connect');
    r.trace.splice(at < 0 ? r.trace.length : at, 0, {
      stage: 'helo',
      restriction: `EHLO ${greeting}`,
      result: 'note',
      why: `no --helo given: the client greets with EHLO ${greeting}, as mail clients do (--no-helo simulates one that sends MAIL FROM without greeting)`,
      depth: 0,
    });
  }
  const swaksText = swaks ? `Check it on the real server:\n  ${shellLine(swaks.argv)}\n${swaks.notes.map((n) => `  # ${n}\n`).join('')}` : '';
  io.stdout(p.format === 'json' ? `${JSON.stringify({ configuration, ...r, ...(swaks ? { swaks: { command: shellLine(swaks.argv), argv: swaks.argv, notes: swaks.notes } } : {}) }, null, 2)}\n` : header + formatResult(r, tx) + swaksText);
  return r.verdict === 'accept' || r.verdict === 'discard' || r.verdict === 'hold' ? 0 : 1;
}

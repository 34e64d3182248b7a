// What the server is for, read from its configuration, and probes of each
// promise through the policy simulator:
// - MX: an smtpd on port 25 listens beyond loopback and the server has own
//   domains (mydestination, virtual_*_domains, relay_domains): mail for them
//   must be accepted from any well-behaved server on the Internet;
// - submission: a 587/465 service offers AUTH: a logged-in user must be able
//   to send anywhere, and only as the addresses the login owns;
// - null client: no public port-25 listener (or no own domains): it only sends.
// The intent rules (PF540–PF543) ask the simulator, never the text of a list.

import type { MasterService } from '../mastercf';
import { findSmtpdService, loadSimConfigSteps, ServiceView, splitList, smtpdServices as simServices, type SimConfig } from '../simulate/config';
import { applyTextEdits, replaceEntryValue } from '../rules/edits';
import { simulateTransactionSteps } from '../simulate/simulate';
import { drain, PieceClock, SERVICES_PER_STEP, type Steps } from '../steps';
import type { SimulationResult, TraceStep } from '../simulate/types';
import type { RuleContext, SmtpdService } from '../rules/context';
import { bracketedSimSteps } from '../rules/mynetworks';
import { serviceLists, splitWords, tokenLocation, type Item, type ListToken } from '../rules/lists';
import type { FileReader, Range } from '../types';

/** TEST-NET-3 address standing for a well-behaved mail server on the Internet. */
export const OUTSIDE_ADDRESS = '203.0.113.5';
export const OUTSIDE_HOST = 'mail.elsewhere.example';
export const OUTSIDE_DOMAIN = 'elsewhere.example';
export const PROBE_USER = 'user';

export interface OwnDomains {
  /** Plain names of mydestination (localhost names left out unless nothing else is there). */
  local: string[];
  virtual: string[];
  relay: string[];
  /** Lists given as lookup tables (`hash:/etc/postfix/domains`), whose names we cannot enumerate. */
  tables: string[];
}

export interface ServerRoles {
  /** Public port-25 services of a server with own domains. */
  mx: SmtpdService[];
  /** 587/465 services with SASL enabled. */
  submission: SmtpdService[];
  /** No public port-25 listener or no own domains: the server only sends. */
  nullClient: boolean;
  domains: OwnDomains;
}

const LOOPBACK_INTERFACES = /^(loopback-only|localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/i;

/** smtpd on this service accepts connections from beyond loopback. */
export function listensPublicly(ctx: RuleContext, svc: SmtpdService): boolean {
  if (svc.service?.type.text === 'pass') {
    // Behind postscreen: public when postscreen's listener is.
    const ps = postscreenListener(ctx);
    return ps ? listensOn(ctx, ps.name.text, svc.service) : true;
  }
  return listensOn(ctx, svc.service?.name.text ?? '', svc.service);
}

/** master.cf's first postscreen inet service, looked for once per lint (every pass service asks; master.cf may hold 100,000 services). */
export function postscreenListener(ctx: RuleContext): MasterService | undefined {
  return ctx.once('intent:postscreen', () => ctx.config.master?.services.find((s) => s.valid && s.program === 'postscreen' && s.type.text === 'inet'));
}

function listensOn(ctx: RuleContext, name: string, service?: MasterService): boolean {
  const host = name.includes(':') ? name.slice(0, name.lastIndexOf(':')).replace(/^\[|\]$/g, '') : '';
  if (host) return !/^(127\.|::1$|localhost$)/i.test(host);
  const ifaces = splitWords(ctx.value('inet_interfaces', service)).map((w) => w.text);
  return ifaces.length === 0 || !ifaces.every((i) => LOOPBACK_INTERFACES.test(i));
}

/** Plain domain names of a list's words (first occurrence order, no repeats); tables and files go to `tables`. */
function plainNames(words: readonly string[], tables: string[]): string[] {
  const out = new Set<string>();
  let previous: string | undefined;
  for (const p of words) {
    // A doubled list ($a = $b $b) repeats its words back to back: each costs one comparison.
    if (p === previous) continue;
    previous = p;
    if (p.startsWith('!')) continue;
    if (p.startsWith('/') || (p.includes(':') && !p.startsWith('['))) {
      tables.push(p);
      continue;
    }
    if (p.startsWith('[')) continue;
    const d = p.replace(/^\./, '').toLowerCase();
    if (/^[a-z0-9.-]+$/.test(d)) out.add(d);
  }
  return [...out];
}

const DOMAIN_LISTS = ['mydestination', 'virtual_mailbox_domains', 'virtual_alias_domains', 'relay_domains'];

/** The simulator's view the own domains are read on, once per lint. */
function domainsView(ctx: RuleContext): ServiceView {
  return ctx.once('intent:domains view', () => {
    const sim = ctx.sim();
    return new ServiceView(sim, findSmtpdService(sim).service, {});
  });
}

/**
 * serverRoles in steps: the domain lists made first (mydestination can hold a
 * million words), then the smtpd services judged SERVICES_PER_STEP at a time.
 */
export function* serverRolesSteps(ctx: RuleContext): Steps<ServerRoles> {
  const made = ctx.made<ServerRoles>(ROLES_KEY);
  if (made) return made;
  const view = domainsView(ctx);
  for (const name of DOMAIN_LISTS) yield* view.listSteps(name);
  return yield* ctx.onceSteps(ROLES_KEY, function* () {
    const domains = ownDomains(ctx);
    const services = ctx.smtpdServices();
    // Own domains only count when main.cf names them: Postfix's defaults receive for the machine's name, which says nothing of intent.
    const explicit = DOMAIN_LISTS.some((n) => ctx.config.main?.byName.has(n));
    const anyMx = explicit && hasDomains(domains);
    const mx: SmtpdService[] = [];
    const submission: SmtpdService[] = [];
    const clock = new PieceClock();
    for (let i = 0; i < services.length; i++) {
      if (i > 0 && (i % SERVICES_PER_STEP === 0 || clock.due())) {
        yield 'intent: server roles';
        clock.restart();
      }
      const s = services[i];
      if (anyMx && s.port25 && listensPublicly(ctx, s)) mx.push(s);
      if ((s.submission || s.smtps) && ctx.bool('smtpd_sasl_auth_enable', s.service)) submission.push(s);
    }
    return { mx, submission, nullClient: mx.length === 0, domains };
  });
}

const ROLES_KEY = 'intent:roles';

/** The server's own domains, by class. */
export function ownDomains(ctx: RuleContext): OwnDomains {
  return ctx.once('intent:domains', () => {
    // Expanded as the simulator expands them (same machine-hostname assumption), so that probes agree.
    const view = domainsView(ctx);
    const tables: string[] = [];
    const localAll = plainNames(view.list('mydestination'), tables);
    // localhost names are not domains anyone on the Internet sends to.
    // The machine's own name last: mail is mostly addressed to the domains.
    const host = view.value('myhostname').toLowerCase();
    const local = localAll.filter((d) => !/^localhost(\.|$)/.test(d) && d.includes('.')).sort((a, b) => Number(a === host) - Number(b === host));
    const virtual = [...plainNames(view.list('virtual_mailbox_domains'), tables), ...plainNames(view.list('virtual_alias_domains'), tables)];
    // relay_domains defaults to $mydestination below compatibility level 2: those are local, not relay domains.
    const isLocal = new Set(localAll);
    const relay = plainNames(view.list('relay_domains'), tables).filter((d) => !isLocal.has(d));
    return { local, virtual: [...new Set(virtual)], relay, tables: [...new Set(tables)] };
  });
}

function hasDomains(d: OwnDomains): boolean {
  return d.local.length + d.virtual.length + d.relay.length + d.tables.length > 0;
}

export function serverRoles(ctx: RuleContext): ServerRoles {
  return ctx.made<ServerRoles>(ROLES_KEY) ?? drain(serverRolesSteps(ctx));
}

/**
 * The smtpd process limit of a service: its master.cf maxproc column, else
 * default_process_limit (100); 0 means unlimited. A per-client concurrency
 * limit (smtpd_client_connection_count_limit) only protects anyone when it is
 * below this.
 */
export function smtpdProcessLimit(ctx: RuleContext, svc: SmtpdService): number {
  const field = svc.service?.maxproc.text;
  const text = field && field !== '-' ? field : ctx.value('default_process_limit', svc.service).trim();
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : 100;
}

/** One recipient per own-domain class, for probes: `postmaster@` exists for every domain (RFC 5321). */
export function probeDomains(ctx: RuleContext): { label: string; domain: string }[] {
  const d = ownDomains(ctx);
  const out: { label: string; domain: string }[] = [];
  if (d.virtual[0]) out.push({ label: 'virtual domain', domain: d.virtual[0] });
  if (d.local[0]) out.push({ label: 'local domain', domain: d.local[0] });
  if (d.relay[0]) out.push({ label: 'relay domain', domain: d.relay[0] });
  return out;
}

export interface Probe {
  service: SmtpdService;
  result: SimulationResult;
  /** Found once mynetworks no longer trusts the probe's outside address (PF501's finding hid it). */
  behind?: boolean;
  /** The top-level restriction that decided a reject/defer, when one did. */
  culprit?: TraceStep;
}

/** The simulator's name of each smtpd service by key, made once per lint in steps (50,000 Map entries were 30-60 ms). */
function* simNamesSteps(ctx: RuleContext): Steps<Map<string, string>> {
  return yield* ctx.onceSteps('intent:simnames', function* () {
    const services = simServices(yield* ctx.simSteps());
    const names = new Map<string, string>();
    for (let i = 0; i < services.length; i++) {
      if (i > 0 && i % SERVICES_PER_STEP === 0) yield 'intent: simulator service names';
      names.set(services[i].key, services[i].name);
    }
    return names;
  });
}

function simName(names: Map<string, string>, svc: SmtpdService): string | undefined {
  if (!svc.service) return undefined;
  return names.get(svc.key) ?? svc.service.name.text;
}

/** The restriction at list level that made the verdict. */
export function decidingStep(res: SimulationResult): TraceStep | undefined {
  if (res.verdict !== 'reject' && res.verdict !== 'defer') return undefined;
  const steps = res.trace.filter((s) => (s.result === 'reject' || s.result === 'defer' || s.result === 'defer_if_permit' || s.result === 'defer_if_reject') && s.list);
  const top = steps.filter((s) => s.depth === 0);
  return top[top.length - 1] ?? steps[steps.length - 1];
}

/** Simulates one transaction on a service (memoised per context), in steps: it yields inside its restriction walk (simulate.ts) and after it. */
export function* probeSteps(
  ctx: RuleContext,
  svc: SmtpdService,
  tx: { client?: { address: string; hostname?: string }; saslUser?: string; sender: string; recipient: string },
): Steps<Probe> {
  const probes = ctx.once('intent:probes', () => new Map<string, Probe>());
  const key = `${svc.key}:${JSON.stringify(tx)}`;
  const kept = probes.get(key);
  if (kept) return kept;
  const names = yield* simNamesSteps(ctx);
  const run = (sim: SimConfig) =>
    simulateTransactionSteps(sim, {
      service: simName(names, svc),
      client: tx.client ?? { address: OUTSIDE_ADDRESS, hostname: OUTSIDE_HOST },
      helo: OUTSIDE_HOST,
      saslUser: tx.saslUser,
      sender: tx.sender,
      recipients: [tx.recipient],
      through: 'rcpt',
    });
  const label = () => `intent probe ${svc.key}: ${tx.saslUser ? `${tx.saslUser}, ` : ''}${tx.sender} -> ${tx.recipient}`;
  // As if PF503 were fixed: an unbracketed IPv6 network would stop smtpd before it answers anyone.
  const result = yield* run(yield* bracketedSimSteps(ctx));
  yield label;
  let made: Probe = { service: svc, result, culprit: decidingStep(result) };
  // mynetworks trusts the outside address (0.0.0.0/0): look again as if it trusted only this machine.
  const viaMynetworks = result.trace.some((s) => s.depth === 0 && s.result === 'permit' && /^permit_mynetworks\b/i.test(s.restriction));
  const patched = viaMynetworks ? yield* localMynetworksSteps(ctx) : undefined;
  if (patched) {
    const again = yield* run(patched);
    yield () => `${label()}, mynetworks as if local`;
    made = { service: svc, result: again, culprit: decidingStep(again), behind: true };
  }
  probes.set(key, made);
  return made;
}

/**
 * The simulator's view of the configuration with mynetworks = 127.0.0.0/8
 * [::1]/128 (same line numbers), loaded in steps: a main.cf of 100,000
 * settings parsed again was one piece of 180-800 ms.
 */
function* localMynetworksSteps(ctx: RuleContext): Steps<SimConfig | undefined> {
  return yield* ctx.onceSteps('intent:localsim', function* () {
    const entry = ctx.config.main?.byName.get('mynetworks');
    const main = ctx.config.mainPath;
    const text = ctx.text(main);
    if (text === undefined) return undefined;
    let patched: string;
    if (entry) {
      if (entry.valueRange.start.line !== entry.valueRange.end.line) return undefined;
      patched = applyTextEdits(text, replaceEntryValue(ctx, entry, '127.0.0.0/8 [::1]/128'));
    } else patched = `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}mynetworks = 127.0.0.0/8 [::1]/128\n`;
    // -o mynetworks on a service stays; that is rare and its own finding.
    const reader: FileReader = { readText: (p) => (p === main ? patched : ctx.reader.readText(p)), mtimeMs: ctx.reader.mtimeMs?.bind(ctx.reader) };
    return yield* loadSimConfigSteps(ctx.config.dir, reader, ctx.config.mode);
  });
}

/** Names the restriction for a message: `reject` in smtpd_client_restrictions. */
export function culpritText(step: TraceStep): string {
  const where = step.parameter ?? (step.list ? `smtpd_${step.list}_restrictions` : 'a restriction list');
  return `"${step.restriction}" in ${where}`;
}

/** Whether any restriction list or milter of the service could judge forged senders beyond what the simulator sees. */
export function hasExternalSenderChecks(ctx: RuleContext, svc: SmtpdService): boolean {
  if (ctx.value('smtpd_milters', svc.service).trim() !== '') return true;
  const lists = ['client', 'helo', 'sender', 'relay', 'recipient', 'data', 'end_of_data'].map((l) => ctx.value(`smtpd_${l}_restrictions`, svc.service));
  for (const cls of splitList(ctx.value('smtpd_restriction_classes', svc.service))) lists.push(ctx.value(cls, svc.service));
  return lists.some((v) => /\bcheck_policy_service\b/i.test(v));
}

/** The list item a trace step points at, with its list. */
export function itemAtStep(ctx: RuleContext, svc: SmtpdService, step: TraceStep): { item: Item; items: Item[]; parameter: string; tokens: ListToken[] } | undefined {
  const src = step.source;
  if (!src) return undefined;
  const sl = serviceLists(ctx, svc.service);
  const all = [...sl.lists.map((l) => ({ ...l })), ...[...sl.classLists.entries()].map(([parameter, c]) => ({ parameter, ...c }))];
  for (const l of all) {
    for (const item of l.items) {
      const loc = tokenLocation(item.name);
      if (loc && loc.file === src.file && loc.range.start.line === src.range.start.line && loc.range.start.character === src.range.start.character) {
        return { item, items: l.items, parameter: l.parameter, tokens: l.tokens };
      }
    }
  }
  return undefined;
}

/** Where to report a finding about a service as a whole: its master.cf line, else the top of main.cf. */
export function serviceRange(ctx: RuleContext, svc: SmtpdService): { file: string; range: Range } {
  if (svc.service) return { file: ctx.config.masterPath, range: svc.service.name.range };
  return { file: ctx.config.mainPath, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

// Which smtpd service a transaction runs in (by name, else the one on port
// 25, or the smtpd behind postscreen), and every smtpd service on the
// network: indexed once per master.cf services list, in steps, since the
// relay matrix asks for each of thousands of services.

import type { SimConfig } from './config';
import type { SimService } from './services';
import { drain, MASTER_SERVICES_PER_STEP, type Steps } from '../steps';

const isSmtpd = (s: SimService) => s.command === 'smtpd' || s.command.endsWith('/smtpd');

/**
 * What findSmtpdService and smtpdServices need, computed once per services
 * list: the relay matrix looks up every smtpd service, and a master.cf can
 * have thousands.
 */
interface ServiceIndex {
  byName: Map<string, SimService[]>;
  firstPass?: SimService;
  byDefault: { service?: SimService; error?: string };
  /** smtpdServices: the smtpd services on inet or pass. */
  network: SimService[];
}
const serviceIndexes = new WeakMap<SimService[], ServiceIndex>();

function serviceIndex(services: SimService[]): ServiceIndex {
  return serviceIndexes.get(services) ?? drain(serviceIndexSteps(services));
}

/** The service index of a configuration, made in steps of MASTER_SERVICES_PER_STEP services (100,000 were one piece of 100-150 ms). */
export function* simServiceIndexSteps(config: SimConfig): Steps<void> {
  if (config.services) yield* serviceIndexSteps(config.services);
}

function* serviceIndexSteps(services: SimService[]): Steps<ServiceIndex> {
  let index = serviceIndexes.get(services);
  if (index) return index;
  const byName = new Map<string, SimService[]>();
  const smtpd: SimService[] = [];
  const network: SimService[] = [];
  const port25: SimService[] = [];
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
    if (isSmtpd(s)) {
      smtpd.push(s);
      if (s.type === 'inet' || s.type === 'pass') network.push(s);
    }
    if (s.type === 'inet' && /(^|:)(smtp|25)$/.test(s.name)) port25.push(s);
    if ((i + 1) % MASTER_SERVICES_PER_STEP === 0) yield 'simulate: master.cf services indexed';
  }
  const firstPass = smtpd.find((s) => s.type === 'pass');
  const byDefault = ((): ServiceIndex['byDefault'] => {
    const direct = port25.find(isSmtpd);
    if (direct) return { service: direct };
    if (port25.some((s) => s.command === 'postscreen') && firstPass) return { service: firstPass };
    const anyInet = smtpd.find((s) => s.type === 'inet');
    if (anyInet) return { service: anyInet };
    return { error: 'master.cf has no smtpd service on port 25' };
  })();
  index = { byName, firstPass, byDefault, network };
  serviceIndexes.set(services, index);
  return index;
}

/** Finds the smtpd service for a transaction: by name, else the one on port 25. */
export function findSmtpdService(config: SimConfig, name?: string): { service?: SimService; error?: string } {
  const services = config.services;
  if (!services) {
    if (name && name !== 'smtp') return { error: `no master.cf in ${config.dir}, so there is no service "${name}"` };
    return {};
  }
  const index = serviceIndex(services);
  if (name) {
    const byName = index.byName.get(name) ?? [];
    const hit = byName.find((s) => isSmtpd(s) && (s.type === 'inet' || s.type === 'pass')) ?? byName.find(isSmtpd);
    if (hit) return { service: hit };
    if (byName.some((s) => s.command === 'postscreen') && index.firstPass) return { service: index.firstPass };
    return { error: `master.cf has no smtpd service named "${name}"` };
  }
  return { ...index.byDefault };
}

/** Every smtpd service that accepts network connections (inet, or pass behind postscreen). */
export function smtpdServices(config: SimConfig): SimService[] {
  // Shared (made once per services list, with the index): callers must not change it.
  return config.services ? serviceIndex(config.services).network : [];
}

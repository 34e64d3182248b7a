// The simulator's view of master.cf services, built on the engine's master.cf
// parser: name, type, program and the `-o name=value` overrides with ranges.

import type { MasterCf } from '../mastercf';
import { drain, MASTER_SERVICES_PER_STEP, type Steps } from '../steps';
import type { Range } from '../types';

export interface SimOverride {
  name: string;
  value: string;
  /** Range of the value text. */
  valueRange: Range;
  range: Range;
}

export interface SimService {
  name: string;
  type: string;
  /** `name/type`, as postconf -M prints it. */
  key: string;
  /** Basename of the command field (`smtpd`, `postscreen`, ...). */
  command: string;
  overrides: SimOverride[];
  range: Range;
  nameRange: Range;
}

/**
 * The services of a parsed master.cf, made once per parse: the lint and the
 * simulator's views of one text (as written, with mynetworks bracketed) share
 * them, and what is kept per services list (config.ts's service index, the
 * relay matrix memo's comparison) is found again. Shared: callers must not
 * change them.
 */
const madeServices = new WeakMap<MasterCf, SimService[]>();

export function simServicesOf(master: MasterCf): SimService[] {
  return madeServices.get(master) ?? drain(simServicesSteps(master));
}

/** simServicesOf in steps of MASTER_SERVICES_PER_STEP services (100,000 were one piece of 150-250 ms). */
export function* simServicesSteps(master: MasterCf): Steps<SimService[]> {
  const made = madeServices.get(master);
  if (made) return made;
  const byEndpoint = new Map<string, SimService>();
  const services = master.services;
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    if ((i + 1) % MASTER_SERVICES_PER_STEP === 0) yield 'simulate: master.cf services';
    if (!s.valid) continue;
    // master uses the last of duplicate entries for one endpoint.
    byEndpoint.set(s.endpoint || s.key, {
      name: s.name.text,
      type: s.type.text,
      key: s.key,
      command: s.program,
      // The parser's overrides make their ranges when first asked: no copy (100,000 -o options made 300,000 ranges in one piece).
      overrides: s.overrides,
      range: s.range,
      nameRange: s.name.range,
    });
  }
  const out = [...byEndpoint.values()];
  madeServices.set(master, out);
  return out;
}

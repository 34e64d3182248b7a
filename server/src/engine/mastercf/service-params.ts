// Per-service parameters that postconf derives from master.cf service names
// (postconf_service.c): a service whose command field is exactly one of the
// delivery agents below gets `<service><suffix>` parameters whose default is
// `$<global parameter>`, e.g. `relay_destination_concurrency_limit` defaults
// to `$default_destination_concurrency_limit`. They count as known names for
// "unused parameter" checks and appear in `postconf -d`.

import type { MasterCf, MasterService } from './parse';
import { indexServiceParameters } from '../catalog/docs';
import { drain, ITEMS_PER_STEP, type Steps } from '../steps';

/** Suffix and the global parameter its default refers to. */
type Suffixes = readonly (readonly [string, string])[];

const DELIVERY_SUFFIXES: Suffixes = [
  ['_recipient_limit', 'default_recipient_limit'],
  ['_extra_recipient_limit', 'default_extra_recipient_limit'],
  ['_recipient_refill_limit', 'default_recipient_refill_limit'],
  ['_recipient_refill_delay', 'default_recipient_refill_delay'],
  ['_delivery_slot_cost', 'default_delivery_slot_cost'],
  ['_delivery_slot_loan', 'default_delivery_slot_loan'],
  ['_delivery_slot_discount', 'default_delivery_slot_discount'],
  ['_minimum_delivery_slots', 'default_minimum_delivery_slots'],
  ['_initial_destination_concurrency', 'initial_destination_concurrency'],
  ['_destination_concurrency_limit', 'default_destination_concurrency_limit'],
  ['_destination_recipient_limit', 'default_destination_recipient_limit'],
  ['_destination_concurrency_positive_feedback', 'default_destination_concurrency_positive_feedback'],
  ['_destination_concurrency_negative_feedback', 'default_destination_concurrency_negative_feedback'],
  ['_destination_concurrency_failed_cohort_limit', 'default_destination_concurrency_failed_cohort_limit'],
  ['_destination_rate_delay', 'default_destination_rate_delay'],
  ['_transport_rate_delay', 'default_transport_rate_delay'],
];

const TIME_LIMIT: Suffixes = [['_time_limit', 'command_time_limit']];

/** Command field (compared as written, not by basename, as postconf does) → suffixes. */
const PROGRAM_SUFFIXES: Record<string, Suffixes> = {
  local: DELIVERY_SUFFIXES,
  error: DELIVERY_SUFFIXES,
  virtual: DELIVERY_SUFFIXES,
  smtp: DELIVERY_SUFFIXES,
  lmtp: DELIVERY_SUFFIXES,
  pipe: [...TIME_LIMIT, ...DELIVERY_SUFFIXES],
  spawn: TIME_LIMIT,
};

export interface ServiceParameter {
  name: string;
  /** The parameter whose value is the default (`$` + this), unless the name is built in. */
  defaultFrom: string;
  /** Key (`name/type`) of the first service that produced it. */
  service: string;
}

// Kept per parsed master.cf (parsers hand out the same object while the text
// is the same): hover, completion and semantic tokens ask for them on every
// request, and 50,000 delivery services make 800,000 of them.
const memo = new WeakMap<MasterCf, readonly ServiceParameter[]>();
const byServiceMemo = new WeakMap<MasterCf, ReadonlyMap<string, readonly ServiceParameter[]>>();

/**
 * Service-derived parameters in postconf's registration order, without
 * repeats. A name that is also a built-in parameter (local_destination_
 * concurrency_limit, for one) keeps its built-in default in postconf.
 * Computed once per parsed master.cf; shared, so callers must not change it.
 */
export function serviceParameters(master: MasterCf): readonly ServiceParameter[] {
  return drain(serviceParametersSteps(master));
}

/** serviceParameters in steps (engine/steps.ts), ITEMS_PER_STEP names each, kept as serviceParameters keeps them. */
export function* serviceParametersSteps(master: MasterCf): Steps<readonly ServiceParameter[]> {
  let out = memo.get(master);
  if (!out) {
    out = yield* serviceParametersOfSteps(master.services);
    memo.set(master, out);
  }
  return out;
}

/** serviceParameters over a selection of service lines (postconf's, up to a fatal line): not kept. */
export function computeServiceParameters(services: readonly MasterService[]): ServiceParameter[] {
  return drain(serviceParametersOfSteps(services));
}

function* serviceParametersOfSteps(services: readonly MasterService[]): Steps<ServiceParameter[]> {
  const out: ServiceParameter[] = [];
  // By name, the first of each: findServiceParameter's index, made here in steps rather than on a hover's first lookup.
  const seen = new Map<string, ServiceParameter>();
  for (const s of services) {
    if (!s.valid) continue;
    const suffixes = Object.prototype.hasOwnProperty.call(PROGRAM_SUFFIXES, s.command.text) ? PROGRAM_SUFFIXES[s.command.text] : undefined;
    if (!suffixes) continue;
    for (const [suffix, from] of suffixes) {
      const name = s.name.text + suffix;
      if (seen.has(name)) continue;
      const p = { name, defaultFrom: from, service: s.key };
      seen.set(name, p);
      out.push(p);
      if (out.length % ITEMS_PER_STEP === 0) yield 'master.cf: per-service names';
    }
  }
  indexServiceParameters(out, seen);
  return out;
}

/** The per-service parameters that service `key` (`name/type`) produced first, found in an index kept per master.cf. */
export function serviceParametersOf(master: MasterCf, key: string): readonly ServiceParameter[] {
  let index = byServiceMemo.get(master);
  if (!index) {
    const built = new Map<string, ServiceParameter[]>();
    for (const p of serviceParameters(master)) {
      const list = built.get(p.service);
      if (list) list.push(p);
      else built.set(p.service, [p]);
    }
    byServiceMemo.set(master, (index = built));
  }
  return index.get(key) ?? [];
}

/** The per-service parameter names postconf creates from master.cf service names. */
export function serviceParameterNames(master: MasterCf): string[] {
  return serviceParameters(master).map((p) => p.name);
}

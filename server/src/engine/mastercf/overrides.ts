// The -o setting of a service that wins (the last one of its name), looked up
// through an index built once per parsed service: a service can carry a
// hundred thousand -o options, and the checks ask once per option.

import type { MasterCf, MasterOverride, MasterService } from './parse';

const index = new WeakMap<MasterService, Map<string, MasterOverride>>();

// Below this many options a scan is cheaper than a Map per service (100,000 services of one option each made 200 ms of Maps).
const SCANNED_OPTIONS = 16;

/** The last `-o name=...` of a service, or undefined. */
export function lastOverride(service: MasterService, name: string): MasterOverride | undefined {
  const overrides = service.overrides;
  if (overrides.length <= SCANNED_OPTIONS) {
    for (let i = overrides.length - 1; i >= 0; i--) if (overrides[i].name === name) return overrides[i];
    return undefined;
  }
  let byName = index.get(service);
  if (!byName) {
    byName = new Map();
    for (const o of service.overrides) byName.set(o.name, o);
    index.set(service, byName);
  }
  return byName.get(name);
}

const setters = new WeakMap<MasterCf, Map<string, MasterService[]>>();

/**
 * The services that set `name` with -o, in file order, from an index built
 * once per parsed master.cf: a hover on a main.cf name shows them, and
 * 100,000 services are too many to ask one by one on every hover.
 */
export function servicesOverriding(master: MasterCf, name: string): readonly MasterService[] {
  let byName = setters.get(master);
  if (!byName) {
    byName = new Map();
    for (const s of master.services) {
      for (const o of s.overrides) {
        const list = byName.get(o.name);
        if (!list) byName.set(o.name, [s]);
        else if (list[list.length - 1] !== s) list.push(s);
      }
    }
    setters.set(master, byName);
  }
  return byName.get(name) ?? [];
}

/** The master.cf word at `index` in fields-then-arguments order. */
export function serviceWord(service: MasterService, index: number) {
  return index < service.fields.length ? service.fields[index] : service.args[index - service.fields.length];
}

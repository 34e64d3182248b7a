// Keys naming the lookup of one service's parameters (its master.cf -o
// settings over main.cf and the defaults) for the expansion memos
// (expand.ts memoFor): services whose settings expand alike share one memo
// instead of holding one each (50,000 smtpd services differing only in
// syslog_name held 50,000).

import { allParameterFacts } from './catalog/parameters';
import type { PostfixConfig } from './config';
import { namesUsed, settingsKey } from './expand';
import type { MainCf } from './maincf/parse';
import type { MasterCf, MasterService } from './mastercf';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from './steps';

interface Keys {
  main: MainCf | undefined;
  /** Every name a value of main.cf, master.cf or a default can expand: only these are looked up inside an expansion. */
  names: Set<string>;
  /** A plain map (it lives as long as master.cf's services): 50,000 weak entries slowed every scavenge. */
  keys: Map<MasterService, string>;
}

/** Per parsed master.cf (rules copy the configuration object per part), for the main.cf it was made with. */
const byMaster = new WeakMap<MasterCf, Keys | false>();

/**
 * The memo key of a service's lookup: '' (main.cf's) without -o settings.
 * Past SERVICES_PER_STEP services with settings, its settings of names some
 * value can expand, made once per service: a setting no `$name` reads
 * changes no expansion inside another value (an entry for the name itself
 * holds only while the lookup gives the same raw value). Fewer services keep
 * a memo each: finding those names costs more than they save (a main.cf of
 * 100,000 parameters: 120 ms).
 */
export function serviceMemoKey(config: PostfixConfig, service?: MasterService): string {
  if (!service || service.overrides.length === 0 || !config.master) return '';
  const k = keysOf(config, config.master);
  if (!k) return `${service.key}:${service.line}`;
  let key = k.keys.get(service);
  if (key === undefined) {
    const settings = service.overrides.filter((o) => k.names.has(o.name));
    key = settingsKey(settings);
    k.keys.set(service, key);
  }
  return key;
}

function keysOf(config: PostfixConfig, master: MasterCf): Keys | false {
  const k = byMaster.get(master);
  if (k === undefined || (k && k.main !== config.main)) return drain(serviceMemoKeysSteps(config));
  return k;
}

/**
 * Finds the names values can expand, in steps, for the memo keys of the
 * services of a configuration (keysOf's work): the first expansion that
 * needs a key does it otherwise, in one piece (100,000 services: 130 ms).
 */
export function* serviceMemoKeysSteps(config: PostfixConfig): Steps<Keys | false> {
  const master = config.master;
  if (!master) return false;
  const had = byMaster.get(master);
  if (had !== undefined && (!had || had.main === config.main)) return had;
  let k: Keys | false = false;
  if (master.services.filter((s) => s.overrides.length > 0).length > SERVICES_PER_STEP) {
    k = { main: config.main, names: yield* expandableNamesSteps(config, master), keys: new Map() };
  }
  byMaster.set(master, k);
  return k;
}

function* expandableNamesSteps(config: PostfixConfig, master: MasterCf): Steps<Set<string>> {
  const out = new Set<string>();
  let read = 0;
  const add = (value: string | undefined) => {
    if (value !== undefined) for (const n of namesUsed(value)) out.add(n);
  };
  for (const e of config.main?.entries ?? []) {
    add(e.value);
    if (++read % ITEMS_PER_STEP === 0) yield 'expansion memo: names values expand';
  }
  for (const s of master.services) {
    for (const o of s.overrides) {
      add(o.value);
      if (++read % ITEMS_PER_STEP === 0) yield 'expansion memo: names values expand';
    }
  }
  for (const f of allParameterFacts()) add(f.default);
  return out;
}

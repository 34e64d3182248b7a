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
import { SERVICES_PER_STEP } from './steps';

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
  let k = byMaster.get(master);
  if (k === undefined || (k && k.main !== config.main)) {
    k = master.services.filter((s) => s.overrides.length > 0).length > SERVICES_PER_STEP && { main: config.main, names: expandableNames(config, master), keys: new Map() };
    byMaster.set(master, k);
  }
  return k;
}

function expandableNames(config: PostfixConfig, master: MasterCf): Set<string> {
  const out = new Set<string>();
  const add = (value: string | undefined) => {
    if (value !== undefined) for (const n of namesUsed(value)) out.add(n);
  };
  for (const e of config.main?.entries ?? []) add(e.value);
  for (const s of master.services) for (const o of s.overrides) add(o.value);
  for (const f of allParameterFacts()) add(f.default);
  return out;
}

// Workspace symbols: the parameters main.cf sets and the services master.cf
// defines (with the parameters their -o options set), across every
// configuration directory the editor knows of.

import type { PostfixConfig } from '../config';
import type { Range } from '../types';

export interface ConfigSymbol {
  name: string;
  kind: 'parameter' | 'service';
  file: string;
  range: Range;
  /** main.cf, or the service key of an -o. */
  container: string;
}

export function configSymbols(config: PostfixConfig): ConfigSymbol[] {
  const out: ConfigSymbol[] = [];
  for (const e of config.main?.entries ?? []) out.push({ name: e.name, kind: 'parameter', file: config.mainPath, range: e.nameRange, container: 'main.cf' });
  for (const s of config.master?.services ?? []) {
    out.push({ name: s.key, kind: 'service', file: config.masterPath, range: s.name.range, container: 'master.cf' });
    for (const o of s.overrides) out.push({ name: o.name, kind: 'parameter', file: config.masterPath, range: o.nameRange, container: s.key });
  }
  return out;
}

/** VS Code's fuzzy rule: the query's characters appear in order, ignoring case. An empty query matches all. */
export function matchesQuery(name: string, query: string): boolean {
  const n = name.toLowerCase();
  let i = 0;
  for (const ch of query.toLowerCase()) {
    if (/\s/.test(ch)) continue;
    i = n.indexOf(ch, i);
    if (i < 0) return false;
    i++;
  }
  return true;
}

// Where the editor offers "Simulate" and "Relay matrix": on each smtpd service
// that takes connections (inet, or pass behind postscreen) in master.cf, and
// on each restriction list (smtpd_*_restrictions, a restriction class) set in
// main.cf or by a master.cf -o. The commands themselves live in the client.

import { restrictionStageOf } from '../catalog/docs';
import type { PostfixConfig } from '../config';
import type { Range } from '../types';
import { restrictionClasses } from './model';

export interface LensTarget {
  range: Range;
  /** The smtpd service a simulation should run through (a master.cf service name). */
  service?: string;
  /** The restriction list the lens sits on. */
  list?: string;
}

function isRestrictionList(name: string, classes: Set<string>): boolean {
  return restrictionStageOf(name) !== undefined || classes.has(name);
}

export function codeLensTargets(config: PostfixConfig, file: string): LensTarget[] {
  const out: LensTarget[] = [];
  const classes = restrictionClasses(config);
  if (file === config.mainPath) {
    for (const e of config.main?.entries ?? []) {
      // An overridden line is not what Postfix runs: the lens goes on the last one.
      if (config.main?.byName.get(e.name) === e && isRestrictionList(e.name, classes)) out.push({ range: e.nameRange, list: e.name });
    }
  }
  if (file === config.masterPath) {
    for (const s of config.master?.services ?? []) {
      const type = s.type.text;
      if (s.program !== 'smtpd' || (type !== 'inet' && type !== 'pass')) continue;
      out.push({ range: s.name.range, service: s.name.text });
      for (const o of s.overrides) if (isRestrictionList(o.name, classes)) out.push({ range: o.nameRange, service: s.name.text, list: o.name });
    }
  }
  return out;
}

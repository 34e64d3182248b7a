// The simulator's view of master.cf services, built on the engine's master.cf
// parser: name, type, program and the `-o name=value` overrides with ranges.

import { parseMasterCf } from '../mastercf';
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

export function parseMasterServices(text: string, file = 'master.cf'): SimService[] {
  const byEndpoint = new Map<string, SimService>();
  for (const s of parseMasterCf(text, file).services) {
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
  return [...byEndpoint.values()];
}

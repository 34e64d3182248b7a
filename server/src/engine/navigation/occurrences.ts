// Every place main.cf and master.cf name a parameter: where it is set (a
// main.cf line, a master.cf `-o`), where its value is used (`$name` in any
// reference form, inside main.cf values and -o values alike), and where a
// restriction class is named as a word of a restriction list. Also the
// transport names of transport-valued settings. Pure: works on a loaded
// PostfixConfig; definition, references and rename are questions over this list.

import { restrictionStageOf } from '../catalog/docs';
import type { PostfixConfig } from '../config';
import { logicalRange, LogicalLine } from '../lines';
import { valueRange, type MainCfEntry } from '../maincf/parse';
import { parseReferences } from '../maincf/references';
import type { MasterOverride, MasterService } from '../mastercf';
import { splitBraced } from '../tables/text';
import type { Position, Range } from '../types';
import { restrictionClasses } from '../assist/model';
import { drain, SETTINGS_PER_STEP, type Steps } from '../steps';

export type OccurrenceRole =
  /** `name = value` in main.cf (range: the name). */
  | 'set'
  /** `-o name=value` in master.cf (range: the name). */
  | 'override'
  /** `$name`, `${name}`, `$(name)`, `${name?x}`... (range: the name only). */
  | 'reference'
  /** A restriction class named as a word of a list (range: the word). */
  | 'class';

export interface ParameterOccurrence {
  name: string;
  role: OccurrenceRole;
  file: string;
  range: Range;
  /** The master.cf service (`name/type`) whose line holds it. */
  service?: string;
  /** The setting whose value holds it (for references and class words). */
  in?: string;
}

/** A master.cf service name used as a transport (`relay_transport = mysmtp`, `content_filter = amavis:[::1]:10024`). */
export interface TransportOccurrence {
  name: string;
  file: string;
  range: Range;
  service?: string;
  in: string;
}

export interface Occurrences {
  parameters: ParameterOccurrence[];
  transports: TransportOccurrence[];
  /** Restriction class names (smtpd_restriction_classes, expanded). */
  classes: Set<string>;
}

/** Settings whose value starts with a transport (a master.cf service name), or is a service name. */
export function isTransportSetting(name: string): boolean {
  return /_transport$/.test(name) || name === 'content_filter' || /_service_name$/.test(name);
}

/** Values where bare words may be restriction class names. */
function mayNameClasses(name: string, classes: Set<string>): boolean {
  return name === 'smtpd_restriction_classes' || restrictionStageOf(name) !== undefined || /_restrictions$/.test(name) || classes.has(name);
}

const cache = new WeakMap<PostfixConfig, Occurrences>();

export function occurrences(config: PostfixConfig): Occurrences {
  return drain(occurrencesSteps(config));
}

/** occurrences in steps of SETTINGS_PER_STEP settings (a master.cf can hold 100,000 services), kept as occurrences keeps them. */
export function* occurrencesSteps(config: PostfixConfig): Steps<Occurrences> {
  const hit = cache.get(config);
  if (hit) return hit;
  const classes = restrictionClasses(config);
  const parameters: ParameterOccurrence[] = [];
  const transports: TransportOccurrence[] = [];

  const scanValue = (file: string, setting: string, value: string, toRange: (a: number, b: number) => Range, service?: string) => {
    for (const r of parseReferences(value)) {
      // `$1` in an inline regexp table is a match group, not a parameter.
      if (!r.name || /^[0-9]+$/.test(r.name)) continue;
      parameters.push({ name: r.name, role: 'reference', file, range: toRange(r.nameStart, r.nameEnd), service, in: setting });
    }
    if (classes.size > 0 && mayNameClasses(setting, classes)) {
      for (const [a, b] of splitBraced(value)) {
        const w = value.slice(a, b);
        if (classes.has(w)) parameters.push({ name: w, role: 'class', file, range: toRange(a, b), service, in: setting });
      }
    }
    if (isTransportSetting(setting)) {
      const m = /^[A-Za-z0-9_.-]+/.exec(value);
      if (m && !value.startsWith('$')) transports.push({ name: m[0], file, range: toRange(0, m[0].length), service, in: setting });
    }
  };

  let done = 0;
  const main = config.main;
  if (main) {
    for (const e of main.entries) {
      if (++done % SETTINGS_PER_STEP === 0) yield 'occurrences of main.cf';
      parameters.push({ name: e.name, role: 'set', file: config.mainPath, range: e.nameRange });
      scanValue(config.mainPath, e.name, e.value, (a, b) => valueRange(e, a, b));
    }
  }
  for (const s of config.master?.services ?? []) {
    for (const o of s.overrides) {
      if (++done % SETTINGS_PER_STEP === 0) yield 'occurrences of master.cf';
      parameters.push({ name: o.name, role: 'override', file: config.masterPath, range: o.nameRange, service: s.key });
      scanValue(config.masterPath, o.name, o.value, overrideRange(s.logical, o), s.key);
    }
  }
  const result = { parameters, transports, classes };
  cache.set(config, result);
  return result;
}

function overrideRange(logical: LogicalLine, o: MasterOverride): (a: number, b: number) => Range {
  return (a, b) => logicalRange(logical, o.valueStart + a, o.valueStart + b);
}

export function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

/** What the cursor is on, in `file` of the configuration. */
export function occurrenceAt(config: PostfixConfig, file: string, position: Position): ParameterOccurrence | TransportOccurrence | undefined {
  const occ = occurrences(config);
  // A class word can also be a transport or hold a reference; the narrowest wins.
  const hits: (ParameterOccurrence | TransportOccurrence)[] = [
    ...occ.parameters.filter((o) => o.file === file && contains(o.range, position)),
    ...occ.transports.filter((o) => o.file === file && contains(o.range, position)),
  ];
  hits.sort((a, b) => width(a.range) - width(b.range));
  return hits[0];
}

function width(r: Range): number {
  return (r.end.line - r.start.line) * 100_000 + r.end.character - r.start.character;
}

export function isParameterOccurrence(o: ParameterOccurrence | TransportOccurrence): o is ParameterOccurrence {
  return 'role' in o;
}

export type { MainCfEntry, MasterService };

// postconf's view of a configuration: parameter registration (one
// implementation, see parameters.ts), the emulation of the postconf command,
// and the editor's entry point, analyzeParameters.

import type { ReadFile } from './dbms';
import type { MainCf } from '../maincf/parse';
import type { MasterCf } from '../mastercf/parse';
import type { HostModel } from './host-defaults';
import { Finding, ParameterRegistry, PostconfEntry, registerParameters } from './parameters';
import { mainDictionary } from './read';
import { drain, ITEMS_PER_STEP, type Steps } from '../steps';

/** Findings given a key between two yields (JSON of a few short strings each). */
const FINDINGS_PER_STEP = ITEMS_PER_STEP / 8;

export interface ParameterFinding {
  kind: 'undefined' | 'unused' | 'read-only' | 'scan' | 'dbms' | 'macro';
  file: 'main.cf' | 'master.cf';
  /** undefined: the name referred to; otherwise the setting concerned. */
  name?: string;
  /** `name/type` of the master.cf service. */
  service?: string;
  /** postconf's words, without the `postconf: warning: ` prefix. */
  text: string;
  /** The setting whose value holds the problem (for undefined: the one that refers to the name). */
  parameter?: string;
}

export interface ParameterAnalysis {
  /** In postconf's global table: built-in, service-derived, legacy, read-only, or a user-defined name something uses. */
  isKnown(name: string): boolean;
  /** Value lookup for `$name` expansion in a service (`name/type`) or in main.cf: -o settings, main.cf, defaults. */
  lookup(serviceKey?: string): (name: string) => string | undefined;
  /**
   * Everything postconf would warn about, for every valid service line and
   * past the point where postconf would die ('macro' findings are the ones
   * it dies on, with "macro processing error").
   */
  findings: ParameterFinding[];
}

export function analyzeParameters(input: {
  configDir: string;
  main: MainCf | undefined;
  master: MasterCf | undefined;
  version?: string;
  host?: HostModel;
  readFile?: ReadFile;
}): ParameterAnalysis {
  const registry = registerParameters({
    configDir: input.configDir,
    main: mainDictionary(input.configDir, input.main?.entries ?? []),
    master: input.master,
    version: input.version,
    host: input.host,
    readFile: input.readFile,
    keepGoing: true,
  });
  return drain(parameterAnalysisSteps(registry));
}

/**
 * The editor's view kept by the parses it was made from: the lint makes one
 * (engine/lint.ts) and semantic tokens ask about the same parses right after
 * (100,000 services took a second to register again). One per main.cf parse,
 * for one master.cf parse, version and directory. Database client files are
 * read as the lint read them: its 'dbms' findings may be older than the files,
 * but what they hold changes neither isKnown nor any other finding.
 */
interface KeptAnalysis {
  configDir: string;
  main: MainCf;
  master: MasterCf | undefined;
  version: string | undefined;
}
const kept = new WeakMap<MainCf, { key: KeptAnalysis; analysis: ParameterAnalysis }>();

export function keepParameterAnalysis(key: KeptAnalysis, analysis: ParameterAnalysis): void {
  kept.set(key.main, { key: { ...key }, analysis });
}

/** The analysis keepParameterAnalysis kept for these parses, version and directory, or undefined. */
export function keptParameterAnalysis(key: KeptAnalysis): ParameterAnalysis | undefined {
  const k = kept.get(key.main);
  return k && k.key.master === key.master && k.key.version === key.version && k.key.configDir === key.configDir ? k.analysis : undefined;
}

/**
 * The editor's view of a registration made with keepGoing (one the master.cf
 * checks may share), in steps: a main.cf of 100,000 own parameters leaves
 * 10,000 unused, each given a key to drop repeats.
 */
export function* parameterAnalysisSteps(registry: ParameterRegistry): Steps<ParameterAnalysis> {
  const all = [...registry.findings, ...registry.unusedMain(), ...registry.unusedMaster()];
  yield 'postconf: unused parameters';
  const seen = new Set<string>();
  const findings: ParameterFinding[] = [];
  let done = 0;
  for (const f of all) {
    if (++done % FINDINGS_PER_STEP === 0) yield 'postconf: findings';
    const p = publicFinding(f);
    const key = JSON.stringify(p);
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(p);
  }
  // The last service line of each name space, found once (not per lookup).
  let byNamespace: Map<string, PostconfEntry> | undefined;
  const lastEntry = () => {
    if (!byNamespace) {
      byNamespace = new Map();
      for (const e of registry.entries) byNamespace.set(e.namespace, e);
    }
    return byNamespace;
  };
  return {
    isKnown: registry.isKnown,
    lookup(serviceKey) {
      return registry.lookup(serviceKey === undefined ? undefined : lastEntry().get(serviceKey));
    },
    findings,
  };
}

function publicFinding(f: Finding): ParameterFinding {
  const p: ParameterFinding = { kind: f.kind, file: f.file, name: f.name, text: f.text };
  if (f.entry) p.service = f.entry.namespace;
  if (f.parameter !== undefined) p.parameter = f.parameter;
  return p;
}

export { registerParameters, registerParametersSteps, PostconfFatal } from './parameters';
export type { Finding, FatalOutcome, ParamClass, ParameterRegistry, PostconfEntry, PostconfSetting, RegistrationInput } from './parameters';
export { postconfMain } from './main';
export type { PostconfMainOptions } from './main';
export { postconfMaster } from './master';
export type { PostconfMasterInput, PostconfMasterRequest } from './master';
export type { PostconfOutput } from './output';
export { printable, printLine } from './output';
export { readMainForPostconf, readMasterForPostconf, mainDictionary, mainDictionarySteps } from './read';
export { checkClientFile, dbmsSuffixes, walkTables } from './dbms';
export type { ReadFile, ReadFailure } from './dbms';
export type { HostInterface, HostModel, Resolver } from './host-defaults';

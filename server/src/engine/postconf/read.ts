// Reading main.cf and master.cf the way postconf does before it registers any
// parameter: what it warns about, where it dies, and the main.cf dictionary
// it works with. Texts are without the `postconf: warning: ` prefix.

import { readLogicalLines } from '../lines';
import { parseMainCf } from '../maincf/parse';
import type { MasterCf } from '../mastercf/parse';
import { splitNameValue } from '../mastercf/tokenize';
import { orphanWarning } from './dbms';
import { pushAll } from '../arrays';
import { drain, SETTINGS_PER_STEP, type Steps } from '../steps';

export interface MainRead {
  /**
   * postconf's main.cf dictionary: `config_directory` first (postconf sets it
   * when -c or MAIL_CONFIG names the directory), then every setting in file
   * order, the last value of a name winning.
   */
  dict: Map<string, string>;
  warnings: string[];
  /** Set when postconf dies reading the file (it then prints nothing else). */
  fatal?: string;
}

/**
 * pcf_read_parameters (+ pcf_set_parameters for `-o name=value`): main.cf into
 * a dictionary, with readllines' and dict_load_fp's warnings.
 */
export function readMainForPostconf(
  configDir: string,
  text: string | undefined,
  options: { setConfigDirectory?: boolean; overrides?: readonly string[]; mainError?: string } = {},
): MainRead {
  const path = `${configDir}/main.cf`;
  const dict = new Map<string, string>();
  if (options.setConfigDirectory ?? true) dict.set('config_directory', configDir);
  if (text === undefined) return { dict, warnings: [], fatal: options.mainError ?? `open ${path}: No such file or directory` };
  const warnings = readLogicalLines(text).orphans.map((o) => orphanWarning(path, o.text));
  const main = parseMainCf(text, path);
  for (const e of main.entries) {
    const old = dict.get(e.name);
    if (old !== undefined && old !== e.value) warnings.push(`${path}, line ${e.line + 1}: overriding earlier entry: ${e.name}=${old}`);
    dict.set(e.name, e.value);
  }
  if (main.fatal) return { dict, warnings, fatal: `${path}, ${main.fatal.message}` };
  for (const o of options.overrides ?? []) {
    const nv = splitNameValue(o);
    if (typeof nv === 'string') return { dict, warnings, fatal: `invalid parameter override: ${o}: ${nv}` };
    dict.set(nv.name, nv.value);
  }
  return { dict, warnings };
}

/** The main.cf dictionary of a parsed main.cf (for the editor, which shows every problem at once). */
export function mainDictionary(configDir: string, entries: readonly { name: string; value: string }[]): Map<string, string> {
  return drain(mainDictionarySteps(configDir, entries));
}

/** mainDictionary in steps of SETTINGS_PER_STEP settings (100,000 were one piece of 20-30 ms). */
export function* mainDictionarySteps(configDir: string, entries: readonly { name: string; value: string }[]): Steps<Map<string, string>> {
  const dict = new Map<string, string>([['config_directory', configDir]]);
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && i % SETTINGS_PER_STEP === 0) yield 'postconf: main.cf dictionary';
    dict.set(entries[i].name, entries[i].value);
  }
  return dict;
}

/**
 * pcf_read_master: lines skipped for leading whitespace, the normalization
 * warnings of each service line (braces, `name = value` trouble), then the
 * first line postconf rejects.
 */
export function readMasterForPostconf(master: MasterCf, configDir: string): { warnings: string[]; fatal?: string } {
  const f = master.postconfFatal;
  const warnings = master.orphans.filter((o) => !f || o.line + 1 < f.line).map((o) => orphanWarning(`${configDir}/master.cf`, o.text));
  for (const s of master.services) {
    if (f && s.line + 1 >= f.line) break;
    pushAll(warnings, s.postconf.warnings);
  }
  if (!f) return { warnings };
  return { warnings, fatal: f.kind === 'field-count' ? `file ${configDir}/master.cf: line ${f.line}: bad field count` : f.text };
}

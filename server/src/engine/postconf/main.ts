// What `postconf -c DIR [-n] [-x] [-d] [-f] [-h] [-H] [NAME...]` prints for
// main.cf parameters: stdout, stderr and exit status, byte for byte. This is
// the oracle interface the differential tests compare with the real postconf.
//
// Real postconf, in order: read main.cf (not with -d), read master.cf (a
// missing file is only a warning), register parameter names, print, then
// warn about unused main.cf and master.cf settings (not with -d).

import { expandValue } from '../expand';
import { isRawParameter, ORACLE_VERSION } from '../catalog/parameters';
import type { MasterCf } from '../mastercf/parse';
import type { ReadFile } from './dbms';
import type { HostModel } from './host-defaults';
import { Died, PostconfOutput, PostconfPrinter, printLine } from './output';
import { ParameterRegistry, PostconfFatal, registerParameters } from './parameters';
import { readMainForPostconf, readMasterForPostconf } from './read';

export type { PostconfOutput } from './output';
export type { HostModel } from './host-defaults';

export interface PostconfMainOptions {
  /** The -c argument as given (appears in messages and as config_directory). */
  dir: string;
  /** postconf sets config_directory = DIR when -c or MAIL_CONFIG names the directory (default true). */
  setConfigDirectory?: boolean;
  /** main.cf text (one character per byte), or undefined when it cannot be opened. */
  mainText: string | undefined;
  /** Why main.cf did not read, as postconf words it ("read DIR/main.cf: Is a directory"); default: it does not exist. */
  mainError?: string;
  /** Parsed master.cf, or undefined when it does not exist. */
  master: MasterCf | undefined;
  nonDefault: boolean; // -n
  expand: boolean; // -x
  defaults: boolean; // -d
  fold?: boolean; // -f
  hideName?: boolean; // -h
  hideValue?: boolean; // -H
  /** -o name=value overrides. */
  overrides?: string[];
  /** Reads database client files named by ldap:/mysql:/... tables. */
  readFile?: ReadFile;
  /** Only these parameters (postconf NAME...). */
  names?: string[];
  version?: string;
  /** Run-time defaults that come from the host; without it, the catalog's values are used. */
  host?: HostModel;
}

export function postconfMain(o: PostconfMainOptions): PostconfOutput {
  const out = new PostconfPrinter();
  try {
    let dict: Map<string, string>;
    if (o.defaults) {
      dict = new Map(o.setConfigDirectory === false ? [] : [['config_directory', o.dir]]);
    } else {
      const read = readMainForPostconf(o.dir, o.mainText, { setConfigDirectory: o.setConfigDirectory, overrides: o.overrides, mainError: o.mainError });
      for (const w of read.warnings) out.warn(w);
      if (read.fatal !== undefined) out.die(read.fatal);
      dict = read.dict;
    }
    if (!o.master) out.warn(`open ${o.dir}/master.cf: No such file or directory`);
    else {
      const read = readMasterForPostconf(o.master, o.dir);
      for (const w of read.warnings) out.warn(w);
      if (read.fatal !== undefined) out.die(read.fatal);
    }

    const registry = registerParameters({
      configDir: o.dir,
      main: dict,
      master: o.master,
      version: o.version ?? ORACLE_VERSION,
      host: o.host,
      readFile: o.readFile,
      defaultsOnly: o.defaults,
    });
    out.findings(registry.findings);
    if (registry.fatal) out.dieWith(registry.fatal);

    try {
      printParameters(o, registry, out);
    } catch (e) {
      if (e instanceof PostconfFatal) out.dieWith(e);
      throw e;
    }

    if (!o.defaults) {
      out.stdoutStarts();
      out.findings(registry.unusedMain());
      out.findings(registry.unusedMaster());
    }
    return out.result(0);
  } catch (e) {
    if (e instanceof Died) return out.result(1);
    throw e;
  }
}

/** pcf_show_parameters: all names in strcmp order, or the ones asked for. */
function printParameters(o: PostconfMainOptions, registry: ParameterRegistry, out: PostconfPrinter): void {
  let names: string[];
  if (o.names && o.names.length > 0) {
    names = [];
    for (const n of o.names) {
      if (registry.classOf(n) === undefined) out.warn(`${n}: unknown parameter`);
      else names.push(n);
    }
  } else {
    names = registry.names().filter((n) => {
      const c = registry.classOf(n);
      // Legacy names show only once someone sets them (then they are user-defined).
      if (!c || c === 'legacy') return false;
      return !(o.defaults && c === 'user');
    });
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const lookup = registry.lookup();
  const fold = o.fold === true;
  for (const name of names) {
    let value: string | undefined;
    if (o.defaults) value = registry.defaultOf(name);
    else if (o.nonDefault) value = registry.main.get(name);
    else value = registry.main.get(name) ?? registry.defaultOf(name);
    if (value === undefined) continue;
    if (o.hideValue) {
      out.write(printLine(name, fold));
      continue;
    }
    if (o.expand && !isRawParameter(name)) {
      const r = expandValue(value, lookup);
      for (const e of r.errors) out.warn(e);
      if (r.errors.length > 0) out.die('macro processing error');
      value = r.value;
    }
    out.write(printLine(o.hideName ? value : `${name} = ${value}`, fold));
  }
}

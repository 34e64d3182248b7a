// What postconf takes from master.cf for its main.cf modes (-n, -d, plain):
// the warnings and fatal error of reading the file, the per-service -o name
// spaces, and the service-derived parameter names. Texts are without the
// `postconf: warning: ` / `postconf: fatal: ` prefixes.

import type { MasterCf } from './parse';
import { postconfTakesValue } from './postconf-view';
import { serviceParameterNames } from './service-params';
import { byteLength, splitNameValue, truncateBytes } from './tokenize';

/** Messages of pcf_read_master(): skipped lines, brace and `name = value` trouble, then the fatal line. */
export function postconfReadMaster(master: MasterCf, configDir: string): { warnings: string[]; fatal?: string } {
  const warnings: string[] = [];
  for (const o of master.orphans) {
    warnings.push(`${configDir}/master.cf: logical line must not start with whitespace: "${truncateBytes(o.text, 30)}${byteLength(o.text) > 30 ? '...' : ''}"`);
  }
  const f = master.postconfFatal;
  for (const s of master.services) {
    if (f && s.line + 1 >= f.line) break;
    warnings.push(...s.postconf.warnings);
  }
  if (!f) return { warnings };
  return { warnings, fatal: f.kind === 'field-count' ? `file ${configDir}/master.cf: line ${f.line}: bad field count` : f.text };
}

export interface PostconfNamespace {
  /** `name/type`. */
  key: string;
  /** The service's -o settings as postconf reads them (services with the same key share one map). */
  params: Map<string, string>;
}

/**
 * Input for a postconf main.cf emulation: `services` holds one name space per
 * master.cf line that has -o settings at that point (as postconf's own table).
 */
export function postconfMasterInput(
  master: MasterCf,
  configDir: string,
): { services: PostconfNamespace[]; serviceParameters: string[]; warnings: string[]; fatal?: string } {
  const read = postconfReadMaster(master, configDir);
  if (read.fatal !== undefined) return { services: [], serviceParameters: [], ...read };
  const spaces = new Map<string, Map<string, string>>();
  const services: PostconfNamespace[] = [];
  for (const s of master.services) {
    const argv = s.postconf.argv;
    const key = `${argv[0].text}/${argv[1].text}`;
    for (let f = 8; f < argv.length; f++) {
      const arg = argv[f].text;
      if (arg[0] !== '-' || arg === '--') break;
      if (!postconfTakesValue(arg) || f + 1 >= argv.length) continue;
      if (arg === '-o') {
        const nv = splitNameValue(argv[f + 1].text);
        if (typeof nv !== 'string') {
          let m = spaces.get(key);
          if (!m) spaces.set(key, (m = new Map()));
          m.set(nv.name, nv.value);
        }
      }
      f += 1;
    }
    const params = spaces.get(key);
    if (params) services.push({ key, params });
  }
  return { services, serviceParameters: serviceParameterNames(master), ...read };
}

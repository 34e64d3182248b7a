// Reads master.cf for the postconf emulation: the parsed services become the
// per-service name spaces and service-derived parameter names.
import { parseMasterCf, serviceParameterNames } from '../engine/mastercf';
import type { MasterInput, PostconfOutput } from '../engine/postconf/main';

export interface MasterForPostconf {
  input: MasterInput | undefined;
  printMasterModes(flags: Set<string>, names: string[], mainText: string | undefined): PostconfOutput;
}

export function readMasterForPostconf(dir: string, read: (p: string) => string | undefined): MasterForPostconf {
  const text = read(`${dir}/master.cf`);
  if (text === undefined) {
    return {
      input: undefined,
      printMasterModes: () => ({ stdout: '', stderr: `postconf: fatal: open ${dir}/master.cf: No such file or directory\n`, status: 1 }),
    };
  }
  const master = parseMasterCf(text, `${dir}/master.cf`);
  const namespaces = new Map<string, Map<string, string>>();
  for (const s of master.services) {
    if (!s.valid) continue;
    let ns = namespaces.get(s.key);
    if (!ns) namespaces.set(s.key, (ns = new Map()));
    for (const o of s.overrides) ns.set(o.name, o.value);
  }
  return {
    input: {
      services: [...namespaces].map(([key, params]) => ({ key, params })),
      serviceParameters: serviceParameterNames(master),
      fatal: master.fatal ? master.fatal.message : undefined,
    },
    printMasterModes: () => ({ stdout: '', stderr: 'postconf: fatal: -M/-F/-P not wired yet\n', status: 1 }),
  };
}

// Go to definition: from a use of a name to the place that gives it its value.
//   $name (any form)          → the -o that sets it for this service, else the main.cf line
//   -o name=...               → the main.cf line it overrides
//   name = ... (main.cf)      → the line that wins (the last one of that name)
//   a restriction class word  → the line that defines the class
//   type:/path                → the table file (where this mode reads it), or its client config
//   relay_transport = mysmtp  → the master.cf service `mysmtp`

import { findService, type PostfixConfig } from '../config';
import { lastOverride, type MasterService } from '../mastercf';
import type { Position, Range } from '../types';
import { contains, isParameterOccurrence, occurrenceAt, type ParameterOccurrence } from './occurrences';

export interface Target {
  file: string;
  range: Range;
  /** The span the answer is about (for the editor's link underline). */
  origin?: Range;
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The main.cf setting that wins for `name`. */
function mainSetting(config: PostfixConfig, name: string): Target | undefined {
  const e = config.main?.byName.get(name);
  return e ? { file: config.mainPath, range: e.nameRange } : undefined;
}

function serviceByKey(config: PostfixConfig, key: string | undefined): MasterService | undefined {
  return key ? config.master?.services.find((s) => s.key === key) : undefined;
}

function parameterDefinition(config: PostfixConfig, o: ParameterOccurrence): Target | undefined {
  if (o.role === 'override') return mainSetting(config, o.name);
  if (o.role === 'set') return mainSetting(config, o.name);
  const service = serviceByKey(config, o.service);
  const own = service && lastOverride(service, o.name);
  // `-o x=$x` takes the main.cf value; any other -o of the service sets it.
  if (own && !(o.in === o.name)) return { file: config.masterPath, range: own.nameRange };
  return mainSetting(config, o.name);
}

/** A transport name → its master.cf service (a unix service of that name first). */
export function transportService(config: PostfixConfig, name: string): MasterService | undefined {
  return findService(config, `${name}/unix`) ?? findService(config, name);
}

export function definitionAt(config: PostfixConfig, file: string, position: Position, exists: (path: string) => boolean): Target[] {
  const o = occurrenceAt(config, file, position);
  // `hash:${config_directory}/access`: the reference under the cursor wins over the table around it.
  const table = o && isParameterOccurrence(o) && o.role === 'reference' ? undefined : tableAt(config, file, position);
  if (table) {
    const path = table.use.files.source ?? table.use.files.config;
    return path && exists(path) ? [{ file: path, range: START, origin: table.use.range }] : [];
  }
  if (!o) return [];
  if (isParameterOccurrence(o)) {
    const t = parameterDefinition(config, o);
    return t ? [{ ...t, origin: o.range }] : [];
  }
  const s = transportService(config, o.name);
  return s ? [{ file: config.masterPath, range: s.name.range, origin: o.range }] : [];
}

/** The table reference under the cursor (the innermost, for proxy:hash:/x). */
export function tableAt(config: PostfixConfig, file: string, position: Position) {
  const uses = config.tables.filter((u) => u.file === file && contains(u.range, position) && (u.files.source || u.files.config));
  const use = uses[uses.length - 1];
  return use ? { use } : undefined;
}

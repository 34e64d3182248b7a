// References, document highlights and rename of parameters and restriction
// classes across main.cf and master.cf. Only names Postfix does not define
// itself can be renamed: renaming a built-in parameter changes what it means.

import { parameterInfo } from '../catalog/docs';
import type { PostfixConfig } from '../config';
import { serviceParameters } from '../mastercf';
import type { Position, Range } from '../types';
import { isParameterOccurrence, occurrenceAt, occurrences, type ParameterOccurrence } from './occurrences';

export interface Location {
  file: string;
  range: Range;
}

export interface Highlight extends Location {
  /** Set (main.cf line, -o) or used ($name, class word). */
  write: boolean;
}

function parameterAt(config: PostfixConfig, file: string, position: Position): ParameterOccurrence | undefined {
  const o = occurrenceAt(config, file, position);
  return o && isParameterOccurrence(o) ? o : undefined;
}

function allOf(config: PostfixConfig, name: string): ParameterOccurrence[] {
  return occurrences(config).parameters.filter((p) => p.name === name);
}

export function referencesAt(config: PostfixConfig, file: string, position: Position, includeDeclaration: boolean): Location[] {
  const o = parameterAt(config, file, position);
  if (!o) return [];
  return allOf(config, o.name)
    .filter((p) => includeDeclaration || (p.role !== 'set' && p.role !== 'override'))
    .map((p) => ({ file: p.file, range: p.range }));
}

export function highlightsAt(config: PostfixConfig, file: string, position: Position): Highlight[] {
  const o = parameterAt(config, file, position);
  if (!o) return [];
  return allOf(config, o.name)
    .filter((p) => p.file === file)
    .map((p) => ({ file: p.file, range: p.range, write: p.role === 'set' || p.role === 'override' }));
}

/** Postfix defines the name (including per-service names master.cf derives, like `relay_destination_concurrency_limit`). */
export function isBuiltIn(config: PostfixConfig, name: string): boolean {
  return parameterInfo(name, config.master ? serviceParameters(config.master) : []) !== undefined;
}

export type PrepareRename = { range: Range; placeholder: string } | { error: string } | undefined;

export function prepareRenameAt(config: PostfixConfig, file: string, position: Position): PrepareRename {
  const o = parameterAt(config, file, position);
  if (!o) return undefined;
  if (isBuiltIn(config, o.name)) {
    return { error: `'${o.name}' is a built-in Postfix parameter: renaming it would change what Postfix reads. Only parameters and restriction classes you define can be renamed.` };
  }
  return { range: o.range, placeholder: o.name };
}

export type RenameResult = { edits: { file: string; range: Range; newText: string }[] } | { error: string };

export function renameAt(config: PostfixConfig, file: string, position: Position, newName: string): RenameResult | undefined {
  const prepared = prepareRenameAt(config, file, position);
  if (!prepared) return undefined;
  if ('error' in prepared) return prepared;
  const oldName = prepared.placeholder;
  if (!/^[A-Za-z0-9_]+$/.test(newName)) return { error: `'${newName}' is not a parameter name: use letters, digits and '_' only.` };
  if (newName === oldName) return { edits: [] };
  if (isBuiltIn(config, newName)) return { error: `'${newName}' is a built-in Postfix parameter: choose a name Postfix does not define.` };
  if (allOf(config, newName).length > 0) return { error: `'${newName}' is already used in this configuration: renaming would merge two settings.` };
  return { edits: allOf(config, oldName).map((p) => ({ file: p.file, range: p.range, newText: newName })) };
}

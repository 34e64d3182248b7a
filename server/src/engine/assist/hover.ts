// Hover for main.cf, master.cf and lookup tables, as Markdown plus the range
// it describes. Beyond the catalog text it says what this configuration makes
// of the item: a parameter's effective value (per service inside master.cf)
// and where it was set, the expansion chain of `$name`, whether a restriction
// can run at all in its list, whether a table's index is older than its
// source, and what a reply code and enhanced status code mean.

import {
  accessActionInfo,
  findServiceParameter,
  masterDoc,
  parameterInfo,
  parameterType,
  restrictionClassDoc,
  RestrictionInfo,
  RestrictionStage,
  restrictionInfo,
  restrictionInVersion,
  restrictionStageOf,
  ServiceParameterLike,
  tableTypeInfo,
} from '../catalog/docs';
import { existsInVersion } from '../catalog/parameters';
import { versionAtLeast } from '../catalog/version';
import { effectiveLookup, effectiveMemo, effectiveValue, PostfixConfig, TableUse, ValueSource } from '../config';
import { expandValue } from '../expand';
import { parseReferences } from '../maincf/references';
import { lastOverride, MASTER_FIELD_NAMES, MasterCf, MasterService, serviceParameters, serviceParametersOf, servicesOverriding } from '../mastercf';
import { closestParameter } from '../mastercf/parameter-problems';
import { findTableReferences, flattenReferences, TableReference, tableFilePath, TableFiles } from '../tables/references';
import type { FileReader, Position, Range } from '../types';
import { lineAt, mainCfCursor, masterCfCursor, rangeIn } from './cursor';
import { physicalLines } from './physical-lines';
import { accessActionDocMarkdown, code, fileLink, masterDocMarkdown, mdText, parameterDocMarkdown, restrictionDocMarkdown, stageList } from './markdown';
import { accessTableKind, restrictionClasses, restrictionListStages, stagesUsingClass } from './model';
import { analyzeRestrictionList, ListWord, stageFit, wordIndexAt } from './restriction-list';
import { explainEnhancedStatus, statusMarkdown } from './status-codes';
import { flagDefault, processLimitDefault } from './master-defaults';

export interface HoverEnv {
  config?: PostfixConfig;
  version: string;
  /** For file modification times (table index freshness). */
  reader?: FileReader;
}

export interface AssistHover {
  markdown: string;
  range: Range;
}

export type DocumentKind = 'main' | 'master' | 'map';

export function hoverAt(kind: DocumentKind, path: string, text: string, position: Position, env: HoverEnv): AssistHover | undefined {
  if (kind === 'main') return hoverMainCf(text, position, env);
  if (kind === 'master') return hoverMasterCf(text, position, env);
  return hoverTable(path, text, position, env);
}

// ---- main.cf ------------------------------------------------------------------

export function hoverMainCf(text: string, position: Position, env: HoverEnv): AssistHover | undefined {
  const cur = mainCfCursor(physicalLines(text), position);
  if (cur.kind === 'name') {
    if (!cur.name) return undefined;
    return { markdown: parameterHover(cur.name, env, undefined), range: cur.range };
  }
  if (cur.kind === 'value') {
    const toRange = (a: number, b: number) => rangeIn(cur.line.logical, cur.valueOffset + a, cur.valueOffset + b);
    return valueHover(cur.name, cur.value, cur.offset, toRange, env, undefined, env.config?.mainPath);
  }
  return undefined;
}

function serviceParams(env: HoverEnv): readonly ServiceParameterLike[] {
  return env.config?.master ? serviceParameters(env.config.master) : [];
}

function sourceText(source: ValueSource): string {
  switch (source.kind) {
    case 'main':
      return `set in ${fileLink(source.file, source.range.start.line)}`;
    case 'master':
      return `set by \`-o\` of \`${source.service}\` in ${fileLink(source.file, source.range.start.line)}`;
    case 'default':
      return 'not set: the default applies';
  }
}

/** The value as written and, when `$` expansion changes it, the result. */
function valueLine(label: string, raw: string | undefined, expanded: string | undefined, where: string): string {
  if (raw === undefined) return `- **${label}:** undefined (expands to nothing) — ${where}`;
  const shown = expanded !== undefined && expanded !== raw ? `${code(raw)} → ${code(expanded)}` : code(raw);
  return `- **${label}:** ${shown} — ${where}`;
}

/** Effective value for a service or globally; per-service names default to `$global`. */
function effective(config: PostfixConfig, name: string, serviceKey: string | undefined, sp: readonly ServiceParameterLike[]) {
  const ev = effectiveValue(config, name, serviceKey);
  if (ev.raw === undefined && ev.source.kind === 'default') {
    const p = findServiceParameter(sp, name);
    if (p) {
      const raw = `$${p.defaultFrom}`;
      return { ...ev, raw, expanded: expandValue(raw, effectiveLookup(config, serviceKey), { memo: effectiveMemo(config, serviceKey) }).value };
    }
  }
  return ev;
}

/** Services whose `-o` value a hover on a main.cf name shows (the first, in file order). */
const SERVICES_SHOWN = 8;

function parameterHover(name: string, env: HoverEnv, serviceKey: string | undefined): string {
  const config = env.config;
  const sp = serviceParams(env);
  const info = parameterInfo(name, sp);
  const here: string[] = [];
  if (config) {
    const ev = effective(config, name, serviceKey, sp);
    here.push(valueLine(serviceKey ? `Value for ${serviceKey}` : 'Value here', ev.raw, ev.expanded, sourceText(ev.source)));
    if (ev.errors.length) here.push(`- **Expansion problem:** ${ev.errors.join('; ')}`);
    if (serviceKey) {
      if (ev.source.kind === 'master') {
        const global = effective(config, name, undefined, sp);
        here.push(valueLine('Without this -o', global.raw, global.expanded, sourceText(global.source)));
      }
    } else if (config.master) {
      const setting = servicesOverriding(config.master, name);
      for (const s of setting.slice(0, SERVICES_SHOWN)) {
        const o = lastOverride(s, name)!;
        const ev2 = effective(config, name, s.key, sp);
        here.push(valueLine(`In ${s.key}`, ev2.raw, ev2.expanded, `\`-o\` in ${fileLink(config.masterPath, o.range.start.line)}`));
      }
      if (setting.length > SERVICES_SHOWN) here.push(`- … and ${setting.length - SERVICES_SHOWN} more services set it with \`-o\``);
    }
  }
  if (!info) {
    const classes = config ? restrictionClasses(config) : new Set<string>();
    if (classes.has(name)) return classHover(name, env, here);
    const out = [`**${mdText(name)}** · not a Postfix parameter`];
    if (here.length) out.push(here.join('\n'));
    const refs = config ? referencesTo(config, name) : [];
    if (refs.length) out.push(`A user-defined name, used as \`$${name}\` in ${refs.join(', ')}.`);
    else {
      out.push('postconf reports it as an "unused parameter": Postfix ignores names it does not know unless a value refers to them as `$name`.');
      const guess = closestParameter(name);
      if (guess) out.push(`Did you mean \`${guess}\`?`);
    }
    return out.join('\n\n');
  }
  if (!info.perService && !existsInVersion(name, env.version) && info.fact) {
    const f = info.fact;
    const why =
      f.removedIn && versionAtLeast(env.version, f.removedIn)
        ? `removed in Postfix ${f.removedIn}`
        : f.since !== 'old' && !versionAtLeast(env.version, f.since)
          ? `added in Postfix ${f.since}`
          : 'not registered by that version';
    here.unshift(`- ⚠ **Not known to Postfix ${env.version}** (${why}); the target version is the \`postfix.version\` setting.`);
  }
  return parameterDocMarkdown(info, env.version, here);
}

const REFERENCES_SHOWN = 8;

/**
 * The first lines (at most REFERENCES_SHOWN) whose value mentions `$name`,
 * per parsed main.cf or master.cf (the parsers hand out the same object while
 * the text is the same) and name. Found by a text search for the name before
 * any value is parsed: an index of every reference of 100,000 settings took
 * a hover 400 ms.
 */
const referenceLines = new WeakMap<object, Map<string, readonly number[]>>();
/** Names remembered per file; past that the map starts again. */
const NAMES_REMEMBERED = 1_000;

function linesReferring(file: object, name: string, values: (visit: (value: string, line: number) => boolean) => void): readonly number[] {
  let byName = referenceLines.get(file);
  if (!byName || byName.size >= NAMES_REMEMBERED) referenceLines.set(file, (byName = new Map()));
  let lines = byName.get(name);
  if (!lines) {
    const found: number[] = [];
    values((value, line) => {
      if (found[found.length - 1] !== line && value.includes(name) && parseReferences(value).some((r) => r.name === name)) found.push(line);
      return found.length < REFERENCES_SHOWN;
    });
    byName.set(name, (lines = found));
  }
  return lines;
}

/** Places (file:line) whose value mentions `$name`. */
function referencesTo(config: PostfixConfig, name: string): string[] {
  const out: string[] = [];
  const main = config.main;
  if (main) {
    const lines = linesReferring(main, name, (visit) => {
      for (const e of main.entries) if (!visit(e.value, e.line)) return;
    });
    for (const line of lines) out.push(fileLink(config.mainPath, line));
  }
  const master = config.master;
  if (master && out.length < REFERENCES_SHOWN) {
    const lines = linesReferring(master, name, (visit) => {
      for (const s of master.services) for (const o of s.overrides) if (!visit(o.value, o.range.start.line)) return;
    });
    for (const line of lines) out.push(fileLink(config.masterPath, line));
  }
  return out.slice(0, REFERENCES_SHOWN);
}

function classHover(name: string, env: HoverEnv, here: string[] = []): string {
  const config = env.config;
  const out = [`**${mdText(name)}** · restriction class (listed in \`smtpd_restriction_classes\`)`];
  const e = config?.main?.byName.get(name);
  if (e && config) out.push(`\`${name} = ${e.value.replace(/\s+/g, ' ')}\` — ${fileLink(config.mainPath, e.line)}`);
  else out.push('⚠ Not defined in main.cf: smtpd stops with "restriction class needs a definition" when a list uses it.');
  if (config) {
    const stages = stagesUsingClass(config, name);
    if (stages.length) out.push(`Used from ${stageList(stages)}.`);
  }
  if (here.length && !e) out.push(here.join('\n'));
  const classDoc = restrictionClassDoc();
  if (classDoc) out.push(classDoc);
  return out.join('\n\n');
}

// ---- values ------------------------------------------------------------------------

type ToRange = (start: number, end: number) => Range;

function isRestrictionList(name: string, env: HoverEnv): boolean {
  return restrictionListStages(env.config, name) !== undefined || /^smtpd_.*_restrictions$/.test(name);
}

function valueHover(
  name: string,
  value: string,
  offset: number,
  toRange: ToRange,
  env: HoverEnv,
  serviceKey: string | undefined,
  file: string | undefined,
): AssistHover | undefined {
  // `$name` first: it may sit inside a table name or a restriction argument.
  const ref = parseReferences(value).find((r) => r.name && offset >= r.start && offset <= r.end);
  if (ref?.name) return { markdown: referenceHover(value.slice(ref.start, ref.end), ref.name, env, serviceKey), range: toRange(ref.start, ref.end) };

  const list = isRestrictionList(name, env);
  const type = parameterType(name, serviceParams(env));
  const tables = flattenReferences(findTableReferences(value, { expectTables: type.kind === 'tables' || list }));
  const table = tables.filter((t) => offset >= t.start && offset <= t.end).pop();
  if (table) {
    const range = toRange(table.start, table.end);
    return { markdown: tableHover(value.slice(table.start, table.end), table, env, findUse(env, file, range)), range };
  }

  if (list) {
    const classes = env.config ? restrictionClasses(env.config) : new Set<string>();
    const words = analyzeRestrictionList(value, classes);
    const k = wordIndexAt(words, offset);
    if (k < 0) return undefined;
    const w = words[k];
    const range = toRange(w.start, w.end);
    const own = restrictionStageOf(name);
    const used = env.config ? stagesUsingClass(env.config, name) : [];
    const stages: RestrictionStage[] = own ? [own] : used;
    if (w.role === 'restriction' && w.info) return { markdown: restrictionHover(w, words, stages, name, env, serviceKey, toRange), range };
    if (w.role === 'class') return { markdown: classHover(w.text, env), range };
    if (w.role === 'argument' && w.owner !== undefined) return { markdown: argumentHover(w, words[w.owner]), range };
    if (w.role === 'unknown') {
      return { markdown: `**${mdText(w.text)}** · not a restriction\n\nsmtpd stops with a fatal "unknown restriction" error when a session reaches this word (names are matched case-insensitively; restriction classes must be listed in \`smtpd_restriction_classes\`).`, range };
    }
  }
  return undefined;
}

function lineOf(toRange: ToRange, w: ListWord): number {
  return toRange(w.start, w.end).start.line;
}

function restrictionHover(
  w: ListWord,
  words: ListWord[],
  stages: RestrictionStage[],
  listName: string,
  env: HoverEnv,
  serviceKey: string | undefined,
  toRange: ToRange,
): string {
  const info = w.info as RestrictionInfo;
  const here: string[] = [];
  if (w.unreachableAfter) {
    const t = w.unreachableAfter;
    const what = t.text.toLowerCase() === 'permit' ? 'smtpd ignores it ("restriction after permit is ignored")' : 'smtpd never gets here';
    here.push(`- ⚠ **Never runs:** \`${t.text}\` on line ${lineOf(toRange, t) + 1} ends this list unconditionally, so ${what}.`);
  }
  if (w.warnOnly) here.push('- Preceded by `warn_if_reject`: a rejection here is only logged as `reject_warning`, the request goes on.');
  const delay = env.config ? effectiveValue(env.config, 'smtpd_delay_reject', serviceKey).expanded?.trim().toLowerCase() !== 'no' : true;
  for (const stage of stages) {
    const fit = stageFit(info, stage);
    const list = `\`smtpd_${stage}_restrictions\``;
    if (fit === 'yes') here.push(`- ✓ Has what it needs in ${list}.`);
    else if (fit === 'delayed' && delay) here.push(`- Works in ${list} only because \`smtpd_delay_reject = yes\` postpones the checks to RCPT TO.`);
    else if (fit === 'delayed') here.push(`- ⚠ With \`smtpd_delay_reject = no\` it has no data yet in ${list}; it works in ${stageList(info.stages)}.`);
    else here.push(`- ⚠ Has no data to check in ${list}; it works in ${stageList(info.stages)}.`);
  }
  if (stages.length === 0 && !restrictionStageOf(listName)) here.push(`- In \`${listName}\`, which no smtpd_*_restrictions list uses yet.`);
  if (!restrictionInVersion(info, env.version)) {
    here.push(
      info.removedIn && versionAtLeast(env.version, info.removedIn)
        ? `- ⚠ **Removed** in Postfix ${info.removedIn}: smtpd ${env.version} refuses it.`
        : `- ⚠ Not available in Postfix ${env.version} (added in ${info.since}).`,
    );
  }
  if (info.takes !== 'none' && info.takes !== 'restriction') {
    const k = words.indexOf(w);
    const arg = words[k + 1];
    if (!arg || arg.role !== 'argument') here.push(`- ⚠ **Missing argument:** ${info.argument || 'an argument'} must follow.`);
  }
  return restrictionDocMarkdown(info, env.version, here);
}

function argumentHover(w: ListWord, owner: ListWord): string {
  const info = owner.info as RestrictionInfo;
  const out = [`**${mdText(w.text)}** · argument of ${code(owner.text)}`];
  if (info.argument) out.push(`Expected: ${info.argument}.`);
  if (info.takes === 'domain=filter') {
    const eq = w.text.indexOf('=');
    if (eq > 0) out.push(`DNS list zone \`${w.text.slice(0, eq)}\`; only answers matching \`${w.text.slice(eq + 1)}\` count as listed.`);
    else out.push(`DNS list zone \`${w.text}\`; every answer counts as listed (no \`=\` reply filter).`);
  }
  return out.join('\n\n');
}

/** The expansion chain of a `$name` reference: each step with where its value comes from. */
function referenceHover(refText: string, name: string, env: HoverEnv, serviceKey: string | undefined): string {
  const config = env.config;
  const out: string[] = [];
  if (!config) return `**$${name}**`;
  const sp = serviceParams(env);
  const steps: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string, depth: number) => {
    if (steps.length >= 16 || depth > 8) return;
    seen.add(n);
    const ev = effective(config, n, serviceKey, sp);
    const raw = ev.raw;
    steps.push(
      `${'  '.repeat(depth)}- \`$${n}\` = ${raw === undefined ? '*undefined*' : code(raw, 160)} — ${raw === undefined ? 'no value anywhere' : sourceText(ev.source)}`,
    );
    if (raw === undefined) return;
    for (const r of parseReferences(raw)) if (r.name && !seen.has(r.name)) visit(r.name, depth + 1);
  };
  visit(name, 0);
  const result = expandValue(refText, effectiveLookup(config, serviceKey), { memo: effectiveMemo(config, serviceKey) });
  out.push(`**${mdText(refText)}** → ${code(result.value)}${serviceKey ? ` (for ${serviceKey})` : ''}`);
  out.push(steps.join('\n'));
  if (result.errors.length) out.push(`⚠ ${result.errors.join('; ')}`);
  const info = parameterInfo(name, sp);
  if (!info && !config.main?.byName.has(name)) out.push('Neither a Postfix parameter nor set in main.cf: it expands to nothing.');
  else if (info?.doc) out.push(info.doc.split(/(?<=\.)\s/)[0]);
  return out.join('\n\n');
}

// ---- tables ----------------------------------------------------------------------------

function sameStart(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character;
}

function findUse(env: HoverEnv, file: string | undefined, range: Range): TableUse | undefined {
  if (!env.config || !file) return undefined;
  return env.config.tables.find((t) => t.file === file && sameStart(t.range, range));
}

function tableHover(spec: string, ref: TableReference, env: HoverEnv, use: TableUse | undefined): string {
  const info = tableTypeInfo(ref.type);
  const out: string[] = [];
  out.push(`**${mdText(spec)}** · ${info ? `${mdText(ref.type)} lookup table` : `unknown table type ${code(ref.type)}`}`);
  const files: TableFiles = use?.files ?? tableFilePath(ref);
  const mtime = env.reader?.mtimeMs ? (p: string) => env.reader!.mtimeMs!(p) : undefined;
  const facts: string[] = [];
  if (files.source) {
    const m = mtime?.(files.source);
    facts.push(`- **File:** \`${files.source}\`${mtime ? (m === undefined ? ' — ⚠ missing' : '') : ''}`);
    if (files.indexed && info?.needsPostmap) {
      const srcTime = m;
      for (const idx of files.indexed) {
        const it = mtime?.(idx);
        let state = '';
        if (mtime) {
          if (it === undefined) state = ` — ⚠ missing: run \`postmap ${ref.type}:${ref.name}\``;
          else if (srcTime !== undefined && it < srcTime) state = ` — ⚠ older than its source: run \`postmap ${ref.type}:${ref.name}\``;
          else state = ' — up to date';
        }
        facts.push(`- **Index:** \`${idx}\`${state}`);
      }
    }
  }
  if (files.config) {
    const m = mtime?.(files.config);
    facts.push(`- **Client configuration:** \`${files.config}\`${mtime && m === undefined ? ' — ⚠ missing' : ''}`);
  }
  if (ref.inner?.length && ref.type === 'proxy') facts.push(`- Looked up through proxymap: \`${ref.name}\``);
  if (info) {
    facts.push(`- **postmap:** ${info.needsPostmap ? 'needed after every edit' : 'not needed'}`);
    facts.push(
      `- **Debian 12:** ${info.debianPackage === undefined ? '⚠ not available' : info.debianPackage === 'postfix' ? 'built into `postfix`' : `install \`${info.debianPackage}\``}`,
    );
  }
  if (facts.length) out.push(facts.join('\n'));
  if (info?.doc) out.push(info.doc);
  if (use) out.push(`Used by \`${use.parameter}\`${use.service ? ` of ${use.service}` : ''}.`);
  return out.join('\n\n');
}

// ---- master.cf ------------------------------------------------------------------------

const FIELD_DOC_NAMES = ['service', 'type', 'private', 'unpriv', 'chroot', 'wakeup', 'maxproc', 'command'];

const servicesByLine = new WeakMap<MasterCf, Map<number, MasterService>>();

/** The service whose line starts at `line` (zero-based), from an index built once per parsed master.cf. */
function serviceOnLine(master: MasterCf, line: number): MasterService | undefined {
  let byLine = servicesByLine.get(master);
  if (!byLine) {
    byLine = new Map();
    for (const s of master.services) if (!byLine.has(s.line)) byLine.set(s.line, s);
    servicesByLine.set(master, byLine);
  }
  return byLine.get(line);
}

export function hoverMasterCf(text: string, position: Position, env: HoverEnv): AssistHover | undefined {
  const cur = masterCfCursor(physicalLines(text), position);
  if (!cur?.word) return undefined;
  const { word, index, line } = cur;
  const range = rangeIn(line.logical, word.start, word.end);
  const service = env.config?.master ? serviceOnLine(env.config.master, line.logical.firstLine) : undefined;
  if (index <= 7) return { markdown: fieldHover(index, word.text, service, env), range };
  if (!service) return undefined;
  for (const o of service.overrides) {
    if (within(o.nameRange, position)) return { markdown: parameterHover(o.name, env, service.key), range: o.nameRange };
    if (within(o.valueRange, position) || (o.value === '' && sameStart(o.valueRange, { start: position, end: position }))) {
      const start = o.valueRange.start;
      const offset = position.line === start.line ? position.character - start.character : 0;
      const toRange = (a: number, b: number): Range => ({
        start: { line: start.line, character: start.character + a },
        end: { line: start.line, character: start.character + b },
      });
      return valueHover(o.name, o.value, offset, toRange, env, service.key, env.config?.masterPath);
    }
  }
  if (word.text === '-o') {
    return { markdown: '**-o** `name=value` · overrides a main.cf parameter for this service only (`-o { name = value }` allows spaces, Postfix 3.0+).', range };
  }
  return undefined;
}

function within(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

function fieldHover(index: number, value: string, service: MasterService | undefined, env: HoverEnv): string {
  const field = FIELD_DOC_NAMES[index];
  const out: string[] = [`**${mdText(value)}** · master.cf column ${index + 1} (${MASTER_FIELD_NAMES[index]})`];
  const fieldDoc = masterDoc('field', field)?.doc;
  switch (field) {
    case 'service': {
      if (service) {
        out.push(`Service \`${service.key}\`${service.type.text === 'inet' ? `, listening on \`${service.endpoint}\`` : ''}.`);
        const own = env.config?.master ? serviceParametersOf(env.config.master, service.key) : [];
        if (own.length) out.push(`Per-service parameters it creates: ${own.slice(0, 6).map((p) => `\`${p.name}\``).join(', ')}${own.length > 6 ? ', …' : ''}.`);
      }
      break;
    }
    case 'type': {
      const d = masterDoc('type', value);
      out.push(d ? d.doc : `⚠ \`${value}\` is not a service type: use inet, unix, unix-dgram, fifo or pass.`);
      break;
    }
    case 'private':
    case 'unpriv':
    case 'chroot': {
      const d = masterDoc('flag', value);
      if (value === '-') {
        const dflt = flagDefault(field, env.config);
        out.push(`\`-\` means the default: \`${dflt}\`.`);
      }
      if (d) out.push(d.doc);
      break;
    }
    case 'wakeup':
      if (value === '-' || value === '0') out.push('The service is never woken up by a timer.');
      else if (value.endsWith('?')) out.push(`Woken every ${value.slice(0, -1)} seconds, but only after it has been used.`);
      else out.push(`Woken every ${value} seconds.`);
      break;
    case 'maxproc': {
      if (value === '-' && env.config) {
        const ev = processLimitDefault(env.config);
        out.push(`\`-\` means \`$default_process_limit\` = ${code(ev.expanded ?? '')} (${sourceText(ev.source)}).`);
      } else if (value === '0') out.push('No limit on the number of processes.');
      else out.push(`At most ${value} process${value === '1' ? '' : 'es'} at once.`);
      break;
    }
    case 'command': {
      const program = value.slice(value.lastIndexOf('/') + 1);
      const d = masterDoc('command', program);
      if (d) return masterDocMarkdown(d);
      out.push(`Not one of Postfix's own daemons: master(8) runs \`${value.startsWith('/') ? value : `$daemon_directory/${value}`}\`.`);
      break;
    }
  }
  if (fieldDoc) out.push(fieldDoc);
  return out.join('\n\n');
}

// ---- lookup tables ----------------------------------------------------------------------

function resultWords(line: string, tableType: string | undefined): { start: number; words: [number, number][] } | undefined {
  let i = 0;
  if (line.length === 0 || /\s/.test(line[0]) || line[0] === '#') return undefined;
  if (tableType === 'pcre' || tableType === 'regexp') {
    if (/^(if|endif)\b/.test(line)) return undefined;
    if (line[i] === '!') i++;
    const delim = line[i++];
    while (i < line.length && line[i] !== delim) i += line[i] === '\\' ? 2 : 1;
    i++;
    while (i < line.length && /[A-Za-z]/.test(line[i])) i++;
  } else {
    while (i < line.length && !/\s/.test(line[i])) i++;
  }
  while (i < line.length && /\s/.test(line[i])) i++;
  if (i >= line.length) return undefined;
  const words: [number, number][] = [];
  let k = i;
  while (k < line.length) {
    while (k < line.length && /\s/.test(line[k])) k++;
    if (k >= line.length) break;
    const s = k;
    while (k < line.length && !/\s/.test(line[k])) k++;
    words.push([s, k]);
  }
  return { start: i, words };
}

export function hoverTable(path: string, text: string, position: Position, env: HoverEnv): AssistHover | undefined {
  const line = (lineAt(text, position.line) ?? '').replace(/\r$/, '');
  const kind = accessTableKind(env.config, path);
  if (kind.kind !== 'access') return undefined;
  const rw = resultWords(line, kind.tableType);
  if (!rw) return undefined;
  const k = rw.words.findIndex(([a, b]) => position.character >= a && position.character <= b);
  if (k < 0) return undefined;
  const [a, b] = rw.words[k];
  const word = line.slice(a, b);
  const range: Range = { start: { line: position.line, character: a }, end: { line: position.line, character: b } };
  const first = line.slice(rw.words[0][0], rw.words[0][1]);
  const second = rw.words[1] ? line.slice(rw.words[1][0], rw.words[1][1]) : undefined;
  if (k === 0) {
    const info = accessActionInfo(word);
    if (info) {
      const parts = [accessActionDocMarkdown(info)];
      const status = statusFor(first, second, env);
      if (status) parts.unshift(status);
      if (kind.okRefused && /^(ok|relay)$|^\d+$/i.test(word) && !/^[45]\d\d$/.test(word)) {
        parts.unshift(`⚠ This table is used by ${kind.restrictions.map((r) => `\`${r}\``).join(', ')}, where \`OK\` is refused for security reasons (a temporary "server configuration error"); use \`DUNNO\`.`);
      }
      return { markdown: parts.join('\n\n'), range };
    }
    const r = restrictionInfo(word);
    if (r) return { markdown: restrictionDocMarkdown(r, env.version, ['- Used as a table result: smtpd evaluates it as if it stood in the list at the place of the table.']), range };
    if (env.config && restrictionClasses(env.config).has(word)) return { markdown: classHover(word, env), range };
    return undefined;
  }
  if (k === 1 && explainEnhancedStatus(word)) {
    return { markdown: statusFor(first, word, env) ?? '', range };
  }
  return undefined;
}

/** Reply code and enhanced status for an action line (`550 5.7.1 …`, `REJECT 5.7.1 …`). */
function statusFor(action: string, second: string | undefined, env: HoverEnv): string | undefined {
  const enhanced = second && explainEnhancedStatus(second) ? second : undefined;
  let reply: string | undefined;
  if (/^[245]\d\d$/.test(action)) reply = action;
  else if (env.config) {
    const upper = action.toUpperCase();
    if (upper === 'REJECT') reply = effectiveValue(env.config, 'access_map_reject_code').expanded;
    else if (upper.startsWith('DEFER')) reply = effectiveValue(env.config, 'access_map_defer_code').expanded;
  }
  if (!enhanced && !/^[245]\d\d$/.test(action)) return undefined;
  const md = statusMarkdown(reply, enhanced);
  return md || undefined;
}



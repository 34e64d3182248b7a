// Completion for main.cf, master.cf and lookup tables, as plain data: what to
// offer at a position, given the configuration the document belongs to. The
// documentation of each item is not attached here; it is a `DocRef` that
// `resolveDocumentation` turns into Markdown when the editor asks for it.
//
// What is offered where:
// - main.cf: parameter names at the start of a line (`name = `), values by the
//   parameter's type (yes/no, enum words, stage-valid restrictions and
//   restriction classes, table types and then files, transports), `$name`
//   references after `$`, `${` and `$(`;
// - master.cf: service types, y/n/-, wakeup and process limits, daemons,
//   `-o name=` and the same value completion as main.cf for the service;
// - lookup tables: access(5) actions fitting the table, with status-code snippets.

import {
  accessActionInfo,
  accessActionInVersion,
  allAccessActions,
  allRestrictions,
  allTableTypes,
  masterDoc,
  masterDocsOfKind,
  MasterDocKind,
  ParamType,
  parameterInfo,
  parameterType,
  RestrictionStage,
  restrictionInfo,
  restrictionInVersion,
  ServiceParameterLike,
  tableTypeInfo,
  tableTypeInVersion,
} from '../catalog/docs';
import { existsInVersion, parameterFact } from '../catalog/parameters';
import { versionAtLeast } from '../catalog/version';
import { effectiveValue, PostfixConfig } from '../config';
import { expandValue } from '../expand';
import { MASTER_TYPES, type MasterService } from '../mastercf';
import type { FileReader, Position, Range } from '../types';
import { recipeSnippetItems } from './recipe-snippets';
import { isListSeparator, lineAt, mainCfCursor, masterCfCursor, rangeIn, CursorLine } from './cursor';
import { physicalLines } from './physical-lines';
import { fitsStages } from './restriction-list';
import { accessTableKind, AccessTableKind, restrictionClasses, restrictionListStages } from './model';
import { splitBraced } from '../tables/text';
import { ListCut, NameCut, parameterNameItems, referenceNames, serviceParams, sortKey } from './name-items';
import { accessActionDocMarkdown, code, masterDocMarkdown, mdText, parameterDocMarkdown, restrictionDocMarkdown, tableTypeDocMarkdown } from './markdown';

export type ItemKind =
  | 'parameter'
  | 'value'
  | 'restriction'
  | 'class'
  | 'tableType'
  | 'file'
  | 'folder'
  | 'reference'
  | 'snippet'
  | 'serviceType'
  | 'flag'
  | 'daemon'
  | 'action'
  | 'transport'
  | 'keyword';

/** What to document an item with, resolved lazily. */
export type DocRef =
  | { t: 'parameter'; name: string; service?: ServiceParameterLike }
  | { t: 'restriction'; name: string }
  | { t: 'tableType'; name: string }
  | { t: 'action'; name: string }
  | { t: 'master'; kind: MasterDocKind; name: string }
  | { t: 'text'; markdown: string };

export interface AssistCompletion {
  label: string;
  kind: ItemKind;
  detail?: string;
  /** Replacement for `range`; snippet syntax when `snippet`. */
  insertText: string;
  snippet?: boolean;
  range: Range;
  filterText?: string;
  sortText: string;
  deprecated?: boolean;
  doc?: DocRef;
  /** Ask the editor to complete again after inserting (the next part has its own items). */
  retrigger?: boolean;
}

export interface DirEntry {
  name: string;
  dir: boolean;
}

export interface CompletionEnv {
  /** The configuration the document belongs to (loaded with the editor's buffers). */
  config?: PostfixConfig;
  /** Target Postfix version. */
  version: string;
  /** Directory listing for file-name completion; the engine never touches the disk itself. */
  listDir?: (dir: string) => DirEntry[] | undefined;
  /** Reads the configuration's files (recipe snippets fill in values from them). */
  reader?: FileReader;
  /** Marked when a list of names is cut to what is typed (name-items.ts); completeListAt sets it. */
  cut?: ListCut;
}

export type DocumentKind = 'main' | 'master' | 'map';

export function completeAt(kind: DocumentKind, path: string, text: string, position: Position, env: CompletionEnv): AssistCompletion[] {
  return completeListAt(kind, path, text, position, env).items;
}

/**
 * The items for a position, and whether they are incomplete: a list of the
 * names a huge configuration makes holds only those starting with what is
 * typed (name-items.ts), so the client must ask again as the user types.
 */
export function completeListAt(kind: DocumentKind, path: string, text: string, position: Position, env: CompletionEnv): { items: AssistCompletion[]; incomplete: boolean } {
  const cut: ListCut = { incomplete: false };
  const withCut = { ...env, cut };
  const items = kind === 'main' ? completeMainCf(text, position, withCut) : kind === 'master' ? completeMasterCf(text, position, withCut) : completeTable(path, text, position, withCut);
  return { items, incomplete: cut.incomplete };
}

// ---- main.cf ------------------------------------------------------------------

export function completeMainCf(text: string, position: Position, env: CompletionEnv): AssistCompletion[] {
  const lines = physicalLines(text);
  const cur = mainCfCursor(lines, position);
  if (cur.kind === 'name') {
    const names = parameterNameItems(env, cur.range, cur.hasEquals ? '' : ' = ', undefined, cur.prefix);
    return cur.hasEquals ? names : [...names, ...recipeSnippetItems('main', cur.range, env)];
  }
  if (cur.kind === 'value') {
    const toRange = (a: number, b: number) => rangeIn(cur.line.logical, cur.valueOffset + a, cur.valueOffset + b);
    return completeValue(cur.name, cur.line.logical.text.slice(cur.valueOffset), cur.offset, toRange, env, undefined);
  }
  return [];
}

// ---- values (main.cf and master.cf -o) ----------------------------------------------

type ToRange = (start: number, end: number) => Range;

const NAME_CHAR = /[A-Za-z0-9_]/;

/** `$name`, `${name`, `$(name` ending at `offset` (not `$$`): where the name starts. */
function referenceAt(value: string, offset: number): { nameStart: number; form: 'plain' | 'brace' | 'paren' } | undefined {
  let i = offset;
  while (i > 0 && NAME_CHAR.test(value[i - 1])) i--;
  let form: 'plain' | 'brace' | 'paren' = 'plain';
  let dollar = i - 1;
  if (value[dollar] === '{' || value[dollar] === '(') {
    form = value[dollar] === '{' ? 'brace' : 'paren';
    dollar--;
  }
  if (value[dollar] !== '$') return undefined;
  let run = 0;
  for (let k = dollar; k >= 0 && value[k] === '$'; k--) run++;
  if (run % 2 === 0) return undefined; // `$$` is a literal dollar
  return { nameStart: i, form };
}

function completeValue(
  name: string,
  value: string,
  offset: number,
  toRange: ToRange,
  env: CompletionEnv,
  serviceKey: string | undefined,
  wordSeparator: (ch: string) => boolean = isListSeparator,
): AssistCompletion[] {
  const ref = referenceAt(value, offset);
  if (ref) {
    let end = offset;
    while (end < value.length && NAME_CHAR.test(value[end])) end++;
    const range = toRange(ref.nameStart, end);
    return referenceNames(env, value.slice(ref.nameStart, offset)).map((r) => ({
      label: r.name,
      kind: 'reference' as const,
      detail: r.builtin ? 'parameter' : r.service ? `per-service (${r.service.service})` : 'set in main.cf',
      insertText: r.name,
      range,
      sortText: sortKey(r.builtin ? 1 : 0, r.name),
      doc: { t: 'parameter' as const, name: r.name, service: r.service },
    }));
  }

  let start = offset;
  while (start > 0 && !wordSeparator(value[start - 1])) start--;
  let end = offset;
  while (end < value.length && !wordSeparator(value[end])) end++;
  const token = value.slice(start, offset);
  const range = toRange(start, end);
  const before = splitBraced(value, 0, start).map(([a, b]) => value.slice(a, b));
  const present = new Set(splitBraced(value).map(([a, b]) => value.slice(a, b)));

  const classes = env.config ? restrictionClasses(env.config) : new Set<string>();
  const type: ParamType = parameterType(name, serviceParams(env));
  const stages = restrictionListStages(env.config, name);
  if (stages) return restrictionListItems(stages, before[before.length - 1], token, range, env, serviceKey, classes);

  const dflt = parameterInfo(name, serviceParams(env))?.default;
  switch (type.kind) {
    case 'bool':
      return ['yes', 'no'].map((v) => valueItem(v, range, v === dflt));
    case 'enum':
      return type.values.map((v) => valueItem(v, range, v === dflt));
    case 'enumlist':
      return type.values.filter((v) => !present.has(v) || v === token).map((v) => valueItem(v, range, false));
    case 'tables':
      return tableItems(token, range, env, serviceKey);
    case 'domains':
    case 'networks':
    case 'hosts':
    case 'path':
      if (token.startsWith('/')) return pathItems(token, range, env, undefined, serviceKey);
      if (token.includes(':') && type.kind !== 'path') return tableItems(token, range, env, serviceKey);
      return [];
    case 'transport':
    case 'service':
      return transportItems(range, env, type.kind === 'transport', token);
    default:
      return [];
  }
}

function valueItem(v: string, range: Range, isDefault: boolean): AssistCompletion {
  return { label: v, kind: 'value', detail: isDefault ? 'default' : undefined, insertText: v, range, sortText: sortKey(isDefault ? 0 : 1, v) };
}

// ---- restriction lists --------------------------------------------------------------

function delayRejectOn(env: CompletionEnv, serviceKey: string | undefined): boolean {
  if (!env.config) return true;
  return effectiveValue(env.config, 'smtpd_delay_reject', serviceKey).expanded?.trim().toLowerCase() !== 'no';
}

const DNSBL_IP: { text: string; detail: string }[] = [
  { text: 'zen.spamhaus.org=127.0.0.[2..11]', detail: 'Spamhaus ZEN; the filter ignores 127.255.255.x error answers' },
  { text: 'bl.spamcop.net', detail: 'SpamCop' },
  { text: 'psbl.surriel.com', detail: 'Passive Spam Block List' },
];
const DNSBL_DOMAIN: { text: string; detail: string }[] = [
  { text: 'dbl.spamhaus.org=127.0.1.[2..99]', detail: 'Spamhaus DBL; the filter ignores 127.255.255.x error answers' },
];
const DNSWL_IP: { text: string; detail: string }[] = [{ text: 'list.dnswl.org=127.0.[0..255].[1..3]', detail: 'DNSWL, trust levels 1-3' }];

function restrictionListItems(
  stages: readonly RestrictionStage[],
  previous: string | undefined,
  token: string,
  range: Range,
  env: CompletionEnv,
  serviceKey: string | undefined,
  classes: ReadonlySet<string>,
): AssistCompletion[] {
  const prev = previous ? restrictionInfo(previous) : undefined;
  switch (prev?.takes) {
    case 'table':
      return tableItems(token, range, env, serviceKey);
    case 'domain=filter': {
      const domainBased = /rhs/.test(prev.name);
      const known = prev.name.startsWith('permit_dnswl') ? DNSWL_IP : domainBased ? DNSBL_DOMAIN : prev.name.startsWith('permit_') ? [] : DNSBL_IP;
      const items: AssistCompletion[] = known.map((k, i) => ({
        label: k.text,
        kind: 'value',
        detail: k.detail,
        insertText: k.text,
        range,
        sortText: sortKey(0, String(i)),
      }));
      items.push({
        label: 'dnsbl.example.org=127.0.0.2',
        kind: 'snippet',
        detail: 'DNS list domain with an optional reply filter',
        insertText: '${1:dnsbl.example.org}${2:=127.0.0.2}',
        snippet: true,
        range,
        sortText: sortKey(1, 'generic'),
        doc: { t: 'text', markdown: 'A DNS list zone; `=d.d.d.d` (with `[a..b]` ranges and `[a;b]` alternatives per octet) accepts only those answers as a listing.' },
      });
      return items;
    }
    case 'transport:server': {
      const items: AssistCompletion[] = [
        { label: 'inet:127.0.0.1:port', kind: 'snippet', detail: 'policy server over TCP', insertText: 'inet:127.0.0.1:${1:10023}', snippet: true, range, sortText: sortKey(0, 'a') },
        { label: 'unix:private/name', kind: 'snippet', detail: 'policy server on a UNIX socket (master.cf spawn service)', insertText: 'unix:private/${1:policy}', snippet: true, range, sortText: sortKey(0, 'b') },
      ];
      if (versionAtLeast(env.version, '3.0')) {
        items.push({
          label: '{ inet:host:port, timeout=…, default_action=… }',
          kind: 'snippet',
          detail: 'policy server with per-server settings (Postfix 3.0+)',
          insertText: '{ inet:127.0.0.1:${1:10023}, timeout=${2:10s}, default_action=${3:DUNNO} }',
          snippet: true,
          range,
          sortText: sortKey(0, 'c'),
        });
      }
      return items;
    }
    case 'seconds':
      return ['1', '5'].map((v) => valueItem(v, range, false));
    default:
      break;
  }
  if (token.includes(':')) return tableItems(token, range, env, serviceKey);
  const delay = delayRejectOn(env, serviceKey);
  const out: AssistCompletion[] = [];
  for (const r of allRestrictions()) {
    if (r.aliasOf || !restrictionInVersion(r, env.version)) continue;
    if (!fitsStages(r, stages, delay)) continue;
    const onlyDelayed = !fitsStages(r, stages, false);
    const deprecated = r.deprecatedIn !== undefined && versionAtLeast(env.version, r.deprecatedIn);
    const takesArg = r.takes !== 'none' && r.takes !== 'restriction';
    out.push({
      label: r.name,
      kind: 'restriction',
      detail: onlyDelayed ? `${r.category} restriction (here thanks to smtpd_delay_reject)` : `${r.category} restriction`,
      insertText: takesArg || r.takes === 'restriction' ? `${r.name} ` : r.name,
      range,
      sortText: sortKey(deprecated ? 3 : onlyDelayed ? 1 : 0, r.name),
      deprecated: deprecated || undefined,
      doc: { t: 'restriction', name: r.name },
      retrigger: takesArg || r.takes === 'restriction' || undefined,
    });
  }
  for (const c of classes) {
    const def = env.config?.main?.byName.get(c)?.value;
    out.push({
      label: c,
      kind: 'class',
      detail: 'restriction class',
      insertText: c,
      range,
      sortText: sortKey(0, c),
      doc: { t: 'text', markdown: `**${mdText(c)}** · restriction class (smtpd_restriction_classes)${def !== undefined ? `\n\n${code(`${c} = ${def}`)}` : '\n\nNot defined in main.cf: smtpd stops with "restriction class needs a definition".'}` },
    });
  }
  return out;
}

// ---- tables and files ----------------------------------------------------------------

/** Most used first; the rest alphabetically. */
const TABLE_TYPE_ORDER = ['hash', 'lmdb', 'cdb', 'texthash', 'cidr', 'pcre', 'regexp', 'inline', 'static', 'proxy', 'btree', 'ldap', 'mysql', 'pgsql', 'sqlite', 'unionmap', 'pipemap', 'randmap', 'socketmap', 'tcp', 'memcache'];

const TABLE_SNIPPETS: Record<string, string> = {
  inline: 'inline:{ ${1:key}=${2:value} }',
  static: 'static:${1:value}',
  randmap: 'randmap:{ ${1:result1}, ${2:result2} }',
  unionmap: 'unionmap:{ ${1:hash:/etc/postfix/table1}, ${2:hash:/etc/postfix/table2} }',
  pipemap: 'pipemap:{ ${1:hash:/etc/postfix/table1}, ${2:hash:/etc/postfix/table2} }',
};

/** Table types whose name is a file path (the table itself or its client configuration). */
const FILE_TYPES = new Set(['hash', 'btree', 'cdb', 'lmdb', 'dbm', 'sdbm', 'texthash', 'cidr', 'pcre', 'regexp', 'ldap', 'mysql', 'pgsql', 'sqlite', 'memcache', 'mongodb']);
const INDEX_SUFFIXES = ['.db', '.lmdb', '.cdb', '.dir', '.pag', '.lock'];

function tableItems(token: string, range: Range, env: CompletionEnv, serviceKey: string | undefined): AssistCompletion[] {
  // proxy:hash:/x → complete what follows proxy:
  let rest = token;
  let lead = '';
  while (rest.startsWith('proxy:')) {
    lead += 'proxy:';
    rest = rest.slice('proxy:'.length);
  }
  const colon = rest.indexOf(':');
  if (colon > 0) {
    const type = rest.slice(0, colon);
    if (!FILE_TYPES.has(type)) return [];
    return pathItems(rest.slice(colon + 1), range, env, lead + rest.slice(0, colon + 1), serviceKey);
  }
  const out: AssistCompletion[] = [];
  for (const t of allTableTypes()) {
    if (!tableTypeInVersion(t, env.version)) continue;
    if (lead && (t.name === 'proxy' || !FILE_TYPES.has(t.name))) continue;
    const rank = TABLE_TYPE_ORDER.indexOf(t.name);
    const group = t.debianPackage === undefined ? 3 : rank >= 0 ? 0 : 2;
    const snippet = lead ? undefined : TABLE_SNIPPETS[t.name];
    out.push({
      label: `${t.name}:`,
      kind: 'tableType',
      detail: [t.kind, t.needsPostmap ? 'postmap' : undefined, t.debianPackage && t.debianPackage !== 'postfix' ? t.debianPackage : undefined].filter(Boolean).join(' · '),
      insertText: snippet ?? `${lead}${t.name}:`,
      snippet: snippet !== undefined || undefined,
      filterText: `${lead}${t.name}:`,
      range,
      sortText: sortKey(group, rank >= 0 ? String(rank).padStart(2, '0') : t.name),
      doc: { t: 'tableType', name: t.name },
      retrigger: snippet === undefined || undefined,
    });
  }
  return out;
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/') + 1);
}

/**
 * Files for the path being typed. `head` is what precedes the path in the
 * word (`hash:`); the replacement covers the whole word. A configuration kept
 * outside /etc/postfix names its tables by their installed path; files beside
 * its main.cf are offered under that path too.
 */
function pathItems(pathPrefix: string, range: Range, env: CompletionEnv, head: string | undefined, serviceKey: string | undefined): AssistCompletion[] {
  if (!env.listDir) return [];
  const config = env.config;
  const configDirectory = (config ? effectiveValue(config, 'config_directory', serviceKey).expanded : undefined) || '/etc/postfix';
  let shownDir: string;
  if (pathPrefix.startsWith('/') || pathPrefix.startsWith('$')) shownDir = dirOf(pathPrefix);
  else shownDir = `${configDirectory.replace(/\/+$/, '')}/`;
  const lookup = config ? (n: string) => effectiveValue(config, n, serviceKey).raw : () => undefined;
  const listedDir = shownDir.includes('$') ? expandValue(shownDir, lookup).value : shownDir;
  const dirs = [listedDir];
  const configPrefix = `${configDirectory.replace(/\/+$/, '')}/`;
  if (config && listedDir.startsWith(configPrefix) && `${config.dir}/` !== configPrefix) {
    dirs.unshift(`${config.dir.replace(/\/+$/, '')}/${listedDir.slice(configPrefix.length)}`);
  }
  const seen = new Set<string>();
  const out: AssistCompletion[] = [];
  const indexed = head !== undefined;
  for (const d of dirs) {
    for (const e of env.listDir(d) ?? []) {
      if (seen.has(e.name) || e.name.startsWith('.')) continue;
      if (indexed && !e.dir && INDEX_SUFFIXES.some((s) => e.name.endsWith(s))) continue;
      if (!e.dir && /~$|\.(bak|orig|swp)$/.test(e.name)) continue;
      seen.add(e.name);
      const full = `${head ?? ''}${shownDir}${e.name}${e.dir ? '/' : ''}`;
      out.push({
        label: e.dir ? `${e.name}/` : e.name,
        kind: e.dir ? 'folder' : 'file',
        detail: `${shownDir}${e.name}`,
        insertText: full,
        filterText: full,
        range,
        sortText: sortKey(e.dir ? 1 : 0, e.name),
        retrigger: e.dir || undefined,
      });
    }
  }
  return out;
}

/** Programs that deliver mail: the transports worth naming in *_transport settings. */
const DELIVERY_PROGRAMS = new Set(['smtp', 'lmtp', 'local', 'virtual', 'pipe', 'error', 'discard']);

const serviceName = (s: MasterService) => s.name.text;

/** The services of master.cf (cut to `typed` when there are too many, name-items.ts). */
function transportItems(range: Range, env: CompletionEnv, deliveryOnly: boolean, typed: string): AssistCompletion[] {
  const out: AssistCompletion[] = [];
  const seen = new Set<string>();
  const services = env.config?.master?.services ?? [];
  const cut = new NameCut(services.length, typed, env.cut);
  for (const s of cut.over(services, serviceName)) {
    if (cut.full()) break;
    const name = s.name.text;
    if (seen.has(name) || !cut.fits(name)) continue;
    const delivers = DELIVERY_PROGRAMS.has(s.program);
    if (deliveryOnly && s.type.text !== 'unix') continue;
    seen.add(name);
    cut.took();
    out.push({
      label: name,
      kind: 'transport',
      detail: `master.cf: ${s.type.text} ${s.command.text}`,
      insertText: name,
      range,
      sortText: sortKey(delivers ? 0 : 1, name),
    });
  }
  return out;
}

// ---- master.cf ------------------------------------------------------------------

const WAKEUP_VALUES: [string, string][] = [
  ['-', 'never (the default)'],
  ['0', 'never'],
  ['60', 'every 60 s (pickup)'],
  ['300', 'every 300 s (qmgr)'],
  ['1000?', 'every 1000 s, only once used (flush, tlsmgr)'],
];

export function completeMasterCf(text: string, position: Position, env: CompletionEnv): AssistCompletion[] {
  const lines = physicalLines(text);
  const cur = masterCfCursor(lines, position);
  if (!cur) return [];
  const { line, words, index, word } = cur;
  const wordStart = word ? word.start : line.offset;
  const wordEnd = word ? word.end : line.offset;
  const range = rangeIn(line.logical, wordStart, wordEnd);
  const masterItems = (kind: MasterDocKind, names: readonly string[], itemKind: ItemKind, detail?: (n: string) => string | undefined) =>
    names.map((n, i) => ({
      label: n,
      kind: itemKind,
      detail: detail?.(n) ?? masterDoc(kind, n)?.doc.split(/(?<=\.)\s/)[0],
      insertText: n,
      range,
      sortText: sortKey(0, String(i).padStart(2, '0')),
      doc: masterDoc(kind, n) ? ({ t: 'master', kind, name: n } as DocRef) : undefined,
    }));
  switch (index) {
    case 0:
      // A new service line: the recipes' services.
      return words.length <= 1 ? recipeSnippetItems('master', range, env) : [];
    case 1:
      return masterItems('type', ['inet', 'unix', 'unix-dgram', 'pass', 'fifo'].filter((t) => (MASTER_TYPES as readonly string[]).includes(t)), 'serviceType');
    case 2:
    case 3:
    case 4: {
      const column = ['private', 'unprivileged', 'chroot'][index - 2];
      return masterItems('flag', ['y', 'n', '-'], 'flag', (n) => `${column}: ${n === '-' ? 'default' : n === 'y' ? 'yes' : 'no'}`);
    }
    case 5:
      return WAKEUP_VALUES.map(([v, d], i) => ({ label: v, kind: 'value' as const, detail: d, insertText: v, range, sortText: sortKey(0, String(i)), doc: { t: 'master' as const, kind: 'field' as const, name: 'wakeup' } }));
    case 6: {
      const limit = env.config ? effectiveValue(env.config, 'default_process_limit').expanded : undefined;
      return [
        ['-', `default_process_limit${limit ? ` (${limit})` : ''}`],
        ['0', 'no limit'],
        ['1', 'a single process'],
      ].map(([v, d], i) => ({ label: v, kind: 'value' as const, detail: d, insertText: v, range, sortText: sortKey(0, String(i)), doc: { t: 'master' as const, kind: 'field' as const, name: 'maxproc' } }));
    }
    case 7:
      return masterItems(
        'command',
        masterDocsOfKind('command').map((d) => d.name),
        'daemon',
      );
    default:
      return completeMasterArgs(cur.line, words, index, word, env);
  }
}

function completeMasterArgs(
  line: CursorLine,
  words: readonly { text: string; start: number; end: number }[],
  index: number,
  word: { text: string; start: number; end: number } | undefined,
  env: CompletionEnv,
): AssistCompletion[] {
  const serviceName = words[0]?.text;
  const serviceType = words[1]?.text;
  const program = words[7]?.text.slice(words[7].text.lastIndexOf('/') + 1);
  const serviceKey = serviceName && serviceType ? `${serviceName}/${serviceType}` : undefined;
  const prev = index > 0 ? words[index - 1]?.text : undefined;
  const offset = line.offset;
  const text = line.logical.text;
  const wordStart = word ? word.start : offset;
  const wordEnd = word ? word.end : offset;
  // `-o { name = value }`
  if (prev === '-o' && word && word.text.startsWith('{')) {
    const inner = text.slice(word.start + 1, offset);
    const eq = inner.indexOf('=');
    if (eq < 0) {
      const m = /^\s*/.exec(inner)!;
      const nameStart = word.start + 1 + m[0].length;
      let nameEnd = offset;
      while (nameEnd < text.length && NAME_CHAR.test(text[nameEnd])) nameEnd++;
      return parameterNameItems(env, rangeIn(line.logical, nameStart, nameEnd), ' = ', program, text.slice(nameStart, Math.max(nameStart, offset)));
    }
    const name = inner.slice(0, eq).trim();
    let valueStart = word.start + 1 + eq + 1;
    while (valueStart < offset && /\s/.test(text[valueStart])) valueStart++;
    let valueEnd = word.end;
    if (text[valueEnd - 1] === '}') valueEnd--;
    const value = text.slice(valueStart, valueEnd);
    return completeValue(name, value, offset - valueStart, (a, b) => rangeIn(line.logical, valueStart + a, valueStart + b), env, serviceKey);
  }
  // `-o name=value` (and `-oname=value`)
  const attached = word && word.text.startsWith('-o') && word.text.length > 2 && !word.text.startsWith('-o{');
  if (prev === '-o' || attached) {
    const nameStart = attached ? wordStart + 2 : wordStart;
    const eq = text.indexOf('=', nameStart);
    if (eq < 0 || eq >= wordEnd || offset <= eq) {
      return parameterNameItems(env, rangeIn(line.logical, nameStart, eq >= 0 && eq < wordEnd ? eq : wordEnd), eq >= 0 && eq < wordEnd ? '' : '=', program, text.slice(nameStart, Math.max(nameStart, offset)));
    }
    const name = text.slice(nameStart, eq);
    const valueStart = eq + 1;
    const value = text.slice(valueStart, wordEnd);
    // Inside one master.cf word: commas separate list items, blanks end the word.
    return completeValue(name, value, offset - valueStart, (a, b) => rangeIn(line.logical, valueStart + a, valueStart + b), env, serviceKey, (ch) => ch === ',');
  }
  if (!word || word.text === '-' || word.text === '-o') {
    return [
      {
        label: '-o name=value',
        kind: 'keyword',
        detail: 'override a main.cf parameter for this service',
        insertText: '-o ',
        filterText: '-o',
        range: rangeIn(line.logical, wordStart, wordEnd),
        sortText: sortKey(0, '-o'),
        retrigger: true,
        doc: { t: 'master', kind: 'field', name: 'command' },
      },
    ];
  }
  return [];
}

// ---- lookup tables ----------------------------------------------------------------

/** Where the result (right-hand side) of a table line starts, or undefined on a key/pattern. */
function resultStart(line: string, tableType: string | undefined): number | undefined {
  let i = 0;
  while (i < line.length && /\s/.test(line[i])) i++;
  if (i > 0 || line[i] === '#' || i >= line.length) return undefined;
  if (tableType === 'pcre' || tableType === 'regexp') {
    if (/^(if|endif)\b/.test(line)) return undefined;
    if (line[i] === '!') i++;
    const delim = line[i];
    if (delim === undefined) return undefined;
    i++;
    while (i < line.length && line[i] !== delim) {
      if (line[i] === '\\') i++;
      i++;
    }
    if (i >= line.length) return undefined;
    i++;
    while (i < line.length && /[A-Za-z]/.test(line[i])) i++;
  } else {
    while (i < line.length && !/\s/.test(line[i])) i++;
  }
  if (i >= line.length || !/\s/.test(line[i])) return undefined;
  while (i < line.length && /\s/.test(line[i])) i++;
  return i;
}

interface ActionTemplate {
  label: string;
  insert: string;
  detail: string;
  doc: string;
  since?: string;
  /** Not for tables whose OK is refused (mx/ns/a access). */
  grants?: boolean;
}

const ACTION_TEMPLATES: ActionTemplate[] = [
  { label: 'REJECT 5.7.1 text', insert: 'REJECT ${1:5.7.1} ${2:Access denied}', detail: 'permanent refusal with your text', doc: 'REJECT', since: '2.3' },
  { label: '550 5.7.1 text', insert: '550 ${1:5.7.1} ${2:Access denied}', detail: 'permanent refusal, explicit reply code', doc: '5NN', since: '2.3' },
  { label: '554 5.7.1 text', insert: '554 ${1:5.7.1} ${2:Access denied}', detail: 'permanent refusal, explicit reply code', doc: '5NN', since: '2.3' },
  { label: 'DEFER 4.7.1 text', insert: 'DEFER ${1:4.7.1} ${2:Try again later}', detail: 'temporary refusal with your text', doc: 'DEFER', since: '2.6' },
  { label: '450 4.7.1 text', insert: '450 ${1:4.7.1} ${2:Try again later}', detail: 'temporary refusal, explicit reply code', doc: '4NN', since: '2.3' },
  { label: '421 4.7.0 text', insert: '421 ${1:4.7.0} ${2:Closing connection}', detail: 'refuse and disconnect', doc: '421', since: '2.3' },
  { label: 'WARN text', insert: 'WARN ${1:reason}', detail: 'log and continue', doc: 'WARN', since: '2.1' },
  { label: 'HOLD text', insert: 'HOLD ${1:reason}', detail: 'accept into the hold queue', doc: 'HOLD', since: '2.0' },
  { label: 'DISCARD text', insert: 'DISCARD ${1:reason}', detail: 'accept and drop', doc: 'DISCARD', since: '2.0' },
  { label: 'FILTER transport:destination', insert: 'FILTER ${1:smtp}:${2:[127.0.0.1]:10025}', detail: 'content filter for this message', doc: 'FILTER', since: '2.0' },
  { label: 'REDIRECT user@domain', insert: 'REDIRECT ${1:user@example.com}', detail: 'deliver to this address instead', doc: 'REDIRECT', since: '2.1' },
  { label: 'BCC user@domain', insert: 'BCC ${1:archive@example.com}', detail: 'send a copy', doc: 'BCC', since: '3.0' },
  { label: 'PREPEND header: value', insert: 'PREPEND ${1:X-Header}: ${2:value}', detail: 'add a header', doc: 'PREPEND', since: '2.1' },
];

/** Plain action words worth offering, in order. RELAY, HANGUP and DELAY are left out on purpose. */
const ACTION_WORDS = ['OK', 'DUNNO', 'REJECT', 'DEFER', 'DEFER_IF_REJECT', 'DEFER_IF_PERMIT', 'WARN', 'INFO', 'HOLD', 'DISCARD'];

const POSTSCREEN_ACTIONS: [string, string][] = [
  ['permit', 'Allow the client past postscreen: skip the remaining postscreen tests and hand it to smtpd.'],
  ['reject', 'Reject the client: postscreen answers every command with a refusal and never passes it on.'],
  ['dunno', 'Stop looking in this list and continue with the other postscreen tests.'],
];

export function completeTable(path: string, text: string, position: Position, env: CompletionEnv): AssistCompletion[] {
  const line = (lineAt(text, position.line) ?? '').replace(/\r$/, '');
  const kind = env.config ? accessTableKind(env.config, path) : accessTableKind(undefined, path);
  if (kind.kind === 'other') return [];
  // An empty line of a sender access table: our own domains, from the sender-protection recipe.
  if (line.trim() === '' && kind.kind === 'access' && kind.restrictions.includes('check_sender_access')) {
    return recipeSnippetItems('senders', { start: { line: position.line, character: 0 }, end: { line: position.line, character: line.length } }, env);
  }
  const start = resultStart(line, kind.tableType);
  if (start === undefined || position.character < start) return [];
  // Only the first word of the result is an action.
  let end = start;
  while (end < line.length && !/\s/.test(line[end])) end++;
  if (position.character > end) return [];
  const range: Range = { start: { line: position.line, character: start }, end: { line: position.line, character: end } };
  if (kind.kind === 'postscreen') {
    return POSTSCREEN_ACTIONS.map(([w, d], i) => ({ label: w, kind: 'action' as const, insertText: w, range, sortText: sortKey(0, String(i)), doc: { t: 'text' as const, markdown: `**${w}** · postscreen_access_list action\n\n${d}` } }));
  }
  if (kind.kind === 'transport') return transportItems(range, env, true, line.slice(start, position.character)).map((i) => ({ ...i, insertText: `${i.label}:`, label: `${i.label}:` }));
  return accessActionItems(kind, range, env);
}

function accessActionItems(kind: AccessTableKind, range: Range, env: CompletionEnv): AssistCompletion[] {
  const out: AssistCompletion[] = [];
  const okRefused = kind.kind === 'access' && kind.okRefused;
  ACTION_WORDS.forEach((w, i) => {
    const info = allAccessActionsByName.get(w);
    if (!info || !accessActionInVersion(info, env.version)) return;
    if (okRefused && w === 'OK') return;
    out.push({ label: w, kind: 'action', insertText: w, range, sortText: sortKey(0, String(i).padStart(2, '0')), doc: { t: 'action', name: w } });
  });
  ACTION_TEMPLATES.forEach((t, i) => {
    if (t.since && !versionAtLeast(env.version, t.since)) return;
    out.push({
      label: t.label,
      kind: 'snippet',
      detail: t.detail,
      insertText: t.insert,
      snippet: true,
      filterText: t.label.split(' ')[0],
      range,
      sortText: sortKey(1, String(i).padStart(2, '0')),
      doc: { t: 'action', name: t.doc },
    });
  });
  const classes = env.config ? restrictionClasses(env.config) : new Set<string>();
  for (const c of classes) {
    out.push({ label: c, kind: 'class', detail: 'restriction class', insertText: c, range, sortText: sortKey(2, c), doc: { t: 'action', name: '<restriction class>' } });
  }
  for (const r of allRestrictions()) {
    if (r.aliasOf || !restrictionInVersion(r, env.version)) continue;
    out.push({ label: r.name, kind: 'restriction', detail: 'restriction as result', insertText: r.name, range, sortText: sortKey(3, r.name), doc: { t: 'restriction', name: r.name } });
  }
  return out;
}

const allAccessActionsByName = new Map([...allAccessActions()].map((a) => [a.name, a]));

// ---- documentation, on resolve ---------------------------------------------------------

export function resolveDocumentation(ref: DocRef, version: string): string | undefined {
  switch (ref.t) {
    case 'parameter': {
      const info = parameterInfo(ref.name, ref.service ? [ref.service] : []);
      if (!info) return undefined;
      const md = parameterDocMarkdown(info, version);
      return existsInVersion(ref.name, version) || ref.service || !parameterFact(ref.name) ? md : `${md}\n\n*Not known to Postfix ${version}.*`;
    }
    case 'restriction': {
      const info = restrictionInfo(ref.name);
      return info ? restrictionDocMarkdown(info, version) : undefined;
    }
    case 'tableType': {
      const info = tableTypeInfo(ref.name);
      return info ? tableTypeDocMarkdown(info) : undefined;
    }
    case 'action': {
      const info = allAccessActionsByName.get(ref.name) ?? accessActionInfo(ref.name);
      return info ? accessActionDocMarkdown(info) : undefined;
    }
    case 'master': {
      const d = masterDoc(ref.kind, ref.name);
      return d ? masterDocMarkdown(d) : undefined;
    }
    case 'text':
      return ref.markdown;
  }
}

// The engine's front door for diagnostics: every problem of a configuration
// directory (main.cf, master.cf and the tables they name), or of one
// document inside it. The CLI, the language server and the tests call this.

import { dirname, basename } from './paths';
import { loadConfig, PostfixConfig, TableUse } from './config';
import { mainCfChecks } from './maincf/checks';
import { mainProblem } from './maincf/codes';
import { masterCfProblems } from './mastercf';
import { analyzeParameters, ParameterFinding } from './postconf';
import { parseAccessTable, parseCidrTable, parseRegexTable, tableProblem, isAccessSourceType } from './tables';
import type { FileReader, Problem, Range } from './types';
import { closestParameter } from './mastercf/parameter-problems';
import { runRules, suppressProblems } from './rules';

export interface LintOptions {
  /** Target Postfix version (default: newest in the catalog). */
  version?: string;
  /** What the document is, when the editor knows better than its name (a main.cf called site.cf). */
  kind?: DocumentKind;
}

export type DocumentKind = 'main' | 'master' | 'map';

/** main.cf / master.cf by name (with .proto/.dist variants), anything else is a lookup table. */
export function documentKind(path: string): DocumentKind {
  const name = basename(path);
  if (/^main\.cf(\.|$)/.test(name)) return 'main';
  if (/^master\.cf(\.|$)/.test(name)) return 'master';
  return 'map';
}

const EMPTY: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** All problems of a configuration directory. */
export function lintDirectory(dir: string, reader: FileReader, options: LintOptions = {}): Problem[] {
  return lintConfig(loadConfig(dir, reader, options), reader);
}

export function lintConfig(config: PostfixConfig, reader: FileReader): Problem[] {
  const out: Problem[] = [];
  const { main, master } = config;
  if (main) {
    out.push(...main.problems, ...mainCfChecks(main, config.version));
  }
  if (master) {
    const mainDict = new Map<string, string>([['config_directory', config.dir]]);
    for (const e of main?.entries ?? []) mainDict.set(e.name, e.value);
    out.push(...masterCfProblems(master, { configDir: config.dir, main: mainDict, readFile: (p) => reader.readText(p) }));
  }
  // Postfix stops at the first fatal line; the editor keeps going so every mistake shows at once.
  if (main && !main.fatal) {
    const analysis = analyzeParameters({ configDir: config.dir, main, master, version: config.version, readFile: (p) => reader.readText(p) });
    for (const f of analysis.findings) if (f.file === 'main.cf') out.push(...findingProblems(config, f));
  }
  out.push(...tableProblems(config, reader));
  out.push(...runRules(config, reader));
  // `# postfix-lint: disable=CODE` comments silence any problem (docs/rules/README.md).
  return suppressProblems(dedupe(out), reader);
}

/** Problems to show for one document, analysed together with its directory. */
export function lintDocument(path: string, text: string, reader: FileReader, options: LintOptions = {}): Problem[] {
  const overlay: FileReader = {
    readText: (p) => (p === path ? text : reader.readText(p)),
    mtimeMs: reader.mtimeMs ? (p) => reader.mtimeMs!(p) : undefined,
  };
  const kind = options.kind ?? documentKind(path);
  const dir = dirname(path);
  const canonical = kind === 'main' ? 'main.cf' : kind === 'master' ? 'master.cf' : undefined;
  if (canonical && documentKind(path) !== kind) {
    // Analyse it in the place Postfix would read it from, then report against this file.
    const stand = `${dir}/${canonical}`;
    const asIf: FileReader = { readText: (p) => (p === stand ? text : overlay.readText(p)), mtimeMs: overlay.mtimeMs };
    return lintConfig(loadConfig(dir, asIf, options), asIf)
      .filter((p) => p.file === stand)
      .map((p) => ({ ...p, file: path }));
  }
  const config = loadConfig(dir, overlay, options);
  if (kind === 'map') {
    const uses = config.tables.filter((t) => t.files.source === path);
    const own = uses.length > 0 ? lintConfig(config, overlay).filter((p) => p.file === path) : standaloneTableProblems(path, text);
    return own;
  }
  return lintConfig(config, overlay).filter((p) => p.file === path);
}

/** Lints the given paths: directories as configurations, files as their directory's members or as standalone tables. */
export function lintPaths(paths: string[], reader: FileReader & { isDirectory(p: string): boolean }, options: LintOptions = {}): Problem[] {
  const out: Problem[] = [];
  for (const p of paths) {
    if (reader.isDirectory(p)) {
      out.push(...lintDirectory(p, reader, options));
      continue;
    }
    const text = reader.readText(p);
    if (text === undefined) {
      out.push({ code: 'PF000', severity: 'error', category: 'postfix', file: p, range: EMPTY, message: `cannot read ${p}` });
      continue;
    }
    out.push(...lintDocument(p, text, reader, options));
  }
  return dedupe(out);
}

function entryRange(config: PostfixConfig, name: string | undefined): Range {
  const e = name ? config.main?.byName.get(name) : undefined;
  return e?.nameRange ?? EMPTY;
}

/** Range of `$name` inside the value of `parameter`, or the parameter's name. */
function referenceRange(config: PostfixConfig, parameter: string | undefined, name: string): Range {
  const e = parameter ? config.main?.byName.get(parameter) : undefined;
  if (e) {
    const ref = e.references.find((r) => r.name === name);
    if (ref?.range) return ref.range;
    return e.valueRange;
  }
  for (const entry of config.main?.entries ?? []) {
    const ref = entry.references.find((r) => r.name === name);
    if (ref?.range) return ref.range;
  }
  return EMPTY;
}

function findingProblems(config: PostfixConfig, f: ParameterFinding): Problem[] {
  const file = config.mainPath;
  switch (f.kind) {
    case 'unused': {
      const near = f.name ? closestParameter(f.name) : undefined;
      const hint = near && near !== f.name ? ` Did you mean ${near}?` : ' A name of your own needs a $reference somewhere to be used.';
      return [mainProblem('unusedParameter', file, entryRange(config, f.name), `${f.text.replace(/^.*?: (?=unused parameter)/, '')}: Postfix does not know this name and nothing refers to it.${hint}`)];
    }
    case 'undefined':
      return [mainProblem('undefinedParameter', file, referenceRange(config, f.parameter, f.name ?? ''), `undefined parameter: ${f.name} (it has no value anywhere, so it expands to nothing)`)];
    case 'read-only':
      return [mainProblem('readOnlyParameter', file, entryRange(config, f.name), `${f.text.replace(/^.*?: (?=read-only)/, '')}: Postfix sets this itself and ignores the setting.`)];
    case 'macro':
    case 'scan':
      return [mainProblem('macroSyntax', file, entryRange(config, f.parameter ?? f.name), f.text)];
    case 'dbms':
      return [mainProblem(/missing '}'|syntax error after/.test(f.text) ? 'braceSyntax' : 'databaseClient', file, entryRange(config, f.parameter ?? f.name), f.text)];
    default:
      return [];
  }
}

function tableProblems(config: PostfixConfig, reader: FileReader): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const use of config.tables) {
    const source = use.files.source;
    if (!source || seen.has(`${use.ref.type}:${source}`)) continue;
    seen.add(`${use.ref.type}:${source}`);
    const text = reader.readText(source);
    if (text === undefined) {
      out.push(tableProblem('tableMissing', use.file, use.range, `${use.spec}: the file ${source} does not exist.`));
      continue;
    }
    out.push(...parseTableText(use.ref.type, source, text));
    out.push(...indexProblems(use, reader));
  }
  return out;
}

/** Indexed tables (hash, lmdb, cdb, ...) need postmap after each edit of the source. */
function indexProblems(use: TableUse, reader: FileReader): Problem[] {
  const source = use.files.source;
  if (!source || !use.files.indexed || !reader.mtimeMs) return [];
  const srcTime = reader.mtimeMs(source);
  const indexTimes = use.files.indexed.map((p) => reader.mtimeMs!(p));
  if (indexTimes.some((t) => t === undefined)) {
    return [tableProblem('missingIndex', use.file, use.range, `${use.spec}: ${use.files.indexed.join(', ')} does not exist; run "postmap ${use.ref.type}:${source}".`)];
  }
  if (srcTime !== undefined && indexTimes.some((t) => t! < srcTime)) {
    return [tableProblem('staleIndex', use.file, use.range, `${use.spec}: ${source} changed after ${use.files.indexed.join(', ')} was built; run "postmap ${use.ref.type}:${source}" or Postfix keeps using the old entries.`)];
  }
  return [];
}

export function parseTableText(type: string, path: string, text: string): Problem[] {
  if (type === 'cidr') return parseCidrTable(text, path).problems;
  if (type === 'pcre' || type === 'regexp') return parseRegexTable(type, text, path).problems;
  if (isAccessSourceType(type)) return parseAccessTable(text, path, { type }).problems;
  return [];
}

/** A table file no configuration names: guess its type from its name. */
export function standaloneTableProblems(path: string, text: string): Problem[] {
  const name = basename(path);
  if (/\.cidr$/.test(name)) return parseTableText('cidr', path, text);
  if (/\.pcre$/.test(name)) return parseTableText('pcre', path, text);
  if (/\.regexp$/.test(name)) return parseTableText('regexp', path, text);
  return parseTableText('hash', path, text);
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}|${p.range.start.line}:${p.range.start.character}|${p.code}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

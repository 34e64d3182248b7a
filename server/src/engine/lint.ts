// The engine's front door for diagnostics: every problem of a configuration
// directory (main.cf, master.cf and the tables they name), or of one
// document inside it. The CLI, the language server and the tests call this.

import { dirname, basename } from './paths';
import { effectiveValue, loadConfig, PostfixConfig, TableUse } from './config';
import { mainCfChecksSteps } from './maincf/checks';
import { mainProblem } from './maincf/codes';
import { masterParameterProblems } from './mastercf';
import { keepParameterAnalysis, mainDictionarySteps, parameterAnalysisSteps, ParameterFinding, registerParametersSteps } from './postconf';
import type { ReadFile } from './postconf/dbms';
import { ConfigFiles, detectMode, INSTALLED_CONFIG_DIR, linkedOutText, type ConfigMode } from './config-files';
import { recordUsesSteps, replayUses, stillValid, type UseRecord } from './tables/use-record';
import { parseAccessBytes, parseAccessTable, parseAccessTableSteps, parseAliasTable, parseCidrTable, parseCidrTableSteps, parseRegexTable, tableProblem, isAccessSourceType, TABLE_CODES } from './tables';
import type { FileReader, FileSource, Problem, Range } from './types';
import { closestParameter } from './mastercf/parameter-problems';
import { parameterFact } from './catalog/parameters';
import { versionAtLeast } from './catalog/version';
import { hardeningAdvice, mergeHardeningFixes, runRulesSteps, suppressProblems, type HardeningFix } from './rules';
import type { MergeOptions } from './rules/harden';
import { pushAll } from './arrays';
import { editDistance } from './edit-distance';
import { EXPANSION_TOO_LARGE } from './expand';
import { overlayReader } from './overlay-reader';
import { FILE_CODES, fileProblem, unreadableProblem } from './file-codes';
import { notATable, protectTableText } from './table-secrets';
import { withQuickFixes, withQuickFixesSteps } from './fixes';
import { withTags } from './tags';
import { drain, PieceClock, PROBLEMS_PER_STEP, type Steps } from './steps';

export interface LintOptions {
  /** Target Postfix version (default: newest in the catalog). */
  version?: string;
  /** Live configuration or repository copy (default: detectMode of the directory). */
  mode?: ConfigMode;
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

export function lintConfig(config: PostfixConfig, _reader?: FileReader): Problem[] {
  return drain(lintConfigSteps(config));
}

/**
 * "Harden this configuration" (the CLI's --fix, the editor's Harden action)
 * for the findings as the user sees them: every problem lintConfig reports
 * (so `# postfix-lint: disable=` comments count) and every piece of hardening
 * advice, passed through `judge` (rule settings from .postfix-lint.json,
 * turning a rule off or changing its severity; the CLI's --min-severity),
 * then merged. A rule the user turned off is not applied by either. Returns
 * the judged problems too (the CLI merges their other safe fixes). Without a
 * judge, every finding counts (no rule settings: tests and the fuzzer).
 */
export function judgedHardening(config: PostfixConfig, reader: FileReader, judge: (problems: readonly Problem[]) => Problem[] = acceptAll, merge: MergeOptions = {}): { problems: Problem[]; fix: HardeningFix } {
  return drain(judgedHardeningSteps(config, reader, judge, merge));
}

/** judgedHardening in steps: lintConfigSteps', then the advice and the merge (one step: they are a small share of the lint). */
export function* judgedHardeningSteps(config: PostfixConfig, reader: FileReader, judge: (problems: readonly Problem[]) => Problem[] = acceptAll, merge: MergeOptions = {}): Steps<{ problems: Problem[]; fix: HardeningFix }> {
  return hardeningOf(config, reader, yield* lintConfigSteps(config), judge, merge);
}

/**
 * judgedHardening for the problems lintConfig already found in the same
 * configuration (the language server's shared analysis): no second lint.
 */
export function hardeningOf(config: PostfixConfig, reader: FileReader, linted: readonly Problem[], judge: (problems: readonly Problem[]) => Problem[] = acceptAll, merge: MergeOptions = {}): { problems: Problem[]; fix: HardeningFix } {
  const problems = judge(linted);
  return { problems, fix: mergeHardeningFixes([...problems, ...judge(hardeningAdvice(config, reader))], merge) };
}

function acceptAll(problems: readonly Problem[]): Problem[] {
  return [...problems];
}

/**
 * lintConfig in phases: the generator yields between them (and between the
 * tables and the rules), so the language server can let a hover through or
 * give up on an analysis a newer edit has made stale. Run to the end it
 * returns what lintConfig returns.
 */
export function* lintConfigSteps(config: PostfixConfig): Steps<Problem[]> {
  const out: Problem[] = [];
  const reader = config.files;
  pushAll(out, yield* reusedPart(config, 'settings', settingsProblems));
  const notTables = new Set<string>();
  pushAll(out, yield* tableProblems(config, notTables));
  pushAll(out, yield* reusedPart(config, 'rules', (c) => runRulesSteps(c, c.files)));
  // Table files may be anything (a key, a .env): nothing from those, quotes from the others short.
  const protectedOut = protectTableText(out, new Set([config.mainPath, config.masterPath]), notTables);
  // `# postfix-lint: disable=CODE` comments silence any problem (docs/rules/README.md).
  const kept = suppressProblems(dedupe(protectedOut), reader);
  yield 'disable comments';
  const result = withTags(yield* withQuickFixesSteps(config, kept));
  // The last piece named too (the language server's trace shows each piece by the label that ends it).
  yield 'quick fixes and tags';
  return result;
}

const FILE_START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * A repository copy's main.cf or master.cf that is a link out of its tree is
 * not read (config-files.ts): an empty result would look like a clean file,
 * or show another file's findings as this one's. Said instead, as the CLI
 * says it for main.cf before it lints at all (cli/main-cf.ts).
 */
function linkedOutProblems(config: PostfixConfig): Problem[] {
  const out: Problem[] = [];
  for (const path of [config.mainPath, config.masterPath]) {
    const target = config.files.linkTarget(path);
    if (target)
      out.push(fileProblem('unreadable', path, FILE_START, `${linkedOutText(path, target)}, so it is not read. Check ${dirname(target)} instead, or judge this directory as this machine's own configuration (the postfix.mode setting, postfix-lint --live).`));
  }
  return out;
}

/** The problems of main.cf and master.cf themselves, and what the postconf emulation finds in them. */
function* settingsProblems(config: PostfixConfig): Steps<Problem[]> {
  const out: Problem[] = [];
  const { main, master } = config;
  const readFile = clientFileReader(config);
  pushAll(out, linkedOutProblems(config));
  if (main) {
    pushAll(out, main.problems);
    pushAll(out, yield* mainCfChecksSteps(main, config.version));
    yield 'main.cf checks';
  }
  // One registration (in steps) serves the master.cf checks and the postconf
  // emulation: with 100,000 services or parameters each took 0.6-1.1 s.
  const analysed = main && !main.fatal;
  if (!master && !analysed) return out;
  const registry = yield* registerParametersSteps({
    configDir: config.dir,
    main: yield* mainDictionarySteps(config.dir, main?.entries ?? []),
    master,
    readFile,
    version: config.version,
    keepGoing: true,
  });
  yield 'postconf registration';
  if (master) {
    pushAll(out, master.problems);
    pushAll(out, masterParameterProblems(registry, master.file, config.version));
    yield 'master.cf checks';
  }
  // Postfix stops at the first fatal line; the editor keeps going so every mistake shows at once.
  if (analysed) {
    const analysis = yield* parameterAnalysisSteps(registry);
    // Semantic tokens ask for the same view of these parses next (engine/semantic/tokens.ts).
    keepParameterAnalysis({ configDir: config.dir, main: main!, master, version: config.version }, analysis);
    yield 'postconf emulation';
    let done = 0;
    // A finding about a name of one's own looks for a near name (100,000 of them: pieces of 50 ms); the clock too.
    const clock = new PieceClock();
    for (const f of analysis.findings) {
      if (f.file !== 'main.cf') continue;
      pushAll(out, findingProblems(config, f));
      if (++done % PROBLEMS_PER_STEP === 0 || clock.due()) {
        yield 'postconf findings';
        clock.restart();
      }
    }
  }
  return out;
}

/**
 * The configuration-level parts of a lint (settingsProblems, the rules),
 * kept per configuration directory with what they read (tables/use-record.ts)
 * and given back while main.cf and master.cf parse to the same objects (their
 * parsers keep the last result per text) and every read and table lookup
 * answers the same. A keystroke in a big map leaves them as they were unless
 * a simulated transaction looked up a key the edit touched; only the table
 * is read again. Results are shared: callers must not change them.
 */
interface PartMemo {
  key: readonly unknown[];
  record: UseRecord;
  problems: Problem[];
}
const MAX_PART_MEMOS = 32;
const partMemos = new Map<string, PartMemo>();

function* reusedPart(config: PostfixConfig, part: string, compute: (config: PostfixConfig) => Steps<Problem[]>): Steps<Problem[]> {
  const files = config.files;
  const slot = `${part}\0${config.dir}`;
  const key = [config.main, config.master, config.version, config.mode, config.mainPath, config.masterPath, files.installedDirs.join('\0')];
  const memo = partMemos.get(slot);
  if (memo && memo.key.every((k, i) => k === key[i]) && stillValid(memo.record, files.base)) {
    partStats.reused++;
    replayUses(memo.record);
    return memo.problems;
  }
  partStats.computed++;
  const { value, record } = yield* recordUsesSteps(files.base, (reader) => compute({ ...config, files: new ConfigFiles(files.dir, files.mode, reader, files.installedDirs) }));
  partMemos.delete(slot);
  partMemos.set(slot, { key, record, problems: value });
  if (partMemos.size > MAX_PART_MEMOS) partMemos.delete(partMemos.keys().next().value as string);
  return value;
}

const partStats = { reused: 0, computed: 0 };

/** How often a configuration-level part was reused or computed (tests prove reuse with it). */
export function lintMemoStats(): { reused: number; computed: number } {
  return { ...partStats };
}

/** Forgets the kept configuration-level results (tests and benchmarks start cold with it). */
export function clearLintMemo(): void {
  partMemos.clear();
}

/**
 * Database client files (mysql:/etc/postfix/sql/x.cf) as postconf reads them
 * to check their settings. A repository copy often keeps them out (they hold
 * passwords): one that is not there is not checked rather than "missing".
 */
export function clientFileReader(config: PostfixConfig): ReadFile {
  return (path) => {
    const text = config.files.readText(path);
    if (text === undefined && config.mode === 'repository') return { error: null };
    return text;
  };
}

/**
 * Findings about the files installed beside a configuration (a table missing,
 * not built, stale or unreadable). A stand-in is a template or a backup: the
 * host's files were never meant for it, so these are left out.
 */
const DEPLOYMENT_STATE = new Set(
  [TABLE_CODES.tableMissing, TABLE_CODES.notInRepository, TABLE_CODES.builtAtDeploy, TABLE_CODES.missingIndex, TABLE_CODES.staleIndex, FILE_CODES.unreadable, FILE_CODES.tooLarge].map((c) => c.code),
);

/** The problems of a configuration that concern a stand-in analysed at `stand` (main.cf/master.cf), reported against its own `path`. */
export function standInProblems(problems: readonly Problem[], stand: string, path: string): Problem[] {
  const moved = (file: string) => (file === stand ? path : file);
  return problems
    .filter((p) => p.file === stand && !DEPLOYMENT_STATE.has(p.code))
    .map((p) => ({
      ...p,
      file: path,
      ...(p.fixes ? { fixes: p.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, file: moved(e.file) })) })) } : {}),
      ...(p.related ? { related: p.related.map((r) => ({ ...r, file: moved(r.file) })) } : {}),
    }));
}

/** Problems to show for one document, analysed together with its directory. */
export function lintDocument(path: string, content: string | FileSource, reader: FileReader, options: LintOptions = {}): Problem[] {
  const text = () => textOf(content);
  const overlay = overlayReader(reader, (p) => (p === path ? text() : undefined));
  const kind = options.kind ?? documentKind(path);
  const dir = dirname(path);
  const canonical = kind === 'main' ? 'main.cf' : kind === 'master' ? 'master.cf' : undefined;
  if (canonical && basename(path) !== canonical) {
    // A stand-in (main.cf.proto, main.cf.orig, master.cf.dist, an untitled buffer):
    // analysed in the place Postfix would read it from, then reported against this file.
    const stand = `${dir}/${canonical}`;
    const asIf = overlayReader(overlay, (p) => (p === stand ? text() : undefined));
    return standInProblems(lintConfig(loadConfig(dir, asIf, options), asIf), stand, path);
  }
  const config = loadConfig(dir, overlay, options);
  if (kind === 'map') {
    const uses = config.tables.filter((t) => t.files.source === path);
    const own = uses.length > 0 ? lintConfig(config, overlay).filter((p) => p.file === path) : standaloneTableFindings(config, path, content);
    return own;
  }
  return lintConfig(config, overlay).filter((p) => p.file === path);
}

/** Problems of the given paths, and how each configuration directory was judged. */
export interface LintReport {
  problems: Problem[];
  configurations: { dir: string; mode: ConfigMode }[];
}

/** Lints the given paths: directories as configurations, files as their directory's members or as standalone tables. */
export function lintPaths(paths: string[], reader: FileReader & { isDirectory(p: string): boolean }, options: LintOptions = {}): Problem[] {
  return lintTargets(paths, reader, options).problems;
}

export function lintTargets(paths: string[], reader: FileReader & { isDirectory(p: string): boolean }, options: LintOptions = {}): LintReport {
  const out: Problem[] = [];
  const configurations = new Map<string, ConfigMode>();
  for (const p of paths) {
    const dir = reader.isDirectory(p) ? p : dirname(p);
    if (!configurations.has(dir)) configurations.set(dir, options.mode ?? detectMode(dir));
    if (reader.isDirectory(p)) {
      pushAll(out, lintDirectory(p, reader, options));
      continue;
    }
    // As bytes where the reader can: a big table is then parsed without building its text.
    const content = reader.readSource ? reader.readSource(p) : reader.readText(p);
    if (content === undefined) {
      out.push(unreadableProblem(p, EMPTY, undefined, p, reader.unreadable?.(p) ?? { code: 'EIO', op: 'open', reason: 'cannot be read' }));
      continue;
    }
    pushAll(out, lintDocument(p, content, reader, options));
  }
  return { problems: dedupe(out), configurations: [...configurations].map(([dir, mode]) => ({ dir, mode })) };
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

/** Why Postfix no longer knows a parameter that older releases had, or undefined. */
function removedParameter(name: string | undefined, version: string): string | undefined {
  const fact = name ? parameterFact(name) : undefined;
  if (!fact) return undefined;
  const removedIn = fact.removedIn && versionAtLeast(version, fact.removedIn) ? fact.removedIn : undefined;
  if (!removedIn) return undefined;
  const instead = fact.replacement && fact.replacement !== '(do not specify)' ? ` Use ${fact.replacement} instead.` : ' Remove the line.';
  return `Postfix ${removedIn} and later no longer have this parameter, so the setting does nothing.${instead}`;
}

function findingProblems(config: PostfixConfig, f: ParameterFinding): Problem[] {
  const file = config.mainPath;
  switch (f.kind) {
    case 'unused': {
      const removed = removedParameter(f.name, config.version);
      if (removed) return [mainProblem('unusedParameter', file, entryRange(config, f.name), `${f.text.replace(/^.*?: (?=unused parameter)/, '')}: ${removed}`)];
      const near = f.name ? closestParameter(f.name, config.version, (c) => config.main?.byName.has(c) ?? false) : undefined;
      const hint = near && near !== f.name ? ` Did you mean ${near}?` : ' A name of your own needs a $reference somewhere to be used.';
      return [mainProblem('unusedParameter', file, entryRange(config, f.name), `${f.text.replace(/^.*?: (?=unused parameter)/, '')}: Postfix does not know this name and nothing refers to it.${hint}`)];
    }
    case 'undefined':
      return [mainProblem('undefinedParameter', file, referenceRange(config, f.parameter, f.name ?? ''), `undefined parameter: ${f.name} (it has no value anywhere, so it expands to nothing)`)];
    case 'read-only':
      return [mainProblem('readOnlyParameter', file, entryRange(config, f.name), `${f.text.replace(/^.*?: (?=read-only)/, '')}: Postfix sets this itself and ignores the setting.`)];
    case 'macro':
    case 'scan':
      if (f.text === EXPANSION_TOO_LARGE) {
        const name = f.parameter ?? f.name;
        const why = `${name} expands to more than 4 MiB (references that double at each step, like a1 = $a0 $a0): postfix-lint stops expanding it. Postfix has no such limit; postconf -nx and every daemon that reads it would build the whole value, for minutes or until memory runs out (${EXPANSION_TOO_LARGE})`;
        return [mainProblem('macroSyntax', file, entryRange(config, name), why)];
      }
      return [mainProblem('macroSyntax', file, entryRange(config, f.parameter ?? f.name), f.text)];
    case 'dbms':
      return [mainProblem(/missing '}'|syntax error after/.test(f.text) ? 'braceSyntax' : 'databaseClient', file, entryRange(config, f.parameter ?? f.name), f.text)];
    default:
      return [];
  }
}

/** Problems in the tables; `notTables` receives the files that are not tables at all. */
function* tableProblems(config: PostfixConfig, notTables: Set<string>): Steps<Problem[]> {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const use of config.tables) {
    const installed = use.installed.source;
    if (!installed || use.writable || seen.has(`${use.ref.type}:${installed}`)) continue;
    seen.add(`${use.ref.type}:${installed}`);
    if (!installed.startsWith('/')) {
      out.push(relativePath(config, use));
      continue;
    }
    const linked = use.files.source === undefined ? config.files.resolve(installed).linkedOut : undefined;
    if (linked) {
      out.push(fileProblem('unreadable', use.file, use.range, `${use.spec}: ${linkedOutText(linked.path, linked.target)}, so it is not read.`));
      continue;
    }
    // A repository copy does not hold the host's own files (/etc/aliases): nothing to check.
    if (use.files.source === undefined) continue;
    const text = config.files.readText(installed);
    if (text === undefined) {
      const why = config.files.unreadable(installed);
      out.push(why && why.code !== 'ENOENT' ? unreadableProblem(use.file, use.range, use.spec, installed, why) : missingTable(config, use));
      continue;
    }
    // One finding for a file that is not a table, however many places name it.
    if (notTables.has(use.files.source)) continue;
    const why = notATable(text, use.files.source);
    if (why) {
      notTables.add(use.files.source);
      out.push(
        fileProblem(
          'notATable',
          use.file,
          use.range,
          `${use.spec}: ${installed} is not a lookup table: ${why}. Postfix would skip its lines with a warning for each; its content is not shown here, as it may hold secrets. Name the right file.`,
        ),
      );
      continue;
    }
    // Access and cidr maps are parsed in steps (a 100,000-line map would hold the server for its whole parse).
    const problems =
      use.format === 'aliases'
        ? parseAliasTable(text, use.files.source).problems
        : isAccessSourceType(use.ref.type)
          ? (yield* parseAccessTableSteps(text, use.files.source, { type: use.ref.type })).problems
          : use.ref.type === 'cidr'
            ? (yield* parseCidrTableSteps(text, use.files.source)).problems
            : parseTableText(use.ref.type, use.files.source, text);
    pushAll(out, problems);
    pushAll(out, indexProblems(config, use));
    yield () => `table ${use.spec}`;
  }
  return out;
}

/** Daemons run in the queue directory, so a relative name is not where the admin thinks it is. */
function relativePath(config: PostfixConfig, use: TableUse): Problem {
  const queue = effectiveValue(config, 'queue_directory', use.service).expanded || '/var/spool/postfix';
  const name = use.installed.source!;
  return tableProblem(
    'relativeTablePath',
    use.file,
    use.range,
    `${use.spec}: "${name}" is a relative path. Postfix daemons run in the queue directory, so they look for ${queue.replace(/\/+$/, '')}/${name}, not a file in ${INSTALLED_CONFIG_DIR}; write the full path.`,
  );
}

/** The command that builds an indexed table, as the admin types it on the installed system. */
function buildCommand(use: TableUse): string {
  return `${use.format === 'aliases' ? 'postalias' : 'postmap'} ${use.ref.type}:${use.installed.source}`;
}

/**
 * A table the configuration names is not there. On a live system Postfix
 * cannot open it. A repository copy may leave it to deployment (secrets such
 * as sasl_passwd are rarely committed), unless a file of a similar name
 * suggests a typo.
 */
function missingTable(config: PostfixConfig, use: TableUse): Problem {
  const installed = use.installed.source!;
  if (config.mode === 'live') return tableProblem('tableMissing', use.file, use.range, `${use.spec}: the file ${installed} does not exist.`);
  const local = use.files.source!;
  const near = nearbyName(config, local);
  if (near) return tableProblem('tableMissing', use.file, use.range, `${use.spec}: there is no ${basename(local)} beside main.cf; did you mean ${near}?`);
  return tableProblem('notInRepository', use.file, use.range, `${use.spec}: ${relativeTo(config.dir, local)} is not in this repository copy, so it is not checked. Postfix needs it at ${installed} once installed.`);
}

/** A file in the same directory whose name is one edit away (sender_acces → sender_access). */
function nearbyName(config: PostfixConfig, local: string): string | undefined {
  const list = config.files.base.listDirectory?.(dirname(local));
  const name = basename(local);
  return list?.find((n) => n !== name && editDistance(n, name, 1, { transpositions: true }) <= 1 && !/\.(db|lmdb|cdb|dir|pag)$/.test(n));
}

function relativeTo(dir: string, path: string): string {
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}

/** Indexed tables (hash, lmdb, cdb, ...) need postmap (postalias for aliases) after each edit of the source. */
function indexProblems(config: PostfixConfig, use: TableUse): Problem[] {
  const installed = use.installed;
  if (!installed.source || !installed.indexed || !config.files.mtimeMs) return [];
  const indexTimes = installed.indexed.map((p) => config.files.mtimeMs(p));
  const built = installed.indexed.join(', ');
  if (config.mode === 'repository') {
    // Compiled files are built when the copy is installed; their mtimes from a checkout mean nothing.
    if (indexTimes.some((t) => t === undefined))
      return [tableProblem('builtAtDeploy', use.file, use.range, `${use.spec}: ${built} is built when this configuration is installed: run "${buildCommand(use)}" there.`)];
    return [];
  }
  if (indexTimes.some((t) => t === undefined)) {
    return [tableProblem('missingIndex', use.file, use.range, `${use.spec}: ${built} does not exist; run "${buildCommand(use)}".`)];
  }
  const srcTime = config.files.mtimeMs(installed.source);
  if (srcTime !== undefined && indexTimes.some((t) => t! < srcTime)) {
    return [tableProblem('staleIndex', use.file, use.range, `${use.spec}: ${installed.source} changed after ${built} was built; run "${buildCommand(use)}" or Postfix keeps using the old entries.`)];
  }
  return [];
}

export function parseTableText(type: string, path: string, text: string): Problem[] {
  if (type === 'cidr') return parseCidrTable(text, path).problems;
  if (type === 'pcre' || type === 'regexp') return parseRegexTable(type, text, path).problems;
  if (isAccessSourceType(type)) return parseAccessTable(text, path, { type }).problems;
  return [];
}

/** standaloneTableProblems with their quick fixes and tags, the fixes made against the file's text. */
export function standaloneTableFindings(config: PostfixConfig, path: string, content: string | FileSource): Problem[] {
  // A link out of a repository copy: its text (an editor's buffer, a file named on the command line) is another file's, never shown as a table's.
  const target = config.files.linkTarget(path);
  if (target) return [fileProblem('unreadable', path, FILE_START, `${linkedOutText(path, target)}, so it is not checked and its content is not shown.`)];
  return withTags(withQuickFixes(config, standaloneTableProblems(path, content), (p) => (p === path ? textOf(content) : undefined)));
}

/** A table file no configuration names: guess its type from its name. */
export function standaloneTableProblems(path: string, content: string | FileSource): Problem[] {
  const name = basename(path);
  if (/\.cidr$/.test(name)) return parseTableText('cidr', path, textOf(content));
  if (/\.pcre$/.test(name)) return parseTableText('pcre', path, textOf(content));
  if (/\.regexp$/.test(name)) return parseTableText('regexp', path, textOf(content));
  // Read from bytes when they are given and plain; else (or when that gives up) from the text.
  if (typeof content !== 'string') {
    const table = parseAccessBytes(content.bytes, content.text, path, { type: 'hash' });
    if (table) return table.problems;
  }
  return parseTableText('hash', path, textOf(content));
}

function textOf(content: string | FileSource): string {
  return typeof content === 'string' ? content : content.text();
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

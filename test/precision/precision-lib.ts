// The real-world precision suite's machinery, shared by precision.test.ts and
// scripts/precision-update.mjs: where the collected configurations are, how each
// is linted (exactly as `postfix-lint DIR` does), and findings.tsv in and out.
//
// The configurations themselves are third-party files (see SOURCES.tsv). They
// are not committed here: the harness reads them from PRECISION_CORPUS, else
// test/precision/corpus/ (git-ignored, a local copy), else ../shared/precision/.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fsReader } from '../../server/src/cli/main';
import { lintPaths } from '../../server/src/engine/lint';
import type { Problem } from '../../server/src/engine/types';
import { repoDir, sharedDir } from '../helpers/env';

export const PRECISION_DIR = join(repoDir, 'test', 'precision');
export const FINDINGS_FILE = join(PRECISION_DIR, 'findings.tsv');
export const SOURCES_FILE = join(PRECISION_DIR, 'SOURCES.tsv');
export const UPDATE_COMMAND = 'npm run precision:update';

/** Where the collected configurations live: a directory holding configs/<name>/. */
export function corpusCandidates(): string[] {
  const env = process.env.PRECISION_CORPUS;
  return [...(env ? [resolve(env)] : []), join(PRECISION_DIR, 'corpus'), join(sharedDir, 'precision')];
}

export function findCorpus(): string | undefined {
  return corpusCandidates().find((d) => existsSync(join(d, 'configs')));
}

export function configNames(corpus: string): string[] {
  const dir = join(corpus, 'configs');
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort();
}

/**
 * The CLI's reader, with one change: every file under the corpus reports the
 * same modification time. A fresh checkout or copy gives files arbitrary mtimes,
 * so a committed map.db would be older or newer than its source by chance;
 * with equal times the result does not depend on the order files were written.
 */
export function pinnedReader(corpus: string): typeof fsReader {
  const root = resolve(corpus) + sep;
  return {
    ...fsReader,
    mtimeMs: (p) => {
      const t = fsReader.mtimeMs?.(p);
      return t !== undefined && resolve(p).startsWith(root) ? 0 : t;
    },
  };
}

export interface Finding {
  config: string;
  file: string;
  line: number;
  code: string;
  message: string;
}

export interface Row extends Finding {
  verdict: string;
}

/** Lints one configuration directory as `postfix-lint DIR` with default options. */
export function lintConfig(corpus: string, name: string, reader = pinnedReader(corpus)): Finding[] {
  const dir = resolve(corpus, 'configs', name);
  const problems: Problem[] = lintPaths([dir], reader, {});
  return problems.map((p) => ({
    config: name,
    file: p.file.startsWith(dir + sep) ? relative(dir, p.file) : p.file,
    line: p.range.start.line + 1,
    code: p.code,
    // Messages quote paths; the corpus can sit anywhere, so its location is not part of them.
    message: p.message.split(dir + sep).join('<DIR>/').split(dir).join('<DIR>'),
  }));
}

export function lintCorpus(corpus: string): Finding[] {
  const reader = pinnedReader(corpus);
  return sortFindings(configNames(corpus).flatMap((n) => lintConfig(corpus, n, reader)));
}

export function sortFindings<T extends Finding>(rows: T[]): T[] {
  return [...rows].sort(
    (a, b) => cmp(a.config, b.config) || cmp(a.file, b.file) || a.line - b.line || cmp(a.code, b.code) || cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- findings.tsv ----------------------------------------------------------

export const HEADER = ['config', 'file', 'line', 'code', 'message', 'verdict'];

/** Tabs, newlines and backslashes in a field are written as \t, \n and \\. */
export function escapeField(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export function unescapeField(s: string): string {
  return s.replace(/\\(\\|t|r|n)/g, (_, c: string) => (c === 't' ? '\t' : c === 'r' ? '\r' : c === 'n' ? '\n' : '\\'));
}

export function formatRows(rows: Row[]): string {
  const lines = [HEADER.join('\t')];
  for (const r of rows) lines.push([r.config, r.file, String(r.line), r.code, r.message, r.verdict].map(escapeField).join('\t'));
  return lines.join('\n') + '\n';
}

export function parseRows(text: string): { rows: Row[]; errors: string[] } {
  const rows: Row[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  if (lines[0] !== HEADER.join('\t')) errors.push(`findings.tsv line 1: the header must be "${HEADER.join('\\t')}"`);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split('\t').map(unescapeField);
    if (f.length !== HEADER.length || !/^\d+$/.test(f[2])) {
      errors.push(`findings.tsv line ${i + 1}: expected ${HEADER.length} tab-separated fields with a line number`);
      continue;
    }
    rows.push({ config: f[0], file: f[1], line: Number(f[2]), code: f[3], message: f[4], verdict: f[5] });
  }
  return { rows, errors };
}

export function readRows(): { rows: Row[]; errors: string[] } {
  if (!existsSync(FINDINGS_FILE)) return { rows: [], errors: [`${relative(repoDir, FINDINGS_FILE)} does not exist`] };
  return parseRows(readFileSync(FINDINGS_FILE, 'utf8'));
}

/** A verdict is `true: reason` or `false: reason`, with a reason. */
export function verdictKind(v: string): 'true' | 'false' | undefined {
  const m = /^(true|false):\s*(\S.*)$/.exec(v);
  return m ? (m[1] as 'true' | 'false') : undefined;
}

export const UNREVIEWED = 'UNREVIEWED';

const findingKey = (f: Finding) => [f.config, f.file, f.line, f.code, f.message].join('\u0000');
const verdictKey = (f: Finding) => [f.config, f.file, f.code, f.message].join('\u0000');

/** Findings the engine makes that findings.tsv lacks, and rows it has that the engine no longer makes. */
export function compareFindings(actual: Finding[], expected: Finding[]): { added: Finding[]; lost: Finding[] } {
  return { added: minus(actual, expected), lost: minus(expected, actual) };
}

/** The items of `a` left after taking away one match in `b` for each (multiset difference). */
function minus(a: Finding[], b: Finding[]): Finding[] {
  const left = new Map<string, number>();
  for (const f of b) left.set(findingKey(f), (left.get(findingKey(f)) ?? 0) + 1);
  return a.filter((f) => {
    const n = left.get(findingKey(f)) ?? 0;
    if (n > 0) left.set(findingKey(f), n - 1);
    return n === 0;
  });
}

/**
 * New rows for the current findings, keeping each verdict by (config, file,
 * code, message) so a finding that only moved to another line keeps it; rows
 * with nothing to keep are marked UNREVIEWED.
 */
export function mergeVerdicts(actual: Finding[], previous: Row[]): Row[] {
  const pool = new Map<string, Row[]>();
  for (const r of sortFindings(previous)) {
    const k = verdictKey(r);
    pool.set(k, [...(pool.get(k) ?? []), r]);
  }
  const out: Row[] = [];
  // Exact (same line) matches first, then the rest in line order.
  const pending: Finding[] = [];
  for (const f of actual) {
    const rows = pool.get(verdictKey(f)) ?? [];
    const i = rows.findIndex((r) => r.line === f.line);
    if (i >= 0) {
      out.push({ ...f, verdict: rows[i].verdict });
      rows.splice(i, 1);
    } else pending.push(f);
  }
  for (const f of pending) {
    const rows = pool.get(verdictKey(f)) ?? [];
    const r = rows.shift();
    out.push({ ...f, verdict: r?.verdict ?? UNREVIEWED });
  }
  return sortFindings(out);
}

export function describe(f: Finding): string {
  return `${f.config}/${f.file}:${f.line} ${f.code} ${f.message}`;
}

/** The summary the test prints: configs, findings by code, true and false. */
export function summary(configs: number, rows: Row[]): string[] {
  const byCode = new Map<string, { n: number; t: number; f: number }>();
  for (const r of rows) {
    const c = byCode.get(r.code) ?? { n: 0, t: 0, f: 0 };
    c.n++;
    if (verdictKind(r.verdict) === 'true') c.t++;
    if (verdictKind(r.verdict) === 'false') c.f++;
    byCode.set(r.code, c);
  }
  const t = rows.filter((r) => verdictKind(r.verdict) === 'true').length;
  const f = rows.filter((r) => verdictKind(r.verdict) === 'false').length;
  const withFindings = new Set(rows.map((r) => r.config)).size;
  const out = [`precision: ${configs} configurations (${withFindings} with findings), ${rows.length} findings: ${t} true, ${f} false positives`];
  for (const [code, c] of [...byCode].sort((a, b) => cmp(a[0], b[0]))) out.push(`  ${code}: ${c.n} (${c.t} true, ${c.f} false)`);
  return out;
}

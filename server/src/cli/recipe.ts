// postfix-lint recipes | recipe NAME -c DIR [--set KEY=VALUE]... [--diff|--write]
// postfix-lint --fix [--diff] PATH...   (every safe fix: "Harden this configuration")
// Output is a unified diff or the files written atomically (./write-files.ts:
// temporary file in the same directory, then rename; the old file's mode and
// owner kept). Nothing is written unless --write or --fix asks for it.

import { dirname, resolve } from 'node:path';
import { loadConfig } from '../engine/config';
import { RECIPES, buildRecipe } from '../engine/recipes';
import { applyTextEdits, mergeHardeningFixes } from '../engine/rules';
import { judgedHardening } from '../engine/lint';
import { RuleContext } from '../engine/rules/context';
import type { FileReader, Fix, Problem } from '../engine/types';
import type { CliIo } from './io';
import type { LintArgs } from './main';
import { judgeProblems, ruleSettingsForDir } from './rule-config';
import { writeFilesAtomic } from './write-files';

/** A unified diff of two texts (line-based LCS; configuration files are small). */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  const a = before === undefined ? [] : before.split('\n');
  const b = after.split('\n');
  if (before !== undefined && a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { t: ' ' | '-' | '+'; s: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ t: ' ', s: a[i++], ai: i, bi: ++j });
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ t: '-', s: a[i++], ai: i, bi: j });
    else ops.push({ t: '+', s: b[j++], ai: i, bi: j });
  }
  const out: string[] = [`--- ${before === undefined ? '/dev/null' : `a${path}`}`, `+++ b${path}`];
  const CONTEXT = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k].t === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - CONTEXT);
    let end = k;
    while (end < ops.length) {
      if (ops[end].t !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run].t === ' ') run++;
      if (run >= ops.length || run - end > 2 * CONTEXT) {
        end = Math.min(run, end + CONTEXT);
        break;
      }
      end = run;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.filter((o) => o.t !== '+').length ? hunk.find((o) => o.t !== '+')!.ai : (ops[start - 1]?.ai ?? 0);
    const bStart = hunk.filter((o) => o.t !== '-').length ? hunk.find((o) => o.t !== '-')!.bi : (ops[start - 1]?.bi ?? 0);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen ? aStart : aStart}${aLen === 1 ? '' : `,${aLen}`} +${bLen ? bStart : bStart}${bLen === 1 ? '' : `,${bLen}`} @@`);
    for (const o of hunk) out.push(`${o.t}${o.s}`);
    k = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

/** New text of every file a fix touches or creates. */
export function fixResult(fix: Fix, reader: FileReader): Map<string, { before?: string; after: string }> {
  const out = new Map<string, { before?: string; after: string }>();
  for (const f of fix.newFiles ?? []) if (reader.readText(f.file) === undefined) out.set(f.file, { after: f.text });
  for (const file of new Set(fix.edits.map((e) => e.file))) {
    const before = reader.readText(file);
    const after = applyTextEdits(before ?? '', fix.edits.filter((e) => e.file === file));
    if (after !== before) out.set(file, { before, after });
  }
  return out;
}

/** Prints the diff, or writes every file (all or none); 1 when they could not be written. */
function emit(result: Map<string, { before?: string; after: string }>, write: boolean, io: CliIo): number {
  if (!write) {
    for (const [file, r] of result) io.stdout(unifiedDiff(file, r.before, r.after));
    return 0;
  }
  try {
    writeFilesAtomic([...result].map(([path, r]) => ({ path, text: r.after, before: r.before })));
  } catch (e) {
    io.stderr(`postfix-lint: ${(e as Error).message}\n`);
    return 1;
  }
  for (const file of result.keys()) io.stderr(`postfix-lint: wrote ${file}\n`);
  return 0;
}

export function runRecipes(io: CliIo): number {
  for (const r of RECIPES) {
    io.stdout(`${r.name.padEnd(24)} ${r.title}\n`);
    for (const p of r.parameters) io.stdout(`${''.padEnd(24)}   --set ${p.key}=...  ${p.description}\n`);
  }
  return 0;
}

const RECIPE_USAGE = 'usage: postfix-lint recipe NAME -c DIR [--set KEY=VALUE]... [--postfix-version X.Y] [--diff|--write]';

export function runRecipe(argv: string[], io: CliIo & { reader: FileReader }): number {
  let name: string | undefined;
  let dir: string | undefined;
  let write = false;
  let version: string | undefined;
  const sets: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c') dir = argv[++i];
    else if (a === '--set') {
      const kv = argv[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        io.stderr(`postfix-lint: --set wants KEY=VALUE, not "${kv}"\n${RECIPE_USAGE}\n`);
        return 2;
      }
      sets[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === '--postfix-version') {
      // The release the recipe writes for: nothing that release lacks (tls before 3.4: no smtpd_tls_chain_files).
      version = argv[++i];
      if (!/^\d+\.\d+(\.\d+)?$/.test(version ?? '')) {
        io.stderr(`postfix-lint: --postfix-version needs a release such as 3.3 or 3.7.11, not "${version ?? ''}"\n${RECIPE_USAGE}\n`);
        return 2;
      }
    } else if (a === '--write') write = true;
    else if (a === '--diff') write = false;
    else if (a.startsWith('-')) {
      io.stderr(`postfix-lint: unknown option ${a}\n${RECIPE_USAGE}\n`);
      return 2;
    } else if (!name) name = a;
    else {
      io.stderr(`${RECIPE_USAGE}\n`);
      return 2;
    }
  }
  if (!name || !dir) {
    io.stderr(`${RECIPE_USAGE}\n`);
    return 2;
  }
  const d = resolve(dir);
  if (io.reader.readText(`${d}/main.cf`) === undefined) {
    io.stderr(`postfix-lint: no main.cf in ${d}\n`);
    return 2;
  }
  const config = loadConfig(d, io.reader, { mode: 'repository', version });
  let built;
  try {
    built = buildRecipe(new RuleContext(config, io.reader), name, sets);
  } catch (e) {
    io.stderr(`postfix-lint: ${(e as Error).message}\n`);
    return 2;
  }
  const fix: Fix = { title: built.recipe.title, edits: built.change.edits, newFiles: built.change.newFiles };
  const result = fixResult(fix, io.reader);
  if (result.size === 0) io.stderr(`postfix-lint: recipe ${name}: nothing to change\n`);
  const status = emit(result, write, io);
  if (status) return status;
  for (const n of built.notes) io.stderr(`note: ${n}\n`);
  return 0;
}

/**
 * --fix [--diff] PATH...: hardening and every safe quick fix ("Fix all") of
 * each configuration directory, of the findings the same options would
 * report: a rule turned off (by --config FILE or the nearest
 * .postfix-lint.json) or below --min-severity (at its configured severity) is
 * not fixed.
 */
export function runFix(args: Pick<LintArgs, 'paths' | 'diff' | 'version' | 'mode' | 'configFile' | 'minSeverity'>, io: CliIo & { reader: FileReader }): number {
  for (const p of args.paths) {
    const abs = resolve(p);
    const dir = io.reader.readText(`${abs}/main.cf`) !== undefined ? abs : dirname(abs);
    if (io.reader.readText(`${dir}/main.cf`) === undefined) {
      io.stderr(`postfix-lint: --fix needs a configuration directory with main.cf: ${p}\n`);
      return 2;
    }
    const settings = ruleSettingsForDir(dir, io.reader, args.configFile);
    for (const e of settings.errors) io.stderr(`postfix-lint: warning: ${e}\n`);
    const config = loadConfig(dir, io.reader, { version: args.version, mode: args.mode });
    const { problems, fix: harden } = judgedHardening(config, io.reader, (ps) => judgeProblems(ps, settings, args.minSeverity));
    // Also the editor's "Fix all": every safe quick fix that does not touch what hardening changes.
    const hardening: Problem = { code: '', severity: 'error', category: 'security', file: config.mainPath, range: harden.edits[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: harden.title, fixes: [harden] };
    const fix = mergeHardeningFixes([hardening, ...problems], { pick: (q) => q.fixes?.find((f) => f === harden || f.safe) });
    const status = emit(fixResult(fix, io.reader), !args.diff, io);
    if (status) return status;
  }
  return 0;
}

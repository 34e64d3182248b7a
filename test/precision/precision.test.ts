// Real-world precision: lints every collected configuration (SOURCES.tsv) the
// way `postfix-lint DIR` does and holds the result to findings.tsv, where each
// finding carries a reviewed verdict: `true: why Postfix agrees` or `false: the
// known false positive and its cause` (TRIAGE.md groups them). A new finding,
// a lost finding or an unreviewed row fails, with the command that updates it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoDir, requireTools } from '../helpers/env';
import {
  compareFindings,
  configNames,
  corpusCandidates,
  describe,
  findCorpus,
  FINDINGS_FILE,
  lintCorpus,
  readRows,
  SOURCES_FILE,
  summary,
  UNREVIEWED,
  UPDATE_COMMAND,
  verdictKind,
  type Finding,
  type Row,
} from './precision-lib';
import { isSharedConfig, lintShared, SHARED_CONFIGS, SHARED_CORPUS, sharedCorpusPresent, unstagedSharedDirs } from './shared-tier';

const corpus = findCorpus();

/**
 * The collected configurations are third-party files fetched from public
 * repositories; developers do not commit fetched material, it belongs in the
 * steering repository's shared/precision (docs/development.md, "Proof"). Where it is not
 * there, say so loudly: the verdict check above still runs, the findings
 * check cannot. It is not reported as a skip, since no prerequisite of this
 * machine is missing; the notice names what is.
 */
function needCorpus(t: TestContext, dir: string | undefined): dir is string {
  if (dir !== undefined) return true;
  const msg = `NOTICE: the precision corpus is not on this machine (looked in ${corpusCandidates().join(', ')}); "${t.name}" checked nothing. Rebuild it with node scripts/precision-corpus.mjs (see test/precision/README.md).`;
  t.diagnostic(msg);
  console.error(`# ${msg}`);
  return false;
}

test('every row of findings.tsv has a reviewed verdict', () => {
  const { rows, errors } = readRows();
  assert.deepEqual(errors, []);
  const bad = rows.filter((r) => verdictKind(r.verdict) === undefined);
  assert.equal(
    bad.length,
    0,
    `${bad.length} row(s) without a verdict "true: reason" or "false: reason" (${UNREVIEWED} means not reviewed yet):\n` +
      bad.slice(0, 40).map((r) => `  ${describe(r)}  [${r.verdict || 'empty'}]`).join('\n') +
      `\nReview them in ${relative(repoDir, FINDINGS_FILE)}; see test/precision/TRIAGE.md for the known classes.`,
  );
});

function listedConfigs(): string[] {
  return readFileSync(SOURCES_FILE, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t')[0]);
}

test('every row of findings.tsv names a configuration of SOURCES.tsv or of the shared tier', () => {
  const known = new Set([...listedConfigs(), ...SHARED_CONFIGS.map((c) => c.name)]);
  const stray = [...new Set(readRows().rows.map((r) => r.config))].filter((c) => !known.has(c));
  assert.deepEqual(stray, []);
});

test('SOURCES.tsv and the collected configurations name the same configurations', (t) => {
  if (!needCorpus(t, corpus)) return;
  const listed = listedConfigs();
  assert.equal(new Set(listed).size, listed.length, 'a configuration is listed twice in SOURCES.tsv');
  assert.deepEqual([...listed].sort(), configNames(corpus));
});

/** Fails with the differences between what the engine finds and the recorded rows. */
function holdToRows(t: TestContext, where: string, configs: number, actual: Finding[], rows: Row[]): void {
  for (const line of summary(configs, rows)) t.diagnostic(line);
  const { added, lost } = compareFindings(actual, rows);
  if (added.length === 0 && lost.length === 0) return;
  const show = (label: string, list: typeof added) =>
    list.length ? [`${label} (${list.length}):`, ...list.slice(0, 60).map((f) => `  ${describe(f)}`), ...(list.length > 60 ? [`  ... ${list.length - 60} more`] : [])] : [];
  assert.fail(
    [
      `findings differ from ${relative(repoDir, FINDINGS_FILE)} (${where}):`,
      ...show('+ new findings, not recorded', added),
      ...show('- recorded findings the engine no longer makes', lost),
      `If the change is intended, run "${UPDATE_COMMAND}" and review the rows it marks ${UNREVIEWED}.`,
    ].join('\n'),
  );
}

test('the engine makes exactly the findings recorded in findings.tsv', (t) => {
  if (!needCorpus(t, corpus)) return;
  const actual = lintCorpus(corpus);
  const { rows, errors } = readRows();
  assert.deepEqual(errors, []);
  // Configurations missing from the corpus fail the SOURCES.tsv test above; here they are left out.
  const present = new Set(configNames(corpus));
  holdToRows(t, `corpus ${corpus}`, present.size, actual, rows.filter((r) => present.has(r.config)));
});

// The shared tier: configurations staged from ../shared/corpus, which CI has
// beside the checkout, so this check runs on every CI build (shared-tier.ts).
test('shared tier: every directory of ../shared/corpus is staged', (t) => {
  if (!requireTools(t, { path: SHARED_CORPUS })) return;
  assert.ok(sharedCorpusPresent(), `${SHARED_CORPUS}/SOURCES.tsv is missing`);
  assert.deepEqual(unstagedSharedDirs(), [], 'shared material no configuration of shared-tier.ts stages: add it there (or stage it in an existing one)');
});

test('shared tier: the engine makes exactly the findings recorded in findings.tsv', (t) => {
  if (!requireTools(t, { path: SHARED_CORPUS })) return;
  const actual = lintShared();
  const { rows, errors } = readRows();
  assert.deepEqual(errors, []);
  holdToRows(t, `shared tier staged from ${SHARED_CORPUS}`, SHARED_CONFIGS.length, actual, rows.filter((r) => isSharedConfig(r.config)));
});

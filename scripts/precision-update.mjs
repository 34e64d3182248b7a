// npm run precision:update: rewrites test/precision/findings.tsv from the
// current engine, for each tier that is on this machine:
//   - the full corpus (configs/<name>/ in PRECISION_CORPUS, test/precision/corpus
//     or ../shared/precision), and
//   - the shared tier (configurations staged from ../shared/corpus; names "shared-*").
// Rows of a tier (or of a configuration) that is not on this machine are kept as they are.
// Verdicts are kept by (config, file, code, message); findings with no verdict
// to keep are marked UNREVIEWED, and the precision test fails until someone
// reviews them. Prints what changed.
import { existsSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const lib = await tsImport('../test/precision/precision-lib.ts', import.meta.url);
const shared = await tsImport('../test/precision/shared-tier.ts', import.meta.url);

const tiers = [];
const corpus = lib.findCorpus();
if (corpus) {
  // Only the configurations that are there: a partly rebuilt corpus must not drop the others' rows.
  const present = new Set(lib.configNames(corpus));
  tiers.push({ name: `full corpus ${corpus}`, configs: present.size, owns: (r) => present.has(r.config), actual: () => lib.lintCorpus(corpus) });
}
else console.error(`precision:update: full corpus not found (looked in ${lib.corpusCandidates().join(', ')}); its rows are kept as they are`);
if (shared.sharedCorpusPresent()) tiers.push({ name: `shared tier from ${shared.SHARED_CORPUS}`, configs: shared.SHARED_CONFIGS.length, owns: (r) => shared.isSharedConfig(r.config), actual: () => shared.lintShared() });
else console.error(`precision:update: ${shared.SHARED_CORPUS} not found; the shared tier's rows are kept as they are`);
if (tiers.length === 0) {
  console.error('precision:update: no tier to update (set PRECISION_CORPUS to the directory that holds configs/)');
  process.exit(2);
}

const { rows: previous, errors } = existsSync(lib.FINDINGS_FILE) ? lib.readRows() : { rows: [], errors: [] };
if (errors.length) {
  console.error(`precision:update: cannot read findings.tsv:\n  ${errors.join('\n  ')}`);
  process.exit(2);
}

let rows = previous.filter((r) => !tiers.some((t) => t.owns(r)));
const printed = [];
for (const t of tiers) {
  const before = previous.filter(t.owns);
  const actual = t.actual();
  const merged = lib.mergeVerdicts(actual, before);
  const { added, lost } = lib.compareFindings(actual, before);
  rows.push(...merged);
  for (const f of added) console.log(`+ ${lib.describe(f)}`);
  for (const f of lost) console.log(`- ${lib.describe(f)}`);
  printed.push(`${t.name}: ${merged.length} findings (${added.length} new, ${lost.length} gone)`, ...lib.summary(t.configs, merged));
}
rows = lib.sortFindings(rows);
writeFileSync(lib.FINDINGS_FILE, lib.formatRows(rows));
const unreviewed = rows.filter((r) => r.verdict === lib.UNREVIEWED).length;
console.log(printed.join('\n'));
console.log(`${rows.length} rows written; ${unreviewed} to review (marked ${lib.UNREVIEWED}).`);

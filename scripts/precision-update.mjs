// npm run precision:update: rewrites test/precision/findings.tsv from the
// current engine. Verdicts are kept by (config, file, code, message); findings
// with no verdict to keep are marked UNREVIEWED, and the precision test fails
// until someone reviews them. Prints what changed.
import { existsSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const lib = await tsImport('../test/precision/precision-lib.ts', import.meta.url);
const corpus = lib.findCorpus();
if (!corpus) {
  console.error(`precision:update: no collected configurations in any of:\n  ${lib.corpusCandidates().join('\n  ')}\n(set PRECISION_CORPUS to the directory that holds configs/)`);
  process.exit(2);
}
const { rows: previous, errors } = existsSync(lib.FINDINGS_FILE) ? lib.readRows() : { rows: [], errors: [] };
if (errors.length) {
  console.error(`precision:update: cannot read findings.tsv:\n  ${errors.join('\n  ')}`);
  process.exit(2);
}
const actual = lib.lintCorpus(corpus);
const rows = lib.mergeVerdicts(actual, previous);
const { added, lost } = lib.compareFindings(actual, previous);
writeFileSync(lib.FINDINGS_FILE, lib.formatRows(rows));
for (const f of added) console.log(`+ ${lib.describe(f)}`);
for (const f of lost) console.log(`- ${lib.describe(f)}`);
const unreviewed = rows.filter((r) => r.verdict === lib.UNREVIEWED).length;
console.log(`${rows.length} findings written (${added.length} new, ${lost.length} gone); ${unreviewed} to review (marked ${lib.UNREVIEWED}).`);
for (const line of lib.summary(lib.configNames(corpus).length, rows)) console.log(line);

// `postfix-lint --format html PATH...`: the lint report as one self-contained
// HTML page (server/src/report/html.ts), with each configuration's relay
// matrix and every file coloured by the extension's grammars.

import { relative, sep } from 'node:path';
import { ruleDocUrl } from '../engine/codes';
import { documentKind, type LintReport } from '../engine/lint';
import { loadSimConfig } from '../engine/simulate/config';
import { relayMatrix } from '../engine/simulate/matrix';
import type { FileReader, Problem } from '../engine/types';
import { renderHtmlReport, type ReportFile } from '../report/html';
import { Highlighter } from '../report/tokenize';

export async function htmlReport(report: LintReport, problems: Problem[], paths: string[], reader: FileReader, cwd = process.cwd()): Promise<string> {
  const name = (p: string) => {
    const r = relative(cwd, p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  // Only files of the configurations, or named on the command line, are shown:
  // a table path pointing anywhere else never puts that file in the page.
  const inside = (p: string) => paths.includes(p) || report.configurations.some((c) => p.startsWith(c.dir.endsWith(sep) ? c.dir : c.dir + sep));
  const wanted: string[] = [];
  for (const c of report.configurations) for (const f of ['main.cf', 'master.cf']) wanted.push(`${c.dir.replace(/\/+$/, '')}/${f}`);
  for (const p of paths) wanted.push(p);
  for (const p of problems) wanted.push(p.file);
  const highlighter = await Highlighter.create();
  const files: ReportFile[] = [];
  for (const path of [...new Set(wanted)]) {
    if (!inside(path)) continue;
    const text = reader.readText(path);
    if (text === undefined) continue;
    const lines = text.split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    files.push({ path, name: name(path), lines, tokens: highlighter.tokenize(documentKind(path), lines) });
  }
  const configurations = report.configurations.map((c) => {
    const hasMain = reader.readText(`${c.dir.replace(/\/+$/, '')}/main.cf`) !== undefined;
    return { dir: c.dir, name: name(c.dir), mode: c.mode, matrix: hasMain ? relayMatrix(loadSimConfig(c.dir, reader, c.mode)) : undefined };
  });
  return renderHtmlReport({
    title: `Postfix configuration report: ${configurations.map((c) => c.name).join(', ') || paths.map(name).join(', ')}`,
    configurations,
    files,
    problems,
    docUrl: ruleDocUrl,
  });
}

// Output formats of postfix-lint: text for people (`file:line:col: severity
// code: message`), JSON for scripts, SARIF 2.1.0 for code-review tools.

import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { allRules, DOCS_BASE_URL, ruleDocUrl } from '../engine/codes';
import type { Problem } from '../engine/types';
import type { ConfigMode } from '../engine/config-files';

/** How a configuration directory was judged (see engine/config-files.ts). */
export interface JudgedConfiguration {
  dir: string;
  mode: ConfigMode;
}

const MODE_TEXT: Record<ConfigMode, string> = {
  live: 'judged as the live configuration of this machine (--repository to judge it as a copy kept elsewhere)',
  repository: 'judged as a repository copy: tables beside main.cf, host files not read, compiled tables built at deploy time (--live to judge it as this machine\'s configuration)',
};

export type OutputFormat = 'text' | 'json' | 'sarif' | 'gitlab';
/** What runLint accepts: the formats above, and the HTML report (cli/report.ts). */
export type LintFormat = OutputFormat | 'html';

/**
 * Text for a terminal: control characters from a configuration (ESC, CR,
 * backspace, ...) are shown as \\xNN instead of acting on the terminal.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code),
  );
}

export function formatProblems(problems: Problem[], format: OutputFormat, cwd: string, configurations: JudgedConfiguration[] = []): string {
  const sorted = sortProblems(problems);
  const rel = (f: string) => {
    const r = relative(cwd, f);
    return r === '' ? '.' : r.startsWith('..') ? f : r;
  };
  const judged = configurations.map((c) => ({ path: rel(c.dir), mode: c.mode }));
  if (format === 'json') {
    return `${JSON.stringify({ configurations: judged, problems: sorted.map((p) => ({ ...p, file: rel(p.file), url: ruleDocUrl(p.code), ...(p.related ? { related: p.related.map((r) => ({ ...r, file: rel(r.file) })) } : {}) })) }, null, 2)}\n`;
  }
  if (format === 'sarif') return `${JSON.stringify(toSarif(sorted, rel, judged), null, 2)}\n`;
  if (format === 'gitlab') return `${JSON.stringify(toCodeQuality(sorted, rel), null, 2)}\n`;
  const lines = sorted.map((p) => printable(`${rel(p.file)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity} ${p.code}: ${p.message}`));
  for (const c of judged) lines.push(`${c.path}: ${MODE_TEXT[c.mode]}`);
  const errors = sorted.filter((p) => p.severity === 'error').length;
  const warnings = sorted.filter((p) => p.severity === 'warning').length;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${sorted.length - errors - warnings} other`);
  return `${lines.join('\n')}\n`;
}

const CODE_QUALITY_SEVERITY: Record<Problem['severity'], string> = { error: 'critical', warning: 'major', info: 'minor', hint: 'info' };

/**
 * GitLab's code-quality report (a subset of the Code Climate format). The
 * fingerprint leaves the line out, so a finding that only moved is not shown
 * as fixed and new in a merge request; repeats of the same finding are numbered.
 */
function toCodeQuality(problems: Problem[], rel: (f: string) => string): object[] {
  const seen = new Map<string, number>();
  return problems.map((p) => {
    const base = `${p.code}\u0000${rel(p.file)}\u0000${p.message}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return {
      type: 'issue',
      check_name: p.code,
      description: `${p.code}: ${p.message}`,
      categories: [p.category === 'security' ? 'Security' : p.category === 'style' ? 'Style' : 'Bug Risk'],
      severity: CODE_QUALITY_SEVERITY[p.severity],
      fingerprint: createHash('sha256').update(`${base}\u0000${n}`).digest('hex'),
      location: { path: rel(p.file), lines: { begin: p.range.start.line + 1, end: p.range.end.line + 1 } },
    };
  });
}

const LEVEL: Record<Problem['severity'], string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

function physicalLocation(uri: string, range: Problem['range']): object {
  return {
    artifactLocation: { uri },
    region: { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 },
  };
}

function toSarif(problems: Problem[], rel: (f: string) => string, configurations: { path: string; mode: ConfigMode }[]): object {
  const rules = allRules();
  const index = new Map(rules.map((r, i) => [r.code, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'postfix-lint',
            // The project's page (the rule pages live under it).
            informationUri: DOCS_BASE_URL.replace(/\/blob\/[^/]+\/docs\/rules\/$/, ''),
            rules: rules.map((r) => ({
              id: r.code,
              shortDescription: { text: r.summary },
              helpUri: ruleDocUrl(r.code),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { category: r.category },
            })),
          },
        },
        properties: { configurations },
        results: problems.map((p) => ({
          ruleId: p.code,
          ...(index.has(p.code) ? { ruleIndex: index.get(p.code) } : {}),
          level: LEVEL[p.severity],
          message: { text: p.message },
          locations: [{ physicalLocation: physicalLocation(rel(p.file), p.range) }],
          // The other places of the same mistake.
          ...(p.related?.length ? { relatedLocations: p.related.map((r, id) => ({ id, physicalLocation: physicalLocation(rel(r.file), r.range), message: { text: r.message } })) } : {}),
        })),
      },
    ],
  };
}

// The CLI's side of rule settings (engine/rule-settings.ts): each target is
// linted and judged by `--config FILE`, or else by the `.postfix-lint.json`
// nearest above it, the same file the language server reads for the editor.

import { dirname } from 'node:path';
import { lintTargets, type LintOptions, type LintReport } from '../engine/lint';
import { applyRuleSettings, findRuleSettings, readRuleSettingsFile, type FoundRuleSettings } from '../engine/rule-settings';
import { SEVERITY_RANK, type FileReader, type Problem } from '../engine/types';

type Reader = FileReader & { isDirectory(p: string): boolean };

/** The rule settings for a configuration directory: `--config FILE`, else the nearest .postfix-lint.json above it. */
export function ruleSettingsForDir(dir: string, reader: FileReader, configFile: string | undefined): FoundRuleSettings {
  return configFile ? readRuleSettingsFile(configFile, reader) : findRuleSettings(dir, reader);
}

/** The problems as the user asked to see them: rule settings applied, then those below `minSeverity` left out. */
export function judgeProblems(problems: readonly Problem[], settings: FoundRuleSettings, minSeverity: Problem['severity']): Problem[] {
  return applyRuleSettings(problems, settings.settings).filter((p) => SEVERITY_RANK[p.severity] <= SEVERITY_RANK[minSeverity]);
}

/** Lints `targets` (absolute paths) with the rule settings that apply to each; `warn` gets what is wrong in a settings file. */
export function lintWithRuleSettings(targets: string[], reader: Reader, options: LintOptions, configFile: string | undefined, warn: (message: string) => void): LintReport {
  const given = configFile ? readRuleSettingsFile(configFile, reader) : undefined;
  const found = new Map<string, FoundRuleSettings>();
  const reported = new Set<string>();
  const problems: Problem[] = [];
  const configurations = new Map<string, LintReport['configurations'][number]>();
  const seen = new Set<string>();
  for (const target of targets) {
    const dir = reader.isDirectory(target) ? target : dirname(target);
    let settings = given;
    if (!settings) {
      settings = found.get(dir) ?? findRuleSettings(dir, reader);
      found.set(dir, settings);
    }
    for (const e of settings.errors) {
      if (!reported.has(e)) warn(e);
      reported.add(e);
    }
    const report = lintTargets([target], reader, options);
    for (const c of report.configurations) configurations.set(c.dir, c);
    for (const p of applyRuleSettings(report.problems, settings.settings)) {
      const k = `${p.file}|${p.range.start.line}:${p.range.start.character}|${p.code}|${p.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      problems.push(p);
    }
  }
  return { problems, configurations: [...configurations.values()] };
}

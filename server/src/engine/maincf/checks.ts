// main.cf checks that need no other file: mistakes Postfix accepts silently
// (a `#` that is not a comment, an indented assignment swallowed by the line
// before) and version facts (deprecated, removed, too new for the target).

import { existsInVersion, isBuiltinParameter, parameterFact } from '../catalog/parameters';
import { versionAtLeast } from '../catalog/version';
import { logicalRange } from '../lines';
import type { Problem } from '../types';
import { mainProblem } from './codes';
import { MainCf, valueRange } from './parse';
import { drain, PARSED_SETTINGS_PER_STEP, type Steps } from '../steps';

const ASSIGNMENT = /^\s+([A-Za-z0-9_]+)\s*=/;

export function mainCfChecks(main: MainCf, version: string): Problem[] {
  return drain(mainCfChecksSteps(main, version));
}

/** mainCfChecks in steps: 100,000 settings were one piece of 200 ms. */
export function* mainCfChecksSteps(main: MainCf, version: string): Steps<Problem[]> {
  const out: Problem[] = [];
  const seen = new Map<string, string>();
  for (let i = 0; i < main.entries.length; i++) {
    if (i > 0 && i % PARSED_SETTINGS_PER_STEP === 0) yield 'main.cf checks: settings';
    const e = main.entries[i];
    // `value # note`: only a line whose first non-blank is # is a comment.
    const hash = e.value.search(/\s#/);
    if (hash >= 0) {
      out.push(
        mainProblem(
          'hashNotComment',
          main.file,
          valueRange(e, hash + 1, e.value.length),
          `'#' here is part of the value of ${e.name}, not a comment: Postfix sees "${e.value}". Put comments on their own line.`,
        ),
      );
    }
    // An indented `name = value` physical line is a continuation, not a setting.
    for (const piece of e.logical.pieces.slice(1)) {
      const m = ASSIGNMENT.exec(piece.text);
      if (m && (isBuiltinParameter(m[1], version) || parameterFact(m[1]))) {
        const start = piece.text.indexOf(m[1]);
        out.push(
          mainProblem(
            'indentedAssignment',
            main.file,
            logicalRange(e.logical, piece.offset + start, piece.offset + start + m[1].length),
            `This indented line does not set ${m[1]}: a line that starts with whitespace continues the value of ${e.name} on the line above. Remove the indentation.`,
          ),
        );
      }
    }
    const fact = parameterFact(e.name);
    // A removed parameter is not built in for that version: postconf reports it as
    // "unused parameter" (PF103, with the removal explained there), once.
    if (fact?.removedIn && versionAtLeast(version, fact.removedIn)) {
      // reported by the postconf emulation
    } else if (fact?.deprecatedIn && versionAtLeast(version, fact.deprecatedIn)) {
      const instead = fact.replacement && fact.replacement !== '(do not specify)' ? `; instead, specify "${fact.replacement}"` : '; leave it unset';
      out.push(
        mainProblem('deprecatedParameter', main.file, e.nameRange, `support for parameter "${e.name}" will be removed${instead} (deprecated since Postfix ${fact.deprecatedIn}).`),
      );
    } else if (fact && !fact.perServicePattern && !existsInVersion(e.name, version) && versionAtLeast(fact.since === 'old' ? '1.0' : fact.since, version) && fact.since !== version) {
      out.push(mainProblem('tooNewParameter', main.file, e.nameRange, `${e.name} first appeared in Postfix ${fact.since}; the target version ${version} does not know it.`));
    }
    const previous = seen.get(e.name);
    if (previous !== undefined && previous === e.value) {
      out.push(mainProblem('duplicateSameValue', main.file, e.nameRange, `${e.name} is already set to the same value earlier in the file.`));
    }
    seen.set(e.name, e.value);
  }
  return out;
}

// The argument list as the daemon sees it at start-up: the master daemon
// removes the braces of words that start with `{` (and refuses the line when
// they do not balance), then the daemon's server skeleton reads its options
// with getopt ("+cdDi:lm:n:o:r:s:St:uvVz") and applies each `-o name=value`
// with split_nameval(); whatever is left is the daemon's own argument list.
// This is the view that decides what really runs, so editor diagnostics and
// the effective per-service settings come from here.

import { drain, type Steps } from '../steps';
import { extractBraced, splitNameValue } from './tokenize';

/** Option letters of the Postfix server skeletons; those followed by ':' take a value. */
const GETOPT_SPEC = 'cdDi:lm:n:o:r:s:St:uvVz';

/** Daemons that die on any argument left after the options. */
export const DAEMONS_WITHOUT_ARGUMENTS = new Set([
  'anvil',
  'bounce',
  'cleanup',
  'discard',
  'dnsblog',
  'error',
  'flush',
  'local',
  'oqmgr',
  'pickup',
  'postlogd',
  'proxymap',
  'qmgr',
  'qmqpd',
  'scache',
  'showq',
  'smtpd',
  'tlsmgr',
  'tlsproxy',
  'trivial-rewrite',
  'verify',
  'virtual',
]);

/** Daemons that accept and silently ignore arguments after the options. */
export const DAEMONS_IGNORING_ARGUMENTS = new Set(['postscreen']);

/**
 * smtp(8) and lmtp(8) read `flags=DORX` attributes after the options (since
 * Postfix 3.5, get_cli_attr in smtp.c); anything else stops them. Returns
 * the daemon's fatal error for the first bad argument, if any.
 */
export function smtpClientArgumentError(args: string[]): { index: number; message: string } | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!/^flags=/i.test(a)) return { index: i, message: `unknown attribute name: ${a}` };
    const letters = a.slice('flags='.length);
    const bad = [...letters].find((c) => !'DORX'.includes(c));
    if (bad !== undefined) return { index: i, message: `unknown ${a} value "${bad}" in "${letters}"` };
  }
  return undefined;
}

/** A word after the command field, by offsets in the logical line. */
export interface ArgWord {
  text: string;
  start: number;
  end: number;
}

export interface DaemonOverride {
  name: string;
  value: string;
  /** Offsets in the logical line. */
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
  /** Offsets from the option letter's word to the end of the value. */
  start: number;
  end: number;
  form: 'separate' | 'attached' | 'braced';
  /** Index (in the argument words) of the word that holds the value. */
  wordIndex: number;
}

export type DaemonIssue =
  | { kind: 'braces'; wordIndex: number; message: string }
  | { kind: 'missing-equals'; wordIndex: number; optarg: string; message: string; spaced: boolean }
  | { kind: 'missing-value'; wordIndex: number; letter: string }
  | { kind: 'invalid-option'; wordIndex: number; letter: string }
  | { kind: 'attached-braces'; wordIndex: number }
  | { kind: 'postconf-split'; wordIndex: number };

export interface DaemonView<O = DaemonOverride> {
  /** Each argument after brace removal. */
  values: string[];
  overrides: O[];
  /** Index of the first argument that is not an option (the daemon's own arguments), or values.length. */
  firstPositional: number;
  issues: DaemonIssue[];
}

function takesValue(letter: string): boolean | undefined {
  const i = GETOPT_SPEC.indexOf(letter);
  if (i < 0 || letter === ':') return undefined;
  return GETOPT_SPEC[i + 1] === ':';
}

export function daemonView(words: readonly ArgWord[]): DaemonView {
  return drain(daemonViewSteps(words, Infinity));
}

/**
 * daemonView, yielding after every `wordsPerStep` words of each pass (a
 * service line can hold 200,000); each override made into the caller's
 * object by `make` as it is found (100,000 DaemonOverrides kept alive until
 * the end of the line were copied by every garbage collection meanwhile).
 */
export function* daemonViewSteps<O = DaemonOverride>(words: readonly ArgWord[], wordsPerStep: number, make: (o: DaemonOverride) => O = (o) => o as O): Steps<DaemonView<O>> {
  const issues: DaemonIssue[] = [];
  // The master removes braces; offsets of each value inside the line.
  const values: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (i > 0 && i % wordsPerStep === 0) yield 'master.cf: daemon view';
    const w = words[i];
    if (w.text[0] === '{') {
      const ex = extractBraced(w.text, true);
      if (ex.error) issues.push({ kind: 'braces', wordIndex: i, message: ex.error });
      values.push(ex.text);
      starts.push(w.start + ex.start);
    } else {
      values.push(w.text);
      starts.push(w.start);
    }
  }

  const overrides: O[] = [];
  let i = 0;
  let stopped = false;
  for (let read = 0; i < values.length && !stopped; read++) {
    if (read > 0 && read % wordsPerStep === 0) yield 'master.cf: daemon options';
    const a = values[i];
    const optionWord = i;
    if (a === '--') {
      i++;
      break;
    }
    if (a[0] !== '-' || a.length === 1) break;
    let firstValueLetter = -1;
    for (let j = 1; j < a.length; j++) {
      const letter = a[j];
      const tv = takesValue(letter);
      if (tv === undefined) {
        issues.push({ kind: 'invalid-option', wordIndex: i, letter });
        stopped = true;
        break;
      }
      if (!tv) continue;
      firstValueLetter = j;
      let optarg: string;
      let optStart: number;
      let valueWord = i;
      let form: DaemonOverride['form'];
      if (j + 1 < a.length) {
        optarg = a.slice(j + 1);
        optStart = starts[i] + j + 1;
        form = 'attached';
      } else if (i + 1 < values.length) {
        valueWord = i + 1;
        optarg = values[i + 1];
        optStart = starts[i + 1];
        form = words[i + 1].text[0] === '{' ? 'braced' : 'separate';
      } else {
        issues.push({ kind: 'missing-value', wordIndex: i, letter });
        stopped = true;
        break;
      }
      if (letter === 'o') {
        if (form === 'attached' && optarg[0] === '{') issues.push({ kind: 'attached-braces', wordIndex: i });
        const nv = splitNameValue(optarg);
        if (typeof nv === 'string') {
          const spaced = form === 'separate' && values[valueWord + 1]?.[0] === '=';
          issues.push({
            kind: 'missing-equals',
            wordIndex: valueWord,
            optarg,
            spaced,
            message: `invalid "-o ${optarg}" option value: ${nv}`,
          });
          stopped = true;
        } else {
          overrides.push(make({
            name: nv.name,
            value: nv.value,
            nameStart: optStart + nv.nameStart,
            nameEnd: optStart + nv.nameEnd,
            valueStart: optStart + nv.valueStart,
            valueEnd: optStart + nv.valueEnd,
            start: words[i].start,
            end: words[valueWord].end,
            form,
            wordIndex: valueWord,
          }));
        }
      }
      i = valueWord;
      break;
    }
    // postconf splits at the first 'o' after the first letter, even inside an option's value.
    const o = a.indexOf('o', 2);
    if (o > 1 && firstValueLetter > 0 && o > firstValueLetter && words[optionWord].text === a) {
      issues.push({ kind: 'postconf-split', wordIndex: optionWord });
    }
    i++;
  }
  return { values, overrides, firstPositional: stopped ? values.length : i, issues };
}

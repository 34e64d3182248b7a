// The argument list as postconf sees it. postconf rewrites a service's words
// before it shows or checks them (pcf_normalize_daemon_args): `-oname=value`
// becomes `-o` `name=value`, `{ name = value }` after -o becomes `name=value`,
// other `{...}` words lose their braces. Its splitting at the letter `o` is
// naive: `-osyslog_name=x` becomes `-o sysl -o g_name=x`. The daemons do not
// share that quirk, so this view is only for emulating postconf's output and
// warnings; the daemon view lives in daemon-view.ts.

import { drain, type Steps } from '../steps';
import { extractBraced, splitNameValue } from './tokenize';

export interface PostconfArg {
  text: string;
  /** Index of the master.cf word this element came from. */
  word: number;
}

export interface PostconfView {
  /** The 8 fields followed by the normalized arguments. */
  argv: PostconfArg[];
  /** Warnings postconf prints while normalizing, without the `postconf: warning: ` prefix. */
  warnings: string[];
}

/** Does postconf treat this word as an option that takes a value? ("-" does, by accident.) */
export function postconfTakesValue(arg: string): boolean {
  return arg.length === 1 || arg[1] === 'o';
}

/** Postconf's view of one service line, from its words (fields first). */
export function normalizeForPostconf(words: readonly string[]): PostconfView {
  return drain(normalizeForPostconfSteps(words, Infinity));
}

/** normalizeForPostconf, yielding after every `wordsPerStep` arguments (a service line can hold 200,000). */
export function* normalizeForPostconfSteps(words: readonly string[] | readonly { readonly text: string }[], wordsPerStep: number): Steps<PostconfView> {
  const warnings: string[] = [];
  // Words or the parser's word objects (no array of 200,000 texts made for this).
  const textAt = (i: number): string => {
    const w = words[i];
    return typeof w === 'string' ? w : w.text;
  };
  const out: PostconfArg[] = [];
  for (let word = 0; word < Math.min(8, words.length); word++) out.push({ text: textAt(word), word });
  // Words still to read; `front` holds pieces split off a word, read first.
  let pos = 8;
  const front: PostconfArg[] = [];
  const next = (): PostconfArg | undefined => front.pop() ?? (pos < words.length ? { text: textAt(pos), word: pos++ } : undefined);
  const extract = (a: PostconfArg, nameValue: boolean) => {
    const ex = extractBraced(a.text, true);
    if (ex.error) warnings.push(`master.cf: ${ex.error}`);
    a.text = ex.text;
    if (!nameValue) return;
    const nv = splitNameValue(ex.text);
    if (typeof nv === 'string') warnings.push(`master.cf: ${nv}: "${ex.text}"`);
    else a.text = `${nv.name}=${nv.value}`;
  };

  let a: PostconfArg | undefined;
  let read = 0;
  while ((a = next())) {
    if (++read % wordsPerStep === 0) yield 'master.cf: postconf view';
    if (a.text[0] !== '-' || a.text === '--') break;
    // Split "-stuffoxyz" into "-stuff" and "-oxyz" at the first 'o' after the first letter.
    const o = a.text.indexOf('o', 2);
    if (o > 1) {
      front.push({ text: `-${a.text.slice(o)}`, word: a.word });
      a.text = a.text.slice(0, o);
    }
    out.push(a);
    if (!postconfTakesValue(a.text)) continue;
    let value: PostconfArg | undefined;
    if (a.text.length > 2) {
      // "-oname=value" becomes "-o" "name=value".
      value = { text: a.text.slice(2), word: a.word };
      a.text = a.text.slice(0, 2);
    } else {
      value = next();
    }
    if (!value) {
      a = undefined;
      break;
    }
    if (value.text[0] === '{') extract(value, a.text[1] === 'o');
    out.push(value);
  }
  // The first non-option word and the rest: braces come off.
  for (; a; a = next()) {
    if (++read % wordsPerStep === 0) yield 'master.cf: postconf view';
    if (a.text[0] === '{') extract(a, false);
    out.push(a);
  }
  return { argv: out, warnings };
}

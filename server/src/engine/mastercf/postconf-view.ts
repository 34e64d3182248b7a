// The argument list as postconf sees it. postconf rewrites a service's words
// before it shows or checks them (pcf_normalize_daemon_args): `-oname=value`
// becomes `-o` `name=value`, `{ name = value }` after -o becomes `name=value`,
// other `{...}` words lose their braces. Its splitting at the letter `o` is
// naive: `-osyslog_name=x` becomes `-o sysl -o g_name=x`. The daemons do not
// share that quirk, so this view is only for emulating postconf's output and
// warnings; the daemon view lives in daemon-view.ts.

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
  const argv: PostconfArg[] = words.map((text, word) => ({ text, word }));
  const warnings: string[] = [];
  const extract = (i: number, nameValue: boolean) => {
    const ex = extractBraced(argv[i].text, true);
    if (ex.error) warnings.push(`master.cf: ${ex.error}`);
    argv[i].text = ex.text;
    if (!nameValue) return;
    const nv = splitNameValue(ex.text);
    if (typeof nv === 'string') warnings.push(`master.cf: ${nv}: "${ex.text}"`);
    else argv[i].text = `${nv.name}=${nv.value}`;
  };

  let field = 8;
  for (; field < argv.length; field++) {
    let arg = argv[field].text;
    if (arg[0] !== '-' || arg === '--') break;
    // Split "-stuffoxyz" into "-stuff" and "-oxyz" at the first 'o' after the first letter.
    const o = arg.indexOf('o', 2);
    if (o > 1) {
      argv.splice(field + 1, 0, { text: `-${arg.slice(o)}`, word: argv[field].word });
      arg = arg.slice(0, o);
      argv[field].text = arg;
    }
    if (!postconfTakesValue(arg)) continue;
    let hasValue: boolean;
    if (arg.length > 2) {
      // "-oname=value" becomes "-o" "name=value".
      argv.splice(field + 1, 0, { text: arg.slice(2), word: argv[field].word });
      argv[field].text = arg.slice(0, 2);
      field += 1;
      hasValue = true;
    } else if (field + 1 < argv.length) {
      field += 1;
      hasValue = true;
    } else {
      hasValue = false;
    }
    if (hasValue && argv[field].text[0] === '{') extract(field, argv[field - 1].text[1] === 'o');
  }
  for (; field < argv.length; field++) if (argv[field].text[0] === '{') extract(field, false);
  return { argv, warnings };
}

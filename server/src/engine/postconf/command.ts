// The postconf command line: options read the way postconf reads them
// (getopt in POSIX mode: options stop at the first operand), the same fatal
// errors for options that do not go together, then the main.cf or master.cf
// emulation. Pure: files come through `readFile`, as byte strings.
//
// Emulated: -c -d -f -F -h -H -M -n -o -p -P -x and NAME... operands. The
// other modes (-a -A -b -t -T -m -l -C -v, and editing with -e -X -#) get
// postconf's option checks and then a plain "not emulated" (exit status 2).

import { parseMasterCf } from '../mastercf/parse';
import type { ReadFile } from './dbms';
import type { HostModel } from './host-defaults';
import { postconfMain } from './main';
import { postconfMaster } from './master';
import { fatalLine, PostconfOutput } from './output';

export interface PostconfCommandContext {
  /** Reads a file as a byte string; undefined when it does not exist. */
  readFile: ReadFile;
  /** The MAIL_CONFIG environment variable, which -c sets. */
  mailConfig?: string;
  host?: HostModel;
  version?: string;
}

/** postconf's option letters in the order it names them in messages. */
const NAME_ORDER = ['a', 'A', 'b', 'C', 'd', 'e', 'f', 'F', 'h', 'H', 'l', 'm', 'M', 'n', 'o', 'p', 'P', 't', 'T', 'x', 'X', '#'];
const WITH_ARGUMENT = new Set(['c', 'C', 'o', 'T']);
const KNOWN = new Set([...'aAbcCdeEfFhHlmMnopPtTvxX#']);
const MAJOR = ['a', 'A', 'b', 'l', 'm', 'T', 't', 'p', 'M', 'F', 'P'];
/** Options of which at most one may be given (pcf_incompat_options). */
const EXCLUSIVE = [MAJOR, ['d', 'e', 'n', '#', 'X'], ['f', 'e', '#', 'X'], ['x', 'e', '#', 'X'], ['o', 'd', 'e', '#', 'X'], ['h', 'e', '#', 'X', 'H']];
/** Modifiers each major mode accepts (pcf_compat_options). */
const COMPATIBLE: Record<string, string[]> = {
  p: ['e', 'X', '#', 'f', 'h', 'x', 'd', 'n', 'o', 'H'],
  M: ['e', 'X', '#', 'f', 'o', 'x'],
  F: ['e', 'f', 'h', 'o', 'x', 'H'],
  P: ['e', 'X', 'f', 'h', 'o', 'x', 'H'],
};

const USAGE =
  'usage: postconf [-a (server SASL types)] [-A (client SASL types)] [-b (bounce templates)] [-c config_dir] [-c param_class] ' +
  '[-d (parameter defaults)] [-e (edit configuration)] [-f (fold lines)] [-F (master.cf fields)] [-h (no names)] [-H (no values)] ' +
  '[-l (lock types)] [-m (map types)] [-M (master.cf)] [-n (non-default parameters)] [-o name=value (override parameter value)] ' +
  '[-p (main.cf, default)] [-P (master.cf parameters)] [-t (bounce templates)] [-T compile-version|run-version|public-key-algorithms] ' +
  '[-v (verbose)] [-x (expand parameter values)] [-X (exclude)] [-# (comment-out)] [name...]';

const named = (letters: Iterable<string>) => {
  const set = new Set(letters);
  return NAME_ORDER.filter((l) => set.has(l))
    .map((l) => `-${l}`)
    .join(' ');
};

/** Runs `postconf ARGV...` (without the program name) against the files `ctx` reads. */
export function postconfCommand(argv: string[], ctx: PostconfCommandContext): PostconfOutput {
  const fatal = (text: string, before = ''): PostconfOutput => ({ stdout: '', stderr: `${before}${fatalLine(text)}\n`, status: 1 });
  const mode = new Set<string>();
  const overrides: string[] = [];
  let dir: string | undefined;
  let unsupported: string | undefined;
  let templates = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k++) {
      const letter = a[k];
      if (!KNOWN.has(letter)) return fatal(USAGE, `postconf: invalid option -- '${letter}'\n`);
      let value: string | undefined;
      if (WITH_ARGUMENT.has(letter)) {
        if (k + 1 < a.length) value = a.slice(k + 1);
        else if (i + 1 < argv.length) value = argv[++i];
        else return fatal(USAGE, `postconf: option requires an argument -- '${letter}'\n`);
        k = a.length;
      }
      switch (letter) {
        case 'c':
          dir = value;
          break;
        case 'o':
          mode.add('o');
          overrides.push(value!);
          break;
        case 'b':
        case 't':
          if (templates) return fatal('specify one of -b and -t');
          templates = true;
          mode.add(letter);
          break;
        case 'T':
          if (mode.has('T')) return fatal('At most one -T <mode> option may be specified');
          mode.add('T');
          break;
        case 'E':
          return fatal(USAGE);
        case 'C':
        case 'v':
          unsupported ??= `-${letter}`;
          break;
        default:
          mode.add(letter);
      }
    }
  }
  const operands = argv.slice(i);

  if (!MAJOR.some((m) => mode.has(m))) mode.add('p');
  if (['p', 'M', 'F', 'P'].some((m) => mode.has(m)) && operands[0]?.includes('=')) mode.add('e');
  for (const group of EXCLUSIVE) {
    const given = group.filter((l) => mode.has(l));
    if (given.length > 1) return fatal(`specify one of ${named(given)}`);
  }
  const major = MAJOR.find((m) => mode.has(m))!;
  const excess = [...mode].filter((l) => l !== major && !(COMPATIBLE[major] ?? []).includes(l));
  if (excess.length > 0) return fatal(`with option -${major}, do not specify ${named(excess)}`);
  if (mode.has('e') && operands.length === 0) return fatal('-e requires name=value argument');
  if (templates && operands.length > 1) return fatal('options -b and -t require at most one template file');
  const editing = ['e', 'X', '#'].some((l) => mode.has(l));
  if (editing && !templates && !['m', 'l', 'a', 'A', 'T'].includes(major) && operands.length === 0) return fatal('missing service argument');
  if (!['p', 'M', 'F', 'P'].includes(major) || editing) unsupported ??= named(mode);
  if (unsupported) {
    return { stdout: '', stderr: `postfix-lint: postconf ${unsupported} is not emulated (emulated: -c -d -f -F -h -H -M -n -o -p -P -x)\n`, status: 2 };
  }

  const configDir = dir ?? ctx.mailConfig ?? '/etc/postfix';
  const setConfigDirectory = dir !== undefined || ctx.mailConfig !== undefined;
  const text = (p: string) => {
    const t = ctx.readFile(p);
    return typeof t === 'string' ? t : undefined;
  };
  const masterPath = `${configDir}/master.cf`;
  const masterText = text(masterPath);
  const master = masterText === undefined ? undefined : parseMasterCf(masterText, masterPath);
  const mainPath = `${configDir}/main.cf`;
  const mainRead = ctx.readFile(mainPath);
  const mainText = typeof mainRead === 'string' ? mainRead : undefined;
  const mainError = typeof mainRead === 'object' ? mainRead.streamError : undefined;
  const common = { setConfigDirectory, readFile: ctx.readFile, version: ctx.version, host: ctx.host, overrides, mainError };
  if (major !== 'p') {
    return postconfMaster(
      { mode: major as 'M' | 'F' | 'P', fold: mode.has('f'), expand: mode.has('x'), hideName: mode.has('h'), hideValue: mode.has('H'), patterns: operands },
      { configDir, master, mainText, ...common },
    );
  }
  return postconfMain({
    dir: configDir,
    mainText,
    master,
    nonDefault: mode.has('n'),
    expand: mode.has('x'),
    defaults: mode.has('d'),
    fold: mode.has('f'),
    hideName: mode.has('h'),
    hideValue: mode.has('H'),
    names: operands,
    ...common,
  });
}

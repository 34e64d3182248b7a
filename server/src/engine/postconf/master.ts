// Emulation of `postconf -c DIR -M`, `-F` and `-P` (with -f, -x, -h, -H and
// service patterns): the same stdout, the same warnings and the same exit
// status as Postfix 3.7, computed from a parsed master.cf and main.cf text.
// Pure: the caller reads the files. Text is one character per byte.
//
// What real postconf does, in order: read master.cf (normalization warnings;
// a bad line is fatal), read main.cf, register parameter names (undefined /
// read-only warnings, full expansion of built-in settings), print, then warn
// about unused -o settings. A fatal error discards stdout that was still in
// postconf's 4096-byte output buffer, and postconf exits with status 1.

import { expandValue } from '../expand';
import { ORACLE_VERSION } from '../catalog/parameters';
import { MASTER_FIELD_NAMES, MasterCf } from '../mastercf/parse';
import { postconfTakesValue } from '../mastercf/postconf-view';
import type { ReadFile } from './dbms';
import type { HostModel } from './host-defaults';
import { Died, INDENT, LINE_LIMIT, PostconfOutput, PostconfPrinter, printLine } from './output';
import { ParameterRegistry, PostconfEntry, PostconfFatal, registerParameters } from './parameters';
import { readMainForPostconf, readMasterForPostconf } from './read';

export { printLine } from './output';

export interface PostconfMasterRequest {
  /** -M (entries), -F (fields) or -P (-o parameters). */
  mode: 'M' | 'F' | 'P';
  /** -f: fold long lines. */
  fold?: boolean;
  /** -x: expand $name in -o values. */
  expand?: boolean;
  /** -h: values only (-F, -P). */
  hideName?: boolean;
  /** -H: names only (-F, -P). */
  hideValue?: boolean;
  /** Command-line patterns: `name[/type]` for -M, `name[/type[/field]]` for -F, `name[/type[/parameter]]` for -P; `*` matches all. */
  patterns?: string[];
}

export interface PostconfMasterInput {
  /** As given to -c (it appears in messages exactly like this). */
  configDir: string;
  /** postconf sets config_directory = DIR when -c or MAIL_CONFIG names the directory (default true). */
  setConfigDirectory?: boolean;
  /** Parsed DIR/master.cf, or undefined when the file does not exist. */
  master: MasterCf | undefined;
  /** DIR/main.cf text, or undefined when it does not exist. */
  mainText: string | undefined;
  /** Why main.cf did not read, as postconf words it; default: it does not exist. */
  mainError?: string;
  /** -o name=value overrides. */
  overrides?: string[];
  readFile?: ReadFile;
  version?: string;
  host?: HostModel;
}

const INDENT_LEN = INDENT.length;
const BLANKS = /[ \t\r\n]/;
const COLUMN_GOAL = [0, 11, 17, 25, 33, 41, 49, 57];

interface Pattern {
  raw: string;
  parts: string[];
  matches: number;
}

function parsePattern(raw: string, min: number, max: number): string[] | undefined {
  if (raw[0] === '/') return undefined;
  const parts = raw.split('/').filter((p) => p.length > 0);
  if (parts.length < min || parts.length > max) return undefined;
  if (parts.some((p) => p !== '*' && p.includes('*'))) return undefined;
  while (parts.length < max) parts.push('*');
  return parts;
}

const matchOne = (pat: string, s: string) => pat === '*' || pat === s;

export function postconfMaster(req: PostconfMasterRequest, input: PostconfMasterInput): PostconfOutput {
  const dir = input.configDir;
  const out = new PostconfPrinter();
  try {
    const master = input.master;
    if (!master) return out.die(`open ${dir}/master.cf: No such file or directory`);
    const read = readMasterForPostconf(master, dir);
    for (const w of read.warnings) out.warn(w);
    if (read.fatal !== undefined) out.die(read.fatal);
    const main = readMainForPostconf(dir, input.mainText, { setConfigDirectory: input.setConfigDirectory, overrides: input.overrides, mainError: input.mainError });
    for (const w of main.warnings) out.warn(w);
    if (main.fatal !== undefined) out.die(main.fatal);

    const registry = registerParameters({
      configDir: dir,
      main: main.dict,
      master,
      version: input.version ?? ORACLE_VERSION,
      host: input.host,
      readFile: input.readFile,
    });
    out.findings(registry.findings);
    if (registry.fatal) out.dieWith(registry.fatal);

    try {
      const show = new Shower(req, registry, out);
      if (req.mode === 'F') show.fields();
      else if (req.mode === 'P') show.params();
      else show.entries();
    } catch (e) {
      if (e instanceof PostconfFatal) out.dieWith(e);
      throw e;
    }

    out.stdoutStarts();
    out.findings(registry.unusedMaster());
    return out.result(0);
  } catch (e) {
    if (e instanceof Died) return out.result(1);
    throw e;
  }
}

class Shower {
  private readonly list: PostconfEntry[];
  constructor(
    private readonly req: PostconfMasterRequest,
    private readonly registry: ParameterRegistry,
    private readonly out: PostconfPrinter,
  ) {
    this.list = registry.entries;
  }

  private warn(t: string): void {
    this.out.warn(t);
  }

  private die(t: string): never {
    return this.out.die(t);
  }

  private patterns(min: number, max: number, usageText: string): Pattern[] {
    return (this.req.patterns ?? []).map((raw) => {
      const parts = parsePattern(raw, min, max);
      if (!parts) this.die(usageText);
      return { raw, parts: parts!, matches: 0 };
    });
  }

  private unmatched(pats: Pattern[]): void {
    for (const p of pats) if (p.matches === 0) this.warn(`unmatched request: "${p.raw}"`);
  }

  private expand(text: string, e: PostconfEntry): string {
    const r = expandValue(text, this.registry.lookup(e));
    if (r.errors.length > 0) {
      for (const err of r.errors) this.warn(err);
      this.die('macro processing error');
    }
    return r.value;
  }

  private matches(p: Pattern, e: PostconfEntry): boolean {
    const argv = e.service.postconf.argv;
    return matchOne(p.parts[0], argv[0].text) && matchOne(p.parts[1], argv[1].text);
  }

  entries(): void {
    const pats = this.patterns(1, 2, '-M option requires service_name[/type]');
    for (const e of this.list) {
      if (pats.length === 0) this.printEntry(e);
      else
        for (const p of pats) {
          if (!this.matches(p, e)) continue;
          p.matches++;
          this.printEntry(e);
        }
    }
    this.unmatched(pats);
  }

  /** pcf_print_master_entry: fields at fixed columns, then the arguments. */
  private printEntry(e: PostconfEntry): void {
    const argv = e.service.postconf.argv.map((a) => a.text);
    const fold = this.req.fold === true;
    let line = '';
    let len = 0;
    const add = (s: string) => {
      line += s;
      len += bytes(s);
    };
    for (let f = 0; f < 8; f++) {
      if (len > 0) {
        do add(' ');
        while (len < COLUMN_GOAL[f]);
      }
      add(argv[f]);
    }
    let inOptions = true;
    for (let f = 8; f < argv.length; f++) {
      const arg = argv[f];
      let argLen = bytes(arg);
      let aval: string | undefined;
      let parens = false;
      if (inOptions) {
        if (arg[0] !== '-' || arg === '--') inOptions = false;
        else if (postconfTakesValue(arg) && f + 1 < argv.length) {
          aval = argv[f + 1];
          len = LINE_LIMIT;
          if (arg === '-o' && this.req.expand) aval = this.expand(aval, e);
          argLen += bytes(aval) + 3;
          parens = BLANKS.test(aval);
          if (parens) argLen += 2;
        }
      } else {
        parens = BLANKS.test(arg);
      }
      if (len > INDENT_LEN) {
        if (!fold || len + 1 + argLen < LINE_LIMIT) add(' ');
        else {
          line += `\n${INDENT}`;
          len = INDENT_LEN;
        }
      }
      const braces = !inOptions && parens;
      add(braces ? `{${arg}}` : arg);
      if (aval !== undefined) {
        add(parens ? ` {${aval}}` : ` ${aval}`);
        f += 1;
        len = LINE_LIMIT;
      }
    }
    this.out.write(`${line}\n`);
  }

  fields(): void {
    const pats = this.patterns(1, 3, '-F option requires service_name[/type[/field]]');
    const fieldOf = (p: Pattern): number => {
      const name = p.parts[2];
      if (name === '*') return -1;
      const i = (MASTER_FIELD_NAMES as readonly string[]).indexOf(name);
      if (i < 0) this.die(`invalid service attribute name: "${name}"`);
      return i;
    };
    const fieldPats = pats.map((p) => ({ p, field: fieldOf(p) }));
    for (const e of this.list) {
      if (pats.length === 0) {
        for (let f = 0; f < 8; f++) this.printField(e, f);
        continue;
      }
      for (const { p, field } of fieldPats) {
        if (!this.matches(p, e)) continue;
        p.matches++;
        if (field < 0) for (let f = 0; f < 8; f++) this.printField(e, f);
        else this.printField(e, field);
      }
    }
    this.unmatched(pats);
  }

  /** pcf_print_master_field: `name/type/field = value`, the command with its arguments. */
  private printField(e: PostconfEntry, field: number): void {
    const argv = e.service.postconf.argv.map((a) => a.text);
    const { hideName, hideValue } = this.req;
    const fold = this.req.fold === true;
    let line = '';
    let len = 0;
    const add = (s: string) => {
      line += s;
      len += bytes(s);
    };
    if (!hideName) add(`${argv[0]}/${argv[1]}/${MASTER_FIELD_NAMES[field]}`);
    if (!hideName && !hideValue) add(' = ');
    if (!hideValue) {
      if (len > 0 && len + bytes(argv[field]) > LINE_LIMIT) {
        line += `\n${INDENT}`;
        len = INDENT_LEN;
      }
      add(argv[field]);
    }
    if (field === 7 && !hideValue) {
      let inOptions = true;
      for (let f = 8; f < argv.length; f++) {
        const arg = argv[f];
        let argLen = bytes(arg);
        let aval: string | undefined;
        let parens = false;
        if (inOptions) {
          if (arg[0] !== '-' || arg === '--') inOptions = false;
          else if (postconfTakesValue(arg) && f + 1 < argv.length) {
            aval = argv[f + 1];
            len = LINE_LIMIT;
            if (arg === '-o' && this.req.expand) aval = this.expand(aval, e);
            argLen += bytes(aval) + 1;
            parens = BLANKS.test(aval);
            if (parens) argLen += 2;
          }
        } else {
          parens = BLANKS.test(arg);
        }
        if (len > INDENT_LEN) {
          if (!fold || len + 1 + argLen < LINE_LIMIT) add(' ');
          else {
            line += `\n${INDENT}`;
            len = INDENT_LEN;
          }
        }
        const braces = !inOptions && parens;
        add(braces ? `{${arg}}` : arg);
        if (aval !== undefined) {
          add(parens ? ` {${aval}}` : ` ${aval}`);
          f += 1;
          len = LINE_LIMIT;
        }
      }
    }
    this.out.write(`${line}\n`);
  }

  params(): void {
    const pats = this.patterns(1, 3, '-P option requires service_name[/type[/parameter]]');
    for (const e of this.list) {
      const settings = e.settings;
      if (!settings) continue;
      if (pats.length === 0) {
        this.printAllParams(e);
        continue;
      }
      for (const p of pats) {
        if (!this.matches(p, e)) continue;
        if (p.parts[2] === '*') {
          this.printAllParams(e);
          p.matches++;
        } else {
          const s = settings.get(p.parts[2]);
          if (s !== undefined) {
            this.printParam(e, p.parts[2], s.value);
            p.matches++;
          }
        }
      }
    }
    this.unmatched(pats);
  }

  private printAllParams(e: PostconfEntry): void {
    const names = [...(e.settings?.keys() ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) this.printParam(e, n, e.settings!.get(n)!.value);
  }

  /** pcf_print_master_param through pcf_print_line (which also squeezes whitespace). */
  private printParam(e: PostconfEntry, name: string, value: string): void {
    const { hideName, hideValue } = this.req;
    let text: string;
    if (hideValue) text = `${e.namespace}/${name}`;
    else {
      const v = this.req.expand ? this.expand(value, e) : value;
      text = hideName ? v : `${e.namespace}/${name} = ${v}`;
    }
    this.out.write(printLine(text, this.req.fold === true));
  }
}

/** Byte length: text here is one character per byte. */
const bytes = (s: string) => s.length;

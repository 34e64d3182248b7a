// `postfix-lint postmap ...`: what Postfix 3.7's postmap prints for queries,
// listings and builds, computed by our table engine. Same output, warnings
// (`postmap: warning: ...`), fatal errors and exit status; nothing is written.
//
//   postmap -q KEY [type:]name...   first table that has KEY: print its value; exit 0, else 1
//   postmap -q - [type:]name...     keys from standard input; print "key<TAB>value" for hits
//   postmap -s [type:]name          list the table (hash, cdb, ...: from the source file)
//   postmap [type:]name...          check a build: print the warnings postmap would print
//
// Indexed tables (hash, btree, cdb, lmdb) are answered from their source file,
// i.e. as if freshly built. Listing order of hash-like tables is Postfix's
// hash order there (random); we list in file order.

import { printable } from '../engine/tables/text';
import { lookupTable, openTable, type OpenedTable, type OpenTableOptions } from '../engine/tables/open';
import { foldKey } from '../engine/tables/fold';
import type { CliIo } from './io';

const USAGE = 'usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...';
const WITH_ARG = new Set(['c', 'd', 'q']);
const FLAGS = new Set([...'bcdfFhimnNopqrsuUvw']);
/** Options we accept but that change nothing here. */
const HARMLESS = new Set([...'cnNopvrw']);

class Exit {
  constructor(readonly status: number) {}
}

export function runPostmap(argv: string[], io: CliIo): number {
  const warn = (s: string) => io.stderr(`postmap: warning: ${printable(s)}\n`);
  const die = (s: string): never => {
    io.stderr(`postmap: fatal: ${printable(s)}\n`);
    throw new Exit(1);
  };
  try {
    // GNU getopt: options may follow operands; `--` ends them.
    const operands: string[] = [];
    let query: string | undefined;
    let delKey: string | undefined;
    let sequence = false;
    let fold = true;
    const unsupported: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--') {
        operands.push(...argv.slice(i + 1));
        break;
      }
      if (!a.startsWith('-') || a === '-') {
        operands.push(a);
        continue;
      }
      for (let k = 1; k < a.length; k++) {
        const f = a[k];
        if (!FLAGS.has(f)) {
          io.stderr(`postmap: invalid option -- '${f}'\n`);
          die(USAGE);
        }
        let arg: string | undefined;
        if (WITH_ARG.has(f)) {
          if (k + 1 < a.length) arg = a.slice(k + 1);
          else if (i + 1 < argv.length) arg = argv[++i];
          else {
            io.stderr(`postmap: option requires an argument -- '${f}'\n`);
            die(USAGE);
          }
          k = a.length;
        }
        switch (f) {
          case 'q':
            if (sequence || query !== undefined || delKey !== undefined) die('specify only one of -s -q or -d');
            query = arg;
            break;
          case 'd':
            if (sequence || query !== undefined || delKey !== undefined) die('specify only one of -s -q or -d');
            delKey = arg;
            break;
          case 's':
            if (query !== undefined || delKey !== undefined) die('specify only one of -s or -q or -d');
            sequence = true;
            break;
          case 'f':
            fold = false;
            break;
          default:
            if (!HARMLESS.has(f)) unsupported.push(f);
        }
      }
    }
    if (unsupported.length) {
      io.stderr(`postfix-lint postmap: option -${unsupported.join('')} is not emulated\n`);
      return 2;
    }
    if (delKey !== undefined) {
      io.stderr('postfix-lint postmap: -d (delete) is not emulated: tables are never modified\n');
      return 2;
    }
    const opts: OpenTableOptions = { fold, indexedMode: 'query' };
    const open = (spec: string, mode: OpenTableOptions['indexedMode'] = 'query'): OpenedTable => {
      const o = openTable(spec, io.reader, { ...opts, indexedMode: mode });
      if (hasUncertainSyntax(o)) {
        io.stderr('postfix-lint postmap: cannot emulate: a pattern uses syntax we cannot check, so Postfix\'s warnings are unknown\n');
        throw new Exit(2);
      }
      for (const w of o.warnings) warn(w);
      if (o.fatal) die(o.fatal);
      return o;
    };

    if (query !== undefined) {
      if (operands.length < 1) die(USAGE);
      if (query === '-') return queries(operands, io, open, warn);
      for (const spec of operands) {
        const o = open(spec);
        const r = lookupForPostmap(o, query, die, warn, io);
        if (r !== undefined) {
          if (r === '') emptyResult(o.type, o.name, query, warn);
          io.stdout(`${r}\n`);
          return 0;
        }
      }
      return 1;
    }

    if (sequence) {
      if (operands.length < 1) return 1;
      const o = open(operands[0]);
      const t = o.table!;
      const show = (key: string, value: string) => {
        if (key === '') warn(`table ${o.type}:${o.name}: empty lookup key value is not allowed`);
        else if (value === '') emptyResult(o.type, o.name, key, warn);
        io.stdout(`${key}\t${value}\n`);
      };
      if (t.kind === 'access') for (const [k, v] of t.sequence()) show(k, v);
      else if (t.kind === 'inline') {
        const seen = new Set<string>();
        for (const e of t.entries) {
          const k = t.fold ? foldKey(e.key) : e.key;
          if (seen.has(k)) continue;
          seen.add(k);
          show(k, t.entries[t.index.get(k)!].value);
        }
      } else die(`table ${o.type}:${o.name}: sequence operation is not supported`);
      return 0;
    }

    // Build: report what postmap would say, write nothing.
    if (operands.length < 1) die(USAGE);
    for (const spec of operands) {
      const colon = spec.indexOf(':');
      const type = colon < 0 ? 'hash' : spec.slice(0, colon);
      if (!['hash', 'btree', 'cdb', 'lmdb'].includes(type)) {
        if (['cidr', 'pcre', 'regexp', 'texthash', 'inline', 'static', 'unionmap', 'pipemap', 'randmap', 'proxy', 'environ', 'fail', 'unix', 'tcp', 'socketmap', 'internal', 'memcache', 'nis'].includes(type))
          die(type === 'proxy' ? "can't create maps via the proxy service" : `unsupported dictionary type: ${type} does not support bulk-mode creation.`);
        die(`unsupported dictionary type: ${type}`);
      }
      open(spec, 'build');
    }
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.status;
    throw e;
  }
}

function hasUncertainSyntax(o: OpenedTable): boolean {
  const t = o.table;
  if (!t) return false;
  if ((t.kind === 'pcre' || t.kind === 'regexp') && t.uncertain) return true;
  if (t.kind === 'unionmap' || t.kind === 'pipemap' || t.kind === 'proxy') return t.members.some(hasUncertainSyntax);
  return false;
}

/** Standard input as postmap reads it (vstring_get_nonl): split at \n; a last line without \n counts; \r is kept. */
export function splitStdinLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function emptyResult(type: string, name: string, key: string, warn: (s: string) => void): void {
  warn(`table ${type}:${name}: key ${key}: empty string result is not allowed`);
  warn(`table ${type}:${name} should return NO RESULT in case of NOT FOUND`);
}

/** The value postmap prints, undefined when not found; dies where Postfix's lookup fails. */
function lookupForPostmap(o: OpenedTable, key: string, die: (s: string) => never, warn: (s: string) => void, io: CliIo): string | undefined {
  const r = lookupTable(o, key);
  if (r.possibleWarnings?.length) {
    // The answer is known, but not whether Postfix logs this warning.
    io.stderr(`postfix-lint postmap: cannot emulate: Postfix may or may not warn "${r.possibleWarnings[0]}" (a match close to PCRE2's match limit)\n`);
    throw new Exit(2);
  }
  for (const w of r.warnings ?? []) warn(w);
  switch (r.status) {
    case 'found':
      return r.value;
    case 'notfound':
      return undefined;
    case 'error':
      return die(r.reason);
    case 'unknown':
      return die(`cannot emulate this lookup: ${r.reason}`);
  }
}

function queries(specs: string[], io: CliIo, open: (spec: string) => OpenedTable, warn: (s: string) => void): number {
  const die = (s: string): never => {
    io.stderr(`postmap: fatal: ${printable(s)}\n`);
    throw new Exit(1);
  };
  const lines = io.stdinLines ? io.stdinLines() : [];
  const dicts: (OpenedTable | undefined)[] = specs.map(() => undefined);
  let found = false;
  for (const key of lines) {
    for (let n = 0; n < specs.length; n++) {
      const o = (dicts[n] ??= open(specs[n]));
      const v = lookupForPostmap(o, key, die, warn, io);
      if (v !== undefined) {
        if (v === '') emptyResult(o.type, o.name, key, warn);
        io.stdout(`${key}\t${v}\n`);
        found = true;
        break;
      }
    }
  }
  return found ? 0 : 1;
}

// TEMPORARY adapter: opens the lookup tables smtpd would consult and answers
// lookups with Postfix semantics, until server/src/engine/tables/ lands.
// Indexed types (hash, btree, lmdb, cdb, dbm, sdbm) are read from their source
// file, as postmap would build them; texthash, cidr, pcre, regexp, inline and
// static are read directly. Anything else (unix:, ldap:, mysql:, tcp:, ...)
// cannot be read by the engine: lookups report `unreadable` and the simulator
// turns that into an explicit assumption.

import { readLogicalLines } from '../../lines';
import { parseAccessTable, type AccessTable } from '../../tables/access';
import type { FileReader } from '../../types';
import { parseIp, ipInNet } from '../ip';

export type LookupResult =
  | { kind: 'found'; value: string }
  | { kind: 'notfound' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'error'; reason: string };

export interface SimTable {
  spec: string;
  type: string;
  name: string;
  /** Fixed-string tables answer partial (parent-domain, network) lookups; pattern tables do not. */
  fixed: boolean;
  /** Path of the file the engine read, when there is one. */
  file?: string;
  lookup(key: string): LookupResult;
  /** Line (zero-based) of the entry that matched the last lookup, when known. */
  lastLine?: number;
}

const INDEXED = new Set(['hash', 'btree', 'lmdb', 'cdb', 'dbm', 'sdbm']);

function splitSpec(spec: string): { type: string; name: string } {
  const i = spec.indexOf(':');
  return i < 0 ? { type: '', name: spec } : { type: spec.slice(0, i).toLowerCase(), name: spec.slice(i + 1) };
}

function stripOuterBraces(s: string): string {
  const t = s.trim();
  if (t.startsWith('{') && t.endsWith('}')) return t.slice(1, -1).trim();
  return t;
}

/** Splits on commas/whitespace, keeping `{...}` groups whole (mystrtokq). */
export function splitBraced(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const sep = (c: string) => c === ',' || c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < text.length) {
    while (i < text.length && sep(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let level = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '{') level++;
      else if (level > 0 && c === '}') level--;
      else if (level === 0 && sep(c)) break;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

interface KeyedEntry {
  value: string;
  line: number;
}

function fixedTable(spec: string, type: string, name: string, entries: Map<string, KeyedEntry>, file?: string): SimTable {
  const t: SimTable = {
    spec,
    type,
    name,
    fixed: true,
    file,
    lookup(key: string) {
      const e = entries.get(key.toLowerCase());
      t.lastLine = e?.line;
      return e ? { kind: 'found', value: e.value } : { kind: 'notfound' };
    },
  };
  return t;
}

function accessTable(spec: string, type: string, name: string, table: AccessTable, file: string): SimTable {
  const t: SimTable = {
    spec,
    type,
    name,
    fixed: true,
    file,
    lookup(key: string) {
      const hit = table.lookup(key);
      t.lastLine = hit ? table.line(hit.index) : undefined;
      return hit ? { kind: 'found', value: hit.value } : { kind: 'notfound' };
    },
  };
  return t;
}

// ---- cidr -------------------------------------------------------------

interface CidrRule {
  negate: boolean;
  net: string;
  line: number;
  value?: string;
  /** For `if`: index just after the matching endif. */
  block?: CidrRule[];
}

function parseCidr(text: string): CidrRule[] {
  const root: CidrRule[] = [];
  const stack: CidrRule[][] = [root];
  for (const ll of readLogicalLines(text).lines) {
    const t = ll.text.trim();
    const top = stack[stack.length - 1];
    if (/^endif$/i.test(t)) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const ifm = /^if\s+(!?)(\S+)$/i.exec(t);
    if (ifm) {
      const rule: CidrRule = { negate: ifm[1] === '!', net: ifm[2], line: ll.firstLine, block: [] };
      top.push(rule);
      stack.push(rule.block!);
      continue;
    }
    const m = /^(!?)(\S+)\s+(.*\S)$/.exec(t);
    if (!m) continue;
    top.push({ negate: m[1] === '!', net: m[2], line: ll.firstLine, value: m[3] });
  }
  return root;
}

function cidrMatches(net: string, addr: string): boolean | undefined {
  let n = net;
  if (n.startsWith('[') ) n = n.replace(/^\[([^\]]*)\](\/\d+)?$/, '$1$2');
  const slash = n.indexOf('/');
  const base = slash < 0 ? n : n.slice(0, slash);
  const bits = slash < 0 ? undefined : Number(n.slice(slash + 1));
  const a = parseIp(addr);
  const b = parseIp(base);
  if (!a || !b) return undefined;
  if (a.version !== b.version) return false;
  const max = a.version === 4 ? 32 : 128;
  const len = bits === undefined ? max : bits;
  if (!Number.isInteger(len) || len < 0 || len > max) return undefined;
  // Postfix skips rules with host bits set; treat them as never matching.
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(max - len);
  if ((b.value & ~mask & ((1n << BigInt(max)) - 1n)) !== 0n) return undefined;
  return ipInNet(a, b, len);
}

function cidrTable(spec: string, name: string, rules: CidrRule[], file: string): SimTable {
  const t: SimTable = {
    spec,
    type: 'cidr',
    name,
    fixed: false,
    file,
    lookup(key: string) {
      if (!parseIp(key)) return { kind: 'notfound' };
      const walk = (list: CidrRule[]): LookupResult | undefined => {
        for (const r of list) {
          const m = cidrMatches(r.net, key);
          if (m === undefined) continue;
          if (m === r.negate) continue;
          if (r.block) {
            const inner = walk(r.block);
            if (inner) return inner;
            continue;
          }
          t.lastLine = r.line;
          return { kind: 'found', value: r.value! };
        }
        return undefined;
      };
      return walk(rules) ?? { kind: 'notfound' };
    },
  };
  return t;
}

// ---- pcre / regexp -------------------------------------------------------

interface RegexRule {
  re?: RegExp;
  negate: boolean;
  line: number;
  value?: string;
  block?: RegexRule[];
}

/** Converts POSIX bracket classes to JavaScript. */
function posixToJs(src: string): string {
  const classes: Record<string, string> = {
    alpha: 'A-Za-z',
    digit: '0-9',
    alnum: 'A-Za-z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: ' \\t\\r\\n\\v\\f',
    blank: ' \\t',
    punct: '!-\\/:-@\\[-`{-~',
    xdigit: '0-9A-Fa-f',
    print: ' -~',
    graph: '!-~',
    cntrl: '\\x00-\\x1f\\x7f',
  };
  return src.replace(/\[:(\w+):\]/g, (m, c: string) => classes[c] ?? m);
}

function parsePattern(t: string, pcre: boolean): { re?: RegExp; negate: boolean; rest: string } | undefined {
  let i = 0;
  let negate = false;
  while (t[i] === '!') {
    negate = !negate;
    i++;
  }
  const delim = t[i];
  if (!delim || /\s/.test(delim)) return undefined;
  let j = i + 1;
  let body = '';
  for (; j < t.length; j++) {
    if (t[j] === '\\' && t[j + 1] === delim) {
      body += delim === '/' ? '\\/' : delim;
      j++;
      continue;
    }
    if (t[j] === '\\' && j + 1 < t.length) {
      body += t[j] + t[j + 1];
      j++;
      continue;
    }
    if (t[j] === delim) break;
    body += t[j];
  }
  if (j >= t.length) return undefined;
  j++;
  let flagsEnd = j;
  while (flagsEnd < t.length && !/\s/.test(t[flagsEnd])) flagsEnd++;
  const flags = t.slice(j, flagsEnd);
  let insensitive = true;
  let multiline = false;
  let dotall = false;
  for (const f of flags) {
    if (f === 'i') insensitive = !insensitive;
    else if (f === 'm') multiline = !multiline;
    else if (f === 's' && pcre) dotall = !dotall;
    else if ('xAEUX'.includes(f) && pcre) continue;
    else if (f === 'x' && !pcre) continue;
    else return undefined;
  }
  let source = pcre ? body : posixToJs(body);
  if (pcre && flags.includes('x')) source = source.replace(/\\#/g, '\u0000').replace(/#.*$/gm, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
  if (pcre && flags.includes('A') && !source.startsWith('^')) source = `^(?:${source})`;
  let re: RegExp | undefined;
  try {
    re = new RegExp(source, (insensitive ? 'i' : '') + (multiline ? 'm' : '') + (dotall ? 's' : ''));
  } catch {
    return undefined;
  }
  return { re, negate, rest: t.slice(flagsEnd).trim() };
}

function parseRegexTable(text: string, pcre: boolean): RegexRule[] {
  const root: RegexRule[] = [];
  const stack: RegexRule[][] = [root];
  for (const ll of readLogicalLines(text).lines) {
    const t = ll.text.trim();
    const top = stack[stack.length - 1];
    if (/^endif$/i.test(t)) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const ifm = /^if\s+(.*)$/i.exec(t);
    if (ifm) {
      const p = parsePattern(ifm[1].trim(), pcre);
      const rule: RegexRule = { re: p?.re, negate: p?.negate ?? false, line: ll.firstLine, block: [] };
      top.push(rule);
      stack.push(rule.block!);
      continue;
    }
    const p = parsePattern(t, pcre);
    if (!p || !p.re) continue;
    top.push({ re: p.re, negate: p.negate, line: ll.firstLine, value: p.rest });
  }
  return root;
}

function substitute(value: string, m: RegExpExecArray): string | undefined {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    if (value[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const br = /^\{(\d+)\}|^\((\d+)\)|^(\d+)/.exec(value.slice(i + 1));
    if (!br) {
      out += c;
      continue;
    }
    const n = Number(br[1] ?? br[2] ?? br[3]);
    out += m[n] ?? '';
    i += br[0].length;
  }
  return out;
}

function regexTable(spec: string, type: string, name: string, rules: RegexRule[], file: string): SimTable {
  const t: SimTable = {
    spec,
    type,
    name,
    fixed: false,
    file,
    lookup(key: string) {
      const walk = (list: RegexRule[]): LookupResult | undefined => {
        for (const r of list) {
          if (!r.re) continue;
          const m = r.re.exec(key);
          if (!!m === r.negate) continue;
          if (r.block) {
            const inner = walk(r.block);
            if (inner) return inner;
            continue;
          }
          t.lastLine = r.line;
          const v = m && !r.negate ? substitute(r.value!, m) : r.value!;
          if (v === undefined || v === '') continue;
          return { kind: 'found', value: v };
        }
        return undefined;
      };
      return walk(rules) ?? { kind: 'notfound' };
    },
  };
  return t;
}

/** dict_inline: `{ key=value, { key = value with spaces } }`; any bad item makes the whole table fail. */
function parseInline(name: string): { entries: Map<string, KeyedEntry> } | { error: string } {
  const t = name;
  if (!t.startsWith('{')) return { error: 'bad syntax' };
  let level = 0;
  let end = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '{') level++;
    else if (t[i] === '}') {
      level--;
      if (level === 0) {
        end = i;
        break;
      }
    }
  }
  if (end !== t.length - 1) return { error: 'bad syntax' };
  const body = t.slice(1, -1);
  const entries = new Map<string, KeyedEntry>();
  let count = 0;
  for (let item of splitBraced(body)) {
    if (item.startsWith('{')) item = stripOuterBraces(item);
    const m = /^\s*([^\s=]+)\s*=\s*(.*?)\s*$/s.exec(item);
    if (!m) return { error: /^\s*$/.test(item) ? 'no key found; expected format: key = value' : "missing '=' after attribute name" };
    entries.set(m[1].toLowerCase(), { value: m[2], line: -1 });
    count++;
  }
  if (count === 0) return { error: 'empty table' };
  return { entries };
}

// ---- opening -------------------------------------------------------------

export function resolveTablePath(name: string, configDir: string): string {
  if (name.startsWith('/')) return name;
  return `${configDir.replace(/\/$/, '')}/${name}`;
}

export function openTable(spec: string, reader: FileReader, configDir: string): SimTable {
  let { type, name } = splitSpec(spec);
  if (type === 'proxy') ({ type, name } = splitSpec(name));
  const unreadable = (reason: string): SimTable => ({
    spec,
    type,
    name,
    fixed: true,
    lookup: () => ({ kind: 'unreadable', reason }),
  });
  const missing = (path: string): SimTable => ({
    spec,
    type,
    name,
    fixed: true,
    file: path,
    // smtpd answers a lookup in a table it cannot open with a temporary error.
    lookup: () => ({ kind: 'error', reason: `cannot read ${path}` }),
  });
  if (type === 'inline') {
    const parsed = parseInline(name);
    if ('error' in parsed) {
      const reason = `${parsed.error}: "inline:${name}"; need "inline:{name=value...}"`;
      return { spec, type, name, fixed: true, lookup: () => ({ kind: 'error', reason }) };
    }
    return fixedTable(spec, type, name, parsed.entries);
  }
  if (type === 'static') {
    const value = stripOuterBraces(name);
    return { spec, type, name, fixed: true, lookup: () => ({ kind: 'found', value }) };
  }
  if (type === 'fail') {
    return { spec, type, name, fixed: true, lookup: () => ({ kind: 'error', reason: 'fail: table always fails' }) };
  }
  if (INDEXED.has(type) || type === 'texthash' || type === 'cidr' || type === 'pcre' || type === 'regexp') {
    const path = resolveTablePath(name, configDir);
    const text = reader.readText(path);
    if (text === undefined) return missing(path);
    if (type === 'cidr') return cidrTable(spec, name, parseCidr(text), path);
    if (type === 'pcre' || type === 'regexp') return regexTable(spec, type, name, parseRegexTable(text, type === 'pcre'), path);
    return accessTable(spec, type, name, parseAccessTable(text, path, { type }), path);
  }
  return unreadable(`the engine cannot read ${type || 'untyped'} tables (${spec})`);
}

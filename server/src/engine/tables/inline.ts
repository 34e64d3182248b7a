// Tables whose content is in their name: inline:{ key=value, { key = value with spaces } },
// static:value or static:{ value with spaces }, and the lists of other tables
// in unionmap:{...}, pipemap:{...} and randmap:{...}. Postfix treats every
// syntax error here as fatal (the program using the table stops), so each
// parser returns either the table or Postfix's fatal message.
// Offsets are relative to the name (the text after `type:`).

import { foldKey } from './fold';
import { balancedBraces, extractBraced, isSpaceCode, splitBraced, trimEnd } from './text';

export interface InlineEntry {
  key: string;
  value: string;
  /** Offsets of key and value inside the name. */
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface InlineTable {
  kind: 'inline';
  name: string;
  entries: InlineEntry[];
  /** Stored (folded) key → index of the entry that wins (the last one: no duplicate check). */
  index: Map<string, number>;
  fold: boolean;
}

export interface StaticTable {
  kind: 'static';
  name: string;
  value: string;
  valueStart: number;
  valueEnd: number;
}

export interface TableListSpec {
  kind: 'unionmap' | 'pipemap' | 'randmap';
  name: string;
  /** Member table specs (type:name), or randmap results, with offsets inside the name. */
  members: { text: string; start: number; end: number }[];
}

export type Fatal = { fatal: string };

/** split_qnameval(): `key = value` with the key possibly quoted; error text or key/value offsets. */
function splitNameValue(s: string, from: number, to: number): { k0: number; k1: number; v0: number; v1: number } | string {
  let k = from;
  while (k < to && isSpaceCode(s.charCodeAt(k))) k++;
  if (k >= to) return 'no key found; expected format: key = value';
  let e = k;
  let inQuotes = false;
  for (; e < to; e++) {
    const c = s.charCodeAt(e);
    if (c === 92) {
      if (++e >= to) break;
    } else if (isSpaceCode(c) || c === 61) {
      if (!inQuotes) break;
    } else if (c === 34) inQuotes = !inQuotes;
  }
  if (inQuotes) return `unbalanced '"'`;
  const keyEnd = Math.min(e, to);
  let v = keyEnd;
  while (v < to && isSpaceCode(s.charCodeAt(v))) v++;
  if (v >= to || s.charCodeAt(v) !== 61) return "missing '=' after attribute name";
  v++;
  while (v < to && isSpaceCode(s.charCodeAt(v))) v++;
  return { k0: k, k1: keyEnd, v0: v, v1: trimEnd(s, to, v) };
}

function hasBadUtf8(s: string): boolean {
  return s.indexOf('\ufffd') >= 0;
}

/** inline:{...} — `name` is what follows `inline:`. */
export function parseInlineTable(name: string, fold = true): InlineTable | Fatal {
  const need = `need "inline:{name=value...}"`;
  if (hasBadUtf8(name)) return { fatal: `bad UTF-8 syntax: "inline:${name}"; ${need}` };
  const len = balancedBraces(name);
  if (len === 0 || len !== name.length || len === 2) return { fatal: `bad syntax: "inline:${name}"; ${need}` };
  const entries: InlineEntry[] = [];
  const index = new Map<string, number>();
  for (const [ts, te] of splitBraced(name, 1, len - 1)) {
    let from = ts;
    let to = te;
    if (name.charCodeAt(ts) === 123) {
      const x = extractBraced(name.slice(ts, te));
      if (x.error) return { fatal: `${x.error}: "inline:${name}"; ${need}` };
      from = ts + x.start;
      to = ts + x.end;
    }
    const kv = splitNameValue(name, from, to);
    if (typeof kv === 'string') return { fatal: `${kv}: "inline:${name}"; ${need}` };
    const key = name.slice(kv.k0, kv.k1);
    index.set(fold ? foldKey(key) : key, entries.length);
    entries.push({ key, value: name.slice(kv.v0, kv.v1), keyStart: kv.k0, keyEnd: kv.k1, valueStart: kv.v0, valueEnd: kv.v1 });
  }
  if (entries.length === 0) return { fatal: `empty table: "inline:${name}"; ${need}` };
  return { kind: 'inline', name, entries, index, fold };
}

export function lookupInline(t: InlineTable, key: string): InlineEntry | undefined {
  const i = t.index.get(t.fold ? foldKey(key) : key);
  return i === undefined ? undefined : t.entries[i];
}

/** static:value or static:{ value } — `name` is what follows `static:`. */
export function parseStaticTable(name: string): StaticTable | Fatal {
  if (name.charCodeAt(0) === 123) {
    const x = extractBraced(name);
    if (x.error) return { fatal: `bad static:name syntax: ${x.error}` };
    return { kind: 'static', name, value: name.slice(x.start, x.end), valueStart: x.start, valueEnd: x.end };
  }
  return { kind: 'static', name, value: name, valueStart: 0, valueEnd: name.length };
}

/** unionmap:{...}, pipemap:{...}, randmap:{...} — `name` is what follows the type. */
export function parseTableList(kind: TableListSpec['kind'], name: string): TableListSpec | Fatal {
  const need = kind === 'randmap' ? `need "randmap:{value...}"` : `need "${kind}:{type:name...}"`;
  const bad = { fatal: `bad syntax: "${kind}:${name}"; ${need}` };
  const len = balancedBraces(name);
  if (len === 0 || len !== name.length || len === 2) return bad;
  const members = splitBraced(name, 1, len - 1).map(([start, end]) => ({ text: name.slice(start, end), start, end }));
  if (members.length === 0) return bad;
  if (kind !== 'randmap' && members.some((m) => !m.text.includes(':'))) return bad;
  return { kind, name, members };
}

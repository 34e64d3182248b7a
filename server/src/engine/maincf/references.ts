// Finds `$name` references in a parameter value, with offsets, for hover,
// go-to-definition and undefined-reference checks. Expansion itself lives in
// expand.ts and follows Postfix's mac_expand() on strings; this scanner only
// locates names, including those inside `${a?{...}:{...}}` and
// `${{$a} == {b}?...}` operands.

import type { Range } from '../types';

export interface Reference {
  /** Parameter name, or undefined for a relational expression `${{...} op {...}}`. */
  name?: string;
  /** Offsets of the whole reference (`$` to closing bracket) inside the value. */
  start: number;
  end: number;
  /** Offsets of the name itself. */
  nameStart: number;
  nameEnd: number;
  form: 'plain' | 'brace' | 'paren';
  /** `?` (if non-empty) or `:` (if empty or undefined), when the reference is conditional. */
  operator?: '?' | ':';
  /** Filled by the main.cf parser: document range of the whole reference. */
  range?: Range;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** Returns every reference in `value`, nested ones included, in source order. */
export function parseReferences(value: string, base = 0, depth = 0): Reference[] {
  const out: Reference[] = [];
  if (depth > 20) return out;
  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch !== '$') {
      i++;
      continue;
    }
    if (value[i + 1] === '$') {
      i += 2;
      continue;
    }
    const start = i;
    i++;
    const open = value[i];
    if (open === '{' || open === '(') {
      const close = open === '{' ? '}' : ')';
      let level = 1;
      let j = i + 1;
      while (j < value.length && level > 0) {
        if (value[j] === open) level++;
        else if (value[j] === close) level--;
        j++;
      }
      if (level > 0) break; // truncated: expand.ts reports it
      const inner = value.slice(i + 1, j - 1);
      const innerBase = i + 1;
      out.push(...scanExpression(inner, innerBase, start, j, open === '{' ? 'brace' : 'paren', base, depth));
      i = j;
    } else {
      let j = i;
      while (j < value.length && NAME_CHAR.test(value[j])) j++;
      if (j > i) out.push({ name: value.slice(i, j), start: base + start, end: base + j, nameStart: base + i, nameEnd: base + j, form: 'plain' });
      i = j;
    }
  }
  return out;
}

function scanExpression(
  inner: string,
  innerBase: number,
  start: number,
  end: number,
  form: 'brace' | 'paren',
  base: number,
  depth: number,
): Reference[] {
  const out: Reference[] = [];
  let k = 0;
  while (k < inner.length && /\s/.test(inner[k])) k++;
  if (inner[k] === '{') {
    // Relational expression: ${{left} op {right} ? {then} : {else}}; scan every {operand}.
    out.push({ start: base + start, end: base + end, nameStart: base + innerBase + k, nameEnd: base + innerBase + k, form });
    out.push(...scanBraced(inner, innerBase, base, depth));
    return out;
  }
  const nameStart = k;
  while (k < inner.length && NAME_CHAR.test(inner[k])) k++;
  const nameEnd = k;
  while (k < inner.length && /\s/.test(inner[k])) k++;
  const op = inner[k] === '?' || inner[k] === ':' ? (inner[k] as '?' | ':') : undefined;
  if (nameEnd > nameStart) {
    out.push({
      name: inner.slice(nameStart, nameEnd),
      start: base + start,
      end: base + end,
      nameStart: base + innerBase + nameStart,
      nameEnd: base + innerBase + nameEnd,
      form,
      operator: op,
    });
  }
  if (op) {
    const rest = inner.slice(k + 1);
    const restBase = innerBase + k + 1;
    if (/^\s*\{/.test(rest)) out.push(...scanBraced(rest, restBase, base, depth));
    else out.push(...parseReferences(rest, base + restBase, depth + 1));
  }
  return out;
}

/** Scans the contents of every balanced `{...}` group in `s` for references. */
function scanBraced(s: string, sBase: number, base: number, depth: number): Reference[] {
  const out: Reference[] = [];
  let k = 0;
  while (k < s.length) {
    if (s[k] !== '{') {
      k++;
      continue;
    }
    let level = 1;
    let j = k + 1;
    while (j < s.length && level > 0) {
      if (s[j] === '{') level++;
      else if (s[j] === '}') level--;
      j++;
    }
    const payload = s.slice(k + 1, level > 0 ? j : j - 1);
    out.push(...parseReferences(payload, base + sBase + k + 1, depth + 1));
    k = j;
  }
  return out;
}

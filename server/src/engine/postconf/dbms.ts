// Legacy database client configuration, as postconf checks it: a table
// `ldap:name` makes `name_server_host` etc. valid main.cf parameters, and a
// table `mysql:/etc/postfix/x.cf` names a client file whose unknown settings
// postconf reports.

import suffixRows from '../catalog/generated/dbmsSuffixes';
import { readLogicalLines, isSpace } from '../lines';

export const DBMS_SUFFIXES = new Map<string, string[]>();
for (const r of suffixRows) {
  const list = DBMS_SUFFIXES.get(r.type) ?? [];
  list.push(r.suffix);
  DBMS_SUFFIXES.set(r.type, list);
}

const SEP = ', \t\r\n';

/** Splits on commas/blanks but keeps `{...}` groups whole (mystrtokq semantics). */
export function splitKeepingBraces(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && SEP.includes(s[i])) i++;
    if (i >= s.length) break;
    const start = i;
    let level = 0;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '{') level++;
      else if (level > 0 && ch === '}') level--;
      else if (level === 0 && SEP.includes(ch)) break;
    }
    out.push(s.slice(start, i));
    i++;
  }
  return out;
}

/** Length of the balanced `{...}` prefix of s, or 0 when unbalanced. */
function balancedLength(s: string): number {
  let level = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') level++;
    else if (s[i] === '}' && --level === 0) return i + 1;
  }
  return 0;
}

/** Strips one `{...}` group; returns the inside and postconf's complaint, if any. */
export function stripBraces(s: string): { inner: string; error?: string } {
  const len = balancedLength(s);
  if (len === 0) return { inner: s.slice(1), error: `missing '}' in "${s}"` };
  return { inner: s.slice(1, len - 1), error: len < s.length ? `syntax error after '}' in "${s}"` : undefined };
}

/** Visits every `type:prefix` in an expanded value, descending into `{...}` groups like postconf. */
export function walkTables(value: string, warn: (text: string) => void, visit: (type: string, prefix: string) => void): void {
  for (const token of splitKeepingBraces(value)) {
    if (token.startsWith('{')) {
      const b = stripBraces(token);
      if (b.error) warn(b.error);
      walkTables(b.inner, warn, visit);
      continue;
    }
    let type = token;
    let colon = type.indexOf(':');
    while (colon >= 0 && type.slice(0, colon) === 'proxy') {
      type = type.slice(colon + 1);
      colon = type.indexOf(':');
    }
    if (colon < 0) continue;
    const prefix = type.slice(colon + 1);
    type = type.slice(0, colon);
    if (prefix.startsWith('{') && !prefix.startsWith('/') && !prefix.startsWith('.')) {
      const b = stripBraces(prefix);
      if (b.error) warn(b.error);
      walkTables(b.inner, warn, visit);
      continue;
    }
    visit(type, prefix);
  }
}

/** postconf's warnings for one database client file: missing file, duplicates, unknown settings. */
export function checkClientFile(type: string, path: string, suffixes: string[], read: (p: string) => string | undefined): string[] {
  const text = read(path);
  if (text === undefined) return [`open "${type}" configuration "${path}": No such file or directory`];
  const out: string[] = [];
  const dict = new Map<string, string>();
  for (const ll of readLogicalLines(text).lines) {
    const t = ll.text;
    let i = 0;
    while (i < t.length && !isSpace(t[i]) && t[i] !== '=') i++;
    const name = t.slice(0, i);
    while (i < t.length && isSpace(t[i])) i++;
    if (t[i] !== '=' || name === '') continue;
    let v = t.slice(i + 1);
    v = v.replace(/^[ \t\r\n\v\f]+|[ \t\r\n\v\f]+$/g, '');
    const old = dict.get(name);
    if (old !== undefined && old !== v) out.push(`${path}, line ${ll.firstLine + 1}: overriding earlier entry: ${name}=${old}`);
    dict.set(name, v);
  }
  for (const [name, value] of dict) if (!suffixes.includes(name)) out.push(`${type}:${path}: unused parameter: ${name}=${value}`);
  return out;
}

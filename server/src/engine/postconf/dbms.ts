// Legacy database client configuration, as postconf checks it: a table
// `ldap:name` in a built-in setting makes `name_server_host` and the other
// client settings valid parameters, and a table `mysql:/etc/postfix/x.cf`
// names a client file whose unknown settings postconf reports. The client
// setting names per database type are data (server/data/dbms-suffixes.tsv).

import suffixRows from '../catalog/generated/dbmsSuffixes';
import { readLogicalLines } from '../lines';
import { splitNameValue } from '../mastercf/tokenize';
import { eachBraced } from '../tables/text';
import { isSystemPath, SYSTEM_FILE_REASON } from '../paths';

const SUFFIXES = new Map<string, string[]>();
for (const r of suffixRows) {
  const list = SUFFIXES.get(r.type) ?? [];
  list.push(r.suffix);
  SUFFIXES.set(r.type, list);
}

/** Client setting names of a database type postconf knows (ldap, mysql, pgsql, sqlite, memcache), else undefined. */
export function dbmsSuffixes(type: string): readonly string[] | undefined {
  return SUFFIXES.get(type);
}

/** Why a file could not be read: the text after `open "type" configuration "path": `, or null when postconf stays silent (EACCES). */
export interface ReadFailure {
  /** How postconf words it for a database client file (null: no warning). */
  error: string | null;
  /** How it words it for main.cf, which it reads as a plain stream ("read /x/main.cf: Is a directory"). */
  streamError?: string;
}

/** Reads a file; undefined when it does not exist. */
export type ReadFile = (path: string) => string | undefined | ReadFailure;

/** Takes one `{...}` group apart like extpar(): the inside, and postconf's complaint if any. */
function stripBraces(s: string): { inner: string; error?: string } {
  let level = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') level++;
    else if (s[i] === '}' && --level === 0) {
      return { inner: s.slice(1, i), error: i + 1 < s.length ? `syntax error after '}' in "${s}"` : undefined };
    }
  }
  return { inner: s.slice(1), error: `missing '}' in "${s}"` };
}

// Postfix recurses without a limit; nesting this deep only comes from fuzzing.
const MAX_DEPTH = 500;

/**
 * Visits every `type:prefix` in an expanded value the way postconf looks for
 * legacy tables: words split on commas and blanks, `{...}` groups opened,
 * `proxy:` skipped. `warn` gets postconf's brace complaints.
 */
export function walkTables(value: string, warn: (text: string) => void, visit: (type: string, prefix: string) => void, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  // Only words with a colon or a brace are looked at; the next colon is found
  // once per colon, not once per word (a list may hold a million plain words).
  let nextColon = value.indexOf(':');
  eachBraced(value, (start, end) => {
    if (nextColon >= 0 && nextColon < start) nextColon = value.indexOf(':', start);
    const braced = value.charCodeAt(start) === 123;
    if (!braced && (nextColon < 0 || nextColon >= end)) return;
    const token = value.slice(start, end);
    if (braced) {
      const b = stripBraces(token);
      if (b.error) warn(b.error);
      walkTables(b.inner, warn, visit, depth + 1);
      return;
    }
    let type = token;
    let colon = type.indexOf(':');
    while (colon >= 0 && type.slice(0, colon) === 'proxy') {
      type = type.slice(colon + 1);
      colon = type.indexOf(':');
    }
    if (colon < 0) return;
    const prefix = type.slice(colon + 1);
    type = type.slice(0, colon);
    if (prefix.startsWith('{')) {
      const b = stripBraces(prefix);
      if (b.error) warn(b.error);
      walkTables(b.inner, warn, visit, depth + 1);
      return;
    }
    visit(type, prefix);
  });
}

/** readllines' complaint about a logical line that starts with whitespace (Postfix skips the line). */
export function orphanWarning(path: string, text: string): string {
  return `${path}: logical line must not start with whitespace: "${text.slice(0, 30)}${text.length > 30 ? '...' : ''}"`;
}

/**
 * postconf's messages for one database client file: it cannot be opened,
 * a setting repeats with another value, a setting the client does not know;
 * a line without `=` is fatal.
 */
export function checkClientFile(type: string, path: string, read: ReadFile): { warnings: string[]; fatal?: string } {
  // postconf would open it (and block on /dev/stdin, or never finish /dev/zero); the emulation says why it does not.
  if (isSystemPath(path)) return { warnings: [`open "${type}" configuration "${path}": ${SYSTEM_FILE_REASON} by postfix-lint`] };
  const text = read(path);
  if (text === undefined) return { warnings: [`open "${type}" configuration "${path}": No such file or directory`] };
  if (typeof text !== 'string') return { warnings: text.error === null ? [] : [`open "${type}" configuration "${path}": ${text.error}`] };
  const warnings: string[] = [];
  const settings = new Map<string, string>();
  const lines = readLogicalLines(text);
  for (const o of lines.orphans) warnings.push(orphanWarning(path, o.text));
  for (const ll of lines.lines) {
    const nv = splitNameValue(ll.text);
    if (typeof nv === 'string') return { warnings, fatal: `${path}, line ${ll.firstLine + 1}: ${nv}: "${ll.text}"` };
    const old = settings.get(nv.name);
    if (old !== undefined && old !== nv.value) warnings.push(`${path}, line ${ll.firstLine + 1}: overriding earlier entry: ${nv.name}=${old}`);
    settings.set(nv.name, nv.value);
  }
  const known = dbmsSuffixes(type) ?? [];
  for (const [name, value] of settings) if (!known.includes(name)) warnings.push(`${type}:${path}: unused parameter: ${name}=${value}`);
  return { warnings };
}

// Legacy database parameters. Before Postfix 2.x one could write
// `virtual_alias_maps = ldap:mysource` and put `mysource_server_host = ...`
// into main.cf (or a -o setting). postconf still honours this: when a
// built-in or per-service parameter's value names `ldap:`, `mysql:`, `pgsql:`,
// `sqlite:` or `memcache:` with a table name that is not a path, the names
// `<table>_<setting>` count as used; with an absolute path it reads that file
// and reports settings it does not know. These lists are the settings each
// client reads (facts from the 3.7 sources: cfg_get_* names plus postconf's
// additions).

import { extractBraced, splitQuoted } from './tokenize';

const LDAP = [
  'bind', 'bind_dn', 'bind_pw', 'cache', 'cache_expiry', 'cache_size', 'chase_referrals', 'debuglevel', 'dereference', 'domain',
  'expansion_limit', 'leaf_result_attribute', 'query_filter', 'recursion_limit', 'result_attribute', 'result_filter', 'result_format',
  'sasl_authz_id', 'sasl_mechs', 'sasl_minssf', 'sasl_realm', 'scope', 'search_base', 'server_host', 'server_port', 'size_limit',
  'special_result_attribute', 'start_tls', 'terminal_result_attribute', 'timeout', 'tls_ca_cert_dir', 'tls_ca_cert_file', 'tls_cert',
  'tls_cipher_suite', 'tls_key', 'tls_random_file', 'tls_require_cert', 'version',
];
const SQL_LEGACY = ['additional_conditions', 'domain', 'select_field', 'table', 'where_field'];
const MYSQL = [
  ...SQL_LEGACY, 'dbname', 'expansion_limit', 'hosts', 'option_file', 'option_group', 'password', 'query', 'require_result_set',
  'result_format', 'tls_CAfile', 'tls_CApath', 'tls_cert_file', 'tls_ciphers', 'tls_key_file', 'tls_verify_cert', 'user',
];
const PGSQL = [...SQL_LEGACY, 'dbname', 'expansion_limit', 'hosts', 'password', 'query', 'result_format', 'select_function', 'user'];
const SQLITE = [...SQL_LEGACY, 'dbpath', 'expansion_limit', 'query', 'result_format'];
const MEMCACHE = ['backup', 'data_size_limit', 'domain', 'flags', 'key_format', 'line_size_limit', 'max_try', 'memcache', 'retry_pause', 'timeout', 'ttl'];

export const DBMS_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  ldap: LDAP,
  mysql: MYSQL,
  pgsql: PGSQL,
  sqlite: SQLITE,
  memcache: MEMCACHE,
};

export type DbmsEvent =
  | { kind: 'parameter'; name: string }
  | { kind: 'client-file'; type: string; path: string }
  | { kind: 'braces'; message: string };

/**
 * Walks an expanded value the way postconf looks for legacy database names:
 * words separated by commas and blanks, `{...}` groups opened recursively,
 * `proxy:` prefixes skipped.
 */
export function scanDbmsReferences(value: string, out: DbmsEvent[] = [], depth = 0): DbmsEvent[] {
  if (depth > 50) return out;
  for (const tok of splitQuoted(value, ', \t\r\n')) {
    let word = tok.text;
    if (word[0] === '{') {
      const ex = extractBraced(word, false);
      if (ex.error) out.push({ kind: 'braces', message: ex.error });
      scanDbmsReferences(ex.text, out, depth + 1);
      continue;
    }
    let type = word;
    let prefix: string | undefined;
    for (;;) {
      const colon = word.indexOf(':');
      if (colon < 0) {
        prefix = undefined;
        break;
      }
      type = word.slice(0, colon);
      prefix = word.slice(colon + 1);
      if (type !== 'proxy') break;
      word = prefix;
    }
    if (prefix === undefined) continue;
    const settings = Object.prototype.hasOwnProperty.call(DBMS_SETTINGS, type) ? DBMS_SETTINGS[type] : undefined;
    if (prefix[0] === '/') {
      if (settings) out.push({ kind: 'client-file', type, path: prefix });
      continue;
    }
    if (prefix[0] === '.') continue;
    if (prefix[0] === '{') {
      const ex = extractBraced(prefix, false);
      if (ex.error) out.push({ kind: 'braces', message: ex.error });
      scanDbmsReferences(ex.text, out, depth + 1);
      continue;
    }
    if (settings) for (const s of settings) out.push({ kind: 'parameter', name: `${prefix}_${s}` });
  }
  return out;
}

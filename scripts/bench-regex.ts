// In-process timing of pcre:/regexp: lookups on our bounded matcher:
// microseconds per lookup for ordinary header_checks-style rules, and
// milliseconds for keys that make a pattern backtrack exponentially (the
// relay matrix's postmaster@<28-character mydestination>, issue 8).
import { parseRegexTable, lookupRegex } from '../server/src/engine/tables';

const ORDINARY = [
  '/^Subject:.*\\b(viagra|cialis)\\b/ REJECT spam',
  '/^Received: from (\\S+) \\((\\S+) \\[([0-9.]+)\\]\\)/ PREPEND X-Relay: $1 $3',
  '/^X-Mailer: PHPMailer/ DISCARD',
  '/^(From|To): .*@example\\.(com|org)$/ OK',
  '/^[^@]+@([a-z0-9-]+\\.)+[a-z]{2,}$/ DUNNO',
].join('\n');
const KEYS = ['Subject: cheap viagra here', 'Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx', 'X-Mailer: PHPMailer 6', 'From: someone@example.org', 'user@sub.domain.example', 'Mime-Version: 1.0'];

function perLookup(type: 'pcre' | 'regexp', text: string, keys: string[], runs: number): number {
  const t = parseRegexTable(type, text, 'bench');
  for (let i = 0; i < 200; i++) for (const k of keys) lookupRegex(t, k);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) for (const k of keys) lookupRegex(t, k);
  return Number(process.hrtime.bigint() - t0) / 1e3 / (runs * keys.length);
}

const out: Record<string, unknown> = {};
for (const type of ['pcre', 'regexp'] as const) out[`${type}_ordinary_microseconds`] = +perLookup(type, ORDINARY, KEYS, 2000).toFixed(2);
const key = `postmaster@${'a'.repeat(26)}.x`;
for (const type of ['pcre', 'regexp'] as const) {
  const t = parseRegexTable(type, '/^postmaster@(a|a)*X$/ OK\n', 'bench');
  const t0 = process.hrtime.bigint();
  const r = lookupRegex(t, key);
  out[`${type}_exploding_key_ms`] = +(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2);
  out[`${type}_exploding_key_result`] = `${r.status}${r.warnings ? ` (${r.warnings.join('; ')})` : ''}`;
}
console.log(JSON.stringify(out));

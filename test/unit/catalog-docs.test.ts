// The catalog's own documentation against the facts: every parameter has a
// description and a type in the grammar, and the types agree with what real
// Postfix 3.7.11 says (`postconf -d` defaults and its storage classes).

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import parameterRows from '../../server/src/engine/catalog/generated/parameters';
import postconf3711 from '../../server/src/engine/catalog/generated/postconf3711';
import restrictionRows from '../../server/src/engine/catalog/generated/restrictions';
import tableTypeRows from '../../server/src/engine/catalog/generated/tableTypes';
import accessActionRows from '../../server/src/engine/catalog/generated/accessActions';
import {
  accessActionInfo,
  allParameterDocs,
  describeParamType,
  masterDoc,
  MASTER_FIELDS,
  ParamType,
  parameterInfo,
  parameterLink,
  parseParamType,
  RESTRICTION_STAGES,
  restrictionInfo,
  restrictionStageOf,
  tableTypeInfo,
} from '../../server/src/engine/catalog/docs';
import { defaultValue, LEGACY_NAMES, parameterFact } from '../../server/src/engine/catalog/parameters';
import { expandValue } from '../../server/src/engine/expand';
import { MASTER_TYPES } from '../../server/src/engine/mastercf';

/**
 * The default after `$name` expansion with every other name at its default
 * (compatibility_level 0 as in postconf -d). Legacy names are unset unless a
 * user sets them: `${postscreen_dnsbl_ttl?...}` must see nothing.
 */
function expandedDefault(name: string): string {
  return expandValue(defaultValue(name) ?? '', (n) => (LEGACY_NAMES.has(n) ? undefined : defaultValue(n))).value;
}

const storage = new Map<string, string>(postconf3711.map((r) => [r.name, r.kind]));
const docs = [...allParameterDocs()];
const typed = (kind: ParamType['kind']) => docs.filter((d) => d.type?.kind === kind);

describe('parameter docs', () => {
  test('every parameter of parameters.tsv has a description and a type in the grammar', () => {
    assert.equal(parameterRows.length, 958);
    const missing: string[] = [];
    const badType: string[] = [];
    for (const row of parameterRows) {
      const info = parameterInfo(row.name);
      if (!info?.doc || info.doc.length < 20) missing.push(row.name);
      if (!info?.type) badType.push(`${row.name}: ${info?.typeText}`);
    }
    assert.deepEqual(missing, []);
    assert.deepEqual(badType, []);
    assert.equal(docs.length, 958, 'no doc rows for names outside parameters.tsv');
  });

  test('every name real postconf 3.7.11 knows is documented', () => {
    const undocumented = postconf3711.filter((r) => !parameterInfo(r.name)?.doc).map((r) => r.name);
    assert.deepEqual(undocumented, []);
  });

  test('the type grammar: valid strings parse, invalid ones do not', () => {
    assert.deepEqual(parseParamType('time:d'), { kind: 'time', unit: 'd' });
    assert.deepEqual(parseParamType('enum:a|b'), { kind: 'enum', values: ['a', 'b'] });
    assert.deepEqual(parseParamType('restrictions:end_of_data'), { kind: 'restrictions', stage: 'end_of_data' });
    for (const bad of ['', 'boolean', 'time', 'time:x', 'enum:', 'enum:a||b', 'enum:a b', 'restrictions:mail', 'tables:hash']) {
      assert.equal(parseParamType(bad), undefined, bad);
    }
    for (const d of docs) assert.ok(describeParamType(d.type!).length > 0);
  });

  test('bool types agree with postconf 3.7.11 storage classes, both ways', () => {
    const wrong: string[] = [];
    for (const [name, kind] of storage) {
      const t = parameterInfo(name)?.type?.kind;
      if ((kind === 'bool' || kind === 'nbool') !== (t === 'bool')) wrong.push(`${name}: ${kind} vs ${t}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('time types agree with postconf 3.7.11 storage classes, both ways', () => {
    const wrong: string[] = [];
    for (const [name, kind] of storage) {
      const t = parameterInfo(name)?.type?.kind;
      if ((kind === 'time') !== (t === 'time')) wrong.push(`${name}: ${kind} vs ${t}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('int storage is documented as int, long or size', () => {
    const wrong: string[] = [];
    for (const [name, kind] of storage) {
      const t = parameterInfo(name)?.type?.kind;
      if ((kind === 'int' || kind === 'long') && !['int', 'long', 'size'].includes(t ?? '')) wrong.push(`${name}: ${kind} vs ${t}`);
    }
    assert.deepEqual(wrong, []);
  });

  // Documented in 3.12 but not in 3.7.11, with an empty default there: nothing to check against.
  const BOOL_WITHOUT_DEFAULT: Record<string, string> = {
    smtpd_per_record_deadline: 'legacy name of smtpd_per_request_deadline; unset by default so that the new name decides',
    smtp_tlsrpt_skip_reused_handshakes: 'Postfix 3.10+; the 3.12 table gives no literal default',
  };

  test('bool-typed parameters have yes/no defaults (after expansion) per real 3.7.11', () => {
    const bad: string[] = [];
    for (const d of typed('bool')) {
      if (d.name in BOOL_WITHOUT_DEFAULT) continue;
      const v = expandedDefault(d.name);
      if (!/^(yes|no)$/.test(v)) bad.push(`${d.name} = ${JSON.stringify(defaultValue(d.name))} → ${JSON.stringify(v)}`);
    }
    assert.deepEqual(bad, []);
    // Exceptions must stay exceptions, or they should be removed from the list.
    for (const name of Object.keys(BOOL_WITHOUT_DEFAULT)) assert.equal(parameterInfo(name)?.type?.kind, 'bool', name);
  });

  test('time-typed parameters have a default like 10s, 5d, 0 or a $reference', () => {
    const bad: string[] = [];
    for (const d of typed('time')) {
      const raw = defaultValue(d.name) ?? '';
      if (!/^\d+[smhdw]?$/.test(raw) && !raw.startsWith('$')) bad.push(`${d.name} = ${JSON.stringify(raw)}`);
      // A $reference must still end in a time value.
      if (raw.startsWith('$') && !/^\d+[smhdw]?$/.test(expandedDefault(d.name))) bad.push(`${d.name} → ${expandedDefault(d.name)}`);
    }
    assert.deepEqual(bad, []);
  });

  // Empty means "not set" for these, which the enum does not list.
  const ENUM_EMPTY_DEFAULT: Record<string, string> = {
    smtp_tls_security_level: 'empty: the legacy smtp_use_tls/smtp_enforce_tls settings decide',
    lmtp_tls_security_level: 'empty: the legacy lmtp_use_tls/lmtp_enforce_tls settings decide',
    smtpd_tls_security_level: 'empty: the legacy smtpd_use_tls/smtpd_enforce_tls settings decide',
    postscreen_tls_security_level: 'follows smtpd_tls_security_level, empty by default',
    tlsproxy_tls_security_level: 'follows smtpd_tls_security_level, empty by default',
    tlsproxy_client_level: 'follows smtp_tls_security_level, empty by default',
    tlsproxy_client_security_level: 'follows smtp_tls_security_level, empty by default',
    smtpd_upstream_proxy_protocol: 'empty: no proxy in front of smtpd',
    postscreen_upstream_proxy_protocol: 'empty: no proxy in front of postscreen',
    smtp_dns_support_level: 'empty: DNS use is decided by the older disable_dns_lookups',
    lmtp_dns_support_level: 'empty: DNS use is decided by the older disable_dns_lookups',
    smtp_tls_dane_insecure_mx_policy: 'expands to "may" unless the security level is dane; empty level gives "may" too',
  };

  test('enum defaults are among the enum values (after expansion), with listed exceptions', () => {
    const bad: string[] = [];
    for (const d of typed('enum')) {
      const t = d.type as { values: string[] };
      const v = expandedDefault(d.name);
      if (t.values.includes(v)) continue;
      if (v === '' && d.name in ENUM_EMPTY_DEFAULT) continue;
      bad.push(`${d.name} = ${JSON.stringify(defaultValue(d.name))} → ${JSON.stringify(v)}`);
    }
    assert.deepEqual(bad, []);
    for (const name of Object.keys(ENUM_EMPTY_DEFAULT)) assert.equal(parameterInfo(name)?.type?.kind, 'enum', name);
  });

  test('enumlist defaults use only listed words (negation and >= protocol ranges allowed)', () => {
    const bad: string[] = [];
    for (const d of typed('enumlist')) {
      const t = d.type as { values: string[] };
      for (const w of expandedDefault(d.name).split(/[\s,:]+/).filter(Boolean)) {
        const bare = w.replace(/^!/, '').replace(/^(>=|<=|<|>)/, '');
        if (!t.values.includes(bare)) bad.push(`${d.name}: ${w}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('exactly the eight smtpd_<stage>_restrictions lists have a restrictions type, with their own stage', () => {
    const lists = typed('restrictions').map((d) => d.name).sort();
    assert.deepEqual(lists, RESTRICTION_STAGES.map((s) => `smtpd_${s}_restrictions`).sort());
    for (const s of RESTRICTION_STAGES) assert.equal(restrictionStageOf(`smtpd_${s}_restrictions`), s);
  });

  test('per-service parameters take the type and description of their transport_ pattern', () => {
    const sp = [{ name: 'relay_destination_concurrency_limit', defaultFrom: 'default_destination_concurrency_limit', service: 'relay/unix' }];
    const custom = [{ name: 'dovecot_time_limit', defaultFrom: 'command_time_limit', service: 'dovecot/unix' }];
    const info = parameterInfo('dovecot_time_limit', custom)!;
    assert.equal(info.type?.kind, 'time');
    assert.equal(info.perService?.pattern, 'transport_time_limit');
    assert.equal(info.default, '$command_time_limit');
    assert.match(info.link, /#transport_time_limit$/);
    // A name that is also built in keeps its own documentation and default.
    assert.equal(parameterInfo('relay_destination_concurrency_limit', sp)?.perService, undefined);
    assert.equal(parameterInfo('no_such_name_time_limit'), undefined);
  });

  test('links point at postconf(5) anchors', () => {
    assert.equal(parameterLink('smtpd_relay_restrictions'), 'https://www.postfix.org/postconf.5.html#smtpd_relay_restrictions');
    assert.equal(parameterInfo('myhostname')?.link, 'https://www.postfix.org/postconf.5.html#myhostname');
  });

  test('deprecation facts reach the merged record', () => {
    const info = parameterInfo('smtpd_use_tls')!;
    assert.ok(info.deprecatedIn || info.removedIn, 'smtpd_use_tls is deprecated');
    assert.match(info.replacement ?? '', /smtpd_tls_security_level/);
    assert.ok(parameterFact('smtpd_use_tls'));
  });
});

describe('restriction, table, action and master.cf docs', () => {
  test('every restriction has stages from the list, an argument form and a description', () => {
    const bad: string[] = [];
    for (const row of restrictionRows) {
      if (row.name.startsWith('<')) continue;
      const r = restrictionInfo(row.name);
      if (!r) {
        bad.push(`${row.name}: missing`);
        continue;
      }
      if (!r.doc) bad.push(`${row.name}: no doc`);
      if (r.stages.length === 0 || ![...r.stages, ...r.delayedStages].every((s) => (RESTRICTION_STAGES as readonly string[]).includes(s))) bad.push(`${row.name}: stages`);
      if (r.takes !== 'none' && r.takes !== 'restriction' && !r.argument) bad.push(`${row.name}: no argument text`);
    }
    assert.deepEqual(bad, []);
    assert.equal(restrictionInfo('PERMIT_MYNETWORKS')?.name, 'permit_mynetworks', 'smtpd matches names case-insensitively');
    assert.equal(restrictionInfo('permit')?.terminal, true);
    assert.equal(restrictionInfo('permit_mynetworks')?.terminal, false);
  });

  test('every table type has a description, a postmap flag and its Debian package', () => {
    for (const row of tableTypeRows) {
      const t = tableTypeInfo(row.name)!;
      assert.ok(t.doc.length > 20, row.name);
      assert.equal(t.needsPostmap, row.needs_postmap === 'yes');
    }
    assert.equal(tableTypeInfo('lmdb')?.debianPackage, 'postfix-lmdb');
    assert.equal(tableTypeInfo('hash')?.needsPostmap, true);
    assert.equal(tableTypeInfo('cidr')?.needsPostmap, false);
    assert.equal(tableTypeInfo('mongodb')?.debianPackage, undefined);
  });

  test('every access action has a description; words are case-insensitive and numeric replies map to their class', () => {
    for (const row of accessActionRows) assert.ok(accessActionInfo(row.name.startsWith('<') ? 'OK' : row.name)?.doc, row.name);
    assert.equal(accessActionInfo('reject')?.name, 'REJECT');
    assert.equal(accessActionInfo('550')?.name, '5NN');
    assert.equal(accessActionInfo('421')?.name, '421');
    assert.equal(accessActionInfo('12345')?.name, '<all-numerical>');
    assert.equal(accessActionInfo('bogus'), undefined);
  });

  test('master.cf: the 8 fields, every service type and the y/n/- flags are described', () => {
    for (const f of MASTER_FIELDS) assert.ok(masterDoc('field', f)?.doc, f);
    for (const t of MASTER_TYPES) assert.ok(masterDoc('type', t)?.doc, t);
    for (const f of ['y', 'n', '-']) assert.ok(masterDoc('flag', f)?.doc, f);
    for (const c of ['smtpd', 'smtp', 'pipe', 'local', 'qmgr', 'postscreen']) assert.ok(masterDoc('command', c)?.doc, c);
  });
});

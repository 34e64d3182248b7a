// Completion logic of the engine (server/src/engine/assist/completion.ts),
// fed from an in-memory configuration directory. The cursor is marked with
// `|` in the fixture text; positions are never counted by hand.

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { AssistCompletion, completeListAt, LISTED_NAMES, resolveDocumentation } from '../../server/src/engine/assist';
import type { DirEntry } from '../../server/src/engine/assist';
import { loadConfig } from '../../server/src/engine/config';
import { restrictionInfo } from '../../server/src/engine/catalog/docs';
import { withCursor } from '../helpers/lsp-client';

const DIR = '/etc/postfix';
type Kind = 'main' | 'master' | 'map';

/** Files of a fake /etc/postfix; `marked` (with its `|`) replaces the file at `path`. */
function complete(kind: Kind, marked: string, files: Record<string, string> = {}, opts: { version?: string; path?: string } = {}): AssistCompletion[] {
  return completeList(kind, marked, files, opts).items;
}

/** complete, and whether the list is incomplete (cut to what is typed). */
function completeList(kind: Kind, marked: string, files: Record<string, string> = {}, opts: { version?: string; path?: string } = {}): { items: AssistCompletion[]; incomplete: boolean } {
  const { text, position } = withCursor(marked);
  const path = opts.path ?? `${DIR}/${kind === 'main' ? 'main.cf' : kind === 'master' ? 'master.cf' : 'access'}`;
  const all: Record<string, string> = { ...files, [path]: text };
  const reader = { readText: (p: string) => all[p] };
  const listDir = (d: string): DirEntry[] | undefined => {
    const prefix = d.endsWith('/') ? d : `${d}/`;
    const names = new Map<string, boolean>();
    for (const p of Object.keys(all)) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.set(slash < 0 ? rest : rest.slice(0, slash), slash >= 0);
    }
    return names.size ? [...names].map(([name, dir]) => ({ name, dir })) : undefined;
  };
  const version = opts.version ?? '3.12';
  const config = loadConfig(DIR, reader, { version });
  return completeListAt(kind, path, text, position, { config, version, listDir });
}

const labels = (items: AssistCompletion[]) => items.map((i) => i.label);

/** The range from `typed` characters before the cursor marker to the marker: what an item replaces. */
function typedRange(marked: string, typed: string) {
  const { position } = withCursor(marked);
  return { start: { line: position.line, character: position.character - typed.length }, end: position };
}
const sorted = (items: AssistCompletion[]) => [...items].sort((a, b) => a.sortText.localeCompare(b.sortText));
function item(items: AssistCompletion[], label: string): AssistCompletion {
  const i = items.find((x) => x.label === label);
  assert.ok(i, `no ${label} among ${labels(items).slice(0, 30).join(', ')}…`);
  return i;
}

describe('main.cf parameter names', () => {
  test('at the start of a line: every name, inserted as `name = ` over the typed prefix', () => {
    const marked = 'myhostname = a\nsmtpd_rel|';
    const items = complete('main', marked);
    const i = item(items, 'smtpd_relay_restrictions');
    assert.equal(i.insertText, 'smtpd_relay_restrictions = ');
    assert.deepEqual(i.range, typedRange(marked, 'smtpd_rel'));
    assert.equal(i.kind, 'parameter');
    assert.ok(items.length > 900, `${items.length} names`);
    assert.equal(i.doc?.t, 'parameter');
    assert.equal((i as { documentation?: unknown }).documentation, undefined, 'docs come on resolve');
  });

  test('a line that already has `=`: only the name is replaced', () => {
    const i = item(complete('main', 'smtpd_rel| = permit'), 'smtpd_relay_restrictions');
    assert.equal(i.insertText, 'smtpd_relay_restrictions');
    assert.deepEqual(i.range, typedRange('smtpd_rel|', 'smtpd_rel'));
  });

  test('names unknown to the target version are left out; deprecated ones are tagged and sorted last', () => {
    assert.ok(labels(complete('main', '|')).includes('smtp_tlsrpt_enable'), '3.10 name in 3.12');
    assert.ok(!labels(complete('main', '|', {}, { version: '3.7' })).includes('smtp_tlsrpt_enable'), 'not in 3.7');
    const items = complete('main', '|');
    const dep = item(items, 'smtpd_use_tls');
    assert.equal(dep.deprecated, true);
    assert.ok(dep.sortText > item(items, 'smtpd_tls_security_level').sortText);
    assert.equal(item(complete('main', '|', {}, { version: '3.7' }), 'smtpd_use_tls').deprecated, undefined, 'not yet deprecated in 3.7');
  });

  test('per-service names from master.cf services are offered', () => {
    const master = 'dovecot unix - n n - - pipe flags=DRhu user=vmail argv=/usr/lib/dovecot/deliver\n';
    const i = item(complete('main', 'dove|', { [`${DIR}/master.cf`]: master }), 'dovecot_destination_recipient_limit');
    assert.match(i.detail ?? '', /per-service \(dovecot\/unix\)/);
    assert.match(resolveDocumentation(i.doc!, '3.12') ?? '', /transport_destination_recipient_limit/);
  });

  test('nothing inside a comment', () => {
    assert.deepEqual(complete('main', '# smtpd_rel|'), []);
  });
});

describe('main.cf values', () => {
  test('bool: yes/no with the default marked', () => {
    const items = complete('main', 'biff = |');
    assert.deepEqual(labels(sorted(items)), ['yes', 'no']);
    assert.equal(item(items, 'yes').detail, 'default');
  });

  test('enum and enumlist values; an enumlist leaves out words already there', () => {
    assert.deepEqual(labels(complete('main', 'smtpd_tls_security_level = |')).sort(), ['encrypt', 'may', 'none']);
    const protocols = labels(complete('main', 'smtpd_tls_protocols = TLSv1.2, |'));
    assert.ok(protocols.includes('TLSv1.3') && !protocols.includes('TLSv1.2'), protocols.join());
  });

  test('restriction lists: only restrictions that work at that stage', () => {
    const relay = labels(complete('main', 'smtpd_relay_restrictions = permit_my|networks'));
    assert.ok(relay.includes('permit_mynetworks'));
    assert.ok(relay.includes('reject_unauth_destination'));
    assert.ok(!relay.includes('check_etrn_access'), 'etrn-only restriction in the relay list');
    const etrn = labels(complete('main', 'smtpd_etrn_restrictions = |'));
    assert.ok(etrn.includes('check_etrn_access'));
    assert.ok(!etrn.includes('reject_unauth_destination'));
    for (const name of relay) {
      const r = restrictionInfo(name);
      assert.ok(r && (r.stages.includes('relay') || r.delayedStages.includes('relay')), name);
    }
  });

  test('client list: recipient checks only with smtpd_delay_reject = yes, and then sorted after the native ones', () => {
    const items = complete('main', 'smtpd_client_restrictions = permit_mynetworks, |');
    const rud = item(items, 'reject_unauth_destination');
    assert.ok(rud.sortText > item(items, 'permit_mynetworks').sortText);
    assert.match(rud.detail ?? '', /smtpd_delay_reject/);
    const strict = labels(complete('main', 'smtpd_delay_reject = no\nsmtpd_client_restrictions = permit_mynetworks, |'));
    assert.ok(!strict.includes('reject_unauth_destination'));
    assert.ok(strict.includes('permit_mynetworks'));
  });

  test('old spellings and removed names are not offered; deprecated ones are tagged', () => {
    const items = complete('main', 'smtpd_recipient_restrictions = |');
    assert.ok(!labels(items).includes('reject_unknown_client'), 'alias of reject_unknown_client_hostname');
    assert.ok(!labels(items).includes('check_relay_domains'), 'removed in 3.9');
    assert.equal(item(items, 'permit_mx_backup').deprecated, true);
  });

  test('a restriction that takes an argument is inserted with a space and retriggers', () => {
    const i = item(complete('main', 'smtpd_client_restrictions = check_cl|'), 'check_client_access');
    assert.equal(i.insertText, 'check_client_access ');
    assert.equal(i.retrigger, true);
  });

  test('after check_*_access: table types; after hash: the files (not the .db)', () => {
    const types = complete('main', 'smtpd_client_restrictions = check_client_access |');
    assert.equal(sorted(types)[0].label, 'hash:');
    assert.ok(labels(types).includes('lmdb:') && labels(types).includes('cidr:'));
    const files = { [`${DIR}/client_access`]: 'x OK\n', [`${DIR}/client_access.db`]: '', [`${DIR}/maps/sender`]: 'x OK\n' };
    const paths = complete('main', 'smtpd_client_restrictions = check_client_access hash:/etc/postfix/|', files);
    assert.deepEqual(labels(sorted(paths)), ['client_access', 'main.cf', 'maps/']);
    const f = item(paths, 'client_access');
    assert.equal(f.insertText, 'hash:/etc/postfix/client_access');
    assert.equal(item(paths, 'maps/').retrigger, true);
    const deeper = complete('main', 'smtpd_client_restrictions = check_client_access hash:/etc/postfix/maps/|', files);
    assert.deepEqual(labels(deeper), ['sender']);
  });

  test('after reject_rbl_client: DNSBL zones with their reply filter, and a generic snippet', () => {
    const items = complete('main', 'smtpd_recipient_restrictions = reject_rbl_client |');
    assert.ok(labels(items).includes('zen.spamhaus.org=127.0.0.[2..11]'));
    assert.ok(items.some((i) => i.snippet && i.insertText.includes('${1:dnsbl.example.org}')));
    const rhs = labels(complete('main', 'smtpd_recipient_restrictions = reject_rhsbl_sender |'));
    assert.ok(rhs.includes('dbl.spamhaus.org=127.0.1.[2..99]'));
  });

  test('after check_policy_service: endpoint snippets', () => {
    const items = complete('main', 'smtpd_recipient_restrictions = check_policy_service |');
    assert.ok(items.some((i) => i.insertText.startsWith('inet:127.0.0.1:')));
    assert.ok(items.some((i) => i.insertText.startsWith('unix:private/')));
  });

  test('restriction classes are offered in lists; a class value gets the stages of the lists that use it', () => {
    const main = 'smtpd_restriction_classes = from_inside\nfrom_inside = permit_mynetworks, reject\nsmtpd_etrn_restrictions = from_inside\n';
    const items = complete('main', `${main}smtpd_recipient_restrictions = |`);
    assert.equal(item(items, 'from_inside').kind, 'class');
    const classValue = labels(complete('main', main.replace('permit_mynetworks, reject', 'permit_mynetworks, |')));
    assert.ok(classValue.includes('check_etrn_access'), 'used from the etrn list');
    assert.ok(!classValue.includes('reject_unauth_destination'));
  });

  test('a parameter pulled into a list as $name completes as a list of that stage (docker-mailserver style)', () => {
    const main = 'smtpd_sender_restrictions = $dms_sender\ndms_sender = permit_sasl_authenticated, |\n';
    const items = labels(complete('main', main));
    assert.ok(items.includes('reject_unknown_sender_domain'));
    assert.ok(!items.includes('check_etrn_access'));
    const viaMaster = labels(
      complete('main', 'mua_sender = reject_authenticated_sender_login_mismatch, |\n', {
        [`${DIR}/master.cf`]: 'submission inet n - n - - smtpd\n  -o smtpd_sender_restrictions=$mua_sender\n',
      }),
    );
    assert.ok(viaMaster.includes('reject_unknown_sender_domain'), 'stage from a master.cf -o');
  });

  test('values continued on indented lines complete like the first line', () => {
    const marked = 'smtpd_helo_restrictions =\n    permit_mynetworks,\n    reject_|';
    const i = item(complete('main', marked), 'reject_invalid_helo_hostname');
    assert.deepEqual(i.range, typedRange(marked, 'reject_'));
  });

  test('$references after $, ${ and $(, but not after $$', () => {
    const marked = 'myhostname = a\nmy_own = b\nmyorigin = $myh|';
    const items = complete('main', marked);
    const i = item(items, 'myhostname');
    assert.equal(i.insertText, 'myhostname');
    assert.deepEqual(i.range, typedRange(marked, 'myh'));
    assert.equal(item(items, 'my_own').detail, 'set in main.cf');
    assert.ok(labels(complete('main', 'myorigin = ${myh|}')).includes('myhostname'));
    assert.ok(labels(complete('main', 'myorigin = $(myh|)')).includes('myhostname'));
    assert.ok(!labels(complete('main', 'smtpd_banner = $$myh|')).includes('myhostname'));
  });

  test('tables: table types, then files; proxy: nests', () => {
    assert.ok(labels(complete('main', 'virtual_alias_maps = |')).includes('lmdb:'));
    const inner = complete('main', 'virtual_alias_maps = proxy:|');
    assert.ok(labels(inner).includes('hash:') && !labels(inner).includes('proxy:') && !labels(inner).includes('inline:'));
    assert.equal(item(inner, 'hash:').insertText, 'proxy:hash:');
    const inline = item(complete('main', 'virtual_alias_maps = |'), 'inline:');
    assert.equal(inline.snippet, true);
  });

  test('transports come from master.cf', () => {
    const master = 'smtp unix - - n - - smtp\nrelay unix - - n - - smtp\nsmtp inet n - n - - smtpd\n';
    assert.deepEqual(labels(complete('main', 'default_transport = |', { [`${DIR}/master.cf`]: master })), ['smtp', 'relay']);
  });
});

describe('master.cf', () => {
  const svc = 'submission inet n - y - - smtpd\n';

  test('field by field: types, flags, wakeup, process limit, daemons', () => {
    assert.deepEqual(labels(complete('master', 'smtp |')), ['inet', 'unix', 'unix-dgram', 'pass', 'fifo']);
    assert.deepEqual(labels(complete('master', 'smtp inet |')), ['y', 'n', '-']);
    assert.deepEqual(labels(complete('master', 'smtp inet n - |')), ['y', 'n', '-']);
    assert.ok(labels(complete('master', 'pickup unix n - y |')).includes('60'));
    assert.match(item(complete('master', 'smtp inet n - y - |'), '-').detail ?? '', /default_process_limit \(100\)/);
    const daemons = labels(complete('master', 'smtp inet n - y - - |'));
    assert.ok(daemons.includes('smtpd') && daemons.includes('postscreen') && daemons.includes('pipe'));
  });

  test('-o: parameter names with `=`, the service program first', () => {
    const marked = `${svc}  -o smtpd_tls_sec|`;
    const items = complete('master', marked);
    const i = item(items, 'smtpd_tls_security_level');
    assert.equal(i.insertText, 'smtpd_tls_security_level=');
    assert.deepEqual(i.range, typedRange(marked, 'smtpd_tls_sec'));
    assert.ok(item(items, 'smtpd_banner').sortText < item(items, 'biff').sortText, 'smtpd_* first for smtpd');
  });

  test('-o values complete like main.cf; commas separate, the word ends at a blank', () => {
    const items = complete('master', `${svc}  -o smtpd_client_restrictions=permit_sasl_authenticated,|`);
    assert.ok(labels(items).includes('reject'));
    assert.ok(!labels(items).includes('check_etrn_access'));
    assert.deepEqual(labels(complete('master', `${svc}  -o smtpd_tls_security_level=|`)).sort(), ['encrypt', 'may', 'none']);
    assert.ok(labels(complete('master', `${svc}  -o { smtpd_client_restrictions = permit_sasl_authenticated, | }`)).includes('reject'));
  });

  test('after the command: the -o option itself', () => {
    const i = item(complete('master', `${svc}  |`), '-o name=value');
    assert.equal(i.insertText, '-o ');
  });
});

describe('lookup tables', () => {
  const main = (restriction: string) => ({ [`${DIR}/main.cf`]: `smtpd_recipient_restrictions = ${restriction} hash:/etc/postfix/access, reject_unauth_destination\n` });

  test('access tables: actions, status-code snippets, restrictions as results', () => {
    const marked = 'spammer@example.com |';
    const items = complete('map', marked, main('check_sender_access'));
    assert.deepEqual(labels(sorted(items)).slice(0, 4), ['OK', 'DUNNO', 'REJECT', 'DEFER']);
    const rej = item(items, 'REJECT 5.7.1 text');
    assert.equal(rej.snippet, true);
    assert.equal(rej.insertText, 'REJECT ${1:5.7.1} ${2:Access denied}');
    assert.ok(labels(items).includes('550 5.7.1 text'));
    assert.ok(labels(items).includes('permit_mynetworks'));
    assert.ok(!labels(items).includes('HANGUP') && !labels(items).includes('DELAY') && !labels(items).includes('RELAY'));
    assert.deepEqual(items[0].range, typedRange(marked, ''));
  });

  test('tables of check_*_mx_access refuse OK: it is not offered there', () => {
    const items = labels(complete('map', 'example.com |', main('check_sender_mx_access')));
    assert.ok(!items.includes('OK'));
    assert.ok(items.includes('DUNNO'));
  });

  test('nothing on the key; postscreen and transport tables get their own words; header checks nothing', () => {
    assert.deepEqual(complete('map', 'spam|mer REJECT', main('check_sender_access')), []);
    assert.deepEqual(labels(complete('map', '192.0.2.0/24 |', { [`${DIR}/main.cf`]: 'postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/psa.cidr\n' }, { path: `${DIR}/psa.cidr` })), ['permit', 'reject', 'dunno']);
    const transport = complete('map', 'example.com |', { [`${DIR}/main.cf`]: 'transport_maps = hash:/etc/postfix/transport\n', [`${DIR}/master.cf`]: 'relay unix - - n - - smtp\n' }, { path: `${DIR}/transport` });
    assert.deepEqual(labels(transport), ['relay:']);
    assert.deepEqual(complete('map', '/^Subject: spam/ |', { [`${DIR}/main.cf`]: 'header_checks = pcre:/etc/postfix/header_checks.pcre\n' }, { path: `${DIR}/header_checks.pcre` }), []);
  });

  test('pcre access tables: the result starts after the pattern and its flags', () => {
    const items = complete('map', '/^spam@/i |', { [`${DIR}/main.cf`]: 'smtpd_sender_restrictions = check_sender_access pcre:/etc/postfix/senders.pcre\n' }, { path: `${DIR}/senders.pcre` });
    assert.ok(labels(items).includes('REJECT'));
    assert.deepEqual(complete('map', '/^sp|am@/i REJECT', { [`${DIR}/main.cf`]: 'smtpd_sender_restrictions = check_sender_access pcre:/etc/postfix/senders.pcre\n' }, { path: `${DIR}/senders.pcre` }), []);
  });
});

describe('resolve', () => {
  test('documentation for each kind of item', () => {
    assert.match(resolveDocumentation({ t: 'parameter', name: 'smtpd_relay_restrictions' }, '3.12')!, /postconf\.5\.html#smtpd_relay_restrictions/);
    assert.match(resolveDocumentation({ t: 'parameter', name: 'smtp_tlsrpt_enable' }, '3.7')!, /Not known to Postfix 3\.7/);
    assert.match(resolveDocumentation({ t: 'restriction', name: 'reject_unauth_destination' }, '3.12')!, /Works in/);
    assert.match(resolveDocumentation({ t: 'tableType', name: 'lmdb' }, '3.12')!, /postfix-lmdb/);
    assert.match(resolveDocumentation({ t: 'action', name: 'DUNNO' }, '3.12')!, /access\(5\)/);
    assert.match(resolveDocumentation({ t: 'master', kind: 'command', name: 'smtpd' }, '3.12')!, /smtpd\.8\.html/);
    assert.match(resolveDocumentation({ t: 'parameter', name: 'smtpd_tls_dh1024_param_file' }, '3.12')!, /leave it unset/);
  });
});

describe('names a huge configuration makes', () => {
  // 400 delivery services: 6,400 per-service names, 400 transports; 1,500 names set in main.cf.
  const SERVICES = 400;
  const master = Array.from({ length: SERVICES }, (_, n) => `Relay${n} unix - n n - - smtp\n`).join('');
  const mainSettings = Array.from({ length: 1500 }, (_, n) => `own${n} = x\n`).join('');
  const files = { [`${DIR}/master.cf`]: master };
  const catalogCount = complete('main', '|').length;
  const perService = (items: AssistCompletion[]) => items.filter((i) => i.detail?.startsWith('per-service'));

  test('a few services: every per-service name, and the list is complete', () => {
    const small = Array.from({ length: 3 }, (_, n) => `relay${n} unix - n n - - smtp\n`).join('');
    const { items, incomplete } = completeList('main', '|', { [`${DIR}/master.cf`]: small });
    assert.equal(incomplete, false);
    assert.equal(perService(items).length, 3 * 16);
  });

  test('an empty line: the catalog names whole, LISTED_NAMES per-service names, marked incomplete', () => {
    const { items, incomplete } = completeList('main', '|', files);
    assert.equal(incomplete, true);
    assert.equal(perService(items).length, LISTED_NAMES);
    assert.equal(items.length, catalogCount + LISTED_NAMES);
  });

  test('a typed prefix: only the per-service names starting with it (case aside), all of them when they fit', () => {
    // relay1, relay10-19, relay100-199: 111 services, 1,776 names; relay12, relay120-129: 11 services, 176 names.
    const { items, incomplete } = completeList('main', 'relay12|', files);
    assert.equal(incomplete, true);
    const names = perService(items);
    assert.equal(names.length, 11 * 16);
    for (const i of names) assert.ok(i.label.toLowerCase().startsWith('relay12'), i.label);
    assert.equal(items.length, catalogCount + 11 * 16, 'the catalog names stay whole: the client filters them');
    assert.equal(perService(completeList('main', 'relay1|', files).items).length, LISTED_NAMES, '1,776 fit: cut to LISTED_NAMES');
    assert.equal(perService(completeList('main', 'smtpd_|', files).items).length, 0);
  });

  test('-o names in master.cf are cut the same way', () => {
    const { items, incomplete } = completeList('master', `${master}x unix - n n - - smtpd -o relay12|`, {});
    assert.equal(incomplete, true);
    assert.equal(perService(items).length, 11 * 16);
  });

  test('$references: names set in main.cf and per-service names, cut to what follows the $', () => {
    const { items, incomplete } = completeList('main', `${mainSettings}x = $own12|`, files);
    assert.equal(incomplete, true);
    // own12, own120-129, own1200-1299.
    assert.deepEqual(items.filter((i) => i.detail === 'set in main.cf').length, 111);
    assert.equal(items.filter((i) => i.detail?.startsWith('per-service')).length, 0);
    assert.equal(completeList('main', `${mainSettings}x = $|`, files).items.filter((i) => i.detail !== 'parameter').length, LISTED_NAMES);
  });

  test('transports: the services starting with what is typed', () => {
    const many = Array.from({ length: 1200 }, (_, n) => `relay${n} unix - n n - - smtp\n`).join('');
    const { items, incomplete } = completeList('main', 'default_transport = relay12|', { [`${DIR}/master.cf`]: many });
    assert.equal(incomplete, true);
    // relay12 and relay120-129 (there is no relay1200).
    assert.deepEqual(labels(items).sort(), ['relay12', ...Array.from({ length: 10 }, (_, n) => `relay12${n}`)].sort());
    assert.equal(completeList('main', 'default_transport = |', { [`${DIR}/master.cf`]: many }).items.length, LISTED_NAMES);
  });
});

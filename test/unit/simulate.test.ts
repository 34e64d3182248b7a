// Unit tests of the SMTP policy simulator on in-memory configurations: verdicts
// and replies, trace sources, startup fatals, assumptions, access actions and
// the relay matrix. The live differential test (test/oracle/simulate-live)
// proves the replies against a real smtpd; these pin down what needs no
// Postfix (assumptions, trace, locations) and run everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import type { Assumptions, SimulationResult, Transaction } from '../../server/src/engine/simulate/types';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/etc/postfix';

function reader(files: Record<string, string>): FileReader {
  return { readText: (p) => files[p] };
}

function sim(main: string, tx: Partial<Transaction> & { client?: Transaction['client'] }, opts: { master?: string; files?: Record<string, string>; assumptions?: Assumptions } = {}): SimulationResult {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: main, ...(opts.files ?? {}) };
  if (opts.master !== undefined) files[`${DIR}/master.cf`] = opts.master;
  const config = loadSimConfig(DIR, reader(files));
  return simulateTransaction(
    config,
    { client: { address: '203.0.113.5' }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['v@ext.example'], ...tx },
    opts.assumptions ?? {},
  );
}

/** Zero-based line/character of the n-th occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 0): { line: number; character: number } {
  let idx = -1;
  for (let k = 0; k <= nth; k++) idx = text.indexOf(needle, idx + 1);
  assert.ok(idx >= 0, `${needle} not found`);
  const before = text.slice(0, idx).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

const BASE = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = example.test
mynetworks = 127.0.0.0/8 [::1]/128
local_recipient_maps =
`;

test('relaying is refused for an outside client and allowed from mynetworks', () => {
  const main = `${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`;
  const out = sim(main, {});
  assert.equal(out.verdict, 'reject');
  assert.equal(out.stage, 'rcpt');
  assert.equal(out.list, 'relay');
  assert.deepEqual([out.reply?.code, out.reply?.enhanced, out.reply?.text], [554, '5.7.1', '<v@ext.example>: Relay access denied']);
  const inside = sim(main, { client: { address: '127.0.0.9' } });
  assert.equal(inside.verdict, 'accept');
  assert.equal(inside.reply?.line, '250 2.1.5 Ok');
  const v6 = sim(main, { client: { address: '::1' } });
  assert.equal(v6.verdict, 'accept', 'IPv6 loopback is in [::1]/128');
});

test('trace steps point at the restriction that decided, through $name references into main.cf', () => {
  const main = `${BASE}submission_rcpt = permit_sasl_authenticated, reject\n`;
  const master = 'smtp inet n - n - - smtpd\nsubmission inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_relay_restrictions=\n  -o smtpd_recipient_restrictions=$submission_rcpt\n';
  const out = sim(main, { service: 'submission' }, { master });
  assert.equal(out.verdict, 'reject');
  assert.equal(out.reply?.line, '554 5.7.1 <v@ext.example>: Recipient address rejected: Access denied');
  const step = out.trace.find((t) => t.restriction === 'reject' && t.result === 'reject');
  assert.ok(step?.source, 'the reject step has a source');
  assert.equal(step.source.file, `${DIR}/main.cf`);
  assert.deepEqual(step.source.range.start, at(main, 'reject', 0));
  const ok = sim(main, { service: 'submission', saslUser: 'alice' }, { master });
  assert.equal(ok.verdict, 'accept');
  const permit = ok.trace.find((t) => t.restriction === 'permit_sasl_authenticated');
  assert.equal(permit?.result, 'permit');
  assert.deepEqual(permit?.source?.range.start, at(main, 'permit_sasl_authenticated'));
  assert.equal(ok.service, 'submission/inet');
});

test('a -o override is located in master.cf, with the table argument in the range', () => {
  const master = 'smtp inet n - n - - smtpd\n  -o smtpd_sender_restrictions=check_sender_access,inline:{bad@outside.example=REJECT}\n';
  const out = sim(BASE, { sender: 'bad@outside.example', recipients: ['root@example.test'] }, { master });
  assert.equal(out.reply?.line, '554 5.7.1 <bad@outside.example>: Sender address rejected: Access denied');
  const step = out.trace.find((t) => t.result === 'reject');
  assert.equal(step?.source?.file, `${DIR}/master.cf`);
  assert.deepEqual(step?.source?.range.start, at(master, 'check_sender_access'));
  assert.deepEqual(step?.source?.range.end, { line: 1, character: master.split('\n')[1].length });
});

test('smtpd startup fatals are verdicts', () => {
  const noGuard = sim(`${BASE}smtpd_relay_restrictions = permit\n`, {});
  assert.equal(noGuard.verdict, 'fatal');
  assert.equal(noGuard.reply, undefined);
  assert.equal(
    noGuard.fatal,
    'in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains',
  );
  const viaClass = sim(`${BASE}smtpd_restriction_classes = guard\nguard = reject_unauth_destination\nsmtpd_relay_restrictions = permit_mynetworks, guard\n`, {});
  assert.equal(viaClass.verdict, 'reject', 'the required restriction may sit in a restriction class');
  assert.equal(sim(`${BASE}smtpd_restriction_classes = missing\n`, {}).fatal, "restriction class `missing' needs a definition");
  assert.equal(sim(`${BASE}smtpd_delay_reject = maybe\n`, {}).fatal, 'bad boolean configuration: smtpd_delay_reject = maybe');
  const ignored = sim(`${BASE}smtpd_relay_restrictions = permit, reject_unauth_destination\n`, {});
  assert.equal(ignored.verdict, 'fatal', 'a guard after permit does not count');
  assert.ok(ignored.logWarnings.includes("restriction `reject_unauth_destination' after `permit' is ignored"));
});

test('an IPv6 network without brackets in mynetworks: fatal at start when it has no type part, a lookup failure otherwise', () => {
  // "::1/128" reads as a table with an empty type: smtpd_check_init dies before greeting anyone (diff-live, PF503 pair),
  // even for a client that an earlier pattern would have matched.
  const main = `${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`;
  for (const client of ['127.0.0.1', '203.0.113.5']) {
    const dead = sim(`${main}mynetworks = 127.0.0.0/8 ::1/128\n`, { client: { address: client } });
    assert.equal(dead.verdict, 'fatal', client);
    assert.equal(dead.fatal, 'open dictionary: expecting "type:name" form instead of "::1/128"');
  }
  assert.equal(sim(`${main}mynetworks = 127.0.0.0/8 !::1/128\n`, {}).fatal, 'open dictionary: expecting "type:name" form instead of "::1/128"');
  assert.equal(sim(`${main}relay_domains = hash:\n`, {}).fatal, 'open dictionary: expecting "type:name" form instead of "hash:"');
  // "2001:db8::/32" has a type part ("2001"): an unsupported table that fails each lookup.
  const v6 = `${main}mynetworks = 127.0.0.0/8 2001:db8::/32\n`;
  assert.equal(sim(v6, { client: { address: '127.0.0.1' } }).verdict, 'accept');
  assert.equal(sim(v6, {}).reply?.code, 451);
  assert.equal(sim(`${main}mynetworks = 127.0.0.0/8 [::1]/128\n`, {}).verdict, 'reject', 'bracketed: no table');
});

test('an unknown restriction answers 451 4.3.5 when reached, and only then', () => {
  const main = `${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unknwon_sender_domain, reject_unauth_destination\n`;
  const out = sim(main, {});
  assert.equal(out.reply?.line, '451 4.3.5 Server configuration error');
  assert.equal(out.verdict, 'defer');
  assert.ok(out.logWarnings.includes('unknown smtpd restriction: "reject_unknwon_sender_domain"'));
  assert.equal(sim(main, { client: { address: '127.0.0.1' } }).verdict, 'accept', 'permit_mynetworks decides first');
});

test('DNS lists, DNS lookups and policy services are assumptions with stated defaults', () => {
  const main = `${BASE}smtpd_client_restrictions = reject_rbl_client zen.example\nsmtpd_sender_restrictions = reject_unknown_sender_domain\nsmtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:10023\n`;
  const plain = sim(main, { recipients: ['root@example.test'] });
  assert.equal(plain.verdict, 'accept');
  const names = plain.assumptions.map((a) => a.option);
  assert.ok(names.includes('dnsListed') && names.includes('unresolvable') && names.includes('policyServiceAction'));
  assert.ok(plain.trace.some((t) => t.restriction === 'reject_rbl_client zen.example' && t.assumed));

  const listed = sim(main, { recipients: ['root@example.test'] }, { assumptions: { dnsListed: ['zen.example'] } });
  assert.equal(listed.reply?.line, '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.example');
  assert.equal(listed.list, 'client');

  const nx = sim(main, { recipients: ['root@example.test'] }, { assumptions: { unresolvable: ['outside.example'] } });
  assert.equal(nx.reply?.line, '450 4.1.8 <a@outside.example>: Sender address rejected: Domain not found');

  const policy = sim(main, { recipients: ['root@example.test'] }, { assumptions: { policyServiceAction: 'DEFER_IF_PERMIT greylisted, try later' } });
  assert.equal(policy.reply?.line, '450 4.7.1 <root@example.test>: Recipient address rejected: greylisted, try later');
});

test('a service that requires TLS, and SASL that is not enabled', () => {
  const master = 'smtp inet n - n - - smtpd\nsubmission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n';
  const assumedTls = sim(BASE, { service: 'submission', saslUser: 'alice' }, { master });
  assert.equal(assumedTls.verdict, 'accept');
  assert.ok(assumedTls.assumptions.some((a) => a.option === 'tls'));
  const plain = sim(BASE, { service: 'submission', saslUser: 'alice' }, { master, assumptions: { tls: false } });
  assert.equal(plain.reply?.line, '530 5.7.0 Must issue a STARTTLS command first');
  assert.equal(plain.stage, 'mail');

  const noSasl = sim(`${BASE}smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination\n`, { saslUser: 'alice' });
  assert.equal(noSasl.verdict, 'reject', 'permit_sasl_authenticated never matches without smtpd_sasl_auth_enable');
  assert.ok(noSasl.trace.some((t) => t.restriction === 'permit_sasl_authenticated' && /not enabled/.test(t.why)));
});

test('smtpd_delay_reject decides the stage of client, HELO and sender rejections', () => {
  const rules = `smtpd_client_restrictions = check_client_access inline:{203.0.113.66=REJECT}\nsmtpd_helo_restrictions = check_helo_access inline:{bad.example=REJECT}\nsmtpd_sender_restrictions = check_sender_access inline:{spam@outside.example=REJECT}\n`;
  for (const [delay, stages] of [
    ['yes', ['rcpt', 'rcpt', 'rcpt']],
    ['no', ['connect', 'helo', 'mail']],
  ] as const) {
    const main = `${BASE}smtpd_delay_reject = ${delay}\n${rules}`;
    const got = [sim(main, { client: { address: '203.0.113.66' } }).stage, sim(main, { helo: 'bad.example' }).stage, sim(main, { sender: 'spam@outside.example' }).stage];
    assert.deepEqual(got, stages, `smtpd_delay_reject = ${delay}`);
  }
});

test('access actions: DISCARD, HOLD, FILTER, PREPEND, WARN and per-recipient outcomes', () => {
  const main = `${BASE}smtpd_recipient_restrictions = check_recipient_access inline:{ {d@example.test=DISCARD spam}, h@example.test=HOLD, {f@example.test=FILTER smtp:[127.0.0.1]:10025}, {p@example.test=PREPEND X-Seen: yes}, {w@example.test=WARN look}, r@example.test=REJECT }, permit\n`;
  assert.equal(sim(main, { recipients: ['d@example.test'] }).verdict, 'discard');
  const hold = sim(main, { recipients: ['h@example.test'] });
  assert.equal(hold.verdict, 'hold');
  assert.equal(hold.reply?.line, '250 2.1.5 Ok');
  assert.equal(sim(main, { recipients: ['f@example.test'] }).actions.filter, 'smtp:[127.0.0.1]:10025');
  assert.deepEqual(sim(main, { recipients: ['p@example.test'] }).actions.prepend, ['X-Seen: yes']);
  assert.deepEqual(sim(main, { recipients: ['w@example.test'] }).actions.warnings, ['warn: <w@example.test>: look']);
  const mixed = sim(main, { recipients: ['r@example.test', 'ok@example.test'] });
  assert.equal(mixed.verdict, 'accept');
  assert.deepEqual(
    mixed.recipients.map((r) => r.reply.line),
    ['554 5.7.1 <r@example.test>: Recipient address rejected: Access denied', '250 2.1.5 Ok'],
  );
  const allBad = sim(main, { recipients: ['r@example.test'] });
  assert.equal(allBad.verdict, 'reject');
});

test('warn_if_reject logs instead of rejecting; defer_if_permit turns a later permit into 450', () => {
  const warn = sim(`${BASE}smtpd_sender_restrictions = warn_if_reject reject_non_fqdn_sender\n`, { sender: 'a@nofqdn', recipients: ['root@example.test'] });
  assert.equal(warn.verdict, 'accept');
  assert.deepEqual(warn.actions.warnings, ['reject_warning: 504 5.5.2 <a@nofqdn>: Sender address rejected: need fully-qualified address']);
  const dip = sim(`${BASE}smtpd_client_restrictions = defer_if_permit\n`, { recipients: ['root@example.test'] });
  assert.equal(dip.reply?.line, '450 4.7.0 <unknown[203.0.113.5]>: Client host rejected: defer_if_permit requested');
});

test('source-routed recipients and address literals resolve as smtpd resolves them', () => {
  const main = `${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\ninet_interfaces = 127.0.0.1\n`;
  assert.equal(sim(main, { recipients: ['user%victim.example@example.test'] }).reply?.line, '554 5.7.1 <user%victim.example@example.test>: Relay access denied');
  assert.equal(sim(main, { recipients: ['root@[127.0.0.1]'] }).verdict, 'accept', 'our own address literal is local');
  assert.equal(sim(main, { recipients: ['root@[192.0.2.1]'] }).verdict, 'reject');
  assert.equal(sim(main, { recipients: ['postmaster'] }).verdict, 'accept', 'bare postmaster is always accepted');
});

test('the relay matrix finds open relays', () => {
  const master = 'smtp inet n - n - - smtpd\nsubmission inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n';
  const load = (main: string) => loadSimConfig(DIR, reader({ [`${DIR}/main.cf`]: main, [`${DIR}/master.cf`]: master }));
  const safe = relayMatrix(load(`${BASE}relay_domains = partner.example\n`));
  assert.deepEqual(safe.services, ['smtp/inet', 'submission/inet']);
  assert.deepEqual(safe.clients.map((c) => c.label), ['localhost', 'mynetworks', 'outside', 'authenticated']);
  assert.deepEqual(safe.recipients.map((r) => r.label), ['local domain', 'relay domain', 'outside domain']);
  assert.equal(safe.openRelay, false);
  const cell = (m: typeof safe, s: string, c: string, r: string) => m.cells.find((x) => x.service === s && x.client === c && x.recipient === r)!;
  // The 3.6 default relay restrictions end in defer_unauth_destination.
  assert.equal(cell(safe, 'smtp/inet', 'outside', 'outside domain').reply?.line, '454 4.7.1 <someone@elsewhere.example>: Relay access denied');
  assert.equal(cell(safe, 'smtp/inet', 'outside', 'relay domain').verdict, 'accept');
  assert.equal(cell(safe, 'submission/inet', 'authenticated', 'outside domain').verdict, 'accept');
  assert.equal(cell(safe, 'submission/inet', 'outside', 'local domain').verdict, 'reject');
  // A `.parent` relay_domains entry: a subdomain is the relay domain without parent style; with it (3.7's default) nothing matches.
  const dotted = relayMatrix(load(`${BASE}parent_domain_matches_subdomains =\nrelay_domains = .partner.example\n`));
  assert.equal(dotted.recipients.find((r) => r.label === 'relay domain')?.address, 'someone@sub.partner.example');
  assert.equal(cell(dotted, 'smtp/inet', 'outside', 'relay domain').verdict, 'accept');
  assert.deepEqual(relayMatrix(load(`${BASE}relay_domains = .partner.example\n`)).recipients.map((r) => r.label), ['local domain', 'outside domain']);

  const wide = relayMatrix(load(`${BASE.replace('mynetworks = 127.0.0.0/8 [::1]/128', 'mynetworks = 0.0.0.0/0')}`));
  assert.equal(wide.openRelay, true);
  assert.match(wide.clients.find((c) => c.label === 'outside')!.note, /mynetworks trusts it/);
  const staticOk = relayMatrix(load(`${BASE}smtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination\n`));
  assert.equal(staticOk.openRelay, true);
});

test('never throws, whatever the configuration text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), (main, rcpt) => {
      const r = sim(main, { recipients: [rcpt || 'x'] });
      assert.ok(['accept', 'reject', 'defer', 'discard', 'hold', 'fatal'].includes(r.verdict));
      assert.ok(!r.fatal?.startsWith('internal simulator error'), r.fatal);
    }),
    { numRuns: 300 },
  );
});

test('permit_inet_interfaces matches our own addresses only (not testable live: XCLIENT keeps the socket address)', () => {
  const main = `${BASE}inet_interfaces = 127.0.0.1, 192.0.2.25\nsmtpd_relay_restrictions = permit_inet_interfaces, reject_unauth_destination\n`;
  assert.equal(sim(main, { client: { address: '192.0.2.25' } }).verdict, 'accept');
  assert.equal(sim(main, { client: { address: '127.0.0.1' } }).verdict, 'accept');
  assert.equal(sim(main, { client: { address: '192.0.2.26' } }).verdict, 'reject');
});

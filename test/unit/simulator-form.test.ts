// The simulator panel's form (client/src/simulator/form.ts): what it sends the
// server for the values a user typed, how it treats what a webview sends
// back, and that it renders the values it was given, escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FORM, formHtml, fromMessage, toRequest } from '../../client/src/simulator/form';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import { loadSimConfig } from '../../server/src/engine/simulate/config';

test('the defaults make an outside client sending to an outside domain, with no assumptions', () => {
  const r = toRequest(DEFAULT_FORM);
  assert.ok(!('error' in r));
  assert.deepEqual(r.transaction, { service: undefined, client: { address: '203.0.113.5', hostname: undefined }, helo: 'mail.example.net', saslUser: undefined, sender: 'sender@example.net', recipients: ['someone@example.org'], through: undefined });
  assert.deepEqual(r.assumptions, {});
});

test('every field and assumption reaches the request as the CLI options would set it', () => {
  const r = toRequest({
    ...DEFAULT_FORM,
    service: 'submission',
    client: '[2001:db8::5]',
    clientName: 'host.example.net',
    helo: '',
    saslUser: 'alice',
    sender: '<>',
    recipients: '<a@example.org>, b@example.org',
    through: 'data',
    dnsListed: 'zen.spamhaus.org dbl.spamhaus.org',
    unresolvable: 'example.net',
    policy: 'REJECT go away',
    verify: 'undeliverable',
    tls: 'no',
    unknownUsers: true,
  });
  assert.ok(!('error' in r));
  assert.deepEqual(r.transaction, { service: 'submission', client: { address: '2001:db8::5', hostname: 'host.example.net' }, helo: undefined, saslUser: 'alice', sender: '', recipients: ['a@example.org', 'b@example.org'], through: 'data' });
  assert.deepEqual(r.assumptions, { dnsListed: ['zen.spamhaus.org', 'dbl.spamhaus.org'], unresolvable: ['example.net'], policyServiceAction: 'REJECT go away', addressVerification: 'undeliverable', tls: false, unreadableTables: 'notfound' });
});

test('what the simulator cannot run is said next to the form', () => {
  assert.deepEqual(toRequest({ ...DEFAULT_FORM, client: 'mail.example.net' }), { error: 'client address: "mail.example.net" is not an IPv4 or IPv6 address' });
  assert.deepEqual(toRequest({ ...DEFAULT_FORM, recipients: ' , ' }), { error: 'at least one recipient' });
});

test('an assumption from the form changes the simulator verdict (listed by a DNS list)', () => {
  const files: Record<string, string> = {
    '/c/main.cf': 'compatibility_level = 3.6\nmydestination = example.org\nsmtpd_client_restrictions = reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]\n',
    '/c/master.cf': 'smtp inet n - n - - smtpd\n',
  };
  const config = loadSimConfig('/c', { readText: (p) => files[p] });
  assert.ok(!('error' in config));
  const verdict = (dnsListed: string) => {
    const r = toRequest({ ...DEFAULT_FORM, dnsListed });
    assert.ok(!('error' in r));
    return simulateTransaction(config, r.transaction, r.assumptions).verdict;
  };
  assert.equal(verdict(''), 'accept');
  assert.equal(verdict('zen.spamhaus.org'), 'reject');
});

test('webview messages are untrusted: odd values fall back to the defaults, text is capped', () => {
  assert.deepEqual(fromMessage(undefined), DEFAULT_FORM);
  assert.deepEqual(fromMessage({ through: 'everything', verify: 'maybe', tls: true, unknownUsers: 'yes', client: 42 }), DEFAULT_FORM);
  assert.equal(fromMessage({ sender: 'x'.repeat(10_000) }).sender.length, 2000);
});

test('the form shows the values it was given, escaped, and the services to choose from', () => {
  const html = formHtml({ ...DEFAULT_FORM, helo: '"><script>x</script>', service: 'submission', tls: 'yes', unknownUsers: true }, ['smtp', 'submission']);
  assert.ok(!html.includes('<script>'));
  assert.match(html, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
  assert.match(html, /<option value="submission" selected>submission<\/option>/);
  assert.match(html, /<option value="yes" selected>yes<\/option>/);
  assert.match(html, /name="unknownUsers" checked/);
  assert.match(html, /Copy as swaks command/);
});

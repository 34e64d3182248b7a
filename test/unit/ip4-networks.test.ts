// IPv4 networks in mynetworks are matched as 32-bit numbers (a list of
// 100,000 networks used to be parsed into as many BigInts). These pin the
// number path to the BigInt one it replaced, and the list match to what smtpd
// does with dotted quads, masks and host bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ip4InNet, ipInNet, parseIp, parseIpOrNumber } from '../../server/src/engine/simulate/ip';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import type { SimulationResult } from '../../server/src/engine/simulate/types';

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

test('ip4InNet agrees with the BigInt ipInNet for every address, network and prefix', () => {
  fc.assert(
    fc.property(u32, u32, fc.integer({ min: 0, max: 32 }), fc.boolean(), (addr, other, len, near) => {
      // Half the cases: a network sharing the address's first `len` bits, so matches occur.
      const net = near ? (addr - (addr % 2 ** (32 - len)) + (other % 2 ** (32 - len))) % 2 ** 32 : other;
      const expected = ipInNet({ version: 4, value: BigInt(addr) }, { version: 4, value: BigInt(net) }, len);
      assert.equal(ip4InNet(addr, net, len), expected, `${addr} in ${net}/${len}`);
    }),
    { numRuns: 5000 },
  );
  assert.equal(ip4InNet(2 ** 32 - 1, 2 ** 32 - 2, 32), false);
  assert.equal(ip4InNet(2 ** 32 - 1, 2 ** 32 - 2, 31), true);
  assert.equal(ip4InNet(2 ** 31, 0, 1), false);
  assert.equal(ip4InNet(2 ** 31, 0, 0), true);
});

/** Dotted quads as smtpd reads them: four parts of 1-3 digits, each at most 255, no leading zero. */
function reference(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p[0] === '0')) return undefined;
    v = v * 256 + Number(p);
  }
  return v;
}

test('the one-pass dotted-quad reader gives the number, or nothing, as the general reader did', () => {
  const text = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.'), maxLength: 17 });
  const quad = fc.tuple(fc.nat(300), fc.nat(300), fc.nat(1000), fc.nat(300), fc.boolean()).map(([a, b, c, d, zero]) => `${zero ? '0' : ''}${a}.${b}.${c}.${d}`);
  fc.assert(
    fc.property(fc.oneof(text, quad), (s) => {
      const n = parseIpOrNumber(s);
      const want = reference(s);
      assert.deepEqual(n, want === undefined ? undefined : { version: 4, v4: want }, s);
      assert.deepEqual(parseIp(s), want === undefined ? undefined : { version: 4, value: BigInt(want) }, s);
    }),
    { numRuns: 5000 },
  );
  // Other forms still take the general path.
  assert.deepEqual(parseIp(' [10.0.0.1] '), { version: 4, value: 167772161n });
  assert.deepEqual(parseIp('::ffff:10.0.0.1'), { version: 4, value: 167772161n });
  assert.equal(parseIpOrNumber('10.0.0.1/8'), undefined);
});

const DIR = '/etc/postfix';
function relay(mynetworks: string, client: string): SimulationResult {
  const main = `compatibility_level = 3.6\nmyhostname = mx.example.com\nmydestination = example.com\nmynetworks = ${mynetworks}\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`;
  const config = loadSimConfig(DIR, { readText: (p) => (p === `${DIR}/main.cf` ? main : undefined) });
  return simulateTransaction(config, { client: { address: client }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['v@ext.example'] }, {});
}
const mynetworksStep = (r: SimulationResult) => r.trace.find((s) => s.restriction === 'permit_mynetworks')?.why ?? '';

test('IPv4 networks in mynetworks: prefixes, negation, IPv4-mapped clients, and the errors smtpd reports', () => {
  const list = '127.0.0.0/8 !10.1.2.3 10.0.0.0/8 192.168.0.0/16 203.0.113.128/25 198.51.100.7';
  assert.equal(relay(list, '10.200.1.1').verdict, 'accept');
  assert.match(mynetworksStep(relay(list, '10.200.1.1')), /10\.0\.0\.0\/8/);
  assert.equal(relay(list, '10.1.2.3').verdict, 'reject', 'negated before the /8');
  assert.equal(relay(list, '11.0.0.1').verdict, 'reject');
  assert.equal(relay(list, '203.0.113.200').verdict, 'accept');
  assert.equal(relay(list, '203.0.113.127').verdict, 'reject', 'just below the /25');
  assert.equal(relay(list, '198.51.100.7').verdict, 'accept');
  assert.equal(relay(list, '198.51.100.8').verdict, 'reject');
  assert.equal(relay(list, '::ffff:192.168.4.4').verdict, 'accept', 'an IPv4-mapped client matches IPv4 networks');
  assert.equal(relay(list, '2001:db8::1').verdict, 'reject', 'IPv6 clients never match IPv4 networks');
  assert.equal(relay('0.0.0.0/0', '203.0.113.5').verdict, 'accept');
  // Host bits and bad masks: a temporary lookup failure, for a client that reaches them.
  assert.match(mynetworksStep(relay('127.0.0.0/8 192.168.1.1/24', '203.0.113.5')), /non-null host address bits in "192\.168\.1\.1\/24"/);
  assert.match(mynetworksStep(relay('127.0.0.0/8 10.0.0.0/33', '203.0.113.5')), /bad mask length in "10\.0\.0\.0\/33"/);
  assert.match(mynetworksStep(relay('127.0.0.0/8 0.0.0.1/0', '203.0.113.5')), /non-null host address bits/);
  assert.equal(relay('127.0.0.0/8 192.168.1.1/24', '127.0.0.1').verdict, 'accept', 'decided before the bad pattern');
});

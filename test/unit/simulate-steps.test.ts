// The simulator in steps (engine/steps.ts): a transaction yields every
// RESTRICTIONS_PER_STEP restrictions it walks and while it first tokenizes a
// list, so the language server answers requests in between (issue 8: a
// doubling list of 2^17 words held the event loop 0.6-1.5 s per transaction).
// Synchronous callers drain the same steps; these tests count steps, not time,
// and check that stepping (interleaved, as the server may) changes no result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSimConfig, ServiceView, splitList, type SimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction, simulateTransactionSteps } from '../../server/src/engine/simulate/simulate';
import { relayMatrix, relayMatrixSteps } from '../../server/src/engine/simulate/matrix';
import type { Transaction } from '../../server/src/engine/simulate/types';
import { labelText, RESTRICTIONS_PER_STEP, type Steps } from '../../server/src/engine/steps';

const DIR = '/etc/postfix';

function config(main: string, files: Record<string, string> = {}): SimConfig {
  const all: Record<string, string> = { [`${DIR}/main.cf`]: main, ...files };
  return loadSimConfig(DIR, { readText: (p) => all[p] });
}

/** a0 = WORD, a1 = $a0 $a0, ..., aN = $aN-1 $aN-1 (2^N words in aN). */
function doubling(n: number, word: string): string {
  let s = `a0 = ${word}\n`;
  for (let i = 1; i <= n; i++) s += `a${i} = $a${i - 1} $a${i - 1}\n`;
  return s;
}

/** Runs steps to the end, keeping the labels they yielded (as text). */
function run<T>(steps: Steps<T>): { value: T; labels: (string | void)[] } {
  const labels: (string | void)[] = [];
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, labels };
    labels.push(r.value === undefined ? undefined : labelText(r.value));
  }
}

const OUTSIDE: Transaction = { client: { address: '203.0.113.5' }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['postmaster@example.test'], through: 'rcpt' };
const BASE = 'compatibility_level = 3.6\nmyhostname = mx.example.test\nmydestination = example.test\nmynetworks = 127.0.0.0/8\n';

test('a transaction over a list of 2^17 restrictions yields at least every RESTRICTIONS_PER_STEP of them, and its first tokenizing yields too', () => {
  const main = `${BASE}${doubling(17, 'permit_mynetworks')}smtpd_recipient_restrictions = $a17, reject_unauth_destination\n`;
  const { value, labels } = run(simulateTransactionSteps(config(main), OUTSIDE));
  // Not in mynetworks: every permit_mynetworks is walked, then the local recipient passes the relay guard.
  assert.equal(value.verdict, 'accept', JSON.stringify(value.reply));
  const walked = labels.filter((l) => l?.startsWith('simulate rcpt: '));
  assert.ok(walked.length >= (1 << 17) / RESTRICTIONS_PER_STEP, `${walked.length} steps in the walk`);
  assert.match(walked[walked.length - 1] ?? '', /restrictions walked \(smtpd_recipient_restrictions\)$/);
  assert.ok(labels.some((l) => l?.startsWith('simulate: tokenizing smtpd_recipient_restrictions')), 'the first tokenizing yields');
  // The relay guard search at start-up looks at every word too (once per service view).
  assert.ok(labels.some((l) => l?.startsWith('simulate startup: ')), 'the relay guard search yields');
  // A small list: no step inside the transaction at all.
  assert.deepEqual(run(simulateTransactionSteps(config(`${BASE}smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n`), OUTSIDE)).labels, []);
});

test('a restriction class and an access-table result that names a huge list are walked in steps as well', () => {
  const cls = `${BASE}${doubling(14, 'permit_mynetworks')}smtpd_restriction_classes = big\nbig = $a14\nsmtpd_recipient_restrictions = big, reject_unauth_destination\n`;
  const inClass = run(simulateTransactionSteps(config(cls), OUTSIDE)).labels.filter((l) => l?.startsWith('simulate rcpt: ') && l.endsWith('(big)'));
  assert.ok(inClass.length >= (1 << 14) / RESTRICTIONS_PER_STEP, `${inClass.length} steps inside the class`);
  const words = Array(1 << 13).fill('permit_mynetworks').join(' ');
  const table = `${BASE}smtpd_recipient_restrictions = check_sender_access texthash:${DIR}/senders, reject_unauth_destination\n`;
  const inResult = run(simulateTransactionSteps(config(table, { [`${DIR}/senders`]: `a@outside.example ${words}\n` }), OUTSIDE));
  assert.equal(inResult.value.verdict, 'accept');
  assert.ok(inResult.labels.filter((l) => l?.includes(`(texthash:${DIR}/senders result)`)).length >= (1 << 13) / RESTRICTIONS_PER_STEP);
});

test('stepped transactions interleaved on one configuration give what each gives drained alone', () => {
  const mains = [
    `${BASE}${doubling(13, 'permit_mynetworks')}smtpd_recipient_restrictions = $a13, warn_if_reject, reject_non_fqdn_sender, reject_unauth_destination\n`,
    `${BASE}${doubling(12, 'permit_sasl_authenticated')}smtpd_restriction_classes = c\nc = $a12, defer_if_permit, permit_mynetworks\nsmtpd_recipient_restrictions = c, reject_unauth_destination\n`,
    `${BASE}${doubling(12, 'reject_unknown_sender_domain')}smtpd_sender_restrictions = $a12 permit\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n`,
  ];
  const txs: Transaction[] = [
    OUTSIDE,
    { ...OUTSIDE, client: { address: '127.0.0.1', hostname: 'localhost' }, recipients: ['v@elsewhere.example'] },
    { ...OUTSIDE, sender: '', recipients: ['postmaster@example.test', 'v@elsewhere.example', 'w@example.test'] },
  ];
  for (const main of mains) {
    const drained = txs.map((tx) => simulateTransaction(config(main), tx));
    // One configuration, its transactions advanced in turn one step each (shared values and tokens built on the way).
    const sim = config(main);
    const running = txs.map((tx) => simulateTransactionSteps(sim, tx));
    const results: unknown[] = [];
    let steps = 0;
    while (results.filter((r) => r !== undefined).length < running.length) {
      running.forEach((g, i) => {
        if (results[i] !== undefined) return;
        const r = g.next();
        if (r.done) results[i] = r.value;
        else steps++;
      });
    }
    assert.ok(steps > 0, 'the transactions took steps');
    assert.deepEqual(results, drained);
  }
});

test('the relay matrix in steps equals the drained one, and yields inside each transaction over a huge list', () => {
  const main = `${BASE}${doubling(14, 'permit_mynetworks')}smtpd_recipient_restrictions = $a14, reject_unauth_destination\n`;
  const { value, labels } = run(relayMatrixSteps(config(main)));
  assert.deepEqual(value, relayMatrix(config(main)));
  // The outside clients walk the whole list for the local domain (the localhost one stops at its first
  // word; mail to an outside domain is deferred by the relay restrictions, which come first at level 3.6).
  const walks = value.cells.filter((c) => (c.client === 'outside' || c.client === 'authenticated') && c.recipient === 'local domain').length;
  assert.equal(walks, 2);
  const inside = labels.filter((l) => l?.startsWith('simulate rcpt: ')).length;
  assert.ok(inside >= (walks * (1 << 14)) / RESTRICTIONS_PER_STEP, `${inside} steps inside ${walks} transactions that walk 2^14 words`);
});

test('a list of references is tokenized from its pieces into the words of its whole value, whatever the pieces hold', () => {
  const cases: string[] = [
    `${doubling(10, 'permit_mynetworks')}l = $a10, reject`,
    // A brace group that opens in one piece and closes in another: one word of the whole value.
    'b0 = {check_client_access\nb1 = inline:{x=OK}}\nl = $b0 $b1 reject',
    'b0 = {x\nb1 = $b0 y}\nl = $b1 z',
    // References that loop, that are unset, that sit inside a word, and ${...} forms.
    'c1 = $c2 x\nc2 = $c1\nl = $c1 y',
    'l = $unset_list permit_mynetworks $unset_list',
    'd0 = permit\nl = $d0$d0 ${d0} $(d0) ${d0?reject}',
    // A value that goes past the expansion limit as a whole but not in its pieces.
    `${doubling(17, 'permit_mynetworks_xxxxxxxxxx')}l = $a17 $a17`,
    `${doubling(16, 'permit_mynetworks')}e = $a16\nl = $e $a16, $e`,
  ];
  for (const c of cases) {
    const sim = config(`compatibility_level = 3.6\n${c}\n`);
    const whole = new ServiceView(sim, undefined, {});
    const expected = splitList(whole.value('l'));
    const view = new ServiceView(sim, undefined, {});
    const tokens = view.tokens('l').map((t) => t.text);
    assert.equal(tokens.length, expected.length, c.slice(-80));
    assert.ok(tokens.every((t, i) => t === expected[i]), c.slice(-80));
    assert.deepEqual(view.tooLarge.includes('l'), whole.tooLarge.includes('l'), c.slice(-80));
  }
});

// Hostile and degenerate configurations (issue 8, "Crashes" and the NUL/BOM
// items): each one once crashed or misled the engine. The answers are the
// ones real Postfix gives (proved in test/oracle/hostile-oracle.test.ts and
// the live tests); here they are pinned down without Postfix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDirectory } from '../../server/src/engine/lint';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { simulateTransaction } from '../../server/src/engine/simulate/simulate';
import { expandValue, scanNames } from '../../server/src/engine/expand';
import { postconfMain } from '../../server/src/engine/postconf/main';
import type { FileReader, Problem } from '../../server/src/engine/types';
import type { SimulationResult, Transaction } from '../../server/src/engine/simulate/types';

const DIR = '/etc/postfix';

function reader(files: Record<string, string>): FileReader {
  return { readText: (p) => files[p] };
}

function lint(main: string, master?: string): Problem[] {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: main };
  if (master !== undefined) files[`${DIR}/master.cf`] = master;
  return lintDirectory(DIR, reader(files), { mode: 'live' });
}

function sim(main: string, tx: Partial<Transaction> = {}): SimulationResult {
  const config = loadSimConfig(DIR, reader({ [`${DIR}/main.cf`]: main }));
  return simulateTransaction(
    config,
    { client: { address: '203.0.113.5' }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['v@ext.example'], ...tx },
    { hostname: 'vm' },
  );
}

test('myhostname = mail.$mydomain alone: no stack overflow; smtpd dies on the empty mydomain like Postfix', () => {
  const main = 'myhostname = mail.$mydomain\n';
  assert.doesNotThrow(() => lint(main));
  const out = sim(main);
  // mydomain's default is myhostname after its first dot, expanded with main.cf alone: "mail." -> "".
  assert.equal(out.verdict, 'fatal');
  assert.equal(out.fatal, 'bad string length 0 < 1: mydomain = ');
});

test('myhostname = a.b.$mydomain: mydomain defaults to "b." as in Postfix', () => {
  const out = sim('compatibility_level = 3.6\nmyhostname = a.b.$mydomain\nmydestination = $myhostname\n', { recipients: ['u@a.b.b.'] });
  assert.notEqual(out.verdict, 'fatal', out.fatal);
  assert.ok(!/Maximum call stack/.test(JSON.stringify(out)));
});

/** `${{...} == {a}?{y}:{z}}` nested n deep around "a" (y at depth 1, z from depth 2 on). */
function nestedRelational(n: number): string {
  let e = 'a';
  for (let k = 0; k < n; k++) e = `\${{${e}} == {a}?{y}:{z}}`;
  return e;
}

test('relational expressions nested 1000 deep expand without a stack overflow (Postfix does not bound them)', () => {
  const r = expandValue(nestedRelational(1000), () => undefined);
  assert.deepEqual(r.errors, []);
  assert.equal(r.value, 'z');
  assert.equal(expandValue(nestedRelational(1), () => undefined).value, 'y');
  assert.deepEqual(scanNames(nestedRelational(1000)).errors, []);
  const main = `compatibility_level = 3.6\nmyhostname = ${nestedRelational(1000)}\n`;
  assert.doesNotThrow(() => lint(main));
  const out = postconfMain({ dir: DIR, mainText: main, master: undefined, nonDefault: true, expand: true, defaults: false });
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /^myhostname = z$/m);
});

test('a self-referencing comparison is reported as the crash it is in Postfix, not thrown', () => {
  const main = 'compatibility_level = 3.6\nrelayhost = ${{$relayhost} == {a}?{y}:{z}}\n';
  assert.doesNotThrow(() => lint(main));
  const r = expandValue('$relayhost', (n) => (n === 'relayhost' ? '${{$relayhost} == {a}?{y}:{z}}' : undefined));
  assert.equal(r.errors.length > 0, true);
  assert.match(r.errors[0], /Postfix itself crashes/);
});

const codes = (ps: Problem[], code: string) => ps.filter((p) => p.code === code);

test('a NUL byte ends the line for Postfix: the relay guard after it is gone (PF180, PF400), postconf -n shows the cut value', () => {
  const main = 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\0, reject_unauth_destination\nmyorigin = x\0\n  continued\n';
  const ps = lint(main);
  const nul = codes(ps, 'PF180');
  assert.equal(nul.length, 2, JSON.stringify(ps.map((p) => p.message)));
  assert.deepEqual(nul[0].range.start, { line: 1, character: 71 });
  assert.match(nul[0].message, /ignores the rest: ", reject_unauth_destination"/);
  assert.equal(codes(ps, 'PF400').length, 1, 'smtpd sees no relay guard');
  const out = postconfMain({ dir: DIR, mainText: main, master: undefined, nonDefault: true, expand: false, defaults: false });
  assert.match(out.stdout, /^smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated$/m);
  assert.match(out.stdout, /^myorigin = x$/m);
  assert.ok(!out.stdout.includes('\0'));
});

test('a NUL byte before "=" stops Postfix like a missing "="', () => {
  const ps = lint('compatibility_level = 3.6\nmydomain\0 = example.com\n');
  assert.equal(codes(ps, 'PF180').length, 1);
  assert.equal(codes(ps, 'PF100').length, 1);
  assert.match(codes(ps, 'PF100')[0].message, /missing '=' after attribute name: "mydomain"/);
});

test('a UTF-8 byte order mark is reported (PF181), decoded as UTF-8 or byte by byte, and its effect follows', () => {
  for (const bom of ['\ufeff', '\u00ef\u00bb\u00bf']) {
    const setting = lint(`${bom}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\ncompatibility_level = 3.6\n`);
    assert.equal(codes(setting, 'PF181').length, 1);
    assert.match(codes(setting, 'PF181')[0].message, /part of the name "[^"]*smtpd_relay_restrictions", does not know that name/);
    assert.deepEqual(codes(setting, 'PF181')[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: bom.length } });
    const comment = lint(`${bom}# managed by ansible\ncompatibility_level = 3.6\n`);
    assert.equal(codes(comment, 'PF181').length, 1);
    assert.equal(codes(comment, 'PF100').length, 1, 'Postfix stops at line 1');
  }
  assert.equal(codes(lint('compatibility_level = 3.6\n'), 'PF181').length, 0);
});

test('restriction classes that call each other: PF412 in lint, a crash (not an internal error) in the simulator', () => {
  const loop = 'compatibility_level = 3.6\nmydestination = mx.example.test\nsmtpd_restriction_classes = ca cb\nca = cb\ncb = ca\nsmtpd_relay_restrictions =\n';
  const startup = `${loop}smtpd_recipient_restrictions = ca, reject_unauth_destination\n`;
  const pf412 = codes(lint(startup), 'PF412');
  assert.equal(pf412.length, 1);
  assert.match(pf412[0].message, /ca -> cb -> ca/);
  const s1 = sim(startup, { recipients: ['u@mx.example.test'] });
  assert.equal(s1.verdict, 'fatal');
  assert.equal(s1.stage, 'startup');
  assert.match(s1.fatal ?? '', /^smtpd crashed at startup/);
  const runtime = `${loop}smtpd_recipient_restrictions = reject_unauth_destination, ca\n`;
  const s2 = sim(runtime, { recipients: ['u@mx.example.test'] });
  assert.equal(s2.verdict, 'fatal');
  assert.equal(s2.stage, 'rcpt');
  assert.match(s2.fatal ?? '', /^smtpd crashed during RCPT/);
  // A recipient rejected before the loop never reaches it.
  assert.equal(sim(runtime).verdict, 'reject');
  // A class that names itself.
  assert.equal(codes(lint('compatibility_level = 3.6\nsmtpd_restriction_classes = ca\nca = permit_mynetworks, ca\nsmtpd_recipient_restrictions = reject_unauth_destination, ca\n'), 'PF412').length, 1);
  // No loop: a class used twice is fine.
  assert.equal(codes(lint('compatibility_level = 3.6\nsmtpd_restriction_classes = ca cb\nca = cb, cb\ncb = permit_mynetworks\nsmtpd_recipient_restrictions = reject_unauth_destination, ca\n'), 'PF412').length, 0);
});

/** a0 = WORD, a1 = $a0 $a0, ..., aN = $aN-1 $aN-1 (2^N words in aN). */
function doubling(n: number, word: string): string {
  let s = `a0 = ${word}\n`;
  for (let i = 1; i <= n; i++) s += `a${i} = $a${i - 1} $a${i - 1}\n`;
  return s;
}

test('a restriction list of 2^17 words made by doubling: lint, simulate and postconf -nx answer (they once crashed or ran for minutes)', () => {
  const main = `compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n${doubling(17, 'permit_mynetworks')}smtpd_recipient_restrictions = $a17, reject_unauth_destination\n`;
  const problems = lint(main);
  // The relay guard is there, after 131,072 permit_mynetworks: no open-relay finding, nothing internal.
  assert.deepEqual(problems.filter((p) => /PF4\d\d/.test(p.code) || /internal|Maximum call stack/.test(p.message)), []);
  const out = sim(main);
  // defer_unauth_destination of the default smtpd_relay_restrictions (compatibility level 3.6) answers first.
  assert.equal(out.verdict, 'defer');
  assert.equal(out.reply?.code, 454);
  const pc = postconfMain({ dir: DIR, mainText: main, master: undefined, nonDefault: true, expand: true, defaults: false, names: ['a17'] });
  assert.equal(pc.status, 0);
  assert.equal(pc.stdout, `a17 = ${Array(1 << 17).fill('permit_mynetworks').join(' ')}\n`);
});

test('myhostname = $a40 (a value of 2^40 words): reported once as too large, the rest of the configuration still judged', () => {
  const main = `compatibility_level = 3.6\n${doubling(40, 'x')}myhostname = $a40\nmynetworks = 0.0.0.0/0\n`;
  const problems = lint(main);
  const large = problems.filter((p) => /unreasonable macro expansion size/.test(p.message));
  assert.ok(large.length >= 1, JSON.stringify(problems.map((p) => `${p.code} ${p.message}`)));
  // The open mynetworks below the bomb is still found.
  assert.ok(problems.some((p) => p.code === 'PF501'), JSON.stringify(problems.map((p) => `${p.code} ${p.message}`)));
  const pc = postconfMain({ dir: DIR, mainText: main, master: undefined, nonDefault: true, expand: true, defaults: false, names: ['myhostname'] });
  assert.equal(pc.status, 1);
  assert.match(pc.stderr, /unreasonable macro expansion size/);
});

test('mydestination = $a20 (a domain list of 2^20 words): lint, postconf -nx and the simulator answer, and correctly', () => {
  // 4 MiB less one byte, just below our expansion limit. The same domain in virtual_alias_domains is the one finding (PF508).
  const main = `compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n${doubling(20, 'x.y')}mydestination = $a20\nvirtual_alias_domains = x.y\n`;
  const problems = lint(main);
  const twice = problems.filter((p) => p.code === 'PF508');
  assert.equal(twice.length, 1, JSON.stringify(problems.map((p) => `${p.code} ${p.message}`)));
  assert.match(twice[0].message, /domain x\.y /);
  assert.deepEqual(problems.filter((p) => /internal|Maximum call stack|unreasonable macro/.test(p.message)), []);
  const pc = postconfMain({ dir: DIR, mainText: main, master: undefined, nonDefault: true, expand: true, defaults: false, names: ['mydestination'] });
  assert.equal(pc.status, 0);
  assert.equal(pc.stdout.length, 'mydestination = '.length + (1 << 20) * 'x.y '.length);
  // The domain is local: mail to it is accepted from outside, other domains are not relayed.
  assert.equal(sim(main, { recipients: ['postmaster@x.y'] }).verdict, 'accept');
  assert.equal(sim(main, { recipients: ['v@elsewhere.example'] }).reply?.code, 454);
});

test('a restriction list of 2^17 words that decide nothing: the trace sums the run up in one step, the verdict is the same', () => {
  const list = (n: number) => `compatibility_level = 3.6\nsmtpd_relay_restrictions = reject_unauth_destination\nmydestination = example.test\n${doubling(n, 'permit_sasl_authenticated')}smtpd_recipient_restrictions = $a${n}, reject\n`;
  const tx = { recipients: ['someone@example.test'] };
  const small = sim(list(3), tx);
  const huge = sim(list(17), tx);
  for (const r of [small, huge]) {
    assert.equal(r.verdict, 'reject');
    assert.equal(r.reply?.code, 554);
  }
  // 2^3 words are all shown; of 2^17, the first 50 and one step for the rest.
  const recipientSteps = (r: SimulationResult) => r.trace.filter((s) => s.list === 'recipient' && s.parameter === 'smtpd_recipient_restrictions');
  assert.equal(recipientSteps(small).length, 8 + 1);
  const steps = recipientSteps(huge);
  assert.equal(steps.length, 50 + 1 + 1);
  assert.equal(steps[50].result, 'dunno');
  assert.match(steps[50].why, new RegExp(`^${(1 << 17) - 50} more restrictions in a row made no decision`));
  assert.equal(steps[51].restriction, 'reject');
  assert.ok(JSON.stringify(huge).length < 100_000, `trace of ${JSON.stringify(huge).length} bytes`);
});

test('a restriction list past our 4 MiB expansion limit: no verdict (smtpd would build it and reject), said so in the result and its trace', () => {
  // 2^22 words of "reject": 29 MiB expanded. Real smtpd (no limit) would build it and answer 554 to every recipient.
  const main = `compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n${doubling(22, 'reject')}smtpd_client_restrictions = $a22\n`;
  const out = sim(main, { recipients: ['postmaster@vm.localdomain'] });
  assert.equal(out.verdict, 'unknown', JSON.stringify(out.reply));
  assert.equal(out.reply, undefined);
  assert.match(out.unknown ?? '', /^smtpd_client_restrictions expands to more than 4 MiB .*cannot be simulated/);
  assert.equal(out.trace.at(-1)?.result, 'error');
  // Below the limit the same list decides as smtpd does.
  const small = sim(`compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n${doubling(3, 'reject')}smtpd_client_restrictions = $a3\n`, { recipients: ['postmaster@vm.localdomain'] });
  assert.equal(small.verdict, 'reject');
  assert.equal(small.reply?.code, 554);
});

// Unit tests of the security and correctness rules (PF400–PF599): each rule on
// fixture text, positive and negative, with the exact range (marked «like
// this» in the fixture) and its quick fix applied and re-linted. The live
// oracle (test/oracle/rules-live.test.ts) proves the important ones against a
// real smtpd.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { judgedHardening } from '../../server/src/engine/lint';
import { applyTextEdits, runRules, RULE_CODES } from '../../server/src/engine/rules';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import type { Fix, Problem, Range } from '../../server/src/engine/types';
import { marked } from '../helpers/cursor';

const DIR = '/etc/postfix';
const MAIN = `${DIR}/main.cf`;
const MASTER = `${DIR}/master.cf`;

type Files = Record<string, string>;

const BASE = `compatibility_level = 3.6
myhostname = mx.example.test
mydestination = example.test
mynetworks = 127.0.0.0/8 [::1]/128
`;
const SMTP = `smtp      inet  n       -       n       -       -       smtpd\n`;

function reader(files: Files) {
  return { readText: (p: string) => files[p] };
}

function lint(files: Files, version?: string): Problem[] {
  return runRules(loadConfig(DIR, reader(files), { version }), reader(files));
}

/** Files from fixtures: main.cf (and master.cf) text with «» markers; returns the marked ranges too. */
function fixture(main: string, master: string | undefined = SMTP, extra: Files = {}): { files: Files; mainRanges: Range[]; masterRanges: Range[] } {
  const m = marked(main);
  const files: Files = { [MAIN]: m.text, ...extra };
  let masterRanges: Range[] = [];
  if (master !== undefined) {
    const mm = marked(master);
    files[MASTER] = mm.text;
    masterRanges = mm.ranges;
  }
  return { files, mainRanges: m.ranges, masterRanges };
}

function withCode(problems: Problem[], code: string): Problem[] {
  return problems.filter((p) => p.code === code);
}

function one(problems: Problem[], code: string): Problem {
  const found = withCode(problems, code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(problems.map((p) => `${p.code}@${p.range.start.line}:${p.range.start.character} ${p.message}`), null, 1)}`);
  return found[0];
}

function none(problems: Problem[], code: string): void {
  assert.deepEqual(withCode(problems, code).map((p) => p.message), [], `unexpected ${code}`);
}

function applyFix(files: Files, fix: Fix): Files {
  const out = { ...files };
  for (const file of new Set(fix.edits.map((e) => e.file))) out[file] = applyTextEdits(files[file] ?? '', fix.edits.filter((e) => e.file === file));
  return out;
}

function fix(p: Problem, index = 0): Fix {
  assert.ok(p.fixes && p.fixes[index], `${p.code} has no fix #${index}`);
  return p.fixes[index];
}

/** Applies the first fix of the first problem with this code, re-linting after each, until none is left. */
function fixAll(files: Files, code: string): Files {
  let out = files;
  for (let i = 0; i < 20; i++) {
    const p = lint(out).find((x) => x.code === code && x.fixes?.length);
    if (!p) return out;
    out = applyFix(out, p.fixes![0]);
  }
  assert.fail(`${code} keeps coming back`);
}

function openRelay(files: Files): boolean {
  return relayMatrix(loadSimConfig(DIR, reader(files))).openRelay;
}

describe('PF400 no working relay guard', () => {
  test('smtpd_relay_restrictions = permit: fatal, fix inserts reject_unauth_destination before permit', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_relay_restrictions = «permit»\n`);
    const p = one(lint(files), 'PF400');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.equal(p.category, 'postfix');
    assert.match(p.message, /specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains/);
    assert.match(p.message, /plain permit comes before/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /^smtpd_relay_restrictions = reject_unauth_destination, permit$/m);
    none(lint(fixed), 'PF400');
    assert.equal(openRelay(fixed), false);
  });

  test('the guard is inserted after the trusted permits, not after an untrusted OK', () => {
    const { files } = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, check_client_access static:OK\n`);
    const p = one(lint(files), 'PF400');
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /permit_sasl_authenticated, reject_unauth_destination, check_client_access static:OK/);
    none(lint(fixed), 'PF400');
    assert.equal(openRelay(fixed), false, 'the fix must not turn a fatal into an open relay');
  });

  test('a guard in either list, or inside a restriction class, satisfies smtpd', () => {
    none(lint(fixture(`${BASE}smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n`).files), 'PF400');
    none(lint(fixture(`${BASE}smtpd_restriction_classes = guard\nguard = reject_unauth_destination\nsmtpd_relay_restrictions = permit_mynetworks, guard\n`).files), 'PF400');
    none(lint(fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, defer_if_permit\n`).files), 'PF400');
  });

  test('warn_if_reject in front of the guard does not count (smtpd skips the word after it)', () => {
    one(lint(fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, warn_if_reject reject_unauth_destination\n`).files), 'PF400');
  });

  test('compatibility level 0 with no lists set: reported at compatibility_level; fix adds a relay list', () => {
    const { files, mainRanges } = fixture(`«compatibility_level = 0»\nmydestination = example.test\n`);
    const p = one(lint(files), 'PF400');
    assert.deepEqual(p.range, mainRanges[0]);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n$/);
    none(lint(fixed), 'PF400');
  });

  test('only the service whose -o list lacks the guard is named; the fix edits that -o', () => {
    const master = `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_relay_restrictions=«permit_sasl_authenticated»\n  -o smtpd_sasl_auth_enable=yes\n`;
    const { files, masterRanges } = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n`, master);
    const p = one(lint(files), 'PF400');
    assert.equal(p.file, MASTER);
    assert.deepEqual(p.range, masterRanges[0]);
    assert.match(p.message, /service submission \(port 587\)/);
    assert.doesNotMatch(p.message, /service smtp\b/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MASTER], /-o smtpd_relay_restrictions=permit_sasl_authenticated,reject_unauth_destination\n/);
    none(lint(fixed), 'PF400');
  });
});

describe('PF500 open relay (relay matrix)', () => {
  test('check_client_access static:OK before the guard: reported on it with the accepting reply; fix closes the relay', () => {
    const main = `${BASE}smtpd_relay_restrictions = permit_mynetworks,\n    «check_client_access static:OK»,\n    # relay guard below\n    reject_unauth_destination\n`;
    const { files, mainRanges } = fixture(main);
    assert.equal(openRelay(files), true);
    const p = one(lint(files), 'PF500');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.equal(p.severity, 'error');
    assert.equal(p.category, 'security');
    assert.match(p.message, /Open relay on service smtp \(port 25\)/);
    assert.match(p.message, /"250 2\.1\.5 Ok"/);
    assert.ok(fix(p).hardening);
    const fixed = applyFix(files, fix(p));
    assert.ok(fixed[MAIN].includes('# relay guard below'), 'comment kept');
    assert.match(fixed[MAIN], /permit_mynetworks,\n    reject_unauth_destination, check_client_access static:OK,/);
    assert.equal(openRelay(fixed), false);
    none(lint(fixed), 'PF500');
  });

  test('an OK for everyone in a cidr table', () => {
    const { files } = fixture(`${BASE}smtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients.cidr, permit_mynetworks, reject_unauth_destination\n`, SMTP, {
      '/etc/postfix/clients.cidr': '0.0.0.0/0 OK\n',
    });
    const p = one(lint(files), 'PF500');
    assert.match(p.message, /check_client_access cidr:\/etc\/postfix\/clients\.cidr/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /= reject_unauth_destination, check_client_access/);
    assert.equal(openRelay(fixed), false);
  });

  test('mynetworks = 0.0.0.0/0: reported on mynetworks; the fix replaces it with loopback', () => {
    const { files, mainRanges } = fixture(`compatibility_level = 3.6\nmydestination = example.test\nmynetworks = «0.0.0.0/0»\n`);
    const p = one(lint(files), 'PF500');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /mynetworks = 0\.0\.0\.0\/0/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128$/m);
    assert.equal(openRelay(fixed), false);
  });

  test('a re-injection service on 127.0.0.1:10025 is not reachable from outside and is not reported', () => {
    const master = `${SMTP}127.0.0.1:10025 inet n - n - - smtpd\n  -o mynetworks=0.0.0.0/0\n  -o smtpd_relay_restrictions=permit_mynetworks,reject\n`;
    const { files } = fixture(BASE, master);
    assert.equal(openRelay(files), true, 'the matrix itself sees the service accept');
    none(lint(files), 'PF500');
  });

  test('a forged sender that a sender access table says OK to relays (issue 7): reported on check_sender_access, fix closes it', () => {
    const main = `${BASE}smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, «check_sender_access hash:/etc/postfix/sender_ok», reject_unauth_destination\n`;
    const { files, mainRanges } = fixture(main, SMTP, { '/etc/postfix/sender_ok': 'partner.example OK\nspam.example REJECT\n', '/etc/postfix/sender_ok.db': '' });
    // A live configuration: the .db is there (postmap was run).
    const built = (f: Files) => ({ readText: (p: string) => f[p], mtimeMs: (p: string) => (f[p] === undefined ? undefined : 1) });
    const m = relayMatrix(loadSimConfig(DIR, built(files)));
    assert.equal(m.openRelay, true);
    const cell = m.cells.find((c) => c.openRelay)!;
    assert.equal(cell.probe?.sender, 'x@partner.example');
    const p = one(runRules(loadConfig(DIR, built(files)), built(files)), 'PF500');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /sending MAIL FROM:<x@partner\.example>/);
    assert.match(p.message, /Any client can claim MAIL FROM:<x@partner\.example>/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /permit_mynetworks, reject_unauth_destination, check_sender_access/);
    assert.equal(relayMatrix(loadSimConfig(DIR, built(fixed))).openRelay, false);
    none(runRules(loadConfig(DIR, built(fixed)), built(fixed)), 'PF500');
  });

  test('the null sender, postmaster@ and own domains are tried; an OK HELO name too', () => {
    const nullOk = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, check_sender_access inline:{ <>=OK }, reject_unauth_destination\n`).files;
    assert.equal(relayMatrix(loadSimConfig(DIR, reader(nullOk))).cells.find((c) => c.openRelay)?.probe?.sender, '');
    const own = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, check_sender_access inline:{ postmaster@example.test=OK }, reject_unauth_destination\n`).files;
    assert.equal(relayMatrix(loadSimConfig(DIR, reader(own))).cells.find((c) => c.openRelay)?.probe?.sender, 'postmaster@example.test');
    const helo = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, check_helo_access pcre:/etc/postfix/helo.pcre, reject_unauth_destination\n`, SMTP, {
      '/etc/postfix/helo.pcre': '/^trusted\\.partner\\.example$/ OK\n',
    }).files;
    assert.equal(relayMatrix(loadSimConfig(DIR, reader(helo))).cells.find((c) => c.openRelay)?.probe?.helo, 'trusted.partner.example');
    // smtpd refuses OK from a reverse-hostname table (the client's DNS chooses that name): no relay.
    const rev = fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, check_reverse_client_hostname_access inline:{ gw.partner.example=OK }, reject_unauth_destination\n`).files;
    assert.equal(relayMatrix(loadSimConfig(DIR, reader(rev))).openRelay, false);
  });

  test('client addresses an access table trusts are deliberate relay clients, not forgeries; OK after the guard is closed', () => {
    none(lint(fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, check_client_access inline:{ 198.51.100.7=OK }, reject_unauth_destination\n`).files), 'PF500');
    none(lint(fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination, check_sender_access inline:{ partner.example=OK }\n`).files), 'PF500');
  });

  test('the default relay list with a sane mynetworks is closed', () => {
    none(lint(fixture(BASE).files), 'PF500');
  });

  test('a submission service that lets anyone relay is found too', () => {
    const master = `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_relay_restrictions=permit_mynetworks,«permit»\n`;
    const { files } = fixture(BASE, master);
    // smtpd starts (permit comes after a guard? no): this list has no guard, so it is fatal, not open.
    one(lint(files), 'PF400');
    none(lint(files), 'PF500');
  });
});

describe('PF401 restrictions after permit/reject/defer', () => {
  test('dead tail after permit, spanning lines with a comment; the fix keeps the comment', () => {
    const main = `${BASE}smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination,\n    permit,\n    «reject_rbl_client zen.spamhaus.org=127.0.0.[2..11],\n    # the comment stays\n    reject_unknown_sender_domain»\n`;
    const { files, mainRanges } = fixture(main);
    const p = one(lint(files), 'PF401');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /restriction 'reject_rbl_client' after 'permit' is ignored/);
    const fixed = applyFix(files, fix(p));
    assert.equal(
      fixed[MAIN],
      `${BASE}smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination,\n    permit\n    # the comment stays\n`,
    );
    none(lint(fixed), 'PF401');
    const keep = applyFix(files, fix(p, 1));
    assert.doesNotMatch(keep[MAIN], /^\s+permit,$/m);
    none(lint(keep), 'PF401');
  });

  test('after reject and defer too, but not after warn_if_reject reject', () => {
    one(lint(fixture(`${BASE}smtpd_client_restrictions = permit_mynetworks, reject, «reject_unknown_client_hostname»\n`).files), 'PF401');
    one(lint(fixture(`${BASE}smtpd_client_restrictions = defer, «permit_mynetworks»\n`).files), 'PF401');
    none(lint(fixture(`${BASE}smtpd_client_restrictions = warn_if_reject reject, permit_mynetworks\n`).files), 'PF401');
    none(lint(fixture(`${BASE}smtpd_client_restrictions = permit_mynetworks, permit\n`).files), 'PF401');
  });

  test('inside a restriction class', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_restriction_classes = strict\nstrict = reject, «permit»\nsmtpd_sender_restrictions = check_sender_access inline:{x@example.test=strict}\n`);
    assert.deepEqual(one(lint(files), 'PF401').range, mainRanges[0]);
  });
});

describe('PF402 unknown restriction and PF403 undefined class', () => {
  test('typo with did-you-mean rename', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_sender_restrictions = «reject_unknwon_sender_domain»\n`);
    const p = one(lint(files), 'PF402');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /unknown smtpd restriction: "reject_unknwon_sender_domain".*451 4\.3\.5.*Did you mean reject_unknown_sender_domain\?/);
    none(lint(applyFix(files, fix(p))), 'PF402');
  });

  test('a main.cf parameter used as a class without smtpd_restriction_classes', () => {
    const { files } = fixture(`${BASE}smtpd_restriction_classes = other\nother = reject\nmine = reject\nsmtpd_sender_restrictions = mine\n`);
    const p = one(lint(files), 'PF402');
    assert.match(p.message, /not listed|only works as a restriction class when smtpd_restriction_classes lists it/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /^smtpd_restriction_classes = other, mine$/m);
    none(lint(fixed), 'PF402');
  });

  test('known names in any case, classes and tables are not unknown', () => {
    none(lint(fixture(`${BASE}smtpd_restriction_classes = mine\nmine = reject\nsmtpd_sender_restrictions = PERMIT_MYNETWORKS, mine, hash:/etc/postfix/access\n`).files), 'PF402');
  });

  test('undefined class: fatal at start-up', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_restriction_classes = «nodef»\n`);
    const p = one(lint(files), 'PF403');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /restriction class `nodef' needs a definition/);
    none(lint(applyFix(files, fix(p))), 'PF403');
    none(lint(fixture(`${BASE}smtpd_restriction_classes = x\nx = reject\n`).files), 'PF403');
  });
});

describe('PF404–PF407 arguments and bare tables', () => {
  test('missing DNSBL domain, table, policy server and sleep time', () => {
    const main = `${BASE}smtpd_client_restrictions = permit_mynetworks, «reject_rbl_client»\nsmtpd_helo_restrictions = «check_helo_access» permit\nsmtpd_sender_restrictions = «check_policy_service» 10023\nsmtpd_data_restrictions = «sleep» x\n`;
    const { files, mainRanges } = fixture(main);
    const ps = withCode(lint(files), 'PF404');
    assert.deepEqual(
      ps.map((p) => p.range),
      mainRanges,
    );
    assert.match(ps[0].message, /restriction reject_rbl_client requires domain name argument/);
    assert.match(ps[1].message, /bad argument "check_helo_access": need maptype:mapname/);
    assert.match(ps[2].message, /must be followed by transport:server/);
    assert.match(ps[3].message, /must be followed by number/);
  });

  test('a path without type gets a fix when the indexed file is there', () => {
    const { files } = fixture(`${BASE}smtpd_sender_restrictions = check_sender_access /etc/postfix/sender_access\n`, SMTP, { '/etc/postfix/sender_access.db': '' });
    const p = one(lint(files), 'PF404');
    assert.equal(fix(p).title, 'Write hash:/etc/postfix/sender_access');
    none(lint(applyFix(files, fix(p))), 'PF404');
  });

  test('PF405: the next restriction swallowed as a DNSBL domain', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_client_restrictions = reject_rbl_client, «permit_mynetworks»\n`);
    const p = one(lint(files), 'PF405');
    assert.deepEqual(p.range, mainRanges[0]);
    none(lint(fixture(`${BASE}smtpd_client_restrictions = reject_rbl_client bl.spamcop.net, permit_mynetworks\n`).files), 'PF405');
  });

  test('PF406 bare table in smtpd_data_restrictions; PF407 elsewhere', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_data_restrictions = «hash:/etc/postfix/data»\nsmtpd_client_restrictions = «cidr:/etc/postfix/c.cidr»\n`);
    const ps = lint(files);
    const p406 = one(ps, 'PF406');
    assert.deepEqual(p406.range, mainRanges[0]);
    assert.equal(p406.category, 'postfix');
    const p407 = one(ps, 'PF407');
    assert.deepEqual(p407.range, mainRanges[1]);
    assert.match(p407.message, /check_client_access cidr:/);
    const fixed = applyFix(applyFix(files, fix(p406)), fix(p407));
    assert.match(fixed[MAIN], /smtpd_data_restrictions = check_client_access hash:\/etc\/postfix\/data/);
    assert.match(fixed[MAIN], /smtpd_client_restrictions = check_client_access cidr:/);
    none(lint(fixed), 'PF406');
    none(lint(fixed), 'PF407');
  });
});

describe('PF408 OK in MX/NS/A and reverse-client tables', () => {
  test('hash table entry: reported in the table at the OK; fix writes DUNNO', () => {
    const table = marked('bad.example   REJECT\ngood.example  «OK»\n');
    const { files } = fixture(`${BASE}smtpd_sender_restrictions = check_sender_mx_access hash:/etc/postfix/mx_access\n`, SMTP, { '/etc/postfix/mx_access': table.text });
    const p = one(lint(files), 'PF408');
    assert.equal(p.file, '/etc/postfix/mx_access');
    assert.deepEqual(p.range, table.ranges[0]);
    assert.match(p.message, /not allowed for security reasons.*451 4\.3\.5/);
    const fixed = applyFix(files, fix(p));
    assert.equal(fixed['/etc/postfix/mx_access'], 'bad.example   REJECT\ngood.example  DUNNO\n');
    none(lint(fixed), 'PF408');
  });

  test('inline and cidr tables; check_client_access may return OK', () => {
    const inline = fixture(`${BASE}smtpd_client_restrictions = check_reverse_client_hostname_access inline:{ mx.example.test=«OK} }\n`.replace('«OK} }', '«OK» }'));
    assert.deepEqual(one(lint(inline.files), 'PF408').range, inline.mainRanges[0]);
    const cidr = fixture(`${BASE}smtpd_helo_restrictions = check_helo_a_access cidr:/etc/postfix/a.cidr\n`, SMTP, { '/etc/postfix/a.cidr': '192.0.2.0/24 OK\n' });
    one(lint(cidr.files), 'PF408');
    none(lint(fixture(`${BASE}smtpd_client_restrictions = check_client_access inline:{ 192.0.2.1=OK }\n`).files), 'PF408');
  });
});

describe('PF409/PF410 old and removed restrictions', () => {
  test('removed in 3.9: error for a 3.9+ target, warning before', () => {
    const main = `${BASE}smtpd_recipient_restrictions = permit_mynetworks, «check_relay_domains»\n`;
    const { files, mainRanges } = fixture(main);
    const p = one(lint(files, '3.10'), 'PF409');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.equal(p.severity, 'error');
    assert.equal(one(lint(files, '3.7.11'), 'PF409').severity, 'warning');
    assert.match(one(lint(files, '3.7.11'), 'PF409').message, /support for restriction "check_relay_domains" will be removed/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /permit_mynetworks, reject_unauth_destination$/m);
    none(lint(fixed), 'PF409');
  });

  test('old alias renamed', () => {
    const { files } = fixture(`${BASE}smtpd_client_restrictions = reject_unknown_client\n`);
    const p = one(lint(files), 'PF410');
    assert.equal(fix(p).title, 'Rename to reject_unknown_client_hostname');
    none(lint(applyFix(files, fix(p))), 'PF410');
  });
});

describe('PF411/PF515/PF516 SASL-dependent restrictions', () => {
  const seed2 = `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_client_restrictions=«permit_sasl_authenticated»,reject\n  -o smtpd_sasl_auth_enabel=yes\n`;

  test('PF515: the submission service relies on login but SASL is off (misspelled -o)', () => {
    const { files, masterRanges } = fixture(BASE, seed2);
    const p = one(lint(files), 'PF515');
    assert.equal(p.file, MASTER);
    assert.deepEqual(p.range, masterRanges[0]);
    assert.match(p.message, /smtpd_sasl_auth_enabel looks like a misspelling/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MASTER], /-o smtpd_sasl_auth_enabel=yes\n  -o smtpd_sasl_auth_enable=yes\n$/);
    none(lint(fixed), 'PF515');
  });

  test('PF515 stays quiet where permit_sasl_authenticated is a harmless no-op (port 25, before the relay guard)', () => {
    none(lint(fixture(`${BASE}smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n`).files), 'PF515');
  });

  // FP-13: joekun-freebsd in the precision corpus.
  test('PF515 stays quiet on port 25 when it turns SASL off itself and shares main.cf lists with submission', () => {
    const main = `${BASE}smtpd_sasl_auth_enable = yes\nsmtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, permit_auth_destination, reject\n`;
    const master = `smtp inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=no\nsubmission inet n - n - - smtpd\n  -o smtpd_recipient_restrictions=\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n`;
    none(lint(fixture(main, master).files), 'PF515');
    // Without that deliberate -o (SASL simply never enabled), the same list still is a finding.
    const p = withCode(lint(fixture(main.replace('smtpd_sasl_auth_enable = yes\n', ''), master.replace('  -o smtpd_sasl_auth_enable=no\n', '')).files), 'PF515');
    assert.ok(p.some((x) => /on service smtp \(port 25\)/.test(x.message)), JSON.stringify(p.map((x) => x.message)));
  });

  test('PF411: login-mismatch restriction where SASL is off', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_sender_restrictions = «reject_sender_login_mismatch»\nsmtpd_sender_login_maps = hash:/etc/postfix/logins\n`);
    const p = one(lint(files), 'PF411');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /ignored: no SASL support/);
  });

  test('PF516: reject_sender_login_mismatch without smtpd_sender_login_maps rejects every login', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_sasl_auth_enable = yes\nsmtpd_tls_auth_only = yes\nsmtpd_sender_restrictions = «reject_sender_login_mismatch»\n`);
    const p = one(lint(files), 'PF516');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.equal(p.severity, 'error');
    assert.match(p.message, /553 5\.7\.1/);
    none(lint(fixture(`${BASE}smtpd_sasl_auth_enable = yes\nsmtpd_sender_login_maps = hash:/etc/postfix/logins\nsmtpd_sender_restrictions = reject_sender_login_mismatch\n`).files), 'PF516');
  });
});

describe('PF501–PF503 mynetworks', () => {
  test('0.0.0.0/0 and a public /8 are errors, 10.0.0.0/8 a warning, 127.0.0.0/8 fine', () => {
    const { files, mainRanges } = fixture(`compatibility_level = 3.6\nmynetworks = «0.0.0.0/0» 127.0.0.0/8 «10.0.0.0/8» «44.0.0.0/8» «[2001:db8::]/16» [::1]/128 192.168.0.0/16 203.0.113.7\n`);
    const ps = withCode(lint(files), 'PF501');
    // One finding per mistake: the three error-level networks are one, with the other two as related places.
    assert.deepEqual(
      ps.map((p) => [p.range, p.severity, p.related?.map((r) => r.range)]),
      [
        [mainRanges[0], 'error', [mainRanges[2], mainRanges[3]]],
        [mainRanges[1], 'warning', undefined],
      ],
    );
    assert.match(ps[0].message, /^mynetworks trusts 3 networks that are mostly the Internet \(0\.0\.0\.0\/0 trusts every IPv4 address; the others are related\)/);
    assert.match(ps[0].related![0].message, /^44\.0\.0\.0\/8 trusts 16,777,216 addresses, most of them on the Internet\.$/);
    const fixed = applyFix(files, fix(ps[0]));
    assert.equal(fixed[MAIN], `compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 10.0.0.0/8 [::1]/128 192.168.0.0/16 203.0.113.7\n`);
  });

  test('19 public netblocks on one line are one finding (issue 7), not 19; its fix removes them all', () => {
    const nets = Array.from({ length: 19 }, (_, i) => `${100 + i}.${i}.0.0/16`);
    const { files } = fixture(`compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 ${nets.join(' ')}\n`);
    const p = one(lint(files), 'PF501');
    assert.equal(p.severity, 'warning');
    assert.equal(p.related?.length, 18);
    assert.match(p.message, /^mynetworks trusts 19 networks that are far wider than your own hosts/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128$/m);
    none(lint(fixed), 'PF501');
  });

  test('the replacement adds the loopback networks the list lacks', () => {
    const { files } = fixture(`compatibility_level = 3.6\nmynetworks = 0.0.0.0/0, 192.168.1.0/24\n`);
    const fixed = applyFix(files, fix(one(lint(files), 'PF501')));
    assert.match(fixed[MAIN], /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128, 192\.168\.1\.0\/24$/m);
    none(lint(fixed), 'PF501');
  });

  test('PF503: unbracketed IPv6 with Postfix\'s own error text; fix brackets it', () => {
    const { files, mainRanges } = fixture(`compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 «::1/128» «2001:db8::/32»\n`);
    const ps = withCode(lint(files), 'PF503');
    assert.deepEqual(ps.map((p) => p.range), mainRanges);
    assert.match(ps[0].message, /expecting "type:name" form instead of "::1\/128"/);
    assert.match(ps[1].message, /unsupported dictionary type: 2001/);
    const fixed = fixAll(files, 'PF503');
    assert.match(fixed[MAIN], /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128 \[2001:db8::\]\/32$/m);
    none(lint(fixed), 'PF503');
    none(lint(fixture(`compatibility_level = 3.6\nmynetworks = hash:/etc/postfix/network_table\n`).files), 'PF503');
  });

  test('PF502: mynetworks unset with subnet (explicit, or the level-0 default); host is fine', () => {
    const { files, mainRanges } = fixture(`compatibility_level = 3.6\n«mynetworks_style = subnet»\n`);
    const p = one(lint(files), 'PF502');
    assert.deepEqual(p.range, mainRanges[0]);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /^mynetworks_style = host$/m);
    none(lint(fixed), 'PF502');
    one(lint(fixture('compatibility_level = 1\n').files), 'PF502');
    none(lint(fixture('compatibility_level = 3.6\nmynetworks_style = class\nmynetworks = 127.0.0.0/8\n').files), 'PF502');
  });
});

describe('PF504–PF506 DNS block lists', () => {
  test('dead lists are removed with their restriction; ahbl is an error', () => {
    const main = `${BASE}smtpd_client_restrictions =\n    permit_mynetworks,\n    reject_rbl_client «dnsbl.sorbs.net»,\n    reject_rbl_client «dnsbl.ahbl.org»,\n    reject_rbl_client bl.spamcop.net\n`;
    const { files, mainRanges } = fixture(main);
    const ps = withCode(lint(files), 'PF504');
    assert.deepEqual(ps.map((p) => [p.range, p.severity]), [
      [mainRanges[0], 'warning'],
      [mainRanges[1], 'error'],
    ]);
    const fixed = fixAll(files, 'PF504');
    assert.equal(fixed[MAIN], `${BASE}smtpd_client_restrictions =\n    permit_mynetworks,\n    reject_rbl_client bl.spamcop.net\n`);
  });

  test('postscreen_dnsbl_sites entries too', () => {
    const { files } = fixture(`${BASE}postscreen_dnsbl_sites = zen.spamhaus.org=127.0.0.[2..11]*3, dnsbl.sorbs.net*1\n`);
    const fixed = applyFix(files, fix(one(lint(files), 'PF504')));
    assert.match(fixed[MAIN], /^postscreen_dnsbl_sites = zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\]\*3$/m);
  });

  test('PF505: Spamhaus without a filter (smtpd and postscreen, keeping the weight)', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_client_restrictions = reject_rbl_client «zen.spamhaus.org», reject_rhsbl_sender «dbl.spamhaus.org»\npostscreen_dnsbl_sites = «zen.spamhaus.org*3»\n`);
    const ps = withCode(lint(files), 'PF505');
    assert.deepEqual(ps.map((p) => p.range), mainRanges);
    const fixed = fixAll(files, 'PF505');
    assert.match(fixed[MAIN], /reject_rbl_client zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\], reject_rhsbl_sender dbl\.spamhaus\.org=127\.0\.1\.\[2\.\.99\]/);
    assert.match(fixed[MAIN], /postscreen_dnsbl_sites = zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\]\*3/);
    none(lint(fixed), 'PF505');
  });

  test('PF505 in postscreen: the error answer scores the weight; rejection depends on threshold and action', () => {
    const ps = (main: string) => withCode(lint(fixture(`${BASE}${main}`).files), 'PF505');
    const below = ps('postscreen_dnsbl_threshold = 3\npostscreen_dnsbl_action = enforce\npostscreen_dnsbl_sites = zen.spamhaus.org*2, bl.spamcop.net*1\n');
    assert.deepEqual(below.map((p) => p.severity), ['warning']);
    assert.match(below[0].message, /every client would score 2 of the 3 points of postscreen_dnsbl_threshold: not enough to refuse it alone/);
    assert.doesNotMatch(below[0].message, /would be rejected/);
    const reached = ps('postscreen_dnsbl_threshold = 3\npostscreen_dnsbl_action = enforce\npostscreen_dnsbl_sites = zen.spamhaus.org*3\n');
    assert.deepEqual(reached.map((p) => p.severity), ['error']);
    assert.match(reached[0].message, /every client would be rejected/);
    // The default action only logs.
    const logged = ps('postscreen_dnsbl_sites = zen.spamhaus.org*3\n');
    assert.deepEqual(logged.map((p) => p.severity), ['warning']);
    assert.match(logged[0].message, /postscreen_dnsbl_action = ignore only logs that today/);
    // Two unfiltered zones answer together: their weights add up.
    assert.match(ps('postscreen_dnsbl_threshold = 2\npostscreen_dnsbl_action = drop\npostscreen_dnsbl_sites = sbl.spamhaus.org*1 xbl.spamhaus.org*1\n')[0].message, /\(2 points, threshold 2, action drop\), so every client would be rejected/);
  });

  test('PF523: DBL looked up with client addresses, ZEN with domain names', () => {
    const { files, mainRanges } = fixture(
      `${BASE}smtpd_client_restrictions = permit_mynetworks, reject_rbl_client «dbl.spamhaus.org», reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]\nsmtpd_sender_restrictions = reject_rhsbl_sender «zen.spamhaus.org=127.0.0.[2..11]», reject_rhsbl_sender dbl.spamhaus.org=127.0.1.[2..99]\n`,
    );
    const ps = lint(files);
    const wrong = withCode(ps, 'PF523');
    assert.deepEqual(wrong.map((p) => [p.range, p.severity]), [
      [mainRanges[0], 'error'],
      [mainRanges[1], 'warning'],
    ]);
    assert.match(wrong[0].message, /dbl\.spamhaus\.org lists domain names, but reject_rbl_client looks up the client's IP address in it\. Spamhaus answers such queries with 127\.0\.1\.255/);
    assert.match(wrong[1].message, /zen\.spamhaus\.org lists IP addresses, but reject_rhsbl_sender looks up a domain name in it/);
    // PF505 would turn the harmful DBL entry into a useless one: it leaves it to PF523.
    none(ps, 'PF505');
    const f = fixAll(files, 'PF523');
    assert.equal(f[MAIN], `${BASE}smtpd_client_restrictions = permit_mynetworks, reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]\nsmtpd_sender_restrictions = reject_rhsbl_sender dbl.spamhaus.org=127.0.1.[2..99]\n`);
    none(lint(f), 'PF523');
  });

  test('PF523: postscreen_dnsbl_sites = dbl.spamhaus.org*1 is removed, never given a reply filter', () => {
    const { files, mainRanges } = fixture(`${BASE}postscreen_dnsbl_sites = zen.spamhaus.org=127.0.0.[2..11]*3, «dbl.spamhaus.org*1»\n`);
    const ps = lint(files);
    const p = one(ps, 'PF523');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /every client scores its weight \(1 point\) toward postscreen_dnsbl_threshold/);
    none(ps, 'PF505');
    assert.match(fixed(files, p)[MAIN], /^postscreen_dnsbl_sites = zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\]\*3$/m);
    // With a filter it is still the wrong list, only harmless.
    const filtered = one(lint(fixture(`${BASE}postscreen_dnsbl_sites = dbl.spamhaus.org=127.0.1.[2..99]*1\n`).files), 'PF523');
    assert.equal(filtered.severity, 'warning');
    assert.match(filtered.message, /with the reply filter it can never match/);
  });

  test('PF506: zen before permit_sasl_authenticated where users log in', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_sasl_auth_enable = yes\nsmtpd_tls_auth_only = yes\nsmtpd_client_restrictions = permit_mynetworks, «reject_rbl_client» zen.spamhaus.org=127.0.0.[2..11], permit_sasl_authenticated\n`);
    const p = one(lint(files), 'PF506');
    assert.deepEqual(p.range, mainRanges[0]);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /permit_mynetworks, permit_sasl_authenticated, reject_rbl_client zen/);
    none(lint(fixed), 'PF506');
    none(lint(fixture(`${BASE}smtpd_client_restrictions = reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]\n`).files), 'PF506');
  });

  test('PF506: zen before a permit_mynetworks that comes later in the same list', () => {
    const { files } = fixture(`${BASE}smtpd_client_restrictions = reject_rbl_client zen.spamhaus.org=127.0.0.[2..11], permit_mynetworks, reject_unknown_client_hostname\n`);
    const p = one(lint(files), 'PF506');
    assert.match(p.message, /before permit_mynetworks/);
    const f = fixed(files, p);
    assert.match(f[MAIN], /= permit_mynetworks, reject_rbl_client zen/);
    none(lint(f), 'PF506');
  });
});

describe('PF507/PF508 compatibility level and address classes', () => {
  test('missing and old levels', () => {
    const { files } = fixture('myhostname = mx.example.test\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n');
    const p = one(lint(files), 'PF507');
    // A short message (issue 7): the names of a few defaults; their values are in the doc page.
    assert.match(p.message, /^compatibility_level is not set, so \d+ defaults keep their level-0 values \(append_dot_mydomain, [a-z_]+, [a-z_]+ and \d+ more\)\. Review them and set compatibility_level = 3\.6\.$/);
    assert.ok(p.message.length < 200, p.message);
    assert.match(fixed(files, p)[MAIN], /\ncompatibility_level = 3\.6\n$/);
    const old = fixture('compatibility_level = «2»\n');
    assert.deepEqual(one(lint(old.files), 'PF507').range, old.mainRanges[0]);
    assert.equal(withCode(lint(old.files, '3.5'), 'PF507').length, 0);
    none(lint(fixture('compatibility_level = 3.6\n').files), 'PF507');
  });

  test('domain in mydestination and virtual_alias_domains; fix removes it from mydestination', () => {
    const { files, mainRanges } = fixture(`compatibility_level = 3.6\nmydestination = example.test, virt.example\nvirtual_alias_domains = «virt.example»\n`);
    const p = one(lint(files), 'PF508');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /do not list domain virt\.example in BOTH mydestination and virtual_alias_domains/);
    const f = applyFix(files, fix(p));
    assert.match(f[MAIN], /^mydestination = example\.test$/m);
    none(lint(f), 'PF508');
  });

  test('relay_domains admits a domain as trivial-rewrite matches it: `.parent` patterns only without parent style', () => {
    // The live matrix (test/fixtures/simulate/matrix.ts, "domain patterns") shows which patterns match which names.
    // parent_domain_matches_subdomains names relay_domains by default in Postfix 3.7.
    const plain = 'compatibility_level = 3.6\nparent_domain_matches_subdomains =\n';
    const dotted = fixture(`${plain}virtual_alias_domains = b.example, sub.b.example\nrelay_domains = «.b.example»\n`);
    const p = one(lint(dotted.files), 'PF508');
    assert.deepEqual(p.range, dotted.mainRanges[0]);
    assert.match(p.message, /do not list domain sub\.b\.example in BOTH virtual_alias_domains and relay_domains/);
    assert.equal(fix(p).title, 'Remove .b.example from relay_domains');
    none(lint(fixture(`${plain}virtual_alias_domains = b.example\nrelay_domains = .b.example\n`).files), 'PF508');
    none(lint(fixture(`compatibility_level = 3.6\nvirtual_alias_domains = sub.b.example\nrelay_domains = .b.example\n`).files), 'PF508');
    const parent = fixture(`compatibility_level = 3.6\nvirtual_mailbox_domains = x.sub.a.example\nrelay_domains = «a.example»\n`);
    assert.match(one(lint(parent.files), 'PF508').message, /domain x\.sub\.a\.example in BOTH virtual_mailbox_domains and relay_domains/);
    none(lint(fixture(`${plain}virtual_mailbox_domains = x.sub.a.example\nrelay_domains = a.example\n`).files), 'PF508');
    none(lint(fixture(`${plain}virtual_mailbox_domains = sub.b.example\nrelay_domains = !sub.b.example .b.example\n`).files), 'PF508');
    none(lint(fixture(`${plain}mydestination = .b.example\nvirtual_alias_domains = .b.example\n`).files), 'PF508');
  });
});

function fixed(files: Files, p: Problem): Files {
  return applyFix(files, fix(p));
}

describe('PF509–PF514 TLS and SASL per service', () => {
  const TLS = 'smtpd_tls_chain_files = /etc/ssl/private/mx.pem\nsmtpd_tls_security_level = may\n';
  const SUBMISSION = `${SMTP}«submission» inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n`;

  test('PF513: submission without encrypt; fix adds the -o under the service', () => {
    const { files, masterRanges } = fixture(BASE + TLS, SUBMISSION);
    const p = one(lint(files), 'PF513');
    assert.deepEqual(p.range, masterRanges[0]);
    assert.ok(fix(p).hardening);
    const f = fixed(files, p);
    assert.equal(f[MASTER], `${SMTP}submission inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n`);
    none(lint(f), 'PF513');
  });

  test('a service whose daemon cannot start (broken -o) is not judged', () => {
    const { files } = fixture(BASE + TLS, `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_tls_security_level = encrypt\n`);
    none(lint(files), 'PF513');
  });

  test('PF514: smtps without wrapper mode', () => {
    const { files } = fixture(BASE + TLS, `${SMTP}smtps inet n - n - - smtpd\n`);
    const p = one(lint(files), 'PF514');
    none(lint(fixed(files, p)), 'PF514');
  });

  test('PF509: encrypt in main.cf reaches port 25; the fix keeps submission encrypted', () => {
    const { files } = fixture(`${BASE}smtpd_tls_chain_files = /etc/ssl/private/mx.pem\nsmtpd_tls_security_level = encrypt\n`, SUBMISSION.replace(/«|»/g, ''));
    const p = one(lint(files), 'PF509');
    const f = fixed(files, p);
    assert.match(f[MAIN], /^smtpd_tls_security_level = may$/m);
    assert.match(f[MASTER], /-o smtpd_tls_security_level=encrypt/);
    none(lint(f), 'PF509');
    none(lint(f), 'PF513');
  });

  test('PF511: AUTH before STARTTLS; PF512: AUTH on port 25', () => {
    const { files } = fixture(`${BASE}${TLS}smtpd_sasl_auth_enable = yes\n`, SUBMISSION.replace(/«|»/g, ''));
    const ps = lint(files);
    const p511 = one(ps, 'PF511');
    assert.match(p511.message, /service smtp \(port 25\) and service submission \(port 587\)/);
    none(lint(fixed(files, p511)), 'PF511');
    const p512 = one(ps, 'PF512');
    const f = fixed(files, p512);
    assert.match(f[MAIN], /^smtpd_sasl_auth_enable = no$/m);
    assert.match(f[MASTER], /-o smtpd_sasl_auth_enable=yes/);
    none(lint(f), 'PF512');
  });

  // FP-10: modoboa, openmandriva, mailcow, mailu, proxmox-pmg in the precision corpus.
  test('internal listeners are judged by their own -o settings, not by a loopback address', () => {
    const main = `${BASE}${TLS}smtpd_sasl_auth_enable = yes\n`;
    const ret = `${SMTP}«127.0.0.1:10025» inet n - n - - smtpd\n  -o content_filter=\n`;
    const msg = (m: string) => withCode(lint(fixture(main, m.replace(/«|»/g, '')).files), 'PF511').map((p) => p.message);
    // A content filter's return path: only port 25 is named.
    assert.deepEqual(msg(ret).length, 1);
    assert.match(msg(ret)[0], /offered on service smtp \(port 25\) before/);
    for (const marker of ['-o receive_override_options=no_unknown_recipient_checks', '-o smtpd_authorized_xforward_hosts=127.0.0.0/8', '-o mynetworks=127.0.0.0/8,[::1]/128', '-o smtpd_client_restrictions=permit_mynetworks,reject']) {
      assert.doesNotMatch(msg(ret.replace('-o content_filter=', marker)).join('\n'), /10025/, marker);
    }
    // The same listener without such a setting is judged like any other: the address alone says nothing.
    assert.match(msg(ret.replace('  -o content_filter=\n', '')).join('\n'), /service 127\.0\.0\.1:10025/);
    // -o mynetworks with a public network does not make it internal.
    assert.match(msg(ret.replace('-o content_filter=', '-o mynetworks=192.0.2.0/24')).join('\n'), /10025/);
  });

  test('a listener on a private port that turns smtpd_tls_auth_only off itself (mailcow 588), or sits behind an XCLIENT proxy (Mailu 10025)', () => {
    const main = `${BASE}${TLS}smtpd_sasl_auth_enable = yes\nsmtpd_tls_auth_only = yes\n`;
    none(lint(fixture(main, `${SMTP}588 inet n - n - - smtpd\n  -o smtpd_tls_auth_only=no\n`).files), 'PF511');
    // On the submission port the same -o is a mistake.
    one(lint(fixture(main, `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_tls_auth_only=no\n`).files), 'PF511');
    const mailu = `${BASE}smtpd_forbid_unauth_pipelining = no\n`;
    const m10025 = `${SMTP}10025 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n`;
    const without = lint(fixture(mailu, m10025).files);
    one(without, 'PF511');
    one(without, 'PF518');
    const behind = lint(fixture(`${mailu}smtpd_authorized_xclient_hosts = 192.168.203.0/24\n`, m10025).files);
    none(behind, 'PF511');
    none(behind, 'PF518');
  });

  test('no PF511 where TLS is required before AUTH or plaintext mechanisms are off', () => {
    none(lint(fixture(`${BASE}${TLS}smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous, noplaintext\n`).files), 'PF511');
    none(lint(fixture(`${BASE}smtpd_tls_chain_files = /x.pem\nsmtpd_tls_security_level = encrypt\nsmtpd_sasl_auth_enable = yes\n`).files), 'PF511');
  });
});

describe('PF510/PF517/PF521 TLS settings', () => {
  // smtpd offers TLS on 25, requires it on 587; the SMTP client uses TLS opportunistically.
  const LEVELS = 'smtpd_tls_security_level = may\nsmtp_tls_security_level = may\n';
  const SERVICES = `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\nsmtp unix - - n - - smtp\nlmtp unix - - n - - lmtp\n`;

  test('SSLv3 enabled, TLSv1.1 in mandatory protocols, info for opportunistic TLSv1', () => {
    const { files, mainRanges } = fixture(`${BASE}${LEVELS}smtpd_tls_protocols = «!SSLv2»\nsmtpd_tls_mandatory_protocols = «!SSLv2, !SSLv3, !TLSv1»\nsmtp_tls_protocols = «!SSLv2, !SSLv3»\nlmtp_tls_protocols = >=TLSv1.2\n`, SERVICES);
    const ps = withCode(lint(files), 'PF510');
    assert.deepEqual(ps.map((p) => [p.range, p.severity]), [
      [mainRanges[0], 'warning'],
      [mainRanges[1], 'warning'],
      [mainRanges[2], 'info'],
    ]);
    assert.deepEqual(ps.map((p) => fix(p).hardening), [true, true, false]);
    assert.match(ps[0].message, /enables SSLv3, TLSv1 and TLSv1\.1: SSLv3 is broken \(POODLE\)/);
    const f = fixed(files, ps[0]);
    assert.match(f[MAIN], /^smtpd_tls_protocols = >=TLSv1\.2$/m);
  });

  // FP-15: chef-postfix-server, sovereign, securedrop-mon in the precision corpus.
  test('no advice on a protocol list that no process reads', () => {
    const weak = 'smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3\nsmtp_tls_mandatory_protocols = !SSLv2, !SSLv3\n';
    // Opportunistic TLS only (the legacy yes/no switches and the level): the mandatory lists are never used.
    none(lint(fixture(`${BASE}smtpd_use_tls = yes\nsmtp_use_tls = yes\n${weak}`, `${SMTP}smtp unix - - n - - smtp\n`).files), 'PF510');
    none(lint(fixture(`${BASE}${LEVELS}${weak}`, `${SMTP}smtp unix - - n - - smtp\n`).files), 'PF510');
    // The client at level secure reads only the mandatory list, so the opportunistic one is advice about nothing.
    none(lint(fixture(`${BASE}smtp_tls_security_level = secure\nsmtp_tls_protocols = TLSv1.2 TLSv1.1 TLSv1 !SSLv3 !SSLv2\n`, `${SMTP}smtp unix - - n - - smtp\n`).files), 'PF510');
    // No TLS at all: neither list.
    none(lint(fixture(`${BASE}smtp_tls_protocols = !SSLv2\nsmtpd_tls_protocols = !SSLv2\n`, `${SMTP}smtp unix - - n - - smtp\n`).files), 'PF510');
  });

  test('the mandatory lists count where some service or destination requires TLS', () => {
    const weak = 'smtpd_tls_mandatory_protocols = «!SSLv2, !SSLv3»\nsmtp_tls_mandatory_protocols = «!SSLv2, !SSLv3»\n';
    // smtpd: a submission service with encrypt; the client: a policy table can require TLS per destination.
    const { files, mainRanges } = fixture(`${BASE}${LEVELS}smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n${weak}`, SERVICES);
    assert.deepEqual(withCode(lint(files), 'PF510').map((p) => [p.range, p.severity]), [
      [mainRanges[0], 'warning'],
      [mainRanges[1], 'warning'],
    ]);
    // Wrapper mode (465) reads the mandatory list too; so does a transport with its own -o level.
    const smtps = fixture(`${BASE}${weak}`, `${SMTP}smtps inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\nsmtp unix - - n - - smtp\nrelay unix - - n - - smtp\n  -o smtp_tls_security_level=encrypt\n`);
    assert.equal(withCode(lint(smtps.files), 'PF510').length, 2);
    // A service that overrides the list itself: main.cf's value no longer reaches the only encrypting service.
    const own = fixture(`${BASE}${LEVELS}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3\n`, `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_mandatory_protocols=«!SSLv3»\n`);
    const p = one(lint(own.files), 'PF510');
    assert.equal(p.file, MASTER);
    assert.deepEqual(p.range, own.masterRanges[0]);
  });

  // FP-14: openmandriva in the precision corpus.
  test('SSLv2 is not called enabled where Postfix needs an OpenSSL without SSLv2 (3.6 and later)', () => {
    const { files } = fixture(`${BASE}${LEVELS}smtpd_tls_mandatory_protocols = !SSLv3\n`, SERVICES);
    const now = one(lint(files), 'PF510');
    assert.match(now.message, /= !SSLv3 enables TLSv1 and TLSv1\.1: TLSv1 and TLSv1\.1 are deprecated/);
    assert.doesNotMatch(now.message, /SSLv2/);
    assert.match(one(lint(files, '3.5.25'), 'PF510').message, /enables SSLv2, TLSv1 and TLSv1\.1: SSLv2 is broken \(DROWN\)/);
  });

  test('weak cipher grade', () => {
    const { files } = fixture(`${BASE}smtpd_tls_mandatory_ciphers = low\n`);
    assert.match(fixed(files, one(lint(files), 'PF521'))[MAIN], /smtpd_tls_mandatory_ciphers = medium/);
  });

  test('PF517: smarthost login without TLS; fix requires TLS', () => {
    const { files } = fixture(`${BASE}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_security_options = noanonymous\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n`);
    const p = one(lint(files), 'PF517');
    const f = fixed(files, p);
    assert.match(f[MAIN], /\nsmtp_tls_security_level = encrypt\n$/);
    none(lint(f), 'PF517');
    none(lint(fixture(`${BASE}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\n`).files), 'PF517');
  });
});

describe('PF518–PF520 smuggling, VRFY, banner', () => {
  test('smtpd_forbid_bare_newline = no is reported; 3.7.11 defaults only as info', () => {
    const { files, mainRanges } = fixture(`${BASE}«smtpd_forbid_bare_newline = no»\n`);
    const p = one(lint(files), 'PF518');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(fixed(files, p)[MAIN], /smtpd_forbid_bare_newline = normalize/);
    const old = withCode(lint(fixture(BASE).files, '3.7.11'), 'PF518');
    assert.deepEqual(old.map((x) => x.severity), ['info', 'info']);
    none(lint(fixture(BASE).files), 'PF518');
  });

  // FP-10: proxmox-pmg's port 26 in the precision corpus.
  test('smtpd_forbid_bare_newline = no by the -o of a private port is a deliberate exception; on submission it is not', () => {
    const main = `${BASE}smtpd_forbid_bare_newline = normalize\n`;
    none(lint(fixture(main, `${SMTP}26 inet n - n - - smtpd\n  -o smtpd_forbid_bare_newline=no\n`).files), 'PF518');
    one(lint(fixture(main, `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_forbid_bare_newline=no\n`).files), 'PF518');
  });

  test('VRFY and banner only when set that way; the defaults are hardening extras', () => {
    const { files } = fixture(`${BASE}disable_vrfy_command = no\nsmtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n`);
    const ps = lint(files);
    one(ps, 'PF519');
    assert.match(one(ps, 'PF520').message, /\$mail_name/);
    none(lint(fixture(BASE).files), 'PF519');
    none(lint(fixture(BASE).files), 'PF520');
    const config = loadConfig(DIR, reader(fixture(BASE).files));
    const h = judgedHardening(config, reader(fixture(BASE).files)).fix;
    assert.match(applyTextEdits(BASE, h.edits), /disable_vrfy_command = yes\nsmtpd_banner = \$myhostname ESMTP\n$/);
    none(lint(fixture(`${BASE}inet_interfaces = loopback-only\ndisable_vrfy_command = no\n`).files), 'PF519');
  });
});

describe('judgedHardening (every finding accepted)', () => {
  test('merges every hardening fix without overlapping edits, keeps comments, and closes the relay', () => {
    const main = `# Postfix main.cf
compatibility_level = 3.6
mydestination = example.test
# too wide, see ticket 42
mynetworks = 0.0.0.0/0 ::1
smtpd_relay_restrictions = permit_mynetworks,
    check_client_access static:OK,
    reject_unauth_destination
smtpd_client_restrictions =
    permit_mynetworks,
    # DNS lists
    reject_rbl_client zen.spamhaus.org,
    reject_rbl_client dnsbl.sorbs.net,
    permit
smtpd_tls_chain_files = /etc/ssl/private/mx.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = !SSLv2
`;
    const master = `${SMTP}submission inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\nsmtps inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n`;
    const files: Files = { [MAIN]: main, [MASTER]: master };
    const config = loadConfig(DIR, reader(files));
    const h = judgedHardening(config, reader(files)).fix;
    assert.ok(h.hardening);
    for (const file of [MAIN, MASTER]) {
      const edits = h.edits.filter((e) => e.file === file);
      for (let i = 0; i < edits.length; i++)
        for (let j = i + 1; j < edits.length; j++) {
          const a = edits[i].range;
          const b = edits[j].range;
          const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character <= y.character);
          assert.ok(before(a.end, b.start) || before(b.end, a.start), `overlap ${JSON.stringify([a, b])}`);
        }
    }
    const out = applyFix(files, h);
    for (const c of ['# Postfix main.cf', '# too wide, see ticket 42', '# DNS lists']) assert.ok(out[MAIN].includes(c), `lost ${c}`);
    assert.equal(openRelay(out), false);
    const after = lint(out).filter((p) => p.fixes?.some((f) => f.hardening));
    // Whatever a first pass could not merge is fixable in a second pass; nothing hardening-worthy remains after it.
    const again = applyFix(out, judgedHardening(loadConfig(DIR, reader(out)), reader(out)).fix);
    assert.deepEqual(lint(again).filter((p) => p.fixes?.some((f) => f.hardening)).map((p) => p.code), [], JSON.stringify(after.map((p) => p.code)));
    assert.match(again[MASTER], /-o smtpd_tls_wrappermode=yes/);
    assert.match(again[MASTER], /-o smtpd_tls_security_level=encrypt/);
    assert.match(again[MAIN], /^mynetworks = 127\.0\.0\.0\/8 \[::1\]$/m);
  });
});

describe('suppression comments and options', () => {
  test('# postfix-lint: disable=CODE above a setting, disable-file anywhere, and options.disabled', () => {
    const main = `compatibility_level = 3.6\n# postfix-lint: disable=PF501\nmynetworks = 0.0.0.0/0\n`;
    const files = fixture(main).files;
    none(lint(files), 'PF501');
    one(lint(fixture(`compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\n`).files), 'PF501');
    none(lint(fixture(`# postfix-lint: disable-file=PF501, PF500\ncompatibility_level = 3.6\nmynetworks = 0.0.0.0/0\n`).files), 'PF500');
    const multi = `${BASE}# postfix-lint: disable=PF401\nsmtpd_client_restrictions =\n    permit,\n    # note\n    reject\n`;
    none(lint(fixture(multi).files), 'PF401');
    const master = `${SMTP}# postfix-lint: disable=all\nsmtps inet n - n - - smtpd\n  -o syslog_name=postfix/smtps\n`;
    none(lint(fixture(BASE, master).files), 'PF514');
    one(lint(fixture(BASE, master.replace('# postfix-lint: disable=all\n', '')).files), 'PF514');
    const table = fixture(`${BASE}smtpd_sender_restrictions = check_sender_ns_access hash:/etc/postfix/ns\n`, SMTP, { '/etc/postfix/ns': '# postfix-lint: disable=PF408\nns1.example.net OK\nns2.example.net OK\n' });
    assert.equal(withCode(lint(table.files), 'PF408').length, 1, 'only the entry under the comment is silenced');
    const raw = fixture(`compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\n`).files;
    none(runRules(loadConfig(DIR, reader(raw)), reader(raw), { disabled: ['PF501', 'PF500'] }), 'PF501');
  });
});

describe('applyTextEdits', () => {
  test('insertions at one point keep their order; replacements and deletions apply together', () => {
    const edit = (l: number, a: number, l2: number, b: number, t: string) => ({ file: 'f', range: { start: { line: l, character: a }, end: { line: l2, character: b } }, newText: t });
    assert.equal(applyTextEdits('a = x, y\nb = z\n', [edit(0, 4, 0, 4, 'p, '), edit(0, 4, 0, 4, 'q, '), edit(0, 5, 0, 8, ''), edit(1, 0, 2, 0, '')]), 'a = p, q, x\n');
    assert.equal(applyTextEdits('a = x', [edit(0, 5, 0, 5, '\nb = y')]), 'a = x\nb = y');
  });
});

describe('rule codes', () => {
  test('every code is in its range, unique, with a category postfix only for what Postfix itself reports', () => {
    const codes = Object.values(RULE_CODES);
    assert.ok(codes.length >= 30);
    for (const c of codes) {
      assert.match(c.code, /^PF[45]\d\d$/);
      assert.match(c.name, /^[a-z0-9-]+$/);
      if (c.code.startsWith('PF5')) assert.notEqual(c.category, 'style');
    }
    assert.equal(new Set(codes.map((c) => c.name)).size, codes.length);
  });

  test('rules never throw on odd configurations', () => {
    const odd = [
      '',
      'smtpd_relay_restrictions =\n',
      'mynetworks = [\n',
      'smtpd_restriction_classes = a\na = a\nsmtpd_client_restrictions = a\n',
      'smtpd_client_restrictions = check_client_access\nmynetworks = !0.0.0.0/0 ${x}\n',
      'smtpd_client_restrictions = $undefined_thing, {permit}\n',
      'smtpd_tls_protocols = >=TLSv9\npostscreen_dnsbl_sites = *3\n',
    ];
    for (const main of odd) for (const master of [undefined, SMTP, 'smtp inet n - n - - smtpd -o smtpd_client_restrictions=\n']) lint(master === undefined ? { [MAIN]: main } : { [MAIN]: main, [MASTER]: master });
  });
});

describe('PF522 address verification before the relay guard', () => {
  test('reject_unverified_recipient ahead of reject_unauth_destination in the same list: reported, fix puts the guard first', () => {
    const { files, mainRanges } = fixture(`${BASE}smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, «reject_unverified_recipient», reject_unauth_destination\n`);
    const p = one(lint(files), 'PF522');
    assert.deepEqual(p.range, mainRanges[0]);
    assert.match(p.message, /probe arbitrary outside addresses/);
    const fixed = applyFix(files, fix(p));
    assert.match(fixed[MAIN], /permit_mynetworks, reject_unauth_destination, reject_unverified_recipient, reject_unauth_destination/);
    none(lint(fixed), 'PF522');
  });

  test('the relay list runs first (level 3.6) and has the guard: fine; at level 2 the recipient list runs first: reported', () => {
    const main = `smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nsmtpd_recipient_restrictions = reject_unverified_recipient\n`;
    none(lint(fixture(`${BASE}${main}`).files), 'PF522');
    one(lint(fixture(`${BASE.replace('compatibility_level = 3.6', 'compatibility_level = 2')}${main}`).files), 'PF522');
    none(lint(fixture(`${BASE}smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, reject_unverified_recipient\n`).files), 'PF522');
    none(lint(fixture(`${BASE}smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, warn_if_reject reject_unverified_recipient, reject_unauth_destination\n`).files), 'PF522');
  });
});

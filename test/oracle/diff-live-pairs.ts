// The configuration pairs of the live diff test (diff-live.test.ts): a real
// configuration (Debian's stock files, the seeds' write-ups, configurations of
// the shared corpus) before and after each recipe, applied as `postfix-lint
// recipe NAME --write` applies it, and before and after the quick fix of each
// rule that bears on smtpd's decision (relay guard, restriction lists,
// mynetworks, SASL and TLS on the smtpd services, access tables), applied as
// the editor applies it. A finding that does not fire on the real
// configuration as it is gets the few lines that make it fire, taken from a
// configuration of the precision corpus where it fired (as reviewed in
// test/precision/findings.tsv).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoDir, sharedDir } from '../helpers/env';
import type { LiveConfig, LiveService } from '../helpers/live-postfix';
import { liveMain, logicalLines } from '../helpers/live-deploy';
import { fsReader, main as cli } from '../../server/src/cli/main';
import { fixResult } from '../../server/src/cli/recipe';
import { loadConfig } from '../../server/src/engine/config';
import { lintConfig } from '../../server/src/engine/lint';
import { hardeningAdvice } from '../../server/src/engine/rules';

/** A configuration directory's files. */
export interface Files {
  main: string;
  master: string;
  /** Table files beside main.cf. */
  tables?: Record<string, string>;
}

export interface Pair {
  name: string;
  before: LiveConfig;
  after: LiveConfig;
  /** Cells that must be among the changes (client → recipient label); [] for a change that must not touch the matrix. */
  expect: string[];
  /** The diff must report no changed cell (and the live servers then must answer alike everywhere). */
  unchanged?: boolean;
}

const corpus = (p: string) => readFileSync(join(sharedDir, 'corpus', p), 'utf8');
const seed = (p: string) => readFileSync(join(sharedDir, 'seeds', p), 'utf8');

const flat = (x: string) => x.replace(/\s+/g, ' ').trim();

/** Lines taken from a seed write-up: they must be printed there (line breaks and indentation aside). */
function fromSeed(file: string, lines: string): string {
  assert.ok(flat(seed(file)).includes(flat(lines)), `seed ${file} prints:\n${lines}`);
  return lines;
}

/**
 * Words taken from a precision-corpus configuration where `code` fired: the
 * corpus itself is not on CI (it is fetched from public repositories), so the
 * check is against the reviewed findings committed in test/precision/findings.tsv.
 */
function fromPrecision(config: string, code: string, words: string): string {
  const rows = readFileSync(join(repoDir, 'test', 'precision', 'findings.tsv'), 'utf8').split('\n').map((l) => l.split('\t'));
  assert.ok(rows.some((r) => r[0] === config && r[3] === code && (r[5] ?? '').startsWith('true')), `test/precision/findings.tsv records a true ${code} in ${config}`);
  return words;
}

/** What Debian's installer adds to main.cf.debian for an "Internet Site", with this test's names. */
const INTERNET_SITE = `myhostname = mx.example.test
mydestination = $myhostname, example.test, localhost.localdomain, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
inet_interfaces = all
`;

function writeDir(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'pf-diff-pair-'));
  writeFileSync(join(dir, 'main.cf'), files.main);
  writeFileSync(join(dir, 'master.cf'), files.master);
  for (const [n, t] of Object.entries(files.tables ?? {})) writeFileSync(join(dir, n), t);
  return dir;
}

function readDir(dir: string): Files {
  const out: Files = { main: readFileSync(join(dir, 'main.cf'), 'utf8'), master: readFileSync(join(dir, 'master.cf'), 'utf8'), tables: {} };
  for (const n of readdirSync(dir)) if (n !== 'main.cf' && n !== 'master.cf' && statSync(join(dir, n)).isFile()) out.tables![n] = readFileSync(join(dir, n), 'utf8');
  return out;
}

function changed(a: Files, b: Files): boolean {
  return a.main !== b.main || a.master !== b.master || JSON.stringify(a.tables ?? {}) !== JSON.stringify(b.tables ?? {});
}

/** The files `postfix-lint recipe NAME --write` leaves in a copy of `files` (it must change something). */
export function withRecipe(files: Files, recipe: string, sets: string[] = []): Files {
  const dir = writeDir(files);
  try {
    let err = '';
    const status = cli(['recipe', recipe, '-c', dir, '--write', ...sets.flatMap((s) => ['--set', s])], { stdout: () => undefined, stderr: (x) => (err += x), reader: fsReader });
    assert.equal(status, 0, `recipe ${recipe}: ${err}`);
    const out = readDir(dir);
    assert.ok(changed({ ...files, tables: files.tables ?? {} }, out), `recipe ${recipe} changes nothing here: ${err}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The files after the quick fix of finding `code` (the first fix it offers, or
 * the one whose title matches `pick`), as the editor applies it: the findings
 * of a repository copy (lint and hardening advice, as `postfix-lint --fix`
 * reads them), the fix's edits and new files written by the CLI's own code.
 */
export function withFix(files: Files, code: string, pick?: RegExp): Files {
  const dir = writeDir(files);
  try {
    const config = loadConfig(dir, fsReader, { mode: 'repository' });
    const problems = [...lintConfig(config, fsReader), ...hardeningAdvice(config, fsReader)].filter((p) => p.code === code);
    const fixes = problems.flatMap((p) => p.fixes ?? []);
    const fix = pick ? fixes.find((f) => pick.test(f.title)) : fixes[0];
    assert.ok(fix, `${code} fires with a fix${pick ? ` titled ${pick}` : ''}; findings: ${problems.map((p) => `${p.message} [${(p.fixes ?? []).map((f) => f.title).join(' | ')}]`).join('; ') || 'none'}`);
    const result = fixResult(fix, fsReader);
    assert.ok(result.size > 0, `${code}: the fix "${fix.title}" changes nothing`);
    for (const [file, r] of result) {
      assert.ok(file.startsWith(`${dir}/`), `${code}: the fix writes ${file}, outside the configuration`);
      writeFileSync(file, r.after);
    }
    return readDir(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the built-in client must speak to a service: what it requires (TLS on connect, STARTTLS) or plain text. */
function tlsOf(main: string, options: string[]): LiveService['tls'] {
  const opt = (n: string) =>
    options
      .map((o) => new RegExp(`^\\{?\\s*${n}\\s*=\\s*(.*?)\\s*\\}?$`).exec(o)?.[1])
      .filter((v) => v !== undefined)
      .pop();
  const inMain = (n: string) => [...main.matchAll(new RegExp(`^${n}[ \\t]*=[ \\t]*(.*?)[ \\t]*$`, 'gm'))].pop()?.[1];
  const value = (n: string) => opt(n) ?? inMain(n) ?? '';
  if (/^yes$/i.test(value('smtpd_tls_wrappermode'))) return 'implicit';
  const level = value('smtpd_tls_security_level');
  if (/^encrypt$/i.test(level) || (level === '' && /^yes$/i.test(value('smtpd_enforce_tls')))) return 'starttls';
  return 'none';
}

/**
 * main.cf with each parameter set once: earlier settings of a name set again
 * below are commented out. Postfix uses the last one anyway; without the
 * others no daemon warns "overriding earlier entry" each time it starts (see
 * the harness's essentials in live-postfix.ts for what a flood of those
 * warnings did to postlogd).
 */
function onceEach(main: string): string {
  const blocks = logicalLines(main);
  const last = new Map<string, number>();
  blocks.forEach((b, i) => {
    const name = /^([A-Za-z0-9_]+)[ \t]*=/.exec(b)?.[1];
    if (name) last.set(name, i);
  });
  return blocks
    .map((b, i) => {
      const name = /^([A-Za-z0-9_]+)[ \t]*=/.exec(b)?.[1];
      return name && last.get(name) !== i ? b.replace(/^/gm, '#overridden below# ') : b;
    })
    .join('\n');
}

/**
 * A deployed configuration as the harness runs it: main.cf with the settings
 * the test instance owns commented out and the test certificate `pem` in
 * place of the deployed one (live-deploy's liveMain), tables named under
 * /etc/postfix read from the instance's directory, and the smtpd services of
 * master.cf (inet, and the one behind postscreen) with their -o options; the
 * client speaks TLS to those that require it. A fake Dovecot auth socket
 * serves smtpd_sasl_type = dovecot.
 */
export function liveConfigOf(files: Files, pem: string): LiveConfig {
  const etc = (t: string) => t.replaceAll('/etc/postfix/', '{{ETC}}/');
  // The harness's own essentials already set what only the master's start reads: without a second
  // copy of them, moving from one pair to the next stays a reload (no stop and start).
  let main = onceEach(liveMain(files.main, pem).replace(/^(inet_interfaces|inet_protocols|queue_directory|data_directory|maillog_file|maillog_file_prefixes) = .*\n/gm, ''));
  const services: LiveService[] = [];
  for (const block of logicalLines(files.master)) {
    const m = /^(?:\S+:)?(\S+)\s+(?:inet|pass)\s+(?:\S+\s+){5}smtpd\b([\s\S]*)$/.exec(block);
    if (!m || /^\s*#/.test(block)) continue;
    const options = [...m[2].matchAll(/-o\s+(\{[^}]*\}|\S+)/g)].map((o) => etc(o[1]));
    services.push({ name: m[1], options, tls: tlsOf(main, options) });
  }
  if (services.some((s) => s.tls !== 'none') && !/^smtpd_tls_(chain_files|cert_file)\s*=\s*\S/m.test(main)) main += `smtpd_tls_chain_files = ${pem}\n`;
  const tables = Object.fromEntries(Object.entries(files.tables ?? {}).map(([n, t]) => [n, etc(t)]));
  return { mainCf: etc(main), services, tables, dovecotAuth: {} };
}

// ------------------------------------------------ the real configurations

function debian(): Files {
  return { main: `${corpus('debian-postfix-3.7/main.cf.debian')}\n${INTERNET_SITE}`, master: corpus('debian-postfix-3.7/master.cf.dist') };
}

/** Seed 000, second write-up: its main.cf line (one line in the write-up), its recipient and SASL blocks, its submission service. */
function seed0(): Files {
  const s0 = '000_aaab50c8a243b44d.txt';
  const s0main = fromSeed(s0, 'smtpd_client_restrictions = permit_mynetworks, reject mynetworks = 127.0.0.0/8 inet_interfaces = all').replace(/ (?=mynetworks|inet_interfaces)/g, '\n');
  const s0recipient = fromSeed(s0, 'smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination\n');
  const s0sasl = fromSeed(s0, 'smtpd_sasl_auth_enable = yes\nsmtpd_sasl_security_options = noanonymous\nbroken_sasl_auth_clients = yes\n');
  const s0submission = fromSeed(s0, 'submission inet n - - - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n');
  const s0tls = fromSeed(s0, 'smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key smtpd_use_tls=yes').replace(/ /g, '\n');
  return {
    main: `myhostname = mx.example.test\nmydestination = $myhostname, example.test, localhost\n${s0main}\n${s0recipient}${s0sasl}${s0tls}\n`,
    master: `${corpus('debian-postfix-3.7/master.cf.dist')}${s0submission}`,
  };
}

/** Seed 004's server before its hardening (UCS: own domains, Dovecot SASL on 587 and on 465 in wrapper mode). */
function seed4(): Files {
  const s4 = '004_b1d81c4ca3ed0e26.txt';
  assert.match(seed(s4), /smtps\/smtpd_tls_wrappermode="yes"/);
  const base = debian();
  return {
    main: `${corpus('debian-postfix-3.7/main.cf.debian')}\nmyhostname = ucs.company.my\nmydestination = $myhostname, localhost\nvirtual_mailbox_domains = company.my\nmynetworks = 127.0.0.0/8\ninet_interfaces = all\nsmtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\nsmtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n`,
    master: `${base.master}submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_sasl_auth_enable=yes\nsmtps     inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/smtps\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n`,
  };
}

/** `files` with main.cf lines appended (a later setting wins, as in Postfix). */
function plus(files: Files, lines: string, master = ''): Files {
  return { ...files, main: `${files.main}${files.main.endsWith('\n') ? '' : '\n'}${lines}`, master: `${files.master}${master}` };
}

interface Change {
  name: string;
  base: Files;
  apply: (f: Files) => Files;
  expect?: string[];
  unchanged?: boolean;
}

/** The recipes, each on a real configuration where it changes something (`pem`: the test certificate). */
function recipeChanges(pem: string): Change[] {
  const openDebian = plus(debian(), 'mynetworks = 0.0.0.0/0\n');
  return [
    // PF540's quick fix: outside servers can deliver to the seed's domain.
    { name: 'seed 000 as printed → recipe mx', base: seed0(), apply: (f) => withRecipe(f, 'mx'), expect: ['outside → local domain'] },
    { name: 'Debian stock with mynetworks = 0.0.0.0/0 → recipe localhost-only-sending (closes the relay)', base: openDebian, apply: (f) => withRecipe(f, 'localhost-only-sending'), expect: ['outside → outside domain'] },
    { name: 'Debian stock → recipe submission (a new port 587 service, STARTTLS required)', base: debian(), apply: (f) => withRecipe(f, 'submission') },
    { name: 'Debian stock → recipe submissions (a new port 465 service, TLS on connect)', base: debian(), apply: (f) => withRecipe(f, 'submissions') },
    { name: 'seed 004 → recipe submission (its port 587 service gets the $mua_* lists)', base: seed4(), apply: (f) => withRecipe(f, 'submission') },
    { name: 'Debian stock → recipe sender-protection (WARN)', base: debian(), apply: (f) => withRecipe(f, 'sender-protection'), unchanged: true },
    { name: 'Debian stock → recipe sender-protection --set action=REJECT', base: debian(), apply: (f) => withRecipe(f, 'sender-protection', ['action=REJECT']), unchanged: true },
    { name: 'seed 000 → recipe dnsbl', base: seed0(), apply: (f) => withRecipe(f, 'dnsbl'), unchanged: true },
    { name: 'Debian stock → recipe rate-limits', base: debian(), apply: (f) => withRecipe(f, 'rate-limits'), unchanged: true },
    { name: 'seed 000 → recipe tls (its submission service then requires STARTTLS)', base: seed0(), apply: (f) => withRecipe(f, 'tls', [`chain_files=${pem}`]), unchanged: true },
  ];
}

/**
 * The quick fixes of the rules that bear on smtpd's decision, each where its
 * finding fires. Not here:
 * - PF405, PF411, PF412, PF516: the finding offers no quick fix.
 * - PF404: its one fix (hash:/path for a bare path) is offered only when the
 *   compiled table lies beside the file; the other arguments it reports have no fix.
 * - PF408 (OK in a check_*_mx_access / _ns_access table, fix: DUNNO): smtpd
 *   consults the table with the MX or NS hosts DNS gives it, and this test
 *   machine's resolver answers NXDOMAIN for every name, so the live smtpd never
 *   reaches the entry: the pair could not fail, so it is left out.
 * - PF540, PF543, PF546, PF547: their fixes are the recipes mx, submission(s),
 *   tls and rate-limits, paired above.
 */
function fixChanges(): Change[] {
  const d = debian();
  const s0 = seed0();
  return [
    // No guard in either list (chef-postfix-server has none at its compatibility level): smtpd refuses to start.
    { name: 'PF400 relay guard missing → insert reject_unauth_destination', base: plus(d, 'smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\nsmtpd_recipient_restrictions = permit_mynetworks\n'), apply: (f) => withFix(f, 'PF400') },
    { name: 'PF401 checks after permit → delete the permit', base: plus(d, 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, permit, check_recipient_access inline:{ postmaster@example.test=REJECT }\n'), apply: (f) => withFix(f, 'PF401', /^(Remove|Delete)/), unchanged: true },
    { name: 'PF402 unknown restriction (a typo) → the restriction meant', base: plus(d, 'smtpd_helo_required = yes\nsmtpd_helo_restrictions = permit_mynetworks, reject_invalid_helo_hostnme\n'), apply: (f) => withFix(f, 'PF402') },
    { name: 'PF402 a backslash read as a restriction name → removed', base: plus(d, 'smtpd_recipient_restrictions = permit_mynetworks, \\\n    reject_unauth_destination\n'), apply: (f) => withFix(f, 'PF402', /backslash/) },
    { name: 'PF402 a restriction class not listed in smtpd_restriction_classes → listed', base: plus(d, 'trusted_senders = check_sender_access inline:{ boss@example.test=OK }\nsmtpd_relay_restrictions = permit_mynetworks, trusted_senders, reject_unauth_destination\n'), apply: (f) => withFix(f, 'PF402', /smtpd_restriction_classes/), expect: ['outside → outside domain'] },
    { name: 'PF403 an undefined restriction class (smtpd does not start) → removed', base: plus(d, 'smtpd_restriction_classes = greylist\n'), apply: (f) => withFix(f, 'PF403') },
    { name: 'PF406 a bare table in smtpd_data_restrictions → check_client_access', base: plus(d, 'smtpd_data_restrictions = inline:{ 203.0.113.5=REJECT }\n'), apply: (f) => withFix(f, 'PF406', /check_client_access/), unchanged: true },
    { name: 'PF407 a bare table in smtpd_recipient_restrictions → check_recipient_access written out', base: plus(d, 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, inline:{ someone@example.test=REJECT }\n'), apply: (f) => withFix(f, 'PF407'), unchanged: true },
    { name: 'PF409 check_relay_domains → reject_unauth_destination', base: plus(d, 'smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, check_relay_domains\n'), apply: (f) => withFix(f, 'PF409'), unchanged: true },
    { name: 'PF410 old restriction name (evolix-evoadmin) → its new name', base: plus(d, `smtpd_helo_required = yes\nsmtpd_helo_restrictions = permit_mynetworks, ${fromPrecision('evolix-evoadmin', 'PF410', 'reject_invalid_hostname')}\n`), apply: (f) => withFix(f, 'PF410'), unchanged: true },
    { name: 'PF500 a client table that says OK to everyone ahead of the guard', base: plus(d, 'smtpd_relay_restrictions = permit_mynetworks, check_client_access static:OK, reject_unauth_destination\n'), apply: (f) => withFix(f, 'PF500'), expect: ['outside → outside domain'] },
    { name: 'PF501 mynetworks = 0.0.0.0/0', base: plus(d, 'mynetworks = 0.0.0.0/0\n'), apply: (f) => withFix(f, 'PF501'), expect: ['outside → outside domain'] },
    { name: 'PF502 mynetworks_style subnet (mailcow) → host', base: { ...d, main: `${d.main.replace(/^mynetworks = .*\n/m, '')}mynetworks_style = subnet\n` }, apply: (f) => withFix(f, 'PF502') },
    { name: 'PF503 IPv6 without brackets in mynetworks → bracketed', base: plus(d, 'mynetworks = 127.0.0.0/8 ::1/128\n'), apply: (f) => withFix(f, 'PF503') },
    { name: 'PF504 dead DNS list (docker-mailserver) → removed', base: plus(d, `smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, reject_rbl_client ${fromPrecision('docker-mailserver', 'PF504', 'dnsbl.sorbs.net')}\n`), apply: (f) => withFix(f, 'PF504'), unchanged: true },
    { name: 'PF505 Spamhaus without a reply filter → filter', base: plus(d, 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, reject_rbl_client zen.spamhaus.org\n'), apply: (f) => withFix(f, 'PF505'), unchanged: true },
    { name: 'PF506 DNS list before the own users → after them', base: plus(s0, 'smtpd_recipient_restrictions = reject_rbl_client zen.spamhaus.org=127.0.0.[2..11], permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n'), apply: (f) => withFix(f, 'PF506'), unchanged: true },
    { name: 'PF507 compatibility_level 0 (seed 000 with the old level) → 3.6', base: plus(s0, 'compatibility_level = 0\n'), apply: (f) => withFix(f, 'PF507'), unchanged: true },
    // With Debian's local_recipient_maps the "virtual domain" cell's answer before the fix hangs on whether the matrix's
    // recipient is a user of this machine, which the simulator cannot know (an assumption it states): local users are
    // accepted only where local_recipient_maps is empty, as the fix's effect is judged here.
    { name: 'PF508 a domain in mydestination and virtual_alias_domains (every local address accepted)', base: plus(d, 'local_recipient_maps =\nvirtual_alias_domains = example.test\n'), apply: (f) => withFix(f, 'PF508') },
    { name: 'PF509 TLS required on port 25 → may', base: plus(d, 'smtpd_tls_security_level = encrypt\n'), apply: (f) => withFix(f, 'PF509'), unchanged: true },
    { name: 'PF511 SASL without smtpd_tls_auth_only (seed 000)', base: s0, apply: (f) => withFix(f, 'PF511') },
    { name: 'PF512 SASL on port 25 (seed 000) → only on submission', base: s0, apply: (f) => withFix(f, 'PF512'), unchanged: true },
    { name: 'PF513 submission without encryption (seed 000) → encrypt', base: s0, apply: (f) => withFix(f, 'PF513'), unchanged: true },
    { name: 'PF514 smtps without wrapper mode → wrapper mode', base: plus(d, '', 'smtps     inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/smtps\n  -o smtpd_sasl_auth_enable=yes\n'), apply: (f) => withFix(f, 'PF514'), unchanged: true },
    { name: 'PF515 permit_sasl_authenticated on a service without SASL (seed 000\'s submission on Debian) → SASL on that service', base: plus(d, '', 'submission inet n - - - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n'), apply: (f) => withFix(f, 'PF515') },
    { name: 'PF522 reject_unverified_recipient ahead of the guard (fincham-small-mail) → guard first', base: plus(d, `smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\nsmtpd_recipient_restrictions = ${fromPrecision('fincham-small-mail', 'PF522', 'permit_mynetworks, reject_unverified_recipient, reject_unauth_destination')}\n`), apply: (f) => withFix(f, 'PF522'), unchanged: true },
    { name: 'PF541 submission cannot send out (seed 000)', base: s0, apply: (f) => withFix(f, 'PF541') },
    { name: 'PF542 own-domain senders from outside (Debian) → check_sender_access REJECT', base: d, apply: (f) => withFix(f, 'PF542', /^Reject/), unchanged: true },
    { name: 'PF543 submission senders not bound to logins (seed 004)', base: seed4(), apply: (f) => withFix(f, 'PF543') },
    { name: 'PF544 reject_unknown_client_hostname on port 25 (froxlor-mail) → reverse name', base: plus(d, `smtpd_client_restrictions = permit_mynetworks, ${fromPrecision('froxlor-mail', 'PF544', 'reject_unknown_client_hostname')}\n`), apply: (f) => withFix(f, 'PF544') },
  ];
}

/** Every pair, built (`pem`: the test certificate the live copies use). */
export function realPairs(pem: string): Pair[] {
  return [...recipeChanges(pem), ...fixChanges()].map((c) => {
    const after = c.apply(c.base);
    return { name: c.name, before: liveConfigOf(c.base, pem), after: liveConfigOf(after, pem), expect: c.expect ?? [], unchanged: c.unchanged };
  });
}

/** Engine-only preview of the pairs (development aid; the test proves them live). */
export function changesForPreview(pem: string): { name: string; before: Files; after: Files }[] {
  return [...recipeChanges(pem), ...fixChanges()].map((c) => {
    try {
      return { name: c.name, before: c.base, after: c.apply(c.base) };
    } catch (e) {
      return { name: `${c.name} — ERROR ${(e as Error).message.slice(0, 300)}`, before: c.base, after: c.base };
    }
  });
}

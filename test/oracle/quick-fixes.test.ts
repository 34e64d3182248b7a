// Every quick fix of engine/fixes, applied and judged by real Postfix: the
// finding goes, no new finding or postconf/postmap warning comes, the value
// Postfix reads is the intended one, comments and line endings stay. Each
// case runs with LF and with CRLF line endings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools } from '../helpers/env';
import { ConfigDir, normalizeWarnings, run } from '../helpers/postfix-tools';
import { fsReader, main as cliMain } from '../../server/src/cli/main';
import { lintDirectory } from '../../server/src/engine/lint';
import { applyTextEdits } from '../../server/src/engine/rules';
import type { ConfigMode } from '../../server/src/engine/config-files';
import type { Problem } from '../../server/src/engine/types';

const STOCK_MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

/** What real Postfix said before the fix. */
interface Before {
  postconfN: string;
  warnings: string[];
  myhostname: string;
  fallbackRelay: string;
  lookup: string;
}

interface Case {
  code: string;
  title: RegExp;
  files: Record<string, string>;
  /** Whether "Fix all" may apply it. */
  safe: boolean;
  mode?: ConfigMode;
  version?: string;
  /** Real Postfix's view after the fix (and, where it says so, before). */
  check(dir: string, before: Before): void;
}

function postconf(dir: string, ...args: string[]) {
  const r = run('postconf', ['-c', dir, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout.replace(/^config_directory = .*\n/m, ''), warnings: warningsOf(r.stderr, dir) };
}

/** Warnings without line numbers (a removed or added line moves the others). */
function warningsOf(stderr: string, dir: string): string[] {
  return normalizeWarnings(stderr.split(dir).join('DIR')).map((w) => w.replace(/line \d+/g, 'line N'));
}

/** A lookup table beside main.cf: the setting that names it and the type postmap -q reads its source with. */
interface Table {
  file: string;
  setting: string;
  /** texthash: reads a hash table's source as postmap would build it, without a .db. */
  query: 'pcre' | 'texthash';
}
const HEADER_CHECKS: Table = { file: 'header_checks', setting: 'header_checks = pcre:@DIR@/header_checks', query: 'pcre' };
const VIRTUAL: Table = { file: 'virtual', setting: 'virtual_alias_maps = hash:@DIR@/virtual', query: 'texthash' };

/**
 * A table with an entry the fix repairs or removes: every key of `answers`
 * gets its answer from real postmap -q, which no longer warns `warning`.
 */
function tableCase(code: string, title: RegExp, safe: boolean, t: Table, text: string, answers: Record<string, string>, warning: RegExp, more?: (dir: string) => void): Case {
  return {
    code,
    title,
    safe,
    files: { 'main.cf': `compatibility_level = 3.6\n${t.setting}\n`, 'master.cf': STOCK_MASTER, [t.file]: text },
    check(dir) {
      for (const [key, answer] of Object.entries(answers)) {
        const r = run('postmap', ['-c', dir, '-q', key, `${t.query}:${dir}/${t.file}`]);
        assert.equal(r.stdout.trim(), answer, key);
        assert.doesNotMatch(r.stderr, warning);
      }
      more?.(dir);
    },
  };
}

/** A pcre header_checks table with a line Postfix ignores (the fix deletes it): both rules answer as before. */
const headerChecksCase = (code: string, title: RegExp, text: string, warning: RegExp, more?: (dir: string) => void) =>
  tableCase(code, title, true, HEADER_CHECKS, text, { 'Subject: cheap VIAGRA': 'REJECT no thanks', 'From: x@spam.example': 'DISCARD' }, warning, more);

/** A virtual alias table: info@ answers alice as Postfix read it before the fix, postmaster@ still answers bob. */
const virtualCase = (code: string, title: RegExp, safe: boolean, text: string, warning: RegExp) =>
  tableCase(code, title, safe, VIRTUAL, text, { 'info@example.com': 'alice@example.net', 'postmaster@example.com': 'bob@example.net' }, warning);

const CASES: Case[] = [
  {
    code: 'PF103',
    title: /^Change to smtpd_helo_required$/,
    safe: false,
    files: { 'main.cf': '# helo checks\ncompatibility_level = 3.6\nsmtpd_helo_requierd = yes\n', 'master.cf': STOCK_MASTER },
    check(dir) {
      assert.equal(postconf(dir, '-h', 'smtpd_helo_required').out.trim(), 'yes');
    },
  },
  {
    code: 'PF109',
    title: /^Rename to smtp_fallback_relay$/,
    safe: true,
    files: { 'main.cf': 'compatibility_level = 3.6\n# where mail goes when the MX is down\nfallback_relay = [backup.example.net]\n', 'master.cf': STOCK_MASTER },
    check(dir, before) {
      // Postfix 3.7 reads the old name as the new one's default: the value in effect is the same.
      assert.equal(postconf(dir, '-xh', 'smtp_fallback_relay').out.trim(), '[backup.example.net]');
      assert.equal(before.fallbackRelay, '[backup.example.net]');
    },
  },
  {
    code: 'PF111',
    title: /^Move the note onto its own comment line$/,
    safe: true,
    files: { 'main.cf': 'compatibility_level = 3.6\nmyhostname = mail.example.com # the public name\nmydomain = example.com\n', 'master.cf': STOCK_MASTER },
    check(dir, before) {
      assert.equal(before.myhostname, 'mail.example.com # the public name');
      assert.equal(postconf(dir, '-h', 'myhostname').out.trim(), 'mail.example.com');
      assert.match(readFileSync(join(dir, 'main.cf'), 'utf8'), /^# the public name\r?\nmyhostname = mail\.example\.com\r?\n/m);
    },
  },
  {
    code: 'PF112',
    title: /^Remove the indentation/,
    safe: true,
    files: {
      'main.cf': 'compatibility_level = 3.6\nsmtpd_recipient_restrictions = permit_mynetworks,\n    reject_unauth_destination\n    smtpd_helo_required = yes\n# end\n',
      'master.cf': STOCK_MASTER,
    },
    check(dir) {
      assert.equal(postconf(dir, '-h', 'smtpd_helo_required').out.trim(), 'yes');
      assert.equal(postconf(dir, '-h', 'smtpd_recipient_restrictions').out.trim(), 'permit_mynetworks, reject_unauth_destination');
    },
  },
  {
    code: 'PF102',
    title: /^Remove the overridden setting on line 3$/,
    safe: true,
    files: { 'main.cf': 'compatibility_level = 3.6\n# old relay\nrelayhost = [a.example.net]\n  # still old\nmyorigin = example.com\nrelayhost = [b.example.net]\n', 'master.cf': STOCK_MASTER },
    check(dir, before) {
      assert.equal(postconf(dir, '-n').out, before.postconfN, 'postconf -n is the same');
    },
  },
  {
    code: 'PF113',
    title: /^Remove this repeated setting$/,
    safe: true,
    files: { 'main.cf': 'compatibility_level = 3.6\nmyorigin = example.com\n# again\nmyorigin = example.com', 'master.cf': STOCK_MASTER },
    check(dir, before) {
      assert.equal(postconf(dir, '-n').out, before.postconfN, 'postconf -n is the same');
    },
  },
  {
    code: 'PF208',
    title: /^Write -o smtpd_tls_security_level=encrypt$/,
    safe: true,
    files: {
      'main.cf': 'compatibility_level = 3.6\n',
      'master.cf': `${STOCK_MASTER}submission inet n       -       y       -       -       smtpd\n  # TLS first\n  -o smtpd_tls_security_level = encrypt\n  -o syslog_name=postfix/submission\n`,
    },
    check(dir) {
      const p = postconf(dir, '-P').out;
      assert.match(p, /^submission\/inet\/smtpd_tls_security_level = encrypt$/m);
      assert.match(p, /^submission\/inet\/syslog_name = postfix\/submission$/m);
    },
  },
  {
    code: 'PF220',
    title: /^Write -o syslog_name=postfix\/submission$/,
    safe: true,
    files: { 'main.cf': 'compatibility_level = 3.6\n', 'master.cf': `${STOCK_MASTER}submission inet n       -       y       -       -       smtpd\n  -osyslog_name=postfix/submission\n` },
    check(dir) {
      assert.match(postconf(dir, '-P').out, /^submission\/inet\/syslog_name = postfix\/submission$/m);
    },
  },
  {
    code: 'PF230',
    title: /^Change to smtpd_tls_security_level$/,
    safe: false,
    files: { 'main.cf': 'compatibility_level = 3.6\n', 'master.cf': `${STOCK_MASTER}submission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_securty_level=encrypt\n` },
    check(dir) {
      assert.match(postconf(dir, '-P').out, /^submission\/inet\/smtpd_tls_security_level = encrypt$/m);
    },
  },
  {
    code: 'PF320',
    title: /^Use the network address 192\.168\.1\.0\/24$/,
    safe: false,
    mode: 'live',
    files: {
      'main.cf': 'compatibility_level = 3.6\nsmtpd_client_restrictions = check_client_access cidr:@DIR@/clients.cidr\n',
      'master.cf': STOCK_MASTER,
      'clients.cidr': '# the office\n192.168.1.7/24 REJECT office\n[2001:db8::1]/32 OK\n',
    },
    check(dir, before) {
      assert.equal(before.lookup, '', 'Postfix skipped the rule');
      const r = run('postmap', ['-c', dir, '-q', '192.168.1.200', `cidr:${dir}/clients.cidr`]);
      assert.equal(r.stdout.trim(), 'REJECT office');
      assert.deepEqual(warningsOf(r.stderr, dir).filter((w) => w.includes('192.168')), []);
    },
  },
  {
    code: 'PF181',
    title: /^Remove the byte order mark$/,
    safe: true,
    files: { 'main.cf': '\ufeffmyhostname = mail.example.com\n# level\ncompatibility_level = 3.6\n', 'master.cf': STOCK_MASTER },
    check(dir, before) {
      // Before, Postfix read the mark as part of the name and ignored the setting.
      assert.notEqual(before.myhostname, 'mail.example.com');
      assert.equal(postconf(dir, '-h', 'myhostname').out.trim(), 'mail.example.com');
      assert.equal(readFileSync(join(dir, 'main.cf'))[0], 'm'.charCodeAt(0), 'the three bytes are gone');
    },
  },
  {
    code: 'PF212',
    title: /^Write -o \{ smtpd_client_restrictions = permit_mynetworks, reject \}$/,
    safe: true,
    files: {
      'main.cf': 'compatibility_level = 3.6\n',
      'master.cf': `${STOCK_MASTER}submission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_security_level=encrypt\n  # only our networks\n  -o{ smtpd_client_restrictions = permit_mynetworks, reject }\n  -o syslog_name=postfix/submission\n`,
    },
    check(dir) {
      const p = postconf(dir, '-P').out;
      assert.match(p, /^submission\/inet\/smtpd_client_restrictions = permit_mynetworks, reject$/m);
      assert.match(p, /^submission\/inet\/syslog_name = postfix\/submission$/m);
    },
  },
  {
    code: 'PF213',
    title: /^Remove the earlier entry on line 2 \(the master daemon uses this one\)$/,
    safe: false,
    files: {
      'main.cf': 'compatibility_level = 3.6\n',
      'master.cf': `${STOCK_MASTER}submission inet n       -       y       -       -       smtpd\n  # old policy\n  -o smtpd_tls_security_level=may\nsubmission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_security_level=encrypt\n`,
    },
    check(dir) {
      // The master daemon used the last entry; postconf now lists only that one.
      const m = postconf(dir, '-M').out;
      assert.equal(m.match(/^submission\s+inet\b/gm)?.length, 1, m);
      assert.equal(postconf(dir, '-P').out.match(/^submission\/inet\/smtpd_tls_security_level = .*$/gm)?.join('\n'), 'submission/inet/smtpd_tls_security_level = encrypt');
    },
  },
  // The colon of an alias-style key: the key is info@example.com again, not "info@example.com:".
  virtualCase('PF302', /^Remove the colon: key info@example\.com$/, false, '# aliases\ninfo@example.com: alice@example.net\npostmaster@example.com bob@example.net\n', /alias file/),
  {
    code: 'PF343',
    title: /^Remove the obsolete flag X$/,
    safe: true,
    files: {
      'main.cf': 'compatibility_level = 3.6\nheader_checks = pcre:@DIR@/header_checks\n',
      'master.cf': STOCK_MASTER,
      header_checks: '# spam subjects\n/^Subject: .*viagra/X REJECT no thanks\n',
    },
    check(dir) {
      const r = run('postmap', ['-c', dir, '-q', 'Subject: cheap VIAGRA', `pcre:${dir}/header_checks`]);
      assert.equal(r.stdout.trim(), 'REJECT no thanks', 'the rule still matches (pcre: case-insensitive by default)');
      assert.doesNotMatch(r.stderr, /obsolete/);
    },
  },
  // The later entry for a key goes: the entry Postfix used (the first) stays.
  virtualCase('PF303', /^Remove this entry \(the first one for the key wins\)$/, true, '# aliases\ninfo@example.com alice@example.net\n# moved\ninfo@example.com carol@example.net\npostmaster@example.com bob@example.net', /duplicate/),
  headerChecksCase('PF350', /^Remove the ENDIF without IF$/, '# spam subjects\n/^Subject: .*viagra/ REJECT no thanks\nENDIF\n/^From: .*@spam\\.example/ DISCARD\n', /ENDIF/),
  headerChecksCase('PF351', /^Remove the text after ENDIF$/, '# only subjects\nif /^Subject:/\n/viagra/ REJECT no thanks\nENDIF /^Subject:/\n/^From: .*@spam\\.example/ DISCARD\n', /extra text/, (dir) =>
    assert.match(readFileSync(join(dir, 'header_checks'), 'utf8'), /^ENDIF\r?$/m),
  ),
];

function lint(dir: string, c: Case): Problem[] {
  return lintDirectory(dir, fsReader, { mode: c.mode ?? 'repository', version: c.version });
}

function countByCode(problems: Problem[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of problems) m.set(p.code, (m.get(p.code) ?? 0) + 1);
  return m;
}

for (const c of CASES) {
  for (const eol of ['\n', '\r\n']) {
    test(`${c.code} quick fix (${eol === '\n' ? 'LF' : 'CRLF'}): the finding goes, real Postfix agrees, nothing else changes`, (t) => {
      if (!requireTools(t, { commands: ['postconf', 'postmap'] })) return;
      const cd = new ConfigDir('pf-quickfix-');
      try {
        const texts: Record<string, string> = {};
        for (const [name, text] of Object.entries(c.files)) {
          texts[name] = text.split('@DIR@').join(cd.dir).replace(/\n/g, eol);
          cd.write(name, texts[name]);
        }
        const problems = lint(cd.dir, c);
        const target = problems.find((p) => p.code === c.code && p.fixes?.some((f) => c.title.test(f.title)));
        assert.ok(target, `${c.code} with its fix among ${JSON.stringify(problems.map((p) => [p.code, p.fixes?.map((f) => f.title)]))}`);
        const fix = target.fixes!.find((f) => c.title.test(f.title))!;
        assert.equal(fix.safe === true, c.safe, 'offered to "Fix all" exactly when it is safe');
        const before: Before = {
          postconfN: postconf(cd.dir, '-n').out,
          warnings: postconf(cd.dir, '-n').warnings,
          myhostname: postconf(cd.dir, '-h', 'myhostname').out.trim(),
          fallbackRelay: postconf(cd.dir, '-xh', 'smtp_fallback_relay').out.trim(),
          lookup: c.files['clients.cidr'] ? run('postmap', ['-c', cd.dir, '-q', '192.168.1.200', `cidr:${cd.dir}/clients.cidr`]).stdout.trim() : '',
        };
        for (const file of new Set(fix.edits.map((e) => e.file))) {
          const name = file.slice(cd.dir.length + 1);
          const after = applyTextEdits(texts[name], fix.edits.filter((e) => e.file === file));
          assert.notEqual(after, texts[name]);
          // Line endings: a CRLF file stays CRLF throughout.
          if (eol === '\r\n') assert.doesNotMatch(after, /[^\r]\n/, JSON.stringify(after));
          else assert.doesNotMatch(after, /\r/);
          // Every comment is still there.
          for (const comment of texts[name].split(eol).filter((l) => /^\s*#/.test(l))) assert.ok(after.split(eol).some((l) => l.trim() === comment.trim()), `comment kept: ${comment}`);
          cd.write(name, after);
        }
        const afterProblems = lint(cd.dir, c);
        const was = countByCode(problems);
        for (const [code, n] of countByCode(afterProblems)) assert.ok(n <= (was.get(code) ?? 0), `no new ${code}: ${JSON.stringify(afterProblems.filter((p) => p.code === code).map((p) => p.message))}`);
        assert.ok((countByCode(afterProblems).get(c.code) ?? 0) < (was.get(c.code) ?? 0), `${c.code} is gone`);
        const warnings = postconf(cd.dir, '-n').warnings;
        for (const w of warnings) assert.ok(before.warnings.includes(w), `no new postconf warning: ${w}`);
        c.check(cd.dir, before);
      } finally {
        cd.dispose();
      }
    });
  }
}

test('postfix-lint --fix applies the same safe fixes as the editor\'s "Fix all"; real postconf agrees; a second run changes nothing', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const cd = new ConfigDir('pf-quickfix-cli-');
  try {
    const text = 'compatibility_level = 3.6\n# relays\nrelayhost = [a.example.net]\nmyhostname = mail.example.com # public name\nrelayhost = [b.example.net]\nsmtpd_helo_requierd = yes\n';
    cd.write('main.cf', text);
    cd.write('master.cf', STOCK_MASTER);
    const before = postconf(cd.dir, '-n');
    const io = { stdout: () => undefined, stderr: () => undefined, reader: fsReader };
    assert.equal(cliMain(['--fix', cd.dir], io), 0);
    const after = readFileSync(join(cd.dir, 'main.cf'), 'utf8');
    // Hardening appends its settings after the original lines.
    assert.ok(after.startsWith('compatibility_level = 3.6\n# relays\n# public name\nmyhostname = mail.example.com\nrelayhost = [b.example.net]\nsmtpd_helo_requierd = yes\n'), after);
    const now = postconf(cd.dir, '-n');
    assert.equal(postconf(cd.dir, '-h', 'myhostname').out.trim(), 'mail.example.com');
    for (const w of now.warnings) assert.ok(before.warnings.includes(w), `no new postconf warning: ${w}`);
    assert.ok(!now.warnings.some((w) => /overriding/.test(w)), 'the overridden relayhost is gone');
    assert.ok(now.warnings.some((w) => /smtpd_helo_requierd/.test(w)), 'the did-you-mean guess is left to the author');
    cliMain(['--fix', cd.dir], io);
    assert.equal(readFileSync(join(cd.dir, 'main.cf'), 'utf8'), after, 'a second run changes nothing');
  } finally {
    cd.dispose();
  }
});

// A table path can name any file (issue 8, "Secrets echoed by the CLI"): a
// private key or a .env named as a table must not end up in a CI log, in any
// output format, and text quoted from real tables is cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, runLint } from '../../server/src/cli/main';
import fc from 'fast-check';
import { MAX_PEM_MEMO_CHARS, MAX_QUOTED, notATable, pemMemoHeld, shortenQuotes } from '../../server/src/engine/table-secrets';

// Made-up secrets in the shapes that matter: a PEM private key and dotenv lines.
const KEY_BODY = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj', 'MJtlqQDuH5nYwT0b6CvxZfhC4sIsAQ3u0Nh6lRbAe0d3ZmyL3a2oUwR7eWzA1xM9'];
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY.join('\n')}\n-----END PRIVATE KEY-----\n`;
const DOTENV = 'DB_PASSWORD=hunter2-not-a-real-password\nexport API_TOKEN=tok_0123456789abcdefghij\n';
const SECRETS = ['hunter2', 'tok_0123', ...KEY_BODY.map((l) => l.slice(0, 12)), 'BEGIN PRIVATE'];

function run(main: string, files: Record<string, string>, format: string) {
  const root = mkdtempSync(join(tmpdir(), 'pf-secrets-'));
  try {
    const dir = join(root, 'etc');
    mkdirSync(dir);
    mkdirSync(join(root, 'home', '.ssh'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
    writeFileSync(join(dir, 'main.cf'), main.replaceAll('ROOT', root));
    let stdout = '';
    let stderr = '';
    const status = runLint(['--live', '--format', format, dir], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader }) as number;
    return { status, out: stdout + stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const MAIN = [
  'compatibility_level = 3.6',
  'mynetworks = 127.0.0.0/8, cidr:ROOT/home/.ssh/id_rsa',
  'smtpd_client_restrictions = check_client_access cidr:ROOT/home/.env, check_client_access texthash:ROOT/home/.ssh/id_rsa',
  'smtpd_sender_restrictions = check_sender_access pcre:ROOT/home/.env',
  '',
].join('\n');

for (const format of ['text', 'json', 'sarif']) {
  test(`${format}: a private key and a .env named as tables are one finding each, and not a byte of them is printed`, () => {
    const r = run(MAIN, { 'home/.ssh/id_rsa': PRIVATE_KEY, 'home/.env': DOTENV }, format);
    assert.equal(r.status, 1);
    for (const s of SECRETS) assert.ok(!r.out.includes(s), `${format} output shows ${s}:\n${r.out}`);
    const count = (s: string) => r.out.split(s).length - 1;
    // One finding per file, however many times and as whatever type it is named.
    const findings = { text: count('error PF183'), json: count('"code": "PF183"'), sarif: count('"ruleId": "PF183"') }[format];
    assert.equal(findings, 2, r.out);
    if (format === 'text') {
      assert.match(r.out, /main\.cf:2:\d+: error PF183: cidr:\S+\/home\/\.ssh\/id_rsa: \S+ is not a lookup table: it holds a PEM block/);
      assert.match(r.out, /main\.cf:3:\d+: error PF183: cidr:\S+\/home\/\.env: \S+ is not a lookup table: its 2 lines are NAME=value assignments/);
    }
  });
}

test('quotes from a real table with bad lines are cut to 40 characters in every format', () => {
  const long = `10.1.2.300/8${'x'.repeat(80)}`;
  for (const format of ['text', 'json', 'sarif']) {
    const r = run('compatibility_level = 3.6\nsmtpd_client_restrictions = check_client_access cidr:ROOT/t.cidr\n', { 't.cidr': `10.0.0.0/8 OK\n${long} REJECT\n` }, format);
    assert.ok(!r.out.includes(long), r.out);
    // (JSON and SARIF escape the quotes around it.)
    assert.ok(r.out.includes(`${long.slice(0, MAX_QUOTED)}…`), `${format}:\n${r.out}`);
    // The good line keeps the table a table: its bad line is reported on its own line.
    assert.ok(!r.out.includes('is not a lookup table'), r.out);
  }
});

test('shortenQuotes leaves short quotes and text outside quotes alone', () => {
  assert.equal(shortenQuotes('bad address pattern: "1.2.3"'), 'bad address pattern: "1.2.3"');
  assert.equal(shortenQuotes(`x "${'a'.repeat(41)}" y`), `x "${'a'.repeat(40)}…" y`);
});

// notATable reads a real table only up to its first entry (it runs on every
// lint of a configuration naming the table). The definition it must agree
// with, written the plain way: every line, split, regular expressions.
function notATableByDefinition(text: string): string | undefined {
  if (/^-----BEGIN [A-Z0-9 ]*-----/m.test(text)) return 'it holds a PEM block (a private key or certificate)';
  const lines = text.split('\n').filter((line) => !/^[ \t]/.test(line) && !/^\s*(#|$)/.test(line));
  if (lines.length === 0 || !lines.every((line) => /^(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/.test(line))) return undefined;
  return `its ${lines.length === 1 ? 'only line is' : `${lines.length} lines are`} NAME=value assignments, like a .env or shell file`;
}

test('notATable agrees with its definition on random texts (PEM headers, assignments, comments, odd white space)', () => {
  const piece = fc.constantFrom(
    '-----BEGIN PRIVATE KEY-----',
    '-----BEGIN x-----',
    ' -----BEGIN CERT-----',
    '-----BEGIN ',
    'A=1',
    'export B=2',
    'export\tC_1=',
    '_x=y',
    '1A=2',
    'a b',
    'user@example.com OK',
    '# comment',
    '  # indented',
    ' continued',
    '\tmore',
    '',
    ' ',
    '\r',
    '\v#',
    '\u00a0',
    '\u2028',
    '=',
    'K==',
  );
  const sep = fc.constantFrom('\n', '\n', '\n', '\r', '\u2028', '\r\n', '');
  const text = fc.array(fc.tuple(piece, sep), { maxLength: 12 }).map((xs) => xs.map(([p, s]) => p + s).join(''));
  fc.assert(
    fc.property(text, (t) => {
      assert.equal(notATable(t), notATableByDefinition(t), JSON.stringify(t));
    }),
    { numRuns: 5000 },
  );
});

test('notATable on a 100,000-line table reads up to the first entry: a NAME=value file of the same size is read whole', () => {
  let table = '# access map\n';
  for (let i = 0; i < 100_000; i++) table += `user${i}@example.com REJECT\n`;
  assert.equal(notATable(table), undefined);
  let env = '';
  for (let i = 0; i < 100_000; i++) env += `VAR_${i}=value\n`;
  assert.equal(notATable(env), 'its 100000 lines are NAME=value assignments, like a .env or shell file');
  assert.equal(notATable(`${table}-----BEGIN PRIVATE KEY-----\n`), 'it holds a PEM block (a private key or certificate)');
});

test('notATable given the file: after each edit it answers as a fresh check of the whole text', () => {
  // The PEM check looks only at the changed part when the text before had no
  // PEM block (table-secrets.ts pemAfterEdit): headers typed a character at a
  // time, made to start a line by an inserted newline, ended by typing their
  // last dash, broken again, CR and U+2028 line ends, edits at either end.
  const PIECES = ['-----BEGIN ', 'RSA PRIVATE KEY', '-----', '-', '\n', '\r', '\u2028', ' ', 'x', 'user@example.test OK\n', 'A=b\n', '# c\n', '-----BEGIN CERTIFICATE-----', 'BEGIN '];
  const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 12 }), ins: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }) });
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }), fc.array(edit, { minLength: 1, maxLength: 25 }), fc.nat(), (start, edits, n) => {
      const file = `/memo/test-${n}`;
      let text = start.join('');
      assert.equal(notATable(text, file), notATable(text));
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.ins.join('') + text.slice(Math.min(text.length, at + e.del));
        assert.equal(notATable(text, file), notATable(text), JSON.stringify(text));
      }
    }),
    { numRuns: 400 },
  );
});

test('notATable given the file: a PEM header typed into the middle of a big table is found', () => {
  const file = '/memo/big-table';
  const lines = Array.from({ length: 20000 }, (_, i) => `user${i}@example.test OK`);
  let text = lines.join('\n') + '\n';
  assert.equal(notATable(text, file), undefined);
  const at = text.indexOf('user10000@');
  const header = '-----BEGIN OPENSSH PRIVATE KEY-----\n';
  // Typed a character at a time: only the last dash makes it a header.
  for (let k = 1; k <= header.length; k++) {
    const now = text.slice(0, at) + header.slice(0, k) + text.slice(at);
    const want = k >= header.length - 1 ? 'it holds a PEM block (a private key or certificate)' : undefined;
    assert.equal(notATable(now, file), want, `after ${k} characters`);
  }
  // Removed again: a table once more (the check starts over from the whole text).
  assert.equal(notATable(text, file), undefined);
  // A header in the middle of a line, then a newline typed before it.
  text = text.slice(0, at) + 'x-----BEGIN CERTIFICATE-----' + text.slice(at);
  assert.equal(notATable(text, file), undefined);
  text = text.slice(0, at + 1) + '\n' + text.slice(at + 1);
  assert.equal(notATable(text, file), 'it holds a PEM block (a private key or certificate)');
});

test('the PEM memo holds at most MAX_PEM_MEMO_CHARS characters of texts, and the newest text even when it alone is more', () => {
  // Five maps of 100,000 lines (about 2.8 million characters each) checked in turn, as when they are opened one after another.
  const map = (n: number) => Array.from({ length: 100_000 }, (_, i) => `user${i}@example${n}.test OK`).join('\n');
  for (let n = 0; n < 5; n++) {
    const text = map(n);
    assert.equal(notATable(text, `/memo/bytes-${n}`), undefined);
    const held = pemMemoHeld();
    assert.ok(held.chars <= Math.max(MAX_PEM_MEMO_CHARS, text.length), `after map ${n}: ${JSON.stringify(held)}`);
  }
  assert.ok(map(0).length * 5 > MAX_PEM_MEMO_CHARS, 'the maps together are over the bound (else this proves nothing)');
  // One text over the bound alone is kept (the next keystroke is in it), and only it.
  const huge = map(9).repeat(4);
  assert.ok(huge.length > MAX_PEM_MEMO_CHARS);
  assert.equal(notATable(huge, '/memo/huge'), undefined);
  assert.deepEqual(pemMemoHeld(), { files: 1, chars: huge.length });
  // A header typed at its end is still found from the memo's text.
  assert.equal(notATable(`${huge}\n-----BEGIN CERTIFICATE-----\n`, '/memo/huge'), 'it holds a PEM block (a private key or certificate)');
});

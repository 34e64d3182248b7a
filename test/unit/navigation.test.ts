// Navigation logic of the engine (server/src/engine/navigation): definition,
// references, highlights and rename over an in-memory configuration. Fixtures
// mark the cursor with `|` and the expected ranges with `«»`.

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { loadConfig } from '../../server/src/engine/config';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, renameAt } from '../../server/src/engine/navigation';
import type { Position, Range } from '../../server/src/engine/types';
import { cursor, marked } from '../helpers/cursor';

const DIR = '/etc/postfix';
const MAIN = `${DIR}/main.cf`;
const MASTER = `${DIR}/master.cf`;

/** Strips `«»` and `|` markers; ranges are given in the final text. */
function fixture(src: string): { text: string; ranges: Range[]; position?: Position } {
  const at = src.indexOf('|');
  const m = marked(src);
  if (at < 0) return { text: m.text, ranges: m.ranges };
  const c = cursor(m.text);
  const shift = (p: Position) => (p.line === c.position.line && p.character > c.position.character ? { line: p.line, character: p.character - 1 } : p);
  return { text: c.text, position: c.position, ranges: m.ranges.map((r) => ({ start: shift(r.start), end: shift(r.end) })) };
}

interface Setup {
  main?: string;
  master?: string;
  files?: Record<string, string>;
  dir?: string;
}

/** Loads the configuration; the file with a `|` is the one the cursor is in. */
function setup(s: Setup) {
  const dir = s.dir ?? DIR;
  const main = s.main === undefined ? undefined : fixture(s.main);
  const master = s.master === undefined ? undefined : fixture(s.master);
  const files: Record<string, string> = { ...s.files };
  if (main) files[`${dir}/main.cf`] = main.text;
  if (master) files[`${dir}/master.cf`] = master.text;
  const reader = { readText: (p: string) => files[p], mtimeMs: (p: string) => (p in files ? 1000 : undefined) };
  const config = loadConfig(dir, reader, { version: '3.12' });
  const here = main?.position ? { file: `${dir}/main.cf`, position: main.position } : { file: `${dir}/master.cf`, position: master!.position! };
  const exists = (p: string) => p in files;
  return { config, ...here, main, master, exists };
}

function definition(s: Setup) {
  const x = setup(s);
  return definitionAt(x.config, x.file, x.position, x.exists).map((t) => ({ file: t.file, range: t.range }));
}

describe('definition', () => {
  for (const form of ['$|my_net', '${my_|net}', '$(my_net|)', '${my_net|?10.1.0.0/16}', '${my_n|et:127.0.0.1}']) {
    test(`main.cf ${form} → the main.cf line`, () => {
      const main = `«my_net» = 10.0.0.0/8\nmynetworks = ${form}\n`;
      assert.deepEqual(definition({ main }), [{ file: MAIN, range: fixture(main).ranges[0] }]);
    });
  }

  test('a reference continued on an indented line', () => {
    const main = `«my_net» = 10.0.0.0/8\nmynetworks = 127.0.0.0/8,\n    $my|_net\n`;
    assert.deepEqual(definition({ main }), [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('the last of two settings wins', () => {
    const main = `my_net = 10.0.0.0/8\n«my_net» = 10.0.0.0/16\nmynetworks = $my_net|\n`;
    assert.deepEqual(definition({ main }), [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('$name in a master.cf -o value → the -o of that service that sets it', () => {
    const master = 'submission inet n - n - - smtpd\n  -o «my_list»=permit_sasl_authenticated,reject\n  -o smtpd_client_restrictions=$my_l|ist\n';
    const r = definition({ main: 'my_list = reject\n', master });
    assert.deepEqual(r, [{ file: MASTER, range: fixture(master).ranges[0] }]);
  });

  test('$name in a master.cf -o value, not set by the service → main.cf', () => {
    const main = '«my_list» = reject\n';
    const r = definition({ main, master: 'submission inet n - n - - smtpd\n  -o smtpd_client_restrictions=$my_l|ist\n' });
    assert.deepEqual(r, [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('-o name → the main.cf setting it overrides', () => {
    const main = 'myhostname = mx.example.com\n«smtpd_tls_security_level» = may\n';
    const r = definition({ main, master: 'submission inet n - n - - smtpd\n  -o smtpd_tls_secu|rity_level=encrypt\n' });
    assert.deepEqual(r, [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('-o name not set in main.cf → nothing', () => {
    assert.deepEqual(definition({ main: 'myhostname = a\n', master: 'submission inet n - n - - smtpd\n  -o smtpd_tls_secu|rity_level=encrypt\n' }), []);
  });

  test('restriction class word → its definition', () => {
    const main = 'smtpd_restriction_classes = strict\n«strict» = reject_unknown_sender_domain\nsmtpd_recipient_restrictions = permit_mynetworks, str|ict, reject\n';
    assert.deepEqual(definition({ main }), [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('restriction class word in a master.cf -o list', () => {
    const main = 'smtpd_restriction_classes = strict\n«strict» = reject_unknown_sender_domain\n';
    const r = definition({ main, master: 'submission inet n - n - - smtpd\n  -o smtpd_recipient_restrictions=str|ict,reject\n' });
    assert.deepEqual(r, [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('table path → the table file (live: at its path)', () => {
    const r = definition({ main: 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender|_access\n', files: { '/etc/postfix/sender_access': 'a OK\n' } });
    assert.deepEqual(r, [{ file: '/etc/postfix/sender_access', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
  });

  test('table path in a repository copy → the file beside main.cf', () => {
    const dir = '/home/u/infra/postfix';
    const r = definition({ dir, main: 'smtpd_sender_restrictions = check_sender_access |hash:/etc/postfix/sender_access\n', files: { [`${dir}/sender_access`]: 'a OK\n' } });
    assert.deepEqual(r.map((t) => t.file), [`${dir}/sender_access`]);
  });

  test('table path through proxy: and a missing file', () => {
    assert.deepEqual(definition({ main: 'virtual_alias_maps = proxy:hash:/etc/postfix/vir|tual\n', files: { '/etc/postfix/virtual': 'a b\n' } }).map((t) => t.file), ['/etc/postfix/virtual']);
    assert.deepEqual(definition({ main: 'virtual_alias_maps = hash:/etc/postfix/vir|tual\n' }), []);
  });

  test('$name inside a table path → the parameter, not the table', () => {
    const main = '«maps» = /etc/postfix\nvirtual_alias_maps = hash:${ma|ps}/virtual\n';
    assert.deepEqual(definition({ main, files: { '/etc/postfix/virtual': 'a b\n' } }), [{ file: MAIN, range: fixture(main).ranges[0] }]);
  });

  test('transport name → its master.cf service', () => {
    const master = 'smtp inet n - n - - smtpd\n«mysmtp» unix - - n - - smtp\n';
    assert.deepEqual(definition({ main: 'relay_transport = mys|mtp\n', master }), [{ file: MASTER, range: fixture(master).ranges[0] }]);
    assert.deepEqual(definition({ main: 'content_filter = mysm|tp:[127.0.0.1]:10024\n', master }), [{ file: MASTER, range: fixture(master).ranges[0] }]);
  });

  test('transport name in a master.cf -o → its service', () => {
    const master = '«amavis» unix - - n - 2 smtp\nsmtp inet n - n - - smtpd\n  -o content_filter=ama|vis:[127.0.0.1]:10024\n';
    assert.deepEqual(definition({ main: 'myhostname = a\n', master }), [{ file: MASTER, range: fixture(master).ranges[0] }]);
  });

  test('nothing under the cursor → nothing', () => {
    assert.deepEqual(definition({ main: 'mynetworks = 127.0.0.0/8 1|0.0.0.0/8\n' }), []);
    assert.deepEqual(definition({ main: 'mynetworks = $undefined_na|me\n' }), []);
  });
});

describe('references and highlights', () => {
  const main = '«my_net» = 10.0.0.0/8\nmynetworks = $«my_net», ${«my_net»?x}\n';
  const master = 'submission inet n - n - - smtpd\n  -o «my_net»=192.0.2.0/24\n  -o mynetworks=$«my_net»\n';

  test('every use across main.cf and master.cf', () => {
    const x = setup({ main: main.replace('$«my_net»', '$«my_|net»'), master });
    const got = referencesAt(x.config, x.file, x.position, true);
    const want = [...fixture(main).ranges.map((range) => ({ file: MAIN, range })), ...fixture(master).ranges.map((range) => ({ file: MASTER, range }))];
    assert.deepEqual(got, want);
    assert.equal(referencesAt(x.config, x.file, x.position, false).length, 3);
  });

  test('highlights stay in the document and mark where it is set', () => {
    const x = setup({ main: main.replace('$«my_net»', '$«my_|net»'), master });
    const h = highlightsAt(x.config, x.file, x.position);
    assert.deepEqual(h.map((e) => e.write), [true, false, false]);
    assert.ok(h.every((e) => e.file === MAIN));
  });
});

describe('rename', () => {
  test('a user-defined parameter across main.cf and master.cf', () => {
    const main = '«my_net» = 10.0.0.0/8\nmynetworks = $«my_net»\n';
    const master = 'submission inet n - n - - smtpd\n  -o «my_n|et»=192.0.2.0/24\n  -o smtpd_client_restrictions=check_client_access,cidr:${«my_net»}\n';
    const x = setup({ main, master });
    const p = prepareRenameAt(x.config, x.file, x.position);
    assert.ok(p && 'range' in p);
    assert.equal(p.placeholder, 'my_net');
    const r = renameAt(x.config, x.file, x.position, 'office_net');
    assert.ok(r && 'edits' in r);
    const want = [...fixture(main).ranges.map((range) => ({ file: MAIN, range })), ...fixture(master).ranges.map((range) => ({ file: MASTER, range }))];
    assert.deepEqual(r.edits, want.map((w) => ({ ...w, newText: 'office_net' })));
  });

  test('a restriction class: its definition, the class list and every list naming it', () => {
    const main = 'smtpd_restriction_classes = «stri|ct», other\n«strict» = reject\nother = permit\nsmtpd_recipient_restrictions = «strict», other\n';
    const x = setup({ main });
    const r = renameAt(x.config, x.file, x.position, 'strict_senders');
    assert.ok(r && 'edits' in r);
    assert.deepEqual(r.edits.map((e) => e.range), fixture(main).ranges);
  });

  test('built-in names are refused with a reason', () => {
    const x = setup({ main: 'mynetworks = 127.0.0.0/8\nsmtpd_client_restrictions = $my|networks\n' });
    const p = prepareRenameAt(x.config, x.file, x.position);
    assert.ok(p && 'error' in p);
    assert.match(p.error, /built-in Postfix parameter/);
  });

  test('per-service names master.cf derives are built in', () => {
    const x = setup({ main: 'mysmtp_destination_concurr|ency_limit = 2\n', master: 'mysmtp unix - - n - - smtp\n' });
    const p = prepareRenameAt(x.config, x.file, x.position);
    assert.ok(p && 'error' in p);
  });

  test('a new name that is built in, taken, or not a name is refused', () => {
    const x = setup({ main: 'my_net = 10.0.0.0/8\nother = 1\nmynetworks = $my_|net\n' });
    for (const bad of ['mynetworks', 'other', 'my net', '']) {
      const r = renameAt(x.config, x.file, x.position, bad);
      assert.ok(r && 'error' in r, bad);
    }
  });
});

// Engine details of server/src/engine/tables: references in parameter values,
// ranges and problem codes of each table parser, lookups, and robustness.
// Ranges are marked in the fixture text with ⟦ ⟧, never counted by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Range } from '../../server/src/engine/types';
import {
  findTableReferences,
  flattenReferences,
  tableFilePath,
  parseAccessTable,
  parseCidrTable,
  parseRegexTable,
  parseInlineTable,
  parseStaticTable,
  lookupCidr,
  lookupRegex,
  lookupInline,
  openTable,
  lookupTable,
  translatePcre,
  defaultPcreOptions,
  translatePosix,
  pton6,
  ntop6,
  pton4,
  foldKey,
  TABLE_CODES,
  tableCodeList,
} from '../../server/src/engine/tables';
import { runPostmap, splitStdinLines } from '../../server/src/cli/postmap';
import { loadConfig } from '../../server/src/engine/config';

/** Text with ⟦…⟧ spans removed, and the ranges of those spans in order. */
function marked(s: string): { text: string; ranges: Range[] } {
  const ranges: Range[] = [];
  let text = '';
  let line = 0;
  let col = 0;
  let open: { line: number; character: number } | undefined;
  for (const ch of s) {
    if (ch === '⟦') open = { line, character: col };
    else if (ch === '⟧') {
      ranges.push({ start: open!, end: { line, character: col } });
      open = undefined;
    } else {
      text += ch;
      if (ch === '\n') {
        line++;
        col = 0;
      } else col += ch.length;
    }
  }
  return { text, ranges };
}

const codes = (ps: { code: string }[]) => ps.map((p) => p.code);

describe('table references in parameter values', () => {
  test('types, names and offsets, nested proxy and unionmap', () => {
    const v = 'hash:/etc/postfix/a, proxy:cidr:/x.cidr  unionmap:{inline:{a=1}, static:{b c}} static:OK';
    const refs = findTableReferences(v);
    assert.deepEqual(
      refs.map((r) => [r.type, r.name, v.slice(r.start, r.end)]),
      [
        ['hash', '/etc/postfix/a', 'hash:/etc/postfix/a'],
        ['proxy', 'cidr:/x.cidr', 'proxy:cidr:/x.cidr'],
        ['unionmap', '{inline:{a=1}, static:{b c}}', 'unionmap:{inline:{a=1}, static:{b c}}'],
        ['static', 'OK', 'static:OK'],
      ],
    );
    const all = flattenReferences(refs);
    assert.deepEqual(
      all.map((r) => v.slice(r.start, r.end)),
      ['hash:/etc/postfix/a', 'proxy:cidr:/x.cidr', 'cidr:/x.cidr', 'unionmap:{inline:{a=1}, static:{b c}}', 'inline:{a=1}', 'static:{b c}', 'static:OK'],
    );
    assert.equal(v.slice(refs[0].nameStart, refs[0].end), '/etc/postfix/a');
  });

  test('restriction lists: tables after check_*_access, not the policy endpoint; inline bodies with spaces stay whole', () => {
    const v = 'permit_mynetworks, check_client_access cidr:/etc/postfix/c.cidr, check_policy_service unix:private/policy, check_sender_access inline:{ { a@b = REJECT no way } }, reject_unauth_destination';
    assert.deepEqual(
      findTableReferences(v).map((r) => `${r.type}:${r.name}`),
      ['cidr:/etc/postfix/c.cidr', 'inline:{ { a@b = REJECT no way } }'],
    );
  });

  test('transports and endpoints are not tables unless a table list is expected', () => {
    assert.deepEqual(findTableReferences('smtp:[relay.example]:587 lmtp:unix:private/dovecot-lmtp'), []);
    assert.deepEqual(
      findTableReferences('ldapx:/etc/x hash:/y', { expectTables: true }).map((r) => [r.type, r.knownType]),
      [
        ['ldapx', false],
        ['hash', true],
      ],
    );
  });

  test('files behind a reference', () => {
    const [hash, proxy, cidr, inline, mysql, lmdb] = findTableReferences('hash:/a proxy:btree:/b cidr:/c inline:{x=y} mysql:/d.cf lmdb:/e');
    assert.deepEqual(tableFilePath(hash), { source: '/a', indexed: ['/a.db'] });
    assert.deepEqual(tableFilePath(proxy), { source: '/b', indexed: ['/b.db'] });
    assert.deepEqual(tableFilePath(cidr), { source: '/c' });
    assert.deepEqual(tableFilePath(inline), {});
    assert.deepEqual(tableFilePath(mysql), { config: '/d.cf' });
    assert.deepEqual(tableFilePath(lmdb), { source: '/e', indexed: ['/e.lmdb'] });
  });
});

describe('table uses of a configuration', () => {
  test('a second master.cf entry of the same name and type expands its table references with its own -o settings', () => {
    const files: Record<string, string> = {
      '/t/main.cf': 'maps_dir = /t/main\n',
      // Postfix uses the last entry (and warns); the lint judges both, each with its own settings.
      '/t/master.cf': 'relay unix - - n - - smtp\n  -o maps_dir=/t/first\n  -o smtp_generic_maps=hash:$maps_dir/generic\nrelay unix - - n - - smtp\n  -o maps_dir=/t/second\n  -o smtp_generic_maps=hash:$maps_dir/generic\n',
    };
    const config = loadConfig('/t', { readText: (p) => files[p] }, { mode: 'live' });
    const generic = config.tables.filter((u) => u.parameter === 'smtp_generic_maps');
    assert.deepEqual(
      generic.map((u) => [u.spec, u.range.start.line]),
      [
        ['hash:/t/first/generic', 2],
        ['hash:/t/second/generic', 5],
      ],
    );
  });
});

describe('access-style sources (hash, texthash, ...)', () => {
  test('key and value ranges, lookups fold case, first duplicate wins', () => {
    const m = marked('⟦User@Example.COM⟧\t⟦REJECT go away⟧  \n# c\n⟦dup⟧ ⟦first⟧\n⟦DUP⟧ ⟦second⟧\n');
    const t = parseAccessTable(m.text, 'access');
    const e = [...t.entries()];
    assert.deepEqual(
      e.map((x) => [x.keyRange, x.valueRange]),
      [
        [m.ranges[0], m.ranges[1]],
        [m.ranges[2], m.ranges[3]],
        [m.ranges[4], m.ranges[5]],
      ],
    );
    assert.equal(t.lookup('user@example.com')?.value, 'REJECT go away');
    assert.equal(t.lookup('dup')?.value, 'first');
    assert.equal(e[2].winner, 1);
    assert.deepEqual(codes(t.problems), [TABLE_CODES.duplicateKey.code]);
    assert.deepEqual(t.problems[0].range, m.ranges[4]);
    assert.equal(t.entryAtLine(2)?.key, 'dup');
  });

  test('every Postfix warning and our own checks, with codes', () => {
    const m = marked(
      [
        '⟦   orphan line⟧',
        '⟦keyonly⟧',
        '⟦"unbalanced key⟧',
        '⟦alias:⟧ value',
        '⟦10.0.0.0/8⟧ REJECT',
        '⟦keycont⟧',
        '   DUNNO',
        'ok REJECT',
        '   ⟦more⟧',
      ].join('\n'),
    );
    const t = parseAccessTable(m.text, 'access');
    assert.deepEqual(
      t.problems.map((p) => [p.code, p.range]),
      [
        ['PF305', m.ranges[0]],
        ['PF300', m.ranges[1]],
        ['PF301', m.ranges[2]],
        ['PF302', m.ranges[3]],
        ['PF306', m.ranges[4]],
        ['PF307', m.ranges[5]],
        ['PF308', m.ranges[6]],
      ],
    );
    assert.equal(t.lookup('keycont')?.value, 'DUNNO');
    assert.equal(t.lookup('ok')?.value, 'REJECT   more');
    assert.deepEqual(t.postfixWarnings('texthash', 'access').slice(1, 3), [
      'access, line 2: expected format: key whitespace value -- ignoring this line',
      `access, line 3: unbalanced '"' in '"unbalanced key' -- ignoring this line`,
    ]);
    assert.ok(t.problems.every((p) => p.category === (p.code >= 'PF306' ? 'correctness' : 'postfix')));
  });

  test('postmap -f: no folding', () => {
    const t = parseAccessTable('Key v\n', 'a', { fold: false });
    assert.equal(t.lookup('key'), undefined);
    assert.equal(t.lookup('Key')?.value, 'v');
  });

  test('Unicode keys fold like ICU case folding for common scripts', () => {
    assert.equal(foldKey('Straße'), 'strasse');
    assert.equal(foldKey('ÉCOLE'), 'école');
    const t = parseAccessTable('Straße x\n', 'a');
    assert.equal(t.lookup('STRASSE')?.value, 'x');
  });

  test('duplicate verdicts equal the plain definition (first entry of each stored key wins), folded or not', () => {
    // Enough lines for many hash buckets; few distinct keys, so duplicates abound, in every case and some non-ASCII.
    const key = fc.constantFrom('a@x', 'A@X', 'b@y', 'B@y', 'Straße', 'STRASSE', 'école', 'ÉCOLE', '"q k"', '"Q K"', 'k\\ey', 'K\\EY', 'z', 'Z', 'x1', 'x2', 'x3');
    const text = fc.array(fc.tuple(key, fc.nat(99)), { minLength: 0, maxLength: 400 });
    fc.assert(
      fc.property(text, fc.boolean(), (rows, fold) => {
        const t = parseAccessTable(rows.map(([k, n]) => `${k}${n} v${n}\n`).join(''), 'dups', { fold });
        const firstOf = new Map<string, number>();
        const expected: [number, number][] = [];
        for (let i = 0; i < t.count; i++) {
          const stored = fold ? foldKey(t.key(i)) : t.key(i);
          const first = firstOf.get(stored);
          if (first === undefined) firstOf.set(stored, i);
          else expected.push([i, first]);
        }
        assert.deepEqual([...t.duplicates].sort((a, b) => a[0] - b[0]), expected);
      }),
      { numRuns: 300 },
    );
  });

  test('a million lines parse lean: no per-entry objects until asked', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`user${i}@example${i % 1000}.com REJECT 5.7.1 blocked`);
    const t = parseAccessTable(lines.join('\n') + '\n', 'big');
    assert.equal(t.count, 200_000);
    assert.equal(t.lookup('USER199999@EXAMPLE999.COM')?.value, 'REJECT 5.7.1 blocked');
    assert.equal(t.problems.length, 0);
    // Its speed is measured by `npm run bench` (the access series), not asserted here.
  });
});

describe('cidr tables', () => {
  test('rules, ranges, first match, negation, IF/ENDIF', () => {
    const m = marked('⟦192.168.0.0/16⟧ ⟦OK⟧\n!⟦10.0.0.0/8⟧ ⟦NOT-TEN⟧\nif ⟦172.16.0.0/12⟧\n⟦172.16.1.1⟧ ⟦INNER⟧\nendif\n⟦2001:db8::/32⟧ ⟦V6⟧\n');
    const t = parseCidrTable(m.text, 'c.cidr');
    assert.deepEqual(t.problems, []);
    const match = t.rules.filter((r) => r.op === 'match');
    assert.deepEqual(
      match.map((r) => [r.patternRange, r.valueRange]),
      [
        [m.ranges[0], m.ranges[1]],
        [m.ranges[2], m.ranges[3]],
        [m.ranges[5], m.ranges[6]],
        [m.ranges[7], m.ranges[8]],
      ],
    );
    assert.equal(lookupCidr(t, '192.168.3.4')?.value, 'OK');
    assert.equal(lookupCidr(t, '10.1.1.1')?.value, undefined, '10/8 is excluded by the negation, then no rule matches');
    assert.equal(lookupCidr(t, '172.16.1.1')?.value, 'NOT-TEN');
    assert.equal(lookupCidr(t, '2001:db8::9')?.value, 'V6');
    assert.equal(lookupCidr(t, 'not an address'), undefined);
  });

  test('every skipped rule is reported with Postfix wording and its own code', () => {
    const m = marked('⟦10.0.0.1/8⟧ a\n⟦300.1.1.1/8⟧ b\n⟦1.2.3.0/33⟧ c\n⟦1.2.3.0/x⟧ d\n⟦nope⟧ e\n⟦5.5.5.5⟧\nif ⟦6.6.6.0/24⟧\n');
    const t = parseCidrTable(m.text, 'c.cidr');
    assert.deepEqual(
      t.problems.map((p) => [p.code, p.range]),
      [
        ['PF320', m.ranges[0]],
        ['PF321', m.ranges[1]],
        ['PF322', m.ranges[2]],
        ['PF323', m.ranges[3]],
        ['PF324', m.ranges[4]],
        ['PF325', m.ranges[5]],
        ['PF329', m.ranges[6]],
      ],
    );
    assert.match(t.problems[0].message, /non-null host address bits in "10\.0\.0\.1\/8", perhaps you should use "10\.0\.0\.0\/8" instead/);
    assert.equal(t.warnings[0], 'cidr map c.cidr, line 1: non-null host address bits in "10.0.0.1/8", perhaps you should use "10.0.0.0/8" instead: skipping this rule');
  });

  test('addresses parse and print exactly as glibc does', () => {
    assert.equal(pton4('01.2.3.4'), undefined);
    assert.equal(pton4('1.2.3'), undefined);
    assert.deepEqual([...pton4('255.0.10.1')!], [255, 0, 10, 1]);
    assert.equal(pton6('fe80::1%eth0'), undefined);
    assert.equal(pton6('12345::'), undefined);
    assert.equal(pton6('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(ntop6(pton6('2001:0db8:0:0:0:0:0:1')!), '2001:db8::1');
    assert.equal(ntop6(pton6('::ffff:1.2.3.4')!), '::ffff:1.2.3.4');
    assert.equal(ntop6(pton6('1:0:0:2:0:0:0:3')!), '1:0:0:2::3');
    assert.equal(ntop6(pton6('1:0:2:3:4:5:6:7')!), '1:0:2:3:4:5:6:7');
  });
});

describe('pcre and regexp tables', () => {
  test('rules, replacement ranges and $n substitution', () => {
    const m = marked('⟦/^(\\w+)@example\\.com$/⟧ ⟦REJECT user $1⟧\n⟦/^X-Spam: yes/⟧ ⟦DISCARD⟧\n');
    const t = parseRegexTable('pcre', m.text, 'h.pcre');
    assert.deepEqual(t.problems, []);
    assert.deepEqual(
      t.rules.map((r) => [r.patterns[0].range, r.replacementRange]),
      [
        [m.ranges[0], m.ranges[1]],
        [m.ranges[2], m.ranges[3]],
      ],
    );
    assert.deepEqual(lookupRegex(t, 'Bob@EXAMPLE.com'), { status: 'found', value: 'REJECT user Bob', rule: t.rules[0] });
    assert.equal(lookupRegex(t, 'x-spam: YES').status, 'found');
    assert.equal(lookupRegex(t, 'nothing').status, 'notfound');
  });

  test('the i flag trap: "i" turns case-insensitive matching OFF', () => {
    const t = parseRegexTable('pcre', '/^ok$/i CASE\n/^yes$/ DEFAULT\n', 'x.pcre');
    assert.deepEqual(codes(t.problems), ['PF355']);
    assert.equal(lookupRegex(t, 'ok').status, 'found');
    assert.equal(lookupRegex(t, 'OK').status, 'notfound');
    assert.equal(lookupRegex(t, 'YES').status, 'found');
  });

  test('warnings with Postfix wording: pcre and regexp differ in a few words', () => {
    const text = '/unclosed\n/a/q x\n/^b(x)/ $2\nfoo\n/^c/\n/(/ x\n';
    const pcre = parseRegexTable('pcre', text, 't');
    const regexp = parseRegexTable('regexp', text, 't');
    assert.deepEqual(pcre.warnings, [
      'pcre map t, line 1: no closing regexp delimiter "/": ignoring this rule',
      'pcre map t, line 2: unknown regexp option "q": skipping this rule',
      'pcre map t, line 3: out of range replacement index "2": skipping this rule',
      'pcre map t, line 4: ignoring unrecognized request',
      'pcre map t, line 5: no replacement text: using empty string',
      'pcre map t, line 6: error in regex at offset 1: missing closing parenthesis',
    ]);
    assert.equal(regexp.warnings[0], 'regexp map t, line 1: no closing regexp delimiter "/": skipping this rule');
    assert.equal(regexp.warnings[5], 'regexp map t, line 6: Unmatched ( or \\(');
    assert.deepEqual(codes(pcre.problems), ['PF341', 'PF342', 'PF347', 'PF352', 'PF344', 'PF348']);
  });

  test('constructs JavaScript cannot reproduce are checked for syntax and reported undecidable, never guessed', () => {
    const t = parseRegexTable('pcre', '/^a\\Kb/ K\n/(?(1)a|b)/ COND\n', 'x.pcre');
    assert.deepEqual(codes(t.problems), ['PF354', 'PF354']);
    assert.equal(t.uncertain, true, 'conditional groups: syntax not checked');
    assert.equal(lookupRegex(t, 'ab').status, 'unknown');
  });

  test('PCRE translation: caseless letters become explicit classes; bytes, not UTF-16', () => {
    const tr = translatePcre('a.b', defaultPcreOptions());
    assert.equal(tr.kind, 'ok');
    assert.equal(tr.kind === 'ok' && tr.source, '[\\x41\\x61][\\s\\S][\\x42\\x62]');
    const t = parseRegexTable('pcre', '/^é$/ ONE-CHAR\n/^..$/ TWO-BYTES\n', 'x.pcre');
    assert.equal(lookupRegex(t, 'é').status === 'found' && (lookupRegex(t, 'é') as { value: string }).value, 'ONE-CHAR');
    const two = parseRegexTable('pcre', '/^..$/ TWO-BYTES\n', 'x.pcre');
    assert.equal(lookupRegex(two, 'é').status, 'found', 'é is two bytes in UTF-8');
  });

  test('POSIX translation follows glibc: REG_ICASE upper-cases pattern and subject', () => {
    assert.deepEqual(translatePosix('[_-a]', { extended: true, icase: true, newline: false }), { kind: 'error', message: 'Invalid range end' });
    assert.equal(translatePosix('[_-a]', { extended: true, icase: false, newline: false }).kind, 'ok');
    const t = parseRegexTable('regexp', '/^x(a|ab)(c|bcd)(d*)$/ $1:$2:$3\n', 'r');
    assert.deepEqual(lookupRegex(t, 'xABCD'), { status: 'found', value: 'A:BCD:', rule: t.rules[0] });
  });
});

describe('inline and static tables', () => {
  test('inline entries with offsets; the last duplicate wins; keys fold', () => {
    const name = '{ a=b, { c = d e }, A=z }';
    const t = parseInlineTable(name);
    assert.ok(!('fatal' in t));
    if ('fatal' in t) return;
    assert.deepEqual(
      t.entries.map((e) => [e.key, e.value, name.slice(e.keyStart, e.keyEnd), name.slice(e.valueStart, e.valueEnd)]),
      [
        ['a', 'b', 'a', 'b'],
        ['c', 'd e', 'c', 'd e'],
        ['A', 'z', 'A', 'z'],
      ],
    );
    assert.equal(lookupInline(t, 'a')?.value, 'z');
    assert.equal(lookupInline(t, 'C')?.value, 'd e');
  });

  test('fatal errors in Postfix wording', () => {
    assert.deepEqual(parseInlineTable('{}'), { fatal: 'bad syntax: "inline:{}"; need "inline:{name=value...}"' });
    assert.deepEqual(parseInlineTable('{ , }'), { fatal: 'empty table: "inline:{ , }"; need "inline:{name=value...}"' });
    assert.deepEqual(parseInlineTable('{a}'), { fatal: `missing '=' after attribute name: "inline:{a}"; need "inline:{name=value...}"` });
    assert.deepEqual(parseStaticTable('{ a b'), { fatal: `bad static:name syntax: missing '}' in "{ a b"` });
    const s = parseStaticTable('{ REJECT no relay }');
    assert.ok(!('fatal' in s) && s.value === 'REJECT no relay');
  });
});

describe('opening and looking up tables through a FileReader', () => {
  const files: Record<string, string> = {
    '/etc/postfix/access': 'spam@example.com REJECT\n',
    '/etc/postfix/access.db': '(binary)',
    '/etc/postfix/nodb': 'a b\n',
    '/etc/postfix/c.cidr': '10.0.0.0/8 OK\n',
  };
  const reader = { readText: (p: string) => files[p], mtimeMs: (p: string) => (p in files ? 1 : undefined) };

  test('indexed tables are read from their source; a missing .db is Postfix\'s fatal error', () => {
    const ok = openTable('hash:/etc/postfix/access', reader);
    assert.deepEqual(lookupTable(ok, 'SPAM@example.com'), { status: 'found', value: 'REJECT', file: '/etc/postfix/access', line: 0 });
    const nodb = openTable('hash:/etc/postfix/nodb', reader);
    assert.equal(nodb.fatal, 'open database /etc/postfix/nodb.db: No such file or directory');
    assert.ok(nodb.table, 'the source is still parsed for diagnostics');
    assert.equal(lookupTable(nodb, 'a').status, 'error');
  });

  test('proxy looks through; unionmap joins with commas; pipemap chains; external tables are unknown', () => {
    assert.equal((lookupTable(openTable('proxy:cidr:/etc/postfix/c.cidr', reader), '10.1.2.3') as { value: string }).value, 'OK');
    assert.deepEqual(lookupTable(openTable('unionmap:{inline:{k=1}, static:2}', reader), 'k'), { status: 'found', value: '1,2' });
    assert.deepEqual(lookupTable(openTable('pipemap:{inline:{k=m}, inline:{m=final}}', reader), 'k'), { status: 'found', value: 'final' });
    assert.equal(lookupTable(openTable('ldap:/etc/postfix/ldap.cf', reader), 'k').status, 'unknown');
    assert.equal(openTable('nosuchtype:/x', reader).fatal, 'unsupported dictionary type: nosuchtype');
  });
});

describe('postfix-lint postmap', () => {
  const files: Record<string, string> = { '/t': 'k v\nk2\n', '/p.pcre': '/^a/ A\n' };
  const run = (argv: string[], stdin = '') => {
    let stdout = '';
    let stderr = '';
    const status = runPostmap(argv, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      reader: { readText: (p) => files[p] },
      stdinLines: () => splitStdinLines(stdin),
    });
    return { stdout, stderr, status };
  };

  test('output format, warnings and exit status', () => {
    assert.deepEqual(run(['-q', 'K', 'texthash:/t']), { stdout: 'v\n', stderr: 'postmap: warning: /t, line 2: expected format: key whitespace value -- ignoring this line\n', status: 0 });
    assert.equal(run(['-q', 'x', 'texthash:/t']).status, 1);
    assert.deepEqual(run(['-q', '-', 'pcre:/p.pcre'], 'abc\nzzz\nax\n'), { stdout: 'abc\tA\nax\tA\n', stderr: '', status: 0 });
    assert.deepEqual(run(['-s', 'pcre:/p.pcre']), { stdout: '', stderr: 'postmap: fatal: table pcre:/p.pcre: sequence operation is not supported\n', status: 1 });
    assert.equal(run(['-x']).stderr, "postmap: invalid option -- 'x'\npostmap: fatal: usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...\n");
    assert.equal(run(['-b', '-q', '-', 'pcre:/p.pcre']).status, 2, 'options we do not emulate say so');
  });

  test('stdin lines as postmap reads them', () => {
    assert.deepEqual(splitStdinLines('a\nb\r\n\nc'), ['a', 'b\r', '', 'c']);
    assert.deepEqual(splitStdinLines(''), []);
  });
});

describe('robustness', () => {
  const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom(...'/[](){}\\!#$ \t\n:=,"ifendIFENDIF1.0/8'), maxLength: 300 }));

  test('parsers never throw, on any text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        parseAccessTable(s, 'a').problems;
        parseCidrTable(s, 'c');
        for (const type of ['pcre', 'regexp'] as const) {
          const t = parseRegexTable(type, s, 'r');
          lookupRegex(t, s.slice(0, 20));
        }
        parseInlineTable(s);
        parseStaticTable(s);
        findTableReferences(s);
        translatePcre(s, defaultPcreOptions());
        translatePosix(s, { extended: true, icase: true, newline: false });
      }),
      { numRuns: 400 },
    );
  });

  test('every code is documented once', () => {
    const list = tableCodeList();
    assert.equal(new Set(list.map((c) => c.code)).size, list.length);
    assert.ok(list.every((c) => /^PF3\d\d$/.test(c.code) && c.summary.length > 10));
  });
});

describe('text from byte-preserving readers', () => {
  test('UTF-8 read as latin1 (bytes 1:1) is decoded before parsing', () => {
    const bytes = Buffer.from('Straße x\n/^é$/ E\n', 'utf8').toString('latin1');
    assert.equal(parseAccessTable(bytes, 'a').lookup('STRASSE')?.value, 'x');
    assert.equal(lookupRegex(parseRegexTable('pcre', bytes, 'p'), 'é').status, 'found');
  });
});

describe('text from byte-preserving readers, line by line', () => {
  test('a line that is not UTF-8 does not stop the others from being decoded', () => {
    const latin1 = Buffer.concat([Buffer.from('école y\n'), Buffer.from([0x66, 0x6f, 0x6f, 0xff, 0x20, 0x62, 0x0a])]).toString('latin1');
    assert.equal(parseAccessTable(latin1, 'a').lookup('ÉCOLE')?.value, 'y');
  });
});

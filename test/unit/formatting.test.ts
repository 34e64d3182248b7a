// Formatting engine (server/src/engine/format): what changes, what must not,
// idempotence on the corpus and random files; and the editor's onEnterRules.
// Real postconf judges the same outputs in test/oracle/format.test.ts.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDocument, formatText } from '../../server/src/engine/format';
import { parseMainCf } from '../../server/src/engine/maincf/parse';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { repoDir } from '../helpers/env';
import { mainCfArbitrary } from '../helpers/arbitraries';
import { masterCfText } from '../fixtures/mastercf/generator';

const CORPUS = '/work/shared/corpus';
export const CORPUS_FILES: { kind: 'main' | 'master'; path: string }[] = [
  ['debian-postfix-3.7/main.cf.dist', 'main'],
  ['debian-postfix-3.7/main.cf.debian', 'main'],
  ['debian-postfix-3.7/master.cf.dist', 'master'],
  ['docker-mailserver/main.cf', 'main'],
  ['docker-mailserver/master.cf', 'master'],
  ['iredmail/main.cf', 'main'],
  ['iredmail/master.cf', 'master'],
  ['mailu/main.cf', 'main'],
  ['mailu/master.cf', 'master'],
  ['postfix-upstream/main.cf', 'main'],
  ['postfix-upstream/master.cf', 'master'],
  ['mailcow/master.cf', 'master'],
].map(([p, kind]) => ({ kind: kind as 'main' | 'master', path: join(CORPUS, p) }));

const comments = (t: string) => t.split(/\r?\n/).filter((l) => /^\s*#/.test(l));
const mainValues = (t: string) => parseMainCf(t).entries.map((e) => [e.name, e.value.split(/[\s,]+/).join(' ')]);
const masterWords = (t: string) => parseMasterCf(t).services.map((s) => [...s.fields.map((f) => f.text), ...s.args.map((a) => a.text)]);

describe('main.cf', () => {
  test('spacing around = and trailing blanks', () => {
    assert.equal(formatText('main', 'myhostname=mx.example.com  \nmydomain   =    example.com\nrelayhost =\n'), 'myhostname = mx.example.com\nmydomain = example.com\nrelayhost =\n');
  });

  test('list values: one indentation for continuation lines', () => {
    const before = 'smtpd_recipient_restrictions =\n\tpermit_mynetworks,\n  reject_unauth_destination  \nmynetworks = 127.0.0.0/8,\n            10.0.0.0/8\n';
    const after = 'smtpd_recipient_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination\nmynetworks = 127.0.0.0/8,\n    10.0.0.0/8\n';
    assert.equal(formatText('main', before), after);
    assert.equal(formatText('main', before, { indent: '\t' }), after.replace(/ {4}/g, '\t'));
  });

  test('restriction classes count as lists', () => {
    assert.equal(formatText('main', 'smtpd_restriction_classes = strict\nstrict = reject_unknown_sender_domain,\n\t\treject\n'), 'smtpd_restriction_classes = strict\nstrict = reject_unknown_sender_domain,\n    reject\n');
  });

  test('text values keep their continuation lines byte for byte (whitespace is part of the value)', () => {
    const t = 'smtpd_banner = $myhostname\n\t  ESMTP   $mail_name  \n';
    assert.equal(formatText('main', t), 'smtpd_banner = $myhostname\n\t  ESMTP   $mail_name\n');
  });

  test('values with braces keep their lines (inline tables and patterns may span lines)', () => {
    const t = 'smtpd_client_restrictions = check_client_access pcre:{{/^a  b/ REJECT},\n      {/c/ OK}}\n';
    assert.equal(formatText('main', t), t);
  });

  test('comments, comment lines inside a value, orphans and lines after a fatal one stay', () => {
    const t = '  orphan = x\n# comment  \nmynetworks = 127.0.0.0/8,\n  # 10.0.0.0/8,\n  192.0.2.0/24\nbroken line\nafter   =   x\n';
    assert.equal(formatText('main', t), '  orphan = x\n# comment  \nmynetworks = 127.0.0.0/8,\n  # 10.0.0.0/8,\n    192.0.2.0/24\nbroken line\nafter   =   x\n');
  });

  test('CRLF line ends are kept', () => {
    assert.equal(formatText('main', 'a=b\r\nmynetworks = x,\r\n  y\r\n'), 'a = b\r\nmynetworks = x,\r\n    y\r\n');
  });

  test('range formatting takes whole logical lines touching the range', () => {
    const t = 'a=1\nmynetworks=x,\n\t y\nb=2\n';
    assert.deepEqual(formatDocument('main', t, {}, { from: 2, to: 2 }).map((e) => e.line), [1, 2]);
  });
});

describe('master.cf', () => {
  test('fields on the stock columns, continuation lines by two spaces', () => {
    const t = 'smtp inet n - y - - smtpd\nsubmission  inet n - y - - smtpd\n        -o syslog_name=postfix/submission   \n\t-o smtpd_tls_security_level=encrypt\n';
    assert.equal(
      formatText('master', t),
      'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n',
    );
  });

  test('a long name pushes that line only; arguments after the command stay as written', () => {
    const t = 'scalemail-backend unix - n n - 2 pipe  flags=R  user=scalemail\n';
    assert.equal(formatText('master', t), 'scalemail-backend unix -       n       n       -       2       pipe  flags=R  user=scalemail\n');
  });

  test('braced groups, invalid and short lines, comments stay', () => {
    const t = 'smtp inet n - y - - smtpd\n  -o { smtpd_banner = a\n     b }\nbad inet x - y - - smtpd\nshort line\n#smtp inet n - y - - smtpd\n';
    const out = formatText('master', t);
    assert.equal(out, 'smtp      inet  n       -       y       -       -       smtpd\n  -o { smtpd_banner = a\n     b }\nbad inet x - y - - smtpd\nshort line\n#smtp inet n - y - - smtpd\n');
  });
});

describe('invariants', () => {
  const check = (kind: 'main' | 'master', text: string) => {
    const once = formatText(kind, text);
    assert.equal(formatText(kind, once), once, 'formatting twice changes more');
    assert.deepEqual(comments(once), comments(text).map((c) => c), 'comments');
    if (kind === 'main') assert.deepEqual(mainValues(once), mainValues(text), 'values');
    else assert.deepEqual(masterWords(once), masterWords(text), 'words');
  };

  for (const f of CORPUS_FILES) {
    test(`corpus ${f.path}`, { skip: !existsSync(f.path) }, () => check(f.kind, readFileSync(f.path, 'latin1')));
  }
  test('random main.cf', () => fc.assert(fc.property(mainCfArbitrary(), (t) => check('main', t)), { numRuns: 300 }));
  test('random master.cf', () => fc.assert(fc.property(fc.boolean().chain((b) => masterCfText(b)), (t) => check('master', t)), { numRuns: 300 }));
});

describe('onEnterRules', () => {
  const conf = JSON.parse(readFileSync(join(repoDir, 'syntaxes/language-configuration.json'), 'utf8'));
  const indents = (before: string) => conf.onEnterRules.some((r: { beforeText: string }) => new RegExp(r.beforeText).test(before));
  test('Enter after `name =` or a list ending in a comma indents', () => {
    assert.ok(indents('smtpd_recipient_restrictions ='));
    assert.ok(indents('smtpd_recipient_restrictions = '));
    assert.ok(indents('smtpd_recipient_restrictions = permit_mynetworks,'));
  });
  test('not after a finished setting, a comment or a continuation line', () => {
    assert.ok(!indents('myhostname = mx.example.com'));
    assert.ok(!indents('# smtpd_recipient_restrictions ='));
    assert.ok(!indents('    permit_mynetworks,'));
  });
});

// The relay matrix kept between lints (simulate/matrix-memo.ts) is given back
// only while it is what a fresh computation gives: edits of a table entry no
// simulated transaction looks up keep it, an edit that changes an answer
// (an outside domain allowed, a line moved under a looked-up entry), a
// changed setting, or a scan of the table compute it again. Each step is
// checked against relayMatrix computed from scratch on the same files.
import { describe, test } from 'node:test';
import { stepped } from '../helpers/table-steps';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { loadSimConfig } from '../../server/src/engine/simulate/config';
import { relayMatrix } from '../../server/src/engine/simulate/matrix';
import { clearRelayMatrixMemo, reusedRelayMatrix, reusedRelayMatrixSteps } from '../../server/src/engine/simulate/matrix-memo';
import { ITEMS_PER_STEP } from '../../server/src/engine/steps';
import { parseAccessTable } from '../../server/src/engine/tables/access-parse';
import { clearParseMemo } from '../../server/src/engine/tables/memo';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/tmp/matrix-memo-test';
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
const MAIN = `myhostname = mx.example.test
mydestination = $myhostname
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, check_recipient_access hash:${DIR}/access, reject_unauth_destination
`;
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\n';

function filler(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `user${i}@example${i % 10}.test REJECT\n`;
  return s;
}

describe('relay matrix reuse', () => {
  const files = new Map<string, string>([
    [`${DIR}/main.cf`, MAIN],
    [`${DIR}/master.cf`, MASTER],
    [`${DIR}/access`, filler(200)],
    [`${DIR}/access.db`, ''],
  ]);
  const reader: FileReader = { readText: (p) => files.get(p), mtimeMs: (p) => (files.has(p) ? (p.endsWith('.db') ? 2 : 1) : undefined) };
  // The same files under another directory: a computation from scratch there
  // (its own parses) leaves the memo of this one as the editor would.
  const OTHER = '/tmp/matrix-memo-fresh';
  const fresh: FileReader = {
    readText: (p) => (p.startsWith(`${OTHER}/`) ? files.get(DIR + p.slice(OTHER.length))?.replaceAll(DIR, OTHER) : undefined),
    mtimeMs: (p) => (p.startsWith(`${OTHER}/`) ? reader.mtimeMs!(DIR + p.slice(OTHER.length)) : undefined),
  };
  /** The matrix as a lint computes it now (tables parsed through the memo first, as lint.ts does), and from scratch. */
  function both() {
    const config = loadConfig(DIR, reader, { mode: 'live' });
    parseAccessTable(files.get(`${DIR}/access`)!, `${DIR}/access`, { type: 'hash' });
    const reused = reusedRelayMatrix(loadSimConfig(DIR, config.files, 'live'));
    const scratch = relayMatrix(loadSimConfig(OTHER, loadConfig(OTHER, fresh, { mode: 'live' }).files, 'live'));
    return { reused, fresh: JSON.parse(JSON.stringify(scratch).replaceAll(OTHER, DIR)) };
  }
  const edit = (f: (t: string) => string) => files.set(`${DIR}/access`, f(files.get(`${DIR}/access`)!));

  test('reused only while every answer is the same', () => {
    clearRelayMatrixMemo();
    clearParseMemo();
    const first = both();
    assert.deepEqual(plain(first.reused), first.fresh);
    assert.equal(first.reused.openRelay, false);

    // An entry nobody looks up: the same matrix object comes back.
    edit((t) => t.replace('user5@example5.test REJECT', 'user5@example5.test REJECTX'));
    const second = both();
    assert.equal(second.reused, first.reused);
    assert.deepEqual(plain(second.reused), second.fresh);

    // The outside domain allowed: the verdict changes, and the memo sees it.
    edit((t) => t.replace('user7@example7.test REJECT', 'elsewhere.example OK'));
    const third = both();
    assert.notEqual(third.reused, first.reused);
    assert.equal(third.reused.openRelay, true);
    assert.deepEqual(plain(third.reused), third.fresh);

    // A line inserted above the entry that decides moves it: computed again, still right.
    edit((t) => `# a comment\n${t}`);
    const fourth = both();
    assert.notEqual(fourth.reused, third.reused);
    assert.deepEqual(plain(fourth.reused), fourth.fresh);

    // Back again, and a setting changes: computed again.
    edit((t) => t.replace('elsewhere.example OK', 'user7@example7.test REJECT'));
    const fifth = both();
    assert.equal(fifth.reused.openRelay, false);
    assert.deepEqual(plain(fifth.reused), fifth.fresh);
    files.set(`${DIR}/main.cf`, MAIN.replace('mynetworks = 127.0.0.0/8', 'mynetworks = 0.0.0.0/0'));
    const sixth = both();
    assert.equal(sixth.reused.openRelay, true);
    assert.deepEqual(plain(sixth.reused), sixth.fresh);

    // The compiled table disappears: the table cannot be opened, computed again.
    files.set(`${DIR}/main.cf`, MAIN);
    both();
    files.delete(`${DIR}/access.db`);
    const seventh = both();
    assert.deepEqual(plain(seventh.reused), seventh.fresh);
  });
});

describe('relay matrix reuse beside a service of many -o options', () => {
  const OPTIONS = 3 * ITEMS_PER_STEP;
  const master = (value: string) => `smtp inet n - y - - smtpd\n${'  -o syslog_name=postfix/big\n'.repeat(OPTIONS / 2)}  -o smtpd_helo_required=${value}\n${'  -o syslog_name=postfix/big\n'.repeat(OPTIONS / 2)}`;
  const files = new Map<string, string>([
    [`${DIR}/main.cf`, MAIN.replace(/check_recipient_access \S+ /, '')],
    [`${DIR}/master.cf`, master('yes')],
  ]);
  const reader: FileReader = { readText: (p) => files.get(p), mtimeMs: (p) => (files.has(p) ? 1 : undefined) };
  const reused = () => {
    const r = stepped(reusedRelayMatrixSteps(loadSimConfig(DIR, loadConfig(DIR, reader, { mode: 'live' }).files, 'live')));
    return { matrix: r.value, compared: r.labels.get('relay matrix: -o settings compared with the kept ones') ?? 0 };
  };

  test('its options are compared a slice at a time; the matrix is kept while they read the same', () => {
    clearRelayMatrixMemo();
    const first = reused();
    // A comment added at the end: parsed again, the same options.
    files.set(`${DIR}/master.cf`, `${master('yes')}# note\n`);
    const second = reused();
    assert.equal(second.matrix, first.matrix);
    assert.ok(second.compared >= 2, `compared in slices (${second.compared} yields)`);
    // One option in the middle changes: computed again.
    files.set(`${DIR}/master.cf`, `${master('no')}# note\n`);
    const third = reused();
    assert.notEqual(third.matrix, first.matrix);
  });
});


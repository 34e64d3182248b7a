// The shared, cached analysis (server/src/features/analysis.ts) never shows a
// stale finding: after random edits of main.cf, master.cf and an open table,
// and after changes on disk of tables that are not open, the diagnostics the
// built server publishes equal a cold lint (engine lintDocument, in this
// process) of the final texts. Waits are on messages, never on time.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diskReader } from '../../server/src/disk/read-file';
import { clearLintMemo, lintDocument } from '../../server/src/engine/lint';
import { clearParseMemo } from '../../server/src/engine/tables/memo';
import { clearRelayMatrixMemo } from '../../server/src/engine/simulate/matrix-memo';
import type { FileReader } from '../../server/src/engine/types';
import { toDiagnostics } from '../../server/src/features/diagnostics';
import { ensureBuilt, fileUri, LspClient } from '../helpers/lsp-client';

const MAIN = `compatibility_level = 3.6
myhostname = mx.example.test
mynetworks = 127.0.0.0/8
smtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr
smtpd_recipient_restrictions = permit_mynetworks,
    check_recipient_access hash:/etc/postfix/access,
    reject_unauth_destination
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`;
const MASTER = `smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o smtpd_client_restrictions=check_client_access,hash:/etc/postfix/access,reject
pickup    unix  n       -       y       60      1       pickup
`;
const ACCESS = Array.from({ length: 40 }, (_, i) => `user${i}@example.test ${i % 3 === 0 ? 'REJECT' : 'OK'}`).join('\n') + '\n';
const CIDR = '10.0.0.0/8 OK\n192.168.0.0/16 REJECT\n';

/** Pieces that make and unmake findings: duplicates, bad actions, unknown parameters, broken lines. */
const SNIPPETS = [
  '\n',
  ' ',
  '#',
  ',',
  '=',
  'OK',
  'REJECT',
  'FROBNICATE',
  'user1@example.test REJECT\n',
  'user1@example.test OK\n',
  '10.0.0.0/33 OK\n',
  ' $undefined_thing',
  'smtpd_helo_required = yes\n',
  'myhostname = other.example.test\n',
  'check_sender_access hash:/etc/postfix/access, ',
  'permit_auth_destination, ',
  '  -o smtpd_tls_security_level=none\n',
  'reject_unauth_destination',
];

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Doc {
  path: string;
  uri: string;
  languageId: string;
  doc: TextDocument;
}

function essentials(d: Diagnostic[]): string[] {
  return d
    .map((x) => `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character} ${x.severity} ${x.code} ${x.message}`)
    .sort();
}

const disk = diskReader('utf8');

before(() => ensureBuilt());

describe('shared analysis: diagnostics equal a cold lint after edits', () => {
  let c: LspClient;
  let dir: string;
  let docs: Doc[];
  const seed = Number(process.env.INCREMENTAL_SEED ?? 0) || Math.floor(Math.random() * 2 ** 31);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postfix-incremental-'));
    writeFileSync(join(dir, 'main.cf'), MAIN);
    writeFileSync(join(dir, 'master.cf'), MASTER);
    writeFileSync(join(dir, 'access'), ACCESS);
    writeFileSync(join(dir, 'clients.cidr'), CIDR);
    c = LspClient.start();
    await c.initialize(fileUri(dir), { workspace: { didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } } });
    // main.cf last: the server publishes in the order documents were opened,
    // so main.cf's diagnostics close each round.
    docs = [
      ['access', 'postfix-map', ACCESS],
      ['master.cf', 'postfix-master', MASTER],
      ['main.cf', 'postfix-main', MAIN],
    ].map(([name, languageId, text]) => {
      const path = join(dir, name);
      return { path, uri: fileUri(path), languageId, doc: TextDocument.create(fileUri(path), languageId, 1, text) };
    });
    const since = c.mark();
    for (const d of docs) c.didOpen(d.uri, d.languageId, d.doc.getText(), 1);
    await c.waitForDiagnostics(docs[2].uri, { since, version: 1 });
  });
  after(async () => {
    await c.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The cold verdict on a document: the engine from scratch over the final texts (open buffers over the disk). */
  function coldLint(d: Doc): string[] {
    clearParseMemo();
    clearRelayMatrixMemo();
    clearLintMemo();
    const open = new Map(docs.map((x) => [x.path, x.doc.getText()]));
    // The same disk policy as the server (regular files, listings, links), open buffers first.
    const reader: FileReader = {
      ...disk,
      readText: (p) => (open.has(p) ? open.get(p) : disk.readText(p)),
      unreadable: (p) => (open.has(p) ? undefined : disk.unreadable(p)),
    };
    const kind = d.languageId === 'postfix-main' ? 'main' : d.languageId === 'postfix-master' ? 'master' : 'map';
    return essentials(lintDocument(d.path, d.doc.getText(), reader, { kind }).flatMap(toDiagnostics));
  }

  /** The last diagnostics the server published for each document. */
  function published(d: Doc): string[] {
    const all = c.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === d.uri);
    const last = all[all.length - 1]?.params as PublishDiagnosticsParams;
    assert.equal(last.version, d.doc.version, `${d.path}: last diagnostics are for version ${last.version}, not ${d.doc.version}`);
    return essentials(last.diagnostics);
  }

  function assertAllEqualCold(what: string): void {
    for (const d of docs) assert.deepEqual(published(d), coldLint(d), `${what}, ${d.path} (INCREMENTAL_SEED=${seed})\n--- text ---\n${d.doc.getText()}`);
  }

  function randomEdit(d: Doc, random: () => number): void {
    const text = d.doc.getText();
    const at = Math.floor(random() * (text.length + 1));
    const start = d.doc.positionAt(at);
    let change;
    if (random() < 0.6 || text.length === 0) {
      change = { range: { start, end: start }, text: SNIPPETS[Math.floor(random() * SNIPPETS.length)] };
    } else {
      const end = d.doc.positionAt(Math.min(text.length, at + 1 + Math.floor(random() * 12)));
      change = { range: { start, end }, text: '' };
    }
    const version = d.doc.version + 1;
    d.doc = TextDocument.update(d.doc, [change], version);
    c.didChange(d.uri, version, [change]);
  }

  test('random edits of main.cf, master.cf and an open table', async () => {
    const random = rng(seed);
    for (let round = 0; round < 12; round++) {
      const edits = 1 + Math.floor(random() * 6);
      for (let i = 0; i < edits; i++) randomEdit(docs[Math.floor(random() * docs.length)], random);
      // Ends each round with an edit of main.cf, whose diagnostics the server publishes last.
      const since = c.mark();
      randomEdit(docs[2], random);
      await c.waitForDiagnostics(docs[2].uri, { since, version: docs[2].doc.version });
      assertAllEqualCold(`round ${round}`);
    }
  });

  test('a table that is not open changes on disk, also within one timestamp tick and at the same size', async () => {
    // Back to texts that name the tables (the random edits may have broken the references).
    const restored = c.mark();
    for (const [d, text] of [[docs[0], ACCESS], [docs[1], MASTER], [docs[2], MAIN]] as const) {
      const version = d.doc.version + 1;
      d.doc = TextDocument.update(d.doc, [{ text }], version);
      c.didChange(d.uri, version, [{ text }]);
    }
    await c.waitForDiagnostics(docs[2].uri, { since: restored, version: docs[2].doc.version });
    assertAllEqualCold('restored texts');
    const cidr = join(dir, 'clients.cidr');
    const variants = ['10.0.0.0/8 OK\n10.0.0.0/8 OK\n', '10.0.0.0/8 OK\n10.0.0.0/33 OK\n', '10.0.0.0/8 OK\n10.0.0.0/34 OK\n', CIDR];
    for (const text of variants) {
      const since = c.mark();
      writeFileSync(cidr, text);
      c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(cidr), type: 2 }] });
      await c.waitForDiagnostics(docs[2].uri, { since });
      assertAllEqualCold(`after writing ${JSON.stringify(text)}`);
    }
    // The open table saved to disk with other text: the open buffer still wins.
    const since = c.mark();
    writeFileSync(docs[0].path, 'nobody@example.test FROBNICATE\n');
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: docs[0].uri, type: 2 }] });
    randomEdit(docs[2], rng(seed + 1));
    await c.waitForDiagnostics(docs[2].uri, { since, version: docs[2].doc.version });
    assertAllEqualCold('after saving other text under the open table');
  });

  test('one-character edits of a big open table (re-parsed in place) give the cold verdict', async () => {
    // Back to the table main.cf names, then a few thousand lines: the server
    // re-reads only the lines an edit touched (tables/access-parse.ts).
    const big = ACCESS + Array.from({ length: 3000 }, (_, i) => `bulk${i}@example.test ${i % 7 === 0 ? 'REJECT' : 'OK'}`).join('\n') + '\n';
    const restored = c.mark();
    for (const [d, text] of [[docs[0], big], [docs[2], MAIN]] as const) {
      const version = d.doc.version + 1;
      d.doc = TextDocument.update(d.doc, [{ text }], version);
      c.didChange(d.uri, version, [{ text }]);
    }
    await c.waitForDiagnostics(docs[2].uri, { since: restored, version: docs[2].doc.version });
    assertAllEqualCold('big table opened');
    const random = rng(seed + 2);
    const keys = ['user1@example.test OK\n', 'bulk5@example.test REJECT\n', 'BULK6@EXAMPLE.TEST OK\n', ' continued\n', '# c\n', 'x', '\n', ' ', 'key-only\n', '"'];
    for (let round = 0; round < 10; round++) {
      const d = docs[0];
      const text = d.doc.getText();
      // A line start or a place inside a line: duplicates made and unmade, lines split, joined, continued.
      const lineStart = text.lastIndexOf('\n', Math.floor(random() * text.length)) + 1;
      const at = random() < 0.5 ? lineStart : Math.min(text.length, lineStart + Math.floor(random() * 20));
      const start = d.doc.positionAt(at);
      const change =
        random() < 0.7
          ? { range: { start, end: start }, text: keys[Math.floor(random() * keys.length)] }
          : { range: { start, end: d.doc.positionAt(Math.min(text.length, at + 1 + Math.floor(random() * 30))) }, text: '' };
      const version = d.doc.version + 1;
      d.doc = TextDocument.update(d.doc, [change], version);
      c.didChange(d.uri, version, [change]);
      const since = c.mark();
      randomEdit(docs[2], rng(seed + 100 + round));
      await c.waitForDiagnostics(docs[2].uri, { since, version: docs[2].doc.version });
      assertAllEqualCold(`big table, edit ${round}`);
    }
    // Back to the small table for the tests that follow.
    const since = c.mark();
    for (const [d, text] of [[docs[0], ACCESS], [docs[2], MAIN]] as const) {
      const version = d.doc.version + 1;
      d.doc = TextDocument.update(d.doc, [{ text }], version);
      c.didChange(d.uri, version, [{ text }]);
    }
    await c.waitForDiagnostics(docs[2].uri, { since, version: docs[2].doc.version });
  });

  test('closing the open table: main.cf reads it from disk again', async () => {
    const since = c.mark();
    const [access] = docs.splice(0, 1);
    c.didClose(access.uri);
    await c.waitForDiagnostics(docs[1].uri, { since });
    assertAllEqualCold('after closing the table');
  });

  test('the closed table changes on disk a line at a time: the verdict follows', async () => {
    const access = join(dir, 'access');
    let text = ACCESS;
    const random = rng(seed + 3);
    const variants: ((t: string) => string)[] = [
      (t) => t + 'user1@example.test REJECT\n',
      (t) => t.replace('user2@example.test', 'user3@example.test'),
      (t) => t.replace('user5@example.test OK', 'user5@example.test XK'),
      (t) => t.replace('\nuser7', '\n user7'),
      (t) => t.replace('user1@example.test REJECT\n', ''),
    ];
    for (let i = 0; i < 6; i++) {
      text = variants[Math.floor(random() * variants.length)](text);
      const since = c.mark();
      writeFileSync(access, text);
      c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(access), type: 2 }] });
      randomEdit(docs[1], rng(seed + 200 + i));
      await c.waitForDiagnostics(docs[1].uri, { since, version: docs[1].doc.version });
      assertAllEqualCold(`after writing the table (${i})`);
    }
  });
});

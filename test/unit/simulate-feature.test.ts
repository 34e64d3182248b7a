// The simulator's LSP requests, on a stand-in connection that records the
// registered handlers (the protocol tests drive the real server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from 'vscode-languageserver/node';
import {
  RELAY_MATRIX_REQUEST,
  SIMULATE_REQUEST,
  SMTPD_SERVICES_REQUEST,
  SWAKS_REQUEST,
  registerSimulate,
  workspaceConfigForUri,
  type LocatedSource,
} from '../../server/src/features/simulate';
import type { FileReader } from '../../server/src/engine/types';

const files: Record<string, string> = {
  '/srv/pf/main.cf': 'compatibility_level = 3.6\nmydestination = example.test\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n',
  '/srv/pf/master.cf': 'smtp inet n - n - - smtpd\nsubmission inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n',
};
const reader: FileReader = { readText: (p) => files[p] };

function fakeConnection() {
  const handlers = new Map<string, (p: unknown) => unknown>();
  const conn = {
    onRequest(type: string | { method: string }, h: (p: unknown) => unknown) {
      handlers.set(typeof type === 'string' ? type : type.method, h);
    },
    console: { error() {} },
  };
  return { conn: conn as unknown as Connection, handlers };
}

test('registers postfix/simulate, postfix/relayMatrix, postfix/smtpdServices and postfix/swaks', () => {
  const { conn, handlers } = fakeConnection();
  registerSimulate(conn, workspaceConfigForUri(reader));
  assert.deepEqual([...handlers.keys()].sort(), [RELAY_MATRIX_REQUEST, SIMULATE_REQUEST, SMTPD_SERVICES_REQUEST, SWAKS_REQUEST].sort());

  const sim = handlers.get(SIMULATE_REQUEST)!({
    uri: 'file:///srv/pf/master.cf',
    transaction: { client: { address: '203.0.113.5' }, helo: 'x.example', sender: 'a@outside.example', recipients: ['v@ext.example'] },
  }) as { verdict: string; reply: { line: string }; configDir: string; trace: { source?: LocatedSource }[] };
  assert.equal(sim.verdict, 'reject');
  assert.equal(sim.reply.line, '554 5.7.1 <v@ext.example>: Relay access denied');
  assert.equal(sim.configDir, '/srv/pf');
  const located = sim.trace.filter((t) => t.source);
  assert.ok(located.length > 0);
  for (const t of located) assert.equal(t.source!.uri, 'file:///srv/pf/main.cf');

  const matrix = handlers.get(RELAY_MATRIX_REQUEST)!({ uri: 'file:///srv/pf' }) as { services: string[]; openRelay: boolean };
  assert.deepEqual(matrix.services, ['smtp/inet', 'submission/inet']);
  assert.equal(matrix.openRelay, false);

  const services = handlers.get(SMTPD_SERVICES_REQUEST)!({ uri: 'file:///srv/pf/main.cf' }) as { services: { name: string; line: number }[] };
  assert.deepEqual(services.services.map((s) => [s.name, s.line]), [['smtp', 0], ['submission', 1]]);
});

test('postfix/swaks: the command simulate --swaks prints (proven on a live smtpd by swaks-live.test.ts)', () => {
  const { conn, handlers } = fakeConnection();
  registerSimulate(conn, workspaceConfigForUri(reader));
  const outside = handlers.get(SWAKS_REQUEST)!({
    uri: 'file:///srv/pf/main.cf',
    transaction: { service: 'smtp', client: { address: '203.0.113.5' }, helo: 'x.example', sender: 'a@outside.example', recipients: ['v@ext.example'] },
  }) as { command: string; argv: string[]; notes: string[] };
  assert.equal(outside.command, "swaks --server localhost --port 25 --xclient-addr 203.0.113.5 --xclient-name '[UNAVAILABLE]' --xclient-reverse-name '[UNAVAILABLE]' --helo x.example --from a@outside.example --to v@ext.example --quit-after RCPT");
  assert.equal(outside.argv[0], 'swaks');
  assert.match(outside.notes.join(' '), /smtpd_authorized_xclient_hosts/);
  const user = handlers.get(SWAKS_REQUEST)!({
    uri: 'file:///srv/pf/main.cf',
    transaction: { service: 'submission', client: { address: '127.0.0.1' }, helo: 'localhost', saslUser: 'alice', sender: 'alice@example.test', recipients: ['v@ext.example'] },
  }) as { command: string };
  assert.equal(user.command, 'swaks --server localhost --port 587 --helo localhost --from alice@example.test --to v@ext.example --auth PLAIN --auth-user alice --auth-password "$SMTP_PASSWORD" --tls --quit-after RCPT');
  assert.deepEqual(handlers.get(SWAKS_REQUEST)!({ uri: 'untitled:x', transaction: { client: { address: '1.2.3.4' }, sender: '', recipients: ['x'] } }), { error: 'no main.cf found for untitled:x' });
});

test('answers an error, not an exception, when there is no configuration', () => {
  const { conn, handlers } = fakeConnection();
  registerSimulate(conn, workspaceConfigForUri(reader));
  const r = handlers.get(SIMULATE_REQUEST)!({ uri: 'untitled:Untitled-1', transaction: { client: { address: '1.2.3.4' }, sender: '', recipients: ['x'] } });
  assert.deepEqual(r, { error: 'no main.cf found for untitled:Untitled-1' });
});

// The simulator's LSP requests, on a stand-in connection that records the
// registered handlers (the protocol tests drive the real server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from 'vscode-languageserver/node';
import {
  RELAY_MATRIX_REQUEST,
  SIMULATE_REQUEST,
  SMTPD_SERVICES_REQUEST,
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

test('registers postfix/simulate, postfix/relayMatrix and postfix/smtpdServices', () => {
  const { conn, handlers } = fakeConnection();
  registerSimulate(conn, workspaceConfigForUri(reader));
  assert.deepEqual([...handlers.keys()].sort(), [RELAY_MATRIX_REQUEST, SIMULATE_REQUEST, SMTPD_SERVICES_REQUEST].sort());

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

test('answers an error, not an exception, when there is no configuration', () => {
  const { conn, handlers } = fakeConnection();
  registerSimulate(conn, workspaceConfigForUri(reader));
  const r = handlers.get(SIMULATE_REQUEST)!({ uri: 'untitled:Untitled-1', transaction: { client: { address: '1.2.3.4' }, sender: '', recipients: ['x'] } });
  assert.deepEqual(r, { error: 'no main.cf found for untitled:Untitled-1' });
});

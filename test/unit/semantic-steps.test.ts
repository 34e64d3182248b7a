// Semantic tokens on a master.cf of many services (issue 8): they reuse the
// lint's registration of postconf's parameters (kept per parse,
// engine/postconf/index.ts) instead of registering every per-service name again,
// and colour the settings in steps of SETTINGS_PER_STEP. Work is counted, never timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { lintConfig } from '../../server/src/engine/lint';
import { semanticTokens, semanticTokensSteps } from '../../server/src/engine/semantic/tokens';
import { SETTINGS_PER_STEP, type Steps } from '../../server/src/engine/steps';
import { stepped } from '../helpers/table-steps';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/etc/postfix';
const SERVICES = 3 * SETTINGS_PER_STEP;

/** Delivery services with an -o each (a few unknown, a few referring to main.cf), one smtpd with a dead restriction. */
function files(main: string): Record<string, string> {
  let master = 'smtp inet n - y - - smtpd\n  -o smtpd_client_restrictions=permit_mynetworks,reject,permit\n';
  for (let i = 0; i < SERVICES; i++) master += `svc${i} unix - n n - - smtp\n  -o ${i % 1000 === 0 ? 'syslog_nam' : 'syslog_name'}=postfix/$own${i % 3}\n`;
  return { [`${DIR}/main.cf`]: main, [`${DIR}/master.cf`]: master };
}

function load(f: Record<string, string>) {
  const reader: FileReader = { readText: (p) => f[p] };
  return loadConfig(DIR, reader, { mode: 'live' });
}

const labels = <T>(steps: Steps<T>): string[] => stepped(steps).sequence;

test('after the lint: no registration of their own, the master.cf coloured in steps of SETTINGS_PER_STEP', () => {
  const config = load(files('own0 = a\nown1 = b\nmyhostname = mx.example.com\n'));
  lintConfig(config);
  const seen = labels(semanticTokensSteps(config, config.masterPath));
  assert.deepEqual(seen.filter((l) => l.startsWith('postconf:')), [], 'postconf registration done again');
  // Each override is read twice: as a setting, and as an occurrence (occurrences.ts).
  const pieces = seen.filter((l) => l.startsWith('semantic tokens of') || l.startsWith('occurrences of')).length;
  assert.ok(pieces >= Math.floor((2 * SERVICES) / SETTINGS_PER_STEP), `${pieces} pieces for ${2 * SERVICES} settings`);
});

test('the same tokens with the lint\'s registration as with their own', () => {
  const main = 'own0 = a\nown1 = b\nmyhostname = mx.example.com\n';
  const linted = load(files(main));
  lintConfig(linted);
  const reused = semanticTokens(linted, linted.masterPath);
  // Another main.cf text: another parse, nothing kept for it; the same names.
  const alone = load(files(`${main}\n`));
  const seen = labels(semanticTokensSteps(alone, alone.masterPath));
  assert.ok(seen.some((l) => l.startsWith('postconf:')), 'registered in steps of its own');
  const own = semanticTokens(alone, alone.masterPath);
  assert.deepEqual(own, reused);
  const types = new Set(own.map((t) => t.type));
  for (const t of ['unknownParameter', 'undefinedReference', 'unreachableRestriction']) assert.ok(types.has(t as never), `${t} among ${[...types].join(', ')}`);
});

// What many smtpd services share instead of holding each: the expansion memo
// of services whose -o settings expand alike, and main.cf's restriction lists
// where a service's settings do not reach them (50,000 services each holding
// their own made young-generation GC pauses of 30-120 ms, issue 8). What is
// shared must be what each service would have computed alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { settingsKey } from '../../server/src/engine/expand';
import { RuleContext, serviceMemoKey } from '../../server/src/engine/rules/context';
import { serviceLists } from '../../server/src/engine/rules/lists';
import { SERVICES_PER_STEP } from '../../server/src/engine/steps';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/etc/postfix';
const MAIN = 'compatibility_level = 3.6\nmyhostname = mx.example.com\nsmtpd_restriction_classes = cls\ncls = permit_mynetworks, $extra\nextra = reject\nsmtpd_client_restrictions = cls, reject_unauth_pipelining\nsmtpd_helo_restrictions = $extra\n';

function reader(master: string): FileReader {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: MAIN, [`${DIR}/master.cf`]: master };
  return { readText: (p) => files[p] };
}

/** More services with -o settings than SERVICES_PER_STEP, each with its own syslog_name, then one of each kind below. */
function master(tail: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i <= SERVICES_PER_STEP; i++) lines.push(`127.0.0.1:${2000 + i} inet n - n - - smtpd\n  -o syslog_name=postfix/s${i}\n  -o smtpd_client_restrictions=permit_mynetworks,reject`);
  return [...lines, ...tail].join('\n') + '\n';
}

test('settingsKey: the last setting of a name wins; none is main.cf\'s', () => {
  const o = (name: string, value: string) => ({ name, value });
  assert.equal(settingsKey([]), '');
  assert.equal(settingsKey([o('a', '1'), o('b', '2'), o('a', '3')]), settingsKey([o('b', '2'), o('a', '3')]));
  assert.notEqual(settingsKey([o('a', '1')]), settingsKey([o('a', '2')]));
});

test('services that differ only in settings no value expands share one memo; their untouched lists are main.cf\'s', () => {
  const config = loadConfig(DIR, reader(master(['127.0.0.1:3000 inet n - n - - smtpd\n  -o extra=permit', '127.0.0.1:3001 inet n - n - - smtpd\n  -o smtpd_restriction_classes='])), { mode: 'live' });
  const ctx = new RuleContext(config, config.files);
  const services = ctx.smtpdServices().map((s) => s.service!);
  const [a, b] = services;
  const extra = services[services.length - 2];
  const noClasses = services[services.length - 1];
  assert.equal(serviceMemoKey(ctx, a), serviceMemoKey(ctx, b));
  assert.notEqual(serviceMemoKey(ctx, a), serviceMemoKey(ctx, extra));
  const main = serviceLists(ctx, undefined);
  const stage = (sl: ReturnType<typeof serviceLists>, s: string) => sl.lists.find((l) => l.stage === s)!;
  // a sets the client list: its own; the helo list reads $extra, which a does not set: main.cf's.
  assert.notEqual(stage(serviceLists(ctx, a), 'client'), stage(main, 'client'));
  assert.equal(stage(serviceLists(ctx, a), 'helo'), stage(main, 'helo'));
  assert.equal(serviceLists(ctx, a).classLists, main.classLists);
  // extra is read by the helo list and the class: both its own, with its value.
  assert.notEqual(stage(serviceLists(ctx, extra), 'helo'), stage(main, 'helo'));
  assert.deepEqual(stage(serviceLists(ctx, extra), 'helo').tokens.map((t) => t.text), ['permit']);
  assert.deepEqual(serviceLists(ctx, extra).classLists.get('cls')!.tokens.map((t) => t.text), ['permit_mynetworks', 'permit']);
  // Without the class, no list is main.cf's (its restrictions are grouped with other classes).
  assert.equal(serviceLists(ctx, noClasses).classes.size, 0);
  assert.notEqual(stage(serviceLists(ctx, noClasses), 'helo'), stage(main, 'helo'));
  assert.equal(stage(serviceLists(ctx, noClasses), 'client').items[0].kind, 'unknown');
});

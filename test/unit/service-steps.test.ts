// Rules judge every smtpd service of master.cf, and a master.cf may start
// 50,000 of them (issue 8): each rule walks them in steps of
// SERVICES_PER_STEP (engine/steps.ts), so the language server answers between
// the steps. Work is counted here, never timed: services visited (elements
// of RuleContext.smtpdServices() read) between two yields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { runRulesSteps } from '../../server/src/engine/rules';
import { RuleContext } from '../../server/src/engine/rules/context';
import { labelText, SERVICES_PER_STEP } from '../../server/src/engine/steps';
import type { FileReader } from '../../server/src/engine/types';

const DIR = '/etc/postfix';
const SERVICES = 8 * SERVICES_PER_STEP;
const MAIN = 'compatibility_level = 3.6\nmyhostname = mx.example.com\nmydestination = example.com, $myhostname\nmynetworks = 127.0.0.0/8, 2001:db8::/32\nsmtpd_sasl_auth_enable = yes\n';
/** The bench's services series (scripts/bench-scaling.mjs) in small: loopback smtpd services with an option each, between smtp clients, and public MX services (a domain of its own, port 25: the intent rules judge those). */
function master(n: number): string {
  let out = 'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n';
  for (let i = 0; i < n; i++) {
    out += `svc${i} unix - n n - - smtp\n  -o syslog_name=postfix/svc${i}\n`;
    // Every second on port 25 of an address of its own: a public MX.
    const at = i % 2 ? `127.0.${(i >> 8) & 255}.${i & 255}:${1024 + i}` : `192.0.${(i >> 8) & 255}.${i & 255}:25`;
    out += `${at} inet n - n - - smtpd\n  -o smtpd_client_restrictions=permit_mynetworks,reject\n`;
  }
  return out;
}

test(`no rule judges more than ${SERVICES_PER_STEP} services between two yields`, () => {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: MAIN, [`${DIR}/master.cf`]: master(SERVICES) };
  const reader: FileReader = { readText: (p) => files[p] };
  const config = loadConfig(DIR, reader, { mode: 'live' });
  // A service visited is an element of smtpdServices() read (for…of, find and filter all read them by index).
  const services = RuleContext.prototype.smtpdServices;
  let visits = 0;
  RuleContext.prototype.smtpdServices = function (this: RuleContext) {
    return new Proxy(services.call(this), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) visits++;
        return Reflect.get(target, key, receiver);
      },
    });
  };
  // A parameter read for a service (RuleContext.raw): some rules walk master.cf's services themselves.
  const raw = RuleContext.prototype.raw;
  let reads = 0;
  RuleContext.prototype.raw = function (this: RuleContext, ...args: Parameters<typeof raw>) {
    reads++;
    return raw.apply(this, args);
  };
  // The most services visited in one piece of each rule: its pieces end at its own yields, the last at its `rule PF…` label.
  type Tally = { worst: number; total: number };
  const most = new Map<string, { visits: Tally; reads: Tally }>();
  try {
    const steps = runRulesSteps(config, config.files);
    let v = { worst: 0, total: 0 };
    let p = { worst: 0, total: 0 };
    const tally = (t: Tally, n: number): Tally => ({ worst: Math.max(t.worst, n), total: t.total + n });
    for (;;) {
      const r = steps.next();
      if (r.done) break;
      v = tally(v, visits);
      p = tally(p, reads);
      visits = reads = 0;
      const rule = /^rule (.*)$/.exec(r.value ? labelText(r.value) : '')?.[1];
      if (rule) {
        most.set(rule, { visits: v, reads: p });
        v = { worst: 0, total: 0 };
        p = { worst: 0, total: 0 };
      }
    }
  } finally {
    RuleContext.prototype.smtpdServices = services;
    RuleContext.prototype.raw = raw;
  }
  // A rule that judges every service visits each at least once, or reads a parameter for each; in steps, no piece holds more than SERVICES_PER_STEP
  // services' worth of its visits (four times that: a step may end mid-service, a rule may judge only the MX services, half
  // of them, and look a service up by key). A rule in one piece holds all its visits in it: twice the bound.
  const whole = ({ worst, total }: Tally) => total >= SERVICES && worst > (4 * total * SERVICES_PER_STEP) / SERVICES;
  const over = [...most].filter(([, t]) => whole(t.visits) || whole(t.reads)).map(([rule]) => rule);
  assert.ok(most.size > 10, 'the rules ran');
  assert.deepEqual(
    over,
    [],
    `rules visiting more than ${SERVICES_PER_STEP} services in one piece (${SERVICES} services): ${JSON.stringify(Object.fromEntries(most))}`,
  );
});

// The rules over restriction lists run in steps (engine/steps.ts): a list of
// 2^13 copies of a few words is split, grouped and walked ITEMS_PER_STEP words at a time, so
// the language server can answer between the steps (issue 8). What the steps
// compute is what the synchronous calls compute: the CLI drains the same
// generators. Steps are counted here, never timed (speed is in
// docs/benchmarks.md).
import { test } from 'node:test';
import { stepped } from '../helpers/table-steps';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/src/engine/config';
import { clearLintMemo, lintConfig, lintConfigSteps } from '../../server/src/engine/lint';
import { RULES, runRules, runRulesSteps } from '../../server/src/engine/rules';
import { RuleContext } from '../../server/src/engine/rules/context';
import { allLists, serviceLists, serviceListsSteps } from '../../server/src/engine/rules/lists';
import { drain, ITEMS_PER_STEP, WRITTEN_WORDS_PER_STEP } from '../../server/src/engine/steps';
import type { FileReader, Problem } from '../../server/src/engine/types';

const DIR = '/etc/postfix';
const MASTER = 'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n';

/**
 * A main.cf whose recipient list holds 2^k copies of a few restrictions by
 * doubling, with findings in it (an unknown name, a missing argument, an old
 * name, a DNS list before the own permits) and a domain list of 2^k words in
 * two address classes.
 */
function doubling(k: number): string {
  let main = 'compatibility_level = 3.6\nmyhostname = mx.example.com\nsmtpd_sasl_auth_enable = yes\n';
  main += 'a0 = reject_rbl_client zen.spamhaus.org, permit_mynetwork, reject_unknown_client, check_client_access, permit_mynetworks\n';
  main += 'd0 = example.com\n';
  for (let i = 1; i <= k; i++) main += `a${i} = $a${i - 1} $a${i - 1}\nd${i} = $d${i - 1} $d${i - 1}\n`;
  return `${main}smtpd_recipient_restrictions = $a${k}, reject_unauth_destination\nmydestination = $d${k}\nvirtual_alias_domains = example.com\n`;
}

function reader(main: string, master = MASTER): FileReader {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: main, [`${DIR}/master.cf`]: master };
  return { readText: (p) => files[p] };
}


const plain = (ps: readonly Problem[]) => ps.map((p) => JSON.stringify(p));

test('a lint in steps, with other lints run between its steps, gives what the drained lint gives', () => {
  const main = doubling(12);
  clearLintMemo();
  const drained = lintConfig(loadConfig(DIR, reader(main), { mode: 'live' }));
  assert.ok(drained.some((p) => p.code === 'PF402'), 'the unknown restriction is found');
  assert.ok(drained.some((p) => p.code === 'PF404'), 'the missing argument is found');
  assert.ok(drained.some((p) => p.code === 'PF410'), 'the old name is found');
  assert.ok(drained.some((p) => p.code === 'PF508'), 'the domain in two classes is found');
  clearLintMemo();
  // What the server does between two steps: answers other requests, which lint and read lists too.
  const other = () => void lintConfig(loadConfig('/etc/other', { readText: (p) => (p.endsWith('main.cf') ? doubling(3) : MASTER) }, { mode: 'live' }));
  const run = stepped(lintConfigSteps(loadConfig(DIR, reader(main), { mode: 'live' })), other);
  assert.deepEqual(plain(run.value), plain(drained));
});

test('every rule in steps gives what its check gives', () => {
  const config = loadConfig(DIR, reader(doubling(10)), { mode: 'live' });
  for (const rule of RULES) {
    if (!rule.steps) continue;
    const checked = rule.check(new RuleContext(config, config.files));
    const run = stepped(rule.steps(new RuleContext(config, config.files)));
    assert.deepEqual(plain(run.value), plain(checked), rule.codes.map((c) => c.code).join(','));
  }
  const rules = stepped(runRulesSteps(config, config.files));
  assert.deepEqual(plain(rules.value), plain(runRules(config, config.files)));
});

test('a restriction list of 49,153 words is built and walked in steps of ITEMS_PER_STEP words; one of 2^3 words takes none', () => {
  const big = loadConfig(DIR, reader(doubling(13)), { mode: 'live' });
  // 2^13 copies of a0's six words: 49,152 words, in the recipient list.
  const words = 6 << 13;
  const lists = stepped(serviceListsSteps(new RuleContext(big, big.files), undefined));
  const recipient = lists.value.lists.find((l) => l.stage === 'recipient')!;
  assert.equal(recipient.tokens.length, words + 1);
  // Split (the words of each $aN level, checked against the expansion) and grouped, each a step per ITEMS_PER_STEP words.
  assert.ok((lists.labels.get('restrictions of smtpd_recipient_restrictions') ?? 0) >= Math.floor(recipient.tokens.length / ITEMS_PER_STEP) - 1, JSON.stringify([...lists.labels]));
  assert.ok((lists.labels.get('words of smtpd_recipient_restrictions') ?? 0) >= Math.floor(words / ITEMS_PER_STEP) - 1, JSON.stringify([...lists.labels]));
  // The passes of the rules over it.
  const rules = stepped(runRulesSteps(big, big.files));
  for (const label of ['PF402 unknown restrictions', 'PF404-PF407 restriction arguments', 'PF409,PF410 old restriction names', 'relay guard: has_required', 'DNS lists in restrictions'])
    assert.ok((rules.labels.get(label) ?? 0) >= 2, `${label}: ${JSON.stringify([...rules.labels])}`);
  // The domain list: 2^13 words.
  assert.ok((rules.labels.get('domains of mydestination') ?? 0) >= 1);
  // No step unnamed.
  assert.equal(rules.labels.get('(unlabelled)'), undefined);

  const small = loadConfig(DIR, reader(doubling(3)), { mode: 'live' });
  assert.equal(stepped(serviceListsSteps(new RuleContext(small, small.files), undefined)).yields, 0);
});

test('a service without -o settings reads main.cf\'s lists, built once; one with them has its own of what they change', () => {
  const config = loadConfig(DIR, reader(doubling(2)), { mode: 'live' });
  const ctx = new RuleContext(config, config.files);
  const [smtp, submission] = ctx.smtpdServices();
  assert.equal(serviceLists(ctx, smtp.service).lists, serviceLists(ctx, undefined).lists);
  assert.equal(serviceLists(ctx, smtp.service).service, smtp.service);
  assert.notEqual(serviceLists(ctx, submission.service).lists, serviceLists(ctx, undefined).lists);
  assert.equal(serviceLists(ctx, submission.service).lists.find((l) => l.stage === 'client')!.tokens.map((t) => t.text).join(' '), 'permit_sasl_authenticated reject');
  // submission sets only the client list: its other lists are main.cf's objects.
  const stage = (service: typeof smtp.service, s: string) => serviceLists(ctx, service).lists.find((l) => l.stage === s)!;
  assert.equal(stage(submission.service, 'recipient'), stage(undefined, 'recipient'));
  assert.notEqual(stage(submission.service, 'client'), stage(undefined, 'client'));
  // Each shared list once in allLists, with the first context that has it (smtp's).
  const recipient = allLists(ctx).filter((l) => l.parameter === 'smtpd_recipient_restrictions');
  assert.equal(recipient.length, 1);
  assert.equal(recipient[0].sl.service, smtp.service);
  const client = allLists(ctx).filter((l) => l.parameter === 'smtpd_client_restrictions');
  assert.deepEqual(client.map((l) => l.sl.service), [smtp.service, submission.service]);
  // Drained and stepped calls share the one result.
  assert.equal(drain(serviceListsSteps(ctx, smtp.service)), serviceLists(ctx, smtp.service));
});

test('a mynetworks of 100,000 networks is made, bracketed and judged in steps by the relay and mynetworks rules', () => {
  const nets = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  // An unbracketed IPv6 network (PF503) and a private /8 (PF501 warning) among them.
  const main = `compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8 ${nets.slice(0, 50_000).join(' ')} 2001:db8::/32 10.0.0.0/8 ${nets.slice(50_000).join(' ')}\n`;
  const config = loadConfig(DIR, reader(main), { mode: 'live' });
  const words = 100_003;
  for (const rule of RULES.filter((r) => r.codes.some((c) => c.code === 'PF500' || c.code === 'PF503'))) {
    const run = stepped(rule.steps!(new RuleContext(config, config.files)));
    assert.deepEqual(plain(run.value), plain(rule.check(new RuleContext(config, config.files))));
    // Its words made WRITTEN_WORDS_PER_STEP at a time (before: one piece of 60-170 ms), then walked ITEMS_PER_STEP at a time.
    const made = [...run.labels].filter(([l]) => l.startsWith('words of mynetworks')).reduce((a, [, n]) => a + n, 0);
    assert.ok(made >= Math.floor(words / WRITTEN_WORDS_PER_STEP), `${made} steps making words: ${JSON.stringify([...run.labels])}`);
    const walked = (run.labels.get('mynetworks: brackets') ?? 0) + (run.labels.get('mynetworks: networks judged') ?? 0);
    assert.ok(walked >= Math.floor(words / ITEMS_PER_STEP), `${walked} steps walking words: ${JSON.stringify([...run.labels])}`);
  }
  const found = runRules(config, config.files).map((p) => p.code);
  assert.ok(found.includes('PF503') && found.includes('PF501'), found.join(' '));
});

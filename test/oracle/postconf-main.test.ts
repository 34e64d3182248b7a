// Differential test: our postconf emulation against the real postconf for
// main.cf (-n, -nx, -d), over hand-written edge cases, the corpus and random
// configs, without and with a master.cf (whose read warnings, -o name spaces
// and unused settings -n reports too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTools, sharedDir } from '../helpers/env';
import { ConfigDir, normalizeWarnings, PID_MARKER, run, runAsync, type ToolRun, runBounded, TOOLS_PARALLEL } from '../helpers/postfix-tools';
import { postconfMain } from '../../server/src/engine/postconf/main';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import { hostModel } from '../../server/src/cli/host';
import { mainCfArbitrary } from '../helpers/arbitraries';
import { warningsAgree } from '../fixtures/mastercf/harness';
import { MAIN_VARIANTS, masterCfText } from '../fixtures/mastercf/generator';

const host = { ...hostModel(), processId: PID_MARKER };

interface Comparison {
  mode: string;
  ok: boolean;
  detail: string;
}

const readLatin1 = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1') : undefined);


/** Writes DIR/main.cf (and master.cf when given), backdated. */
function configDir(mainText: string, masterText?: string): ConfigDir {
  const d = new ConfigDir();
  d.write('main.cf', Buffer.from(mainText, 'latin1'));
  if (masterText !== undefined) d.write('master.cf', Buffer.from(masterText, 'latin1'));
  return d;
}

/** Our emulation of `postconf -c DIR ARGS` on that directory, judged against the real run. */
function judge(d: ConfigDir, args: string[], real: ToolRun, mainText: string, masterText?: string): Comparison {
  const flags = args.join('');
  const master = masterText === undefined ? undefined : parseMasterCf(masterText, `${d.dir}/master.cf`);
  const ours0 = postconfMain({
    dir: d.dir,
    mainText,
    master,
    readFile: readLatin1,
    nonDefault: flags.includes('n'),
    expand: flags.includes('x'),
    defaults: flags.includes('d'),
    host,
  });
  const ours = { ...ours0, stdout: ours0.stdout.replaceAll(PID_MARKER, String(real.pid)), stderr: ours0.stderr.replaceAll(PID_MARKER, String(real.pid)) };
  const realWarn = normalizeWarnings(real.stderr);
  const ourWarn = normalizeWarnings(ours.stderr);
  // Postfix crashes (SIGSEGV) on a self-referencing comparison; we must report a fatal error instead.
  const crashes = (lines: string[]) => lines.some((l) => l.includes('Postfix itself crashes'));
  const crashed = real.status === -1 && ours.status === 1 && (crashes(ourWarn) || (ours.alternatives ?? []).some(crashes));
  const ok = crashed || (real.stdout === ours.stdout && real.status === ours.status && warningsAgree(realWarn, ourWarn, ours.alternatives, ours.optional));
  const detail = ok
    ? ''
    : `postconf ${args.join(' ')} on:\n${mainText}\n${masterText === undefined ? '' : `--- master.cf\n${masterText}\n`}--- real (status ${real.status}):\n${real.stdout}${realWarn.join('\n')}\n--- ours (status ${ours.status}):\n${ours.stdout}${ourWarn.join('\n')}`;
  return { mode: args.join(' '), ok, detail };
}

/** Runs real and emulated postconf on one main.cf (and master.cf, when given) and compares. */
function compare(mainText: string, modes: string[][] = [['-n'], ['-nx']], masterText?: string): Comparison[] {
  const known = compared.get(compareKey(mainText, modes, masterText));
  if (known) return known;
  const d = configDir(mainText, masterText);
  try {
    return modes.map((args) => judge(d, args, run('postconf', ['-c', d.dir, ...args]), mainText, masterText));
  } finally {
    d.dispose();
  }
}

/**
 * The same, with the modes' postconf runs in the background side by side: a
 * postconf that stops at a fatal error sleeps a second before it exits, so
 * many configurations go through runBounded rather than one after another.
 */
async function compareAsync(mainText: string, modes: string[][], masterText?: string): Promise<Comparison[]> {
  const d = configDir(mainText, masterText);
  try {
    const reals = await Promise.all(modes.map((args) => runAsync('postconf', ['-c', d.dir, ...args])));
    return modes.map((args, i) => judge(d, args, reals[i], mainText, masterText));
  } finally {
    d.dispose();
  }
}

/** Comparisons already made by compareAll, by configuration and modes. */
const compared = new Map<string, Comparison[]>();
const compareKey = (mainText: string, modes: string[][], masterText?: string) => JSON.stringify([mainText, modes, masterText ?? null]);

/**
 * compareAsync over many configurations, a few at a time; remembers each
 * result for compare(), so that a property run over the same inputs (fc.sample
 * and fc.assert draw the same values from one seed) finds them made.
 */
async function compareAll(cases: { main: string; master?: string }[], modes: string[][] = [['-n'], ['-nx']]): Promise<Comparison[][]> {
  return runBounded(cases, async (c) => {
    const r = await compareAsync(c.main, modes, c.master);
    compared.set(compareKey(c.main, modes, c.master), r);
    return r;
  }, Math.max(1, Math.floor(TOOLS_PARALLEL / modes.length)));
}

function assertAgree(results: Comparison[]): void {
  const bad = results.filter((r) => !r.ok);
  assert.equal(bad.length, 0, bad.map((b) => b.detail).join('\n\n'));
}

const EDGE_CASES: Record<string, string> = {
  continuation: 'compatibility_level = 3.6\nmydestination = one,\n    two,\n\ttwo2\n  three\n',
  'comment and blank inside continuation': 'compatibility_level = 3.6\nmydestination = one,\n# comment\n\n  two\n',
  'indented comment ends value': 'compatibility_level = 3.6\nmydestination = one,\n  # two\n',
  'hash is not a comment after text': 'compatibility_level = 3.6\nmyhostname = host # not a comment\n',
  'whitespace around =': 'compatibility_level = 3.6\nmyhostname=host\nrelayhost   =   [x]:587   \n',
  'empty value': 'compatibility_level = 3.6\nrelayhost =\n',
  'quotes kept': 'compatibility_level = 3.6\nrelayhost = "host"\n',
  'first line indented': '  myhostname = h\ncompatibility_level = 3.6\n',
  'indented line joins previous': 'compatibility_level = 3.6\n  myhostname = host.example\n',
  crlf: 'compatibility_level = 3.6\r\nmyhostname = host.example\r\nmydomain = example\r\n',
  'all reference forms': 'compatibility_level = 3.6\nmydomain = ex.test\nmyorigin = $mydomain\nmyhostname = mx.${mydomain}\nsmtpd_banner = $(myhostname) ESMTP\n',
  'dollar dollar': 'compatibility_level = 3.6\nrelayhost = a$$b\n',
  conditionals:
    'compatibility_level = 3.6\nmydomain = ex.test\nrelayhost = ${mydomain?val}\nmyorigin = ${mydomain?{a, b}}\nsmtpd_banner = ${nosuch:fallback} ${mydomain?{then}:{else}}\n',
  'empty conditional': 'compatibility_level = 3.6\nrelayhost =\nmyorigin = x${relayhost?val}y${relayhost:{x, y}}\n',
  relational:
    'compatibility_level = 3.6\nmydomain = ex.test\nrelayhost = ${{$mydomain} == {ex.test}?{eq}:{ne}}\nmyorigin = ${{$compatibility_level} < {3}?{old}:{new}}\nsmtpd_banner = ${{$compatibility_level} <level {3}?{old}:{new}}\n',
  duplicates: 'compatibility_level = 3.6\nrelayhost = x\nrelayhost = y\nrelayhost = z\n',
  'duplicate same value': 'compatibility_level = 3.6\nrelayhost = x\nrelayhost = x\n',
  'unknown names': 'compatibility_level = 3.6\nsmtpd_recipent_restrictions = permit_mynetworks, reject\nMyHostname = host.example\n',
  'user-defined used and unused':
    'compatibility_level = 3.6\nmy_rbl = zen.spamhaus.org\nsmtpd_client_restrictions = reject_rbl_client $my_rbl\nlonely = 1\n',
  'undefined reference': 'compatibility_level = 3.6\nrelayhost = $undefined_thing\n',
  'restriction classes':
    'compatibility_level = 3.6\nsmtpd_restriction_classes = from_us, to_us\nfrom_us = check_sender_access hash:/etc/postfix/from_us\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n',
  'read-only assignment': 'compatibility_level = 3.6\nprocess_name = foo\n',
  'missing equals': 'compatibility_level = 3.6\nmyhostname host.example\n',
  'recursion': 'compatibility_level = 3.6\nrelayhost = $myorigin\nmyorigin = $relayhost\n',
  'bare dollar': 'compatibility_level = 3.6\nrelayhost = a$\n',
  'truncated macro': 'compatibility_level = 3.6\nrelayhost = ${mydomain\n',
  'braces kept literally': 'compatibility_level = 3.6\nmyhostname = { host.example }\nsmtpd_client_restrictions = permit_mynetworks, { reject_rbl_client zen.spamhaus.org=127.0.0.[2..11] }\n',
  'legacy name set': 'compatibility_level = 3.6\nvirtual_maps = hash:/etc/postfix/virtual\n',
  'compat 0 defaults': 'relay_domains = $mydestination\n',
  'only comments': '# nothing here\n\n   \n',
  'no final newline': 'compatibility_level = 3.6\nmyhostname = h.example',
  'tabs and odd whitespace': 'compatibility_level\t=\t3.6\nmydestination =\tone\t\ttwo   three\t\n',
  'config_directory override': 'compatibility_level = 3.6\nconfig_directory = /elsewhere\n',
};

test('postconf -n / -nx: edge cases from the oracle notes agree with real postconf', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const all = await compareAll(Object.values(EDGE_CASES).map((main) => ({ main })));
  for (const [k, name] of Object.keys(EDGE_CASES).entries()) {
    const results = all[k];
    assert.equal(results.filter((r) => !r.ok).length, 0, `case "${name}":\n${results.map((r) => r.detail).join('\n')}`);
  }
});

test('postconf -n / -nx: every main.cf in the corpus and Debian stock files agree', async (t) => {
  if (!requireTools(t, { commands: ['postconf'], path: join(sharedDir, 'corpus') })) return;
  const files: string[] = [];
  for (const project of readdirSync(join(sharedDir, 'corpus'))) {
    const dir = join(sharedDir, 'corpus', project);
    if (!existsSync(dir) || project.endsWith('.tsv')) continue;
    for (const f of readdirSync(dir)) if (/^main\.cf/.test(f)) files.push(join(dir, f));
  }
  for (const f of ['/usr/share/postfix/main.cf.dist', '/usr/share/postfix/main.cf.debian']) if (existsSync(f)) files.push(f);
  assert.ok(files.length >= 8, `found ${files.length} main.cf files`);
  const all = await compareAll(files.map((f) => ({ main: readFileSync(f, 'latin1') })));
  for (const [k, f] of files.entries()) {
    const results = all[k];
    assert.equal(results.filter((r) => !r.ok).length, 0, `${f}:\n${results.map((r) => r.detail).join('\n')}`);
  }
});

test('postconf -n / -nx: random configurations agree (property-based)', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const params = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 100000) };
  // The real runs first, side by side, for the values fc.assert is going to
  // draw; fc.assert then judges each (and any shrunk case runs as it comes).
  await compareAll(fc.sample(mainCfArbitrary(), params).map((main) => ({ main })));
  let runs = 0;
  let made = 0;
  fc.assert(
    fc.property(mainCfArbitrary(), (text) => {
      runs++;
      if (compared.has(compareKey(text, [['-n'], ['-nx']]))) made++;
      assertAgree(compare(text));
    }),
    params,
  );
  t.diagnostic(`${runs} configurations judged, ${made} of their real runs made side by side beforehand`);
});

test('postconf -d: the catalog has every parameter the real postconf knows, with the same default', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  assertAgree(compare('compatibility_level = 3.6\n', [['-d']]));
});

test('postconf -n / -nx / -d with a master.cf: corpus pairs agree', async (t) => {
  if (!requireTools(t, { commands: ['postconf'], path: join(sharedDir, 'corpus') })) return;
  const pairs: { project: string; main: string; master: string }[] = [];
  for (const project of readdirSync(join(sharedDir, 'corpus'))) {
    const dir = join(sharedDir, 'corpus', project);
    if (project.endsWith('.tsv') || !existsSync(join(dir, 'master.cf'))) continue;
    const master = readFileSync(join(dir, 'master.cf'), 'latin1');
    const mains = ['compatibility_level = 3.6\n'];
    if (existsSync(join(dir, 'main.cf'))) mains.push(readFileSync(join(dir, 'main.cf'), 'latin1'));
    for (const main of mains) pairs.push({ project, main, master });
  }
  const all = await compareAll(pairs, [['-n'], ['-nx'], ['-d']]);
  for (const [k, { project }] of pairs.entries()) {
    const results = all[k];
    assert.equal(results.filter((r) => !r.ok).length, 0, `${project}:\n${results.map((r) => r.detail).join('\n')}`);
  }
  t.diagnostic(`${pairs.length} main.cf/master.cf pairs`);
  assert.ok(pairs.length >= 6, `found ${pairs.length} pairs`);
});

test('postconf -n / -nx with random master.cf files, valid and broken (fast-check samples)', async (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 100000) + 1;
  const main = fc.oneof(fc.constantFrom(...MAIN_VARIANTS), mainCfArbitrary());
  const master = fc.oneof({ weight: 4, arbitrary: masterCfText(false) }, { weight: 1, arbitrary: masterCfText(true) });
  const samples = fc.sample(fc.tuple(main, master), { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), seed });
  const all = await compareAll(samples.map(([mainText, masterText]) => ({ main: mainText, master: masterText })));
  const bad = all.flat().filter((r) => !r.ok).map((r) => r.detail);
  t.diagnostic(`${samples.length} main.cf/master.cf pairs (seed ${seed}), ${bad.length} disagreements`);
  assert.equal(bad.length, 0, bad.slice(0, 2).join('\n\n'));
});

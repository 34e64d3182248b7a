// Differential test: our postconf emulation against the real postconf for
// main.cf (-n, -nx), over hand-written edge cases, the corpus and random configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTools, sharedDir } from '../helpers/env';
import { ConfigDir, normalizeWarnings, PID_MARKER, run } from '../helpers/postfix-tools';
import { postconfMain } from '../../server/src/engine/postconf/main';
import { hostModel } from '../../server/src/cli/host';
import { mainCfArbitrary } from '../helpers/arbitraries';

const host = { ...hostModel(), processId: PID_MARKER };

interface Comparison {
  mode: string;
  ok: boolean;
  detail: string;
}

/** Runs real and emulated postconf on one main.cf (no master.cf) and compares. */
function compare(mainText: string, modes: string[][] = [['-n'], ['-nx']]): Comparison[] {
  const d = new ConfigDir();
  try {
    d.write('main.cf', Buffer.from(mainText, 'latin1'));
    return modes.map((args) => {
      const real = run('postconf', ['-c', d.dir, ...args]);
      const flags = args.join('');
      const ours0 = postconfMain({
        dir: d.dir,
        mainText,
        master: undefined,
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
      const ok =
        crashed ||
        (real.stdout === ours.stdout && real.status === ours.status && warningsAgree(realWarn, ourWarn, ours.alternatives, ours.optional));
      const detail = ok
        ? ''
        : `postconf ${args.join(' ')} on:\n${mainText}\n--- real (status ${real.status}):\n${real.stdout}${realWarn.join('\n')}\n--- ours (status ${ours.status}):\n${ours.stdout}${ourWarn.join('\n')}`;
      return { mode: args.join(' '), ok, detail };
    });
  } finally {
    d.dispose();
  }
}

/**
 * Equal warnings; where several settings fail to expand, postconf reports the
 * first in its per-run hash order, so any of our alternatives may be the one.
 */
function warningsAgree(real: string[], ours: string[], alternatives?: string[][], optional: string[] = []): boolean {
  if (JSON.stringify(real) === JSON.stringify(ours)) return true;
  if (!alternatives) return false;
  const skip = new Set([...alternatives[0], ...optional]);
  const mandatory = ours.filter((l) => !skip.has(l));
  const realSet = new Set(real);
  if (!mandatory.every((l) => realSet.has(l))) return false;
  return alternatives.some((alt) => {
    if (!alt.every((l) => realSet.has(l))) return false;
    const allowed = new Set([...mandatory, ...optional, ...alt]);
    return real.every((l) => allowed.has(l));
  });
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

test('postconf -n / -nx: edge cases from the oracle notes agree with real postconf', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  for (const [name, text] of Object.entries(EDGE_CASES)) {
    const results = compare(text);
    assert.equal(results.filter((r) => !r.ok).length, 0, `case "${name}":\n${results.map((r) => r.detail).join('\n')}`);
  }
});

test('postconf -n / -nx: every main.cf in the corpus and Debian stock files agree', (t) => {
  if (!requireTools(t, { commands: ['postconf'], path: join(sharedDir, 'corpus') })) return;
  const files: string[] = [];
  for (const project of readdirSync(join(sharedDir, 'corpus'))) {
    const dir = join(sharedDir, 'corpus', project);
    if (!existsSync(dir) || project.endsWith('.tsv')) continue;
    for (const f of readdirSync(dir)) if (/^main\.cf/.test(f)) files.push(join(dir, f));
  }
  for (const f of ['/usr/share/postfix/main.cf.dist', '/usr/share/postfix/main.cf.debian']) if (existsSync(f)) files.push(f);
  assert.ok(files.length >= 8, `found ${files.length} main.cf files`);
  for (const f of files) {
    const results = compare(readFileSync(f, 'latin1'));
    assert.equal(results.filter((r) => !r.ok).length, 0, `${f}:\n${results.map((r) => r.detail).join('\n')}`);
  }
});

test('postconf -n / -nx: random configurations agree (property-based)', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  fc.assert(
    fc.property(mainCfArbitrary(), (text) => {
      assertAgree(compare(text));
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 100000) },
  );
});

test('postconf -d: the catalog has every parameter the real postconf knows, with the same default', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  assertAgree(compare('compatibility_level = 3.6\n', [['-d']]));
});

// Formatting changes nothing Postfix reads: real postconf -n (main.cf), -M
// and -P (master.cf services and their -o settings), stdout and warnings,
// are the same before and after formatting, on the corpus and on random files.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { formatText } from '../../server/src/engine/format';
import { requireTools } from '../helpers/env';
import { ConfigDir, normalizeWarnings, runAsync } from '../helpers/postfix-tools';
import { mainCfArbitrary } from '../helpers/arbitraries';
import { masterCfText } from '../fixtures/mastercf/generator';

const CORPUS = '/work/shared/corpus';
const PAIRS: [string, string | undefined, string | undefined][] = [
  ['debian-postfix-3.7', 'main.cf.dist', 'master.cf.dist'],
  ['debian-postfix-3.7', 'main.cf.debian', undefined],
  ['docker-mailserver', 'main.cf', 'master.cf'],
  ['iredmail', 'main.cf', 'master.cf'],
  ['mailu', 'main.cf', 'master.cf'],
  ['postfix-upstream', 'main.cf', 'master.cf'],
  ['mailcow', undefined, 'master.cf'],
];

let unstable = 0;

/** What postconf reports for the directory's main.cf and master.cf (the three runs side by side). */
function postconfView(d: ConfigDir, as = d.dir): Promise<string[]> {
  return Promise.all(
    ['-n', '-M', '-P'].map(async (flag) => {
      const r = await runAsync('postconf', ['-c', d.dir, flag]);
      return `${flag} status ${r.status}\n${r.stdout.replaceAll(d.dir, as)}\n${normalizeWarnings(r.stderr.replaceAll(d.dir, as)).join('\n')}`;
    }),
  );
}

/**
 * postconf's view of the files, twice, and of the formatted files, all at once
 * (a postconf that stops at a fatal error sleeps a second first): the formatted
 * copy is in a directory of its own, named as the original in what it prints.
 */
async function sameAfterFormatting(main: string, master: string): Promise<void> {
  const orig = new ConfigDir('pf-format-');
  const formatted = new ConfigDir('pf-format-');
  try {
    orig.write('main.cf', Buffer.from(main, 'latin1'));
    orig.write('master.cf', Buffer.from(master, 'latin1'));
    formatted.write('main.cf', Buffer.from(formatText('main', main), 'latin1'));
    formatted.write('master.cf', Buffer.from(formatText('master', master), 'latin1'));
    const [before, again, after] = await Promise.all([postconfView(orig), postconfView(orig), postconfView(formatted, orig.dir)]);
    // postconf stops at a fatal error after warnings printed in hash order: when
    // two runs on the same files disagree, the files cannot be compared.
    if (JSON.stringify(again) !== JSON.stringify(before)) {
      unstable++;
      return;
    }
    assert.deepEqual(after, before, `postconf differs after formatting\n--- main.cf\n${main}\n--- master.cf\n${master}`);
  } finally {
    orig.dispose();
    formatted.dispose();
  }
}

const tools = (t: TestContext) => requireTools(t, { commands: ['postconf'] });

for (const [name, main, master] of PAIRS) {
  test(`corpus ${name}: postconf -n/-M/-P unchanged by formatting`, async (t) => {
    if (!tools(t)) return;
    const read = (f: string | undefined) => (f && existsSync(join(CORPUS, name, f)) ? readFileSync(join(CORPUS, name, f), 'latin1') : '');
    if (!existsSync(join(CORPUS, name))) return t.skip('corpus absent');
    const m = read(main);
    const s = read(master);
    await sameAfterFormatting(m, s);
  });
}

// Found by the random test (seed 685082): postconf's "overriding earlier
// entry" warning quotes a duplicated setting's value with its blanks.
test('a setting given twice keeps the blanks of its continued value (postconf quotes them)', async (t) => {
  if (!tools(t)) return;
  const main = 'smtpd_relay_restrictions = ${myhostname ? {a}} \n\t${myhostname ? {a}}\nsmtpd_relay_restrictions = \n';
  await sameAfterFormatting(main, '# comment\n');
  const once = 'smtpd_relay_restrictions = permit_mynetworks, \n\treject_unauth_destination\n';
  assert.notEqual(formatText('main', once), once, 'a setting given once is still reindented');
});

test('the corpus is not already formatted (the comparisons compare something)', () => {
  let changed = 0;
  for (const [name, main, master] of PAIRS) {
    for (const [kind, f] of [['main', main], ['master', master]] as const) {
      const p = f && join(CORPUS, name, f);
      if (p && existsSync(p) && formatText(kind, readFileSync(p, 'latin1')) !== readFileSync(p, 'latin1')) changed++;
    }
  }
  assert.ok(changed >= 5, `only ${changed} corpus files change`);
});

test('random main.cf and master.cf: postconf unchanged by formatting', async (t) => {
  if (!tools(t)) return;
  await fc.assert(
    fc.asyncProperty(mainCfArbitrary(), fc.boolean().chain((b) => masterCfText(b)), (main, master) => sameAfterFormatting(main, master)),
    { numRuns: 15 },
  );
  assert.ok(unstable < 8, `${unstable} of 15 random configurations gave postconf output that varies from run to run`);
});

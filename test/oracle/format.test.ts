// Formatting changes nothing Postfix reads: real postconf -n (main.cf), -M
// and -P (master.cf services and their -o settings), stdout and warnings,
// are the same before and after formatting, on the corpus and on random files.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { formatText } from '../../server/src/engine/format';
import { requireTools } from '../helpers/env';
import { ConfigDir, normalizeWarnings, run } from '../helpers/postfix-tools';
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

const dir = new ConfigDir('pf-format-');
let unstable = 0;
after(() => dir.dispose());

/** What postconf reports for the directory's main.cf and master.cf. */
function postconfView(): string[] {
  return ['-n', '-M', '-P'].map((flag) => {
    const r = run('postconf', ['-c', dir.dir, flag]);
    return `${flag} status ${r.status}\n${r.stdout}\n${normalizeWarnings(r.stderr).join('\n')}`;
  });
}

function sameAfterFormatting(main: string, master: string): void {
  dir.write('main.cf', Buffer.from(main, 'latin1'));
  dir.write('master.cf', Buffer.from(master, 'latin1'));
  const before = postconfView();
  // postconf stops at a fatal error after warnings printed in hash order: when
  // two runs on the same files disagree, the files cannot be compared.
  if (JSON.stringify(postconfView()) !== JSON.stringify(before)) {
    unstable++;
    return;
  }
  const fMain = formatText('main', main);
  const fMaster = formatText('master', master);
  dir.write('main.cf', Buffer.from(fMain, 'latin1'));
  dir.write('master.cf', Buffer.from(fMaster, 'latin1'));
  assert.deepEqual(postconfView(), before, `postconf differs after formatting\n--- main.cf\n${main}\n--- master.cf\n${master}`);
}

const tools = (t: TestContext) => requireTools(t, { commands: ['postconf'] });

for (const [name, main, master] of PAIRS) {
  test(`corpus ${name}: postconf -n/-M/-P unchanged by formatting`, (t) => {
    if (!tools(t)) return;
    const read = (f: string | undefined) => (f && existsSync(join(CORPUS, name, f)) ? readFileSync(join(CORPUS, name, f), 'latin1') : '');
    if (!existsSync(join(CORPUS, name))) return t.skip('corpus absent');
    const m = read(main);
    const s = read(master);
    sameAfterFormatting(m, s);
  });
}

// Found by the random test (seed 685082): postconf's "overriding earlier
// entry" warning quotes a duplicated setting's value with its blanks.
test('a setting given twice keeps the blanks of its continued value (postconf quotes them)', (t) => {
  if (!tools(t)) return;
  const main = 'smtpd_relay_restrictions = ${myhostname ? {a}} \n\t${myhostname ? {a}}\nsmtpd_relay_restrictions = \n';
  sameAfterFormatting(main, '# comment\n');
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

test('random main.cf and master.cf: postconf unchanged by formatting', (t) => {
  if (!tools(t)) return;
  fc.assert(
    fc.property(mainCfArbitrary(), fc.boolean().chain((b) => masterCfText(b)), (main, master) => sameAfterFormatting(main, master)),
    { numRuns: 15 },
  );
  assert.ok(unstable < 8, `${unstable} of 15 random configurations gave postconf output that varies from run to run`);
});

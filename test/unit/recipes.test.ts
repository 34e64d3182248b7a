// Recipes applied to the seeds' configurations and Debian's stock files:
// a second run changes nothing, comments/blank lines/CRLF/tabs are kept, and
// real postconf -n reads the result with no new warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader } from '../../server/src/cli/main';
import { fixResult, unifiedDiff } from '../../server/src/cli/recipe';
import { loadConfig } from '../../server/src/engine/config';
import { buildRecipe, RECIPES } from '../../server/src/engine/recipes';
import { RuleContext } from '../../server/src/engine/rules/context';
import { repoDir } from '../helpers/env';
import { backdate } from '../helpers/postfix-tools';

function applyRecipe(dir: string, name: string): number {
  const ctx = new RuleContext(loadConfig(dir, fsReader, { version: '3.7.11', mode: 'repository' }), fsReader);
  const b = buildRecipe(ctx, name);
  const result = fixResult({ title: name, edits: b.change.edits, newFiles: b.change.newFiles }, fsReader);
  for (const [file, r] of result) writeFileSync(file, r.after, 'latin1');
  return result.size;
}

function postconfWarnings(dir: string): string[] | undefined {
  // Files written just now make postconf sleep and read them again.
  backdate(dir);
  try {
    const out = execFileSync('sh', ['-c', `postconf -c ${dir} -n 2>&1 >/dev/null`], { encoding: 'latin1' });
    return out.split('\n').filter((l) => /warning|fatal/.test(l)).sort();
  } catch {
    return undefined;
  }
}

function sources(): { name: string; make(dir: string): void }[] {
  const fx = (n: string) => (dir: string) => cpSync(join(repoDir, 'test', 'fixtures', 'intent', n), dir, { recursive: true });
  const out = [
    { name: 'seed-000', make: fx('seed-000') },
    { name: 'seed-004', make: fx('seed-004') },
  ];
  const debian = '/work/shared/corpus/debian-postfix-3.7';
  if (existsSync(debian)) {
    out.push({
      name: 'debian',
      make: (dir) => {
        writeFileSync(join(dir, 'main.cf'), readFileSync(join(debian, 'main.cf.debian')));
        writeFileSync(join(dir, 'master.cf'), readFileSync(join(debian, 'master.cf.dist')));
      },
    });
  }
  // CRLF line ends and tab-indented continuation lines.
  out.push({
    name: 'crlf-tabs',
    make: (dir) => {
      fx('seed-004')(dir);
      const main = readFileSync(join(dir, 'main.cf'), 'latin1').replace('smtpd_recipient_restrictions = permit_mynetworks, ', 'smtpd_recipient_restrictions = permit_mynetworks,\n\t# trusted first\n\t');
      writeFileSync(join(dir, 'main.cf'), main.replace(/\n/g, '\r\n'));
      writeFileSync(join(dir, 'master.cf'), readFileSync(join(dir, 'master.cf'), 'latin1').replace(/\n/g, '\r\n'));
    },
  });
  return out;
}

test('every recipe on the seeds, Debian stock and a CRLF/tab file: idempotent, comments kept, postconf -n has no new warning', () => {
  for (const src of sources()) {
    for (const r of RECIPES) {
      const dir = mkdtempSync(join(tmpdir(), 'pf-recipe-'));
      try {
        src.make(dir);
        const before = { main: readFileSync(join(dir, 'main.cf'), 'latin1'), master: readFileSync(join(dir, 'master.cf'), 'latin1') };
        const warnBefore = postconfWarnings(dir);
        applyRecipe(dir, r.name);
        assert.equal(applyRecipe(dir, r.name), 0, `${r.name} on ${src.name}: a second run changes nothing`);
        for (const k of ['main', 'master'] as const) {
          const after = readFileSync(join(dir, `${k}.cf`), 'latin1');
          for (const line of before[k].split('\n')) if (/^\s*#/.test(line)) assert.ok(after.split('\n').includes(line), `${r.name} on ${src.name}: comment kept: ${line}`);
          if (before[k].includes('\r\n')) assert.ok(!/[^\r]\n/.test(after), `${r.name} on ${src.name}: ${k}.cf keeps CRLF everywhere`);
        }
        const warnAfter = postconfWarnings(dir);
        if (warnBefore && warnAfter) assert.deepEqual(warnAfter.filter((w) => !warnBefore.includes(w)), [], `${r.name} on ${src.name}: new postconf warnings`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
});

test('unified diff: hunks with context, a new file from /dev/null', () => {
  const d = unifiedDiff('/x/main.cf', 'a\nb\nc\n', 'a\nB\nc\nd\n');
  assert.match(d, /^--- a\/x\/main\.cf\n\+\+\+ b\/x\/main\.cf\n@@ -1,3 \+1,4 @@\n a\n-b\n\+B\n c\n\+d\n$/);
  assert.match(unifiedDiff('/x/t', undefined, 'one\n'), /^--- \/dev\/null\n\+\+\+ b\/x\/t\n@@ -0,0 \+1 @@\n\+one\n$/);
});

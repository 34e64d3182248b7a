// Every rule code has a page in docs/rules/ with the required sections, the
// page agrees with the code table (severity, category), and every page and
// every code a page mentions is a real code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../../server/src/engine/codes';
import { RULE_CODES } from '../../server/src/engine/rules';
import { repoDir } from '../helpers/env';

const DOCS = join(repoDir, 'docs', 'rules');
const SECTIONS = ['## What it means', '## Why it matters', '## How to fix', '## Example', '## How to silence it'];
const rules = allRules();
const known = new Set(rules.map((r) => r.code));

test('every code in allRules() has a page with the required sections, in order', () => {
  const problems: string[] = [];
  for (const r of rules) {
    const file = join(DOCS, `${r.code}.md`);
    if (!existsSync(file)) {
      problems.push(`${r.code}: no docs/rules/${r.code}.md`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    if (!text.startsWith(`# ${r.code}: `)) problems.push(`${r.code}: the title must start with "# ${r.code}: "`);
    let at = -1;
    for (const s of SECTIONS) {
      const i = text.indexOf(`\n${s}\n`);
      if (i < 0) problems.push(`${r.code}: missing section "${s}"`);
      else if (i < at) problems.push(`${r.code}: section "${s}" out of order`);
      else at = i;
    }
    const example = text.slice(text.indexOf('\n## Example\n'), text.indexOf('\n## ', text.indexOf('\n## Example\n') + 5));
    if (!/Before\b[^\n]*:\n\n```/.test(example) || !/After:\n\n```/.test(example)) problems.push(`${r.code}: the example needs a Before and an After code block`);
    if ((example.match(/```/g) ?? []).length < 4) problems.push(`${r.code}: the example needs two fenced blocks`);
    if (!text.includes(`| Severity | ${r.severity} |`)) problems.push(`${r.code}: severity row does not say ${r.severity}`);
    if (!text.includes(`| Category | ${r.category}:`)) problems.push(`${r.code}: category row does not say ${r.category}`);
    if (!text.includes(`disable=${r.code}`) && !text.includes(`disable-file=${r.code}`)) problems.push(`${r.code}: the silence section must show the comment for this code`);
  }
  assert.deepEqual(problems, []);
});

test('every page names a real code, and every code a page mentions exists', () => {
  const problems: string[] = [];
  for (const name of readdirSync(DOCS)) {
    if (!name.endsWith('.md') || name === 'README.md') continue;
    const code = name.slice(0, -3);
    if (!known.has(code)) problems.push(`${name}: ${code} is not a rule code`);
    const text = readFileSync(join(DOCS, name), 'utf8');
    for (const m of text.matchAll(/\bPF\d{3}\b/g)) if (!known.has(m[0])) problems.push(`${name}: mentions ${m[0]}, which is not a rule code`);
  }
  assert.deepEqual(problems, []);
});

test('the index links every page once and lists nothing else', () => {
  const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
  const linked = [...index.matchAll(/\]\((PF\d{3})\.md\)/g)].map((m) => m[1]);
  assert.deepEqual([...linked].sort(), [...known].sort());
  assert.equal(new Set(linked).size, linked.length);
});

test("pages of the PF4xx/PF5xx rules give the rule's short name next to its code", () => {
  for (const c of Object.values(RULE_CODES)) {
    const text = readFileSync(join(DOCS, `${c.code}.md`), 'utf8');
    assert.ok(text.includes(`| Code | \`${c.code}\` (\`${c.name}\`) |`), `${c.code}: the code row names ${c.name}`);
  }
});

// In-process timing of main.cf parsing and full expansion (what postconf -nx
// does) for Debian's stock main.cf and the corpus: microseconds per file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMainCf } from '../server/src/engine/maincf/parse';
import { expandValue } from '../server/src/engine/expand';
import { defaultValue } from '../server/src/engine/catalog/parameters';

const files: string[] = [];
for (const f of ['/usr/share/postfix/main.cf.dist', '/usr/share/postfix/main.cf.debian']) if (existsSync(f)) files.push(f);
const corpus = join(__dirname, '..', '..', 'shared', 'corpus');
if (existsSync(corpus)) {
  for (const p of readdirSync(corpus)) {
    const d = join(corpus, p);
    if (p.endsWith('.tsv')) continue;
    for (const f of readdirSync(d)) if (/^main\.cf/.test(f)) files.push(join(d, f));
  }
}

function parseAndExpand(text: string): number {
  const m = parseMainCf(text);
  const lookup = (n: string) => m.byName.get(n)?.value ?? defaultValue(n);
  let total = 0;
  for (const e of m.entries) total += expandValue(e.value, lookup).value.length;
  return total;
}

const out: Record<string, { lines: number; microsecondsPerRun: number }> = {};
for (const f of files) {
  const text = readFileSync(f, 'latin1');
  for (let i = 0; i < 200; i++) parseAndExpand(text); // warm up the JIT
  const n = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) parseAndExpand(text);
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  out[f.replace(/^.*\/shared\//, 'shared/')] = { lines: text.split('\n').length, microsecondsPerRun: +us.toFixed(1) };
}
const worst = Math.max(...Object.values(out).map((v) => v.microsecondsPerRun));
console.log(JSON.stringify({ files: out, worstMicroseconds: worst, target_under_1ms: worst < 1000 }));

// Match lists in steps (simulate/lists.ts, ServiceView.listSteps): a domain
// list of a million words (mydestination = $a20 with a1 = $a0 $a0) is put
// together from its pieces and compiled in steps ahead of a transaction,
// instead of being expanded and split whole in one piece (issue 8). Counts
// of steps, not times; the words and answers must be those of the whole
// value, as postconf -x expands it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSimConfig, ServiceView, splitList, type SimConfig } from '../../server/src/engine/simulate/config';
import { compiledListSteps, matchList, matchListsSteps } from '../../server/src/engine/simulate/lists';
import { simulateTransaction, simulateTransactionSteps } from '../../server/src/engine/simulate/simulate';
import { COMPILED_PER_STEP, drain, labelText, NETWORKS_PER_STEP, type Steps } from '../../server/src/engine/steps';
import { bracedChunks, splitBraced } from '../../server/src/engine/tables/text';

const DIR = '/etc/postfix';

function config(main: string): SimConfig {
  return loadSimConfig(DIR, { readText: (p) => (p === `${DIR}/main.cf` ? main : undefined) });
}

function doubling(n: number, word: string): string {
  let s = `a0 = ${word}\n`;
  for (let i = 1; i <= n; i++) s += `a${i} = $a${i - 1} $a${i - 1}\n`;
  return s;
}

function count<T>(steps: Steps<T>): { value: T; steps: number } {
  let n = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, steps: n };
    if (r.value !== undefined) labelText(r.value);
    n++;
  }
}

test('a domain list of 2^18 words is made and compiled in steps, with the words of its whole value', () => {
  const c = config(`${doubling(18, 'x.example')}mydestination = $a18 last.example\n`);
  const stepped = new ServiceView(c, undefined, {});
  const { value: words, steps } = count(stepped.listSteps('mydestination'));
  const whole = new ServiceView(c, undefined, {});
  assert.deepEqual(words, splitList(whole.value('mydestination')));
  assert.equal(words.length, 2 ** 18 + 1);
  // Tokenizing and copying the words yield every 32,768 of them at least.
  assert.ok(steps >= (2 * words.length) / 32768, `${steps} steps`);
  // Compiled to its distinct patterns (the first of equal ones decides), in steps over all its words.
  const compiled = count(compiledListSteps(new ServiceView(c, undefined, {}), 'mydestination'));
  assert.deepEqual(
    compiled.value.map((i) => i.raw),
    ['x.example', 'last.example'],
  );
  assert.ok(compiled.steps >= steps + Math.floor(words.length / COMPILED_PER_STEP), `${compiled.steps} steps`);
});

test('listSteps gives list() for values it does not piece together, and the same assumptions and size-limit notes', () => {
  const cases = [
    'mydestination = $myhostname, localhost.$mydomain, localhost\n',
    'compatibility_level = 1\nmydestination = a.example, b.example\n', // relay_domains' default: ${{$compatibility_level} <level {2} ? {$mydestination} : {}}
    `${doubling(22, 'x')}mydestination = $a22\n`, // past the 4 MiB limit
    `${doubling(3, '{a b}')}mydestination = $a3 {c, d} !e.example\n`,
    'a = $b\nb = $a x\nmydestination = $a\n',
  ];
  for (const main of cases) {
    for (const name of ['mydestination', 'relay_domains']) {
      const c = config(main);
      const stepped = new ServiceView(c, undefined, {});
      const words = drain(stepped.listSteps(name));
      const whole = new ServiceView(config(main), undefined, {});
      assert.deepEqual(words, whole.list(name), `${name} in ${main.slice(-60)}`);
      assert.deepEqual(stepped.assumed, whole.assumed, main);
      assert.deepEqual(stepped.tooLarge, whole.tooLarge, main);
    }
  }
});

/** Postfix's match of a plain pattern (match_list.c, domain_list / string_list), one pattern at a time. */
function reference(patterns: string[], subject: string, kind: 'string' | 'domain', parent: boolean): { matched: boolean; pattern?: string } {
  const name = subject.toLowerCase();
  for (const raw of patterns) {
    let pat = raw;
    let match = true;
    while (pat.startsWith('!')) {
      match = !match;
      pat = pat.slice(1);
    }
    const p = pat.toLowerCase();
    const hit = name === p || (kind === 'domain' && (parent ? name.endsWith(`.${p}`) : p.startsWith('.') && name.length > p.length && name.endsWith(p)));
    if (hit) return { matched: match, pattern: raw };
  }
  return { matched: false };
}

test('a long list without tables answers from its index what walking it answers', () => {
  const filler = Array.from({ length: 200 }, (_, i) => `d${i}.example`);
  const patterns = [...filler, '!Neg.Example', 'neg.example', '.dot.example', 'Sub.Parent.Example', 'parent.example', '!x.parent.example', 'DUP.example', '!dup.example', '[10.0.0.1]'];
  const subjects = ['d7.example', 'neg.example', 'a.dot.example', 'dot.example', 'b.sub.parent.example', 'x.parent.example', 'parent.example', 'dup.example', 'nothing.example', '[10.0.0.1]', 'a.b.c.d150.example', 'example'];
  for (const parent of [true, false]) {
    const c = config(`relay_domains = ${patterns.join(' ')}\nmydestination = $relay_domains\nparent_domain_matches_subdomains = ${parent ? 'relay_domains' : ''}\n`);
    const view = new ServiceView(c, undefined, {});
    for (const s of subjects) {
      assert.deepEqual({ ...matchList(view, 'relay_domains', 'domain', [s]) }, { assumed: undefined, ...reference(patterns, s, 'domain', parent) }, `${s} parent ${parent}`);
      assert.deepEqual({ ...matchList(view, 'mydestination', 'string', [s]) }, { assumed: undefined, ...reference(patterns, s, 'string', false) }, `${s} string`);
    }
  }
});

test('a transaction against a domain list of 2^18 words yields while the list is made, and gives its drained result', () => {
  const main = `${doubling(18, 'x.example')}mydestination = $a18 example.test\n`;
  const tx = { client: { address: '203.0.113.5' }, helo: 'mail.outside.example', sender: 'a@outside.example', recipients: ['postmaster@example.test'], through: 'rcpt' as const };
  const { value, steps } = count(simulateTransactionSteps(config(main), tx));
  assert.ok(steps >= (2 * 2 ** 18) / 32768, `${steps} steps`);
  assert.deepEqual(value, simulateTransaction(config(main), tx));
});

test('a list value with conditionals is expanded whole and split in steps, into the words list() gives', () => {
  // relay_domains' default below compatibility level 2 is ${{$compatibility_level} <level {2} ? {$mydestination} : {}}.
  const main = `compatibility_level = 1\n${doubling(17, 'x.example {a, b}')}mydestination = $a17 last.example\n`;
  const stepped = new ServiceView(config(main), undefined, {});
  const { value: words, steps } = count(stepped.listSteps('relay_domains'));
  const whole = new ServiceView(config(main), undefined, {});
  assert.deepEqual(words, whole.list('relay_domains'));
  assert.equal(words.length, 2 ** 18 + 1);
  assert.ok(steps >= Math.floor(words.length / 32768), `${steps} steps`);
  assert.deepEqual(stepped.assumed, whole.assumed);
});

test('a list with tables and repeated words answers as walking every word does (the first of equal patterns decides)', () => {
  const table = `${DIR}/domains`;
  const words = ['a.example', `texthash:${table}`, 'a.example', '!b.example', 'b.example', `texthash:${table}`, '!!c.example', 'd.example'];
  const main = `mydestination = ${words.join(' ')}\nrelay_domains = $mydestination\n`;
  const c = loadSimConfig(DIR, { readText: (p) => (p === `${DIR}/main.cf` ? main : p === table ? 'c.example OK\nb.example OK\n' : undefined) });
  const view = new ServiceView(c, undefined, {});
  const inTable = new Set(['c.example', 'b.example']);
  for (const s of ['a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'x.c.example']) {
    // Postfix walks the words in order: a table answers for the name (and, in a domain list, its parents).
    let want: { matched: boolean; pattern?: string } = { matched: false, pattern: undefined };
    for (const w of words) {
      const neg = (w.match(/^!*/)?.[0].length ?? 0) % 2 === 1;
      const pat = w.replace(/^!+/, '');
      const hit = pat.startsWith('texthash:') ? inTable.has(s) : s === pat;
      if (hit) {
        want = { matched: !neg, pattern: w };
        break;
      }
    }
    const got = matchList(view, 'mydestination', 'string', [s]);
    assert.deepEqual({ matched: got.matched, pattern: got.pattern }, want, s);
  }
});

test('a list of 100,000 words written out (one mynetworks line) is tokenized in steps, with the words of its value', () => {
  const nets = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  const c = config(`mynetworks = 127.0.0.0/8 ${nets.join(' ')}\n`);
  const { value: tokens, steps } = count(new ServiceView(c, undefined, {}).tokensSteps('mynetworks'));
  assert.deepEqual(
    tokens.map((t) => t.text),
    splitList(new ServiceView(c, undefined, {}).value('mynetworks')),
  );
  // Before, a value without references was tokenized in one piece (300-400 ms for this one).
  assert.ok(steps >= Math.floor(100_001 / 4096), `${steps} steps`);
  // Its words are located in main.cf, each at its own column.
  assert.equal(tokens[1].source?.range.start.character, 'mynetworks = 127.0.0.0/8 '.length);
  // listSteps: the same tokens' steps (the words are checked in place, not split a second time), then the word array copied in steps.
  assert.ok(count(new ServiceView(c, undefined, {}).listSteps('mynetworks')).steps > steps);
});

/** A deterministic pseudo-random generator (tests must not depend on luck). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('a host/address list without tables answers from its network index what walking it answers', () => {
  // The walk: the same list with an empty table last (a list with a table is walked pattern by pattern;
  // an empty table decides nothing, so it changes no answer).
  const table = `${DIR}/empty`;
  const pick = <T>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)];
  const words = [
    '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3', '10.1.2.3/32', '[10.1.2.4]', '[10.1.2.0]/30', '192.168.0.0/16', '0.0.0.0/0', '127.0.0.0/8',
    '10.1.2.1/24', '10.1.2.0/33', '10.1.2.0/x', '[10.1.2.0/24', '300.1.2.0/24', '[::1]/128', '[2001:db8::]/32', '[2001:db8:1::]/48', '[2001:db8::1]',
    '[2001:db8::1]/32', '[::ffff:10.1.2.0]/120', '[2001:db8::/32', 'host.example', '.example', 'example', 'unknown', 'mail.host.example', '[fe80::]/10',
  ];
  const subjects = ['10.1.2.3', '10.1.2.4', '10.1.2.5', '10.9.9.9', '192.168.7.7', '203.0.113.5', '127.0.0.1', '::1', '2001:db8::1', '2001:db8:1::5', '2001:db9::1', '::ffff:10.1.2.3', '10.1.2', 'fe80::1', 'nothing'];
  const names = ['unknown', 'mail.host.example', 'host.example', 'other.test'];
  const r = rng(8);
  for (let round = 0; round < 120; round++) {
    // More than 64 patterns: the list gets its indexes (lists.ts INDEX_FROM).
    const list = Array.from({ length: 70 + Math.floor(r() * 60) }, () => `${r() < 0.2 ? '!' : ''}${r() < 0.7 ? `10.${Math.floor(r() * 3)}.${Math.floor(r() * 3)}.${Math.floor(r() * 4) * 64}/${pick(r, [26, 32, 24, 16])}` : pick(r, words)}`);
    for (const parent of [false, true]) {
      const main = `mynetworks = ${list.join(' ')}\nparent_domain_matches_subdomains = ${parent ? 'mynetworks' : ''}\n`;
      const indexed = new ServiceView(config(main), undefined, {});
      const walked = new ServiceView(loadSimConfig(DIR, { readText: (p) => (p === `${DIR}/main.cf` ? main.replace(/\n/, ` texthash:${table}\n`) : p === table ? '' : undefined) }), undefined, {});
      for (const address of subjects) {
        const name = pick(r, names);
        const got = matchList(indexed, 'mynetworks', 'namadr', [name, address]);
        const want = matchList(walked, 'mynetworks', 'namadr', [name, address]);
        assert.deepEqual({ ...got, assumed: undefined }, { ...want, assumed: undefined }, `${name} ${address} in ${list.join(' ')} (parent ${parent})`);
      }
    }
  }
});

test('a mynetworks of 100,000 networks is indexed in steps, and the outside client is matched without walking it', () => {
  const nets = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  const c = config(`mynetworks = 127.0.0.0/8 ${nets.join(' ')} !10.0.0.0/8 192.0.2.0/24\n`);
  const view = new ServiceView(c, undefined, {});
  const labels: string[] = [];
  for (const r = matchListsSteps(view); ; ) {
    const n = r.next();
    if (n.done) break;
    if (n.value) labels.push(labelText(n.value));
  }
  // Every network parsed NETWORKS_PER_STEP at a time (none of this before: the first match walked them in one piece).
  assert.ok(labels.filter((l) => l.includes('indexing mynetworks networks')).length >= Math.floor(100_000 / NETWORKS_PER_STEP), labels.join('\n'));
  // Count what a match reads of the compiled patterns: a handful, not 100,000.
  const items = drain(compiledListSteps(view, 'mynetworks'));
  let reads = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    items[i] = new Proxy(item, { get: (t, k) => (reads++, Reflect.get(t, k)) });
  }
  assert.deepEqual({ ...matchList(view, 'mynetworks', 'namadr', ['unknown', '203.0.113.5']) }, { matched: false, assumed: undefined });
  assert.deepEqual({ ...matchList(view, 'mynetworks', 'namadr', ['unknown', '10.1.134.159']) }, { matched: true, pattern: '10.1.134.159/32', assumed: undefined });
  assert.deepEqual({ ...matchList(view, 'mynetworks', 'namadr', ['unknown', '10.200.0.1']) }, { matched: false, pattern: '!10.0.0.0/8', assumed: undefined });
  assert.deepEqual({ ...matchList(view, 'mynetworks', 'namadr', ['unknown', '192.0.2.77']) }, { matched: true, pattern: '192.0.2.0/24', assumed: undefined });
  assert.ok(reads < 100, `${reads} reads of compiled patterns`);
});

test('bracedChunks gives the words of splitBraced, perChunk at a time', () => {
  const value = ' a, {b c},, d\t{e {f}} g,h {unclosed i';
  for (const per of [1, 2, 3, 100]) {
    const chunks = [...bracedChunks(value, per)];
    assert.ok(chunks.every((c, i) => c.length === 2 * per || (i === chunks.length - 1 && c.length > 0 && c.length <= 2 * per)));
    const pairs: [number, number][] = [];
    for (const c of chunks) for (let k = 0; k < c.length; k += 2) pairs.push([c[k], c[k + 1]]);
    assert.deepEqual(pairs, splitBraced(value));
  }
  assert.deepEqual([...bracedChunks(' ,, ', 4)], []);
});

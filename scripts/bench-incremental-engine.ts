// Engine work per keystroke through the language server's own shared analysis
// (server/src/features/analysis.ts, Workspace over a stand-in document store),
// in process, CPU time, as ratios measured in the same run:
//  - a keystroke in main.cf of a configuration naming a 100,000-line access
//    map, against a cold lint of the same configuration (fresh caches): in a
//    comment (the target figure), and in a setting's value (myhostname);
//  - a keystroke in that map, against a full parse of the map.
// With --watched, the workspace is told after each cold analysis that the
// files it read are watched (as diagnostics.ts does once a client confirms
// its file watchers), so their stat and realpath answers are kept.
// Prints JSON. node --import tsx scripts/bench-incremental-engine.ts [--lines N] [--runs N] [--watched]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseAccessTable } from '../server/src/engine/tables/access-parse';
import { clearParseMemo, parseMemoStats } from '../server/src/engine/tables/memo';
import { clearRelayMatrixMemo } from '../server/src/engine/simulate/matrix-memo';
import { clearLintMemo } from '../server/src/engine/lint';
import { Analyses } from '../server/src/features/analysis';
import { Workspace } from '../server/src/features/workspace';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const LINES = arg('--lines', 100_000);
const RUNS = arg('--runs', 15);
const WATCHED = process.argv.includes('--watched');

const dir = resolve('.bench/incremental');
mkdirSync(dir, { recursive: true });
let map = '';
for (let i = 0; i < LINES; i++) map += `user${i}@example${i % 1000}.com REJECT 5.7.1 blocked\n`;
let main = '';
for (let i = 0; i < 1000; i++) main += `# comment line ${i}\n`;
main += `myhostname = mail.example.com
mydomain = example.com
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:/etc/postfix/access, reject_unauth_destination
`;
writeFileSync(join(dir, 'access'), map);
writeFileSync(join(dir, 'main.cf'), main);
writeFileSync(join(dir, 'master.cf'), 'smtp      inet  n       -       y       -       -       smtpd\n');

/** A document store as TextDocuments presents it to Workspace. */
class Store {
  docs = new Map<string, TextDocument>();
  all() {
    return [...this.docs.values()];
  }
  get(uri: string) {
    return this.docs.get(uri);
  }
  open(path: string, languageId: string, text: string) {
    const uri = pathToFileURL(path).href;
    this.docs.set(uri, TextDocument.create(uri, languageId, 1, text));
    return uri;
  }
  edit(uri: string, line: number, character: number, insert: string) {
    const d = this.docs.get(uri)!;
    this.docs.set(uri, TextDocument.update(d, [{ range: { start: { line, character }, end: { line, character } }, text: insert }], d.version + 1));
  }
}

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (x: number) => Math.round(x * 100) / 100;

const store = new Store();
const mainUri = store.open(join(dir, 'main.cf'), 'postfix-main', main);
const mapUri = store.open(join(dir, 'access'), 'postfix-map', map);

// Warm the JIT once on a throwaway setup, so cold means "fresh caches", not "fresh process".
{
  const ws = new Workspace(store as never);
  new Analyses(ws).current(store.get(mainUri)!);
}

const cold: number[] = [];
const parse: number[] = [];
const keyMain: number[] = [];
const keyMap: number[] = [];
const keyValue: number[] = [];
for (let run = 0; run < RUNS; run++) {
  clearParseMemo();
  clearRelayMatrixMemo();
  clearLintMemo();
  const ws = new Workspace(store as never);
  const analyses = new Analyses(ws);
  cold.push(cpuMs(() => analyses.current(store.get(mainUri)!)));
  if (WATCHED) ws.watching(analyses.watchedPaths());
  if (process.env.DEBUG_BENCH) console.error(parseMemoStats(), analyses.computed, analyses.current(store.get(mainUri)!).problems.map((p) => p.code), analyses.current(store.get(mainUri)!).config.tables.length);
  // A keystroke in main.cf (inside a comment: the verdict stays, the work is the same).
  store.edit(mainUri, run % 1000, 2, 'x');
  keyMain.push(cpuMs(() => analyses.current(store.get(mainUri)!)));
  // A keystroke in a setting (myhostname's value): the relay matrix is computed again.
  store.edit(mainUri, 1000, 14, 'x');
  keyValue.push(cpuMs(() => analyses.current(store.get(mainUri)!)));
  store.edit(mapUri, (run * 7919) % LINES, 0, 'x');
  keyMap.push(cpuMs(() => analyses.current(store.get(mapUri)!)));
  const text = store.get(mapUri)!.getText();
  clearParseMemo();
  parse.push(cpuMs(() => parseAccessTable(text, join(dir, 'access'), { type: 'hash' })));
}

const result = {
  lines: LINES,
  runs: RUNS,
  watched: WATCHED,
  cpuMsMedian: { coldLint: r2(median(cold)), keystrokeMainCf: r2(median(keyMain)), keystrokeMainCfValue: r2(median(keyValue)), fullMapParse: r2(median(parse)), keystrokeMap: r2(median(keyMap)) },
  ratioKeystrokeMainCfToColdLint: r2(median(keyMain) / median(cold)),
  targetMainCfAtMost10Percent: median(keyMain) / median(cold) <= 0.1,
  ratioKeystrokeMainCfValueToColdLint: r2(median(keyValue) / median(cold)),
  ratioKeystrokeMapToFullParse: r2(median(keyMap) / median(parse)),
  targetMapAtMost5Percent: median(keyMap) / median(parse) <= 0.05,
  loadavg: loadavg().map(r2),
};
console.log(JSON.stringify(result, null, 2));

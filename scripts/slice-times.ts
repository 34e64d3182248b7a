// How long the language server's shared analysis holds the event loop in one
// piece (what a hover or completion asked meanwhile waits for), in process:
// a ticker measures the gaps between its turns while the analysis of a
// configuration directory runs cold and after a keystroke. A development aid
// for issue 9's "hover and completion never wait behind a re-lint"; wall ms,
// so run it on a quiet machine or read the figures as ratios. The longest
// gaps are named by the label of the step that ran in them (engine/steps.ts).
//   node --import tsx scripts/slice-times.ts DIR [--edit FILE:LINE] [--runs N] [--top N] [--skip REGEX]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyses } from '../server/src/features/analysis';
import { Workspace } from '../server/src/features/workspace';
import { labelText } from '../server/src/engine/steps';

const args = process.argv.slice(2);
const dir = resolve(args[0]);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(opt('--runs') ?? 5);
// --top N longest gaps listed; --skip REGEX leaves out gaps whose label matches (the simulator's, say) from the list and from longestOtherMs.
const TOP = Number(opt('--top') ?? 5);
const SKIP = opt('--skip') ? new RegExp(opt('--skip')!) : undefined;
const [editFile, editLine] = (opt('--edit') ?? 'main.cf:0').split(':');

// The document store as TextDocuments presents it to Workspace.
const docs = new Map<string, TextDocument>();
const store = { all: () => [...docs.values()], get: (uri: string) => docs.get(uri) };
for (const f of readdirSync(dir)) {
  const p = join(dir, f);
  if (!statSync(p).isFile()) continue;
  const languageId = f === 'main.cf' ? 'postfix-main' : f === 'master.cf' ? 'postfix-master' : 'postfix-map';
  const uri = pathToFileURL(p).href;
  docs.set(uri, TextDocument.create(uri, languageId, 1, readFileSync(p, 'latin1')));
}
const mainUri = pathToFileURL(join(dir, 'main.cf')).href;
const editUri = pathToFileURL(join(dir, editFile)).href;

/** Runs one analysis while a ticker records the gaps between its turns (ms). */
async function sliced(analyses: Analyses): Promise<{ totalMs: number; longestMs: number; longestOtherMs?: number; slices: number; longest: { ms: number; step: string }[] }> {
  let last = performance.now();
  let longest = 0;
  let slices = 0;
  let running = true;
  // The label of the step that ran in each gap (engine/steps.ts), for the longest few.
  let step = '(unlabelled)';
  analyses.onStep = (label) => (step = labelText(label));
  const gaps: { ms: number; step: string }[] = [];
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    gaps.push({ ms: Math.round((now - last) * 10) / 10, step });
    step = '(unlabelled)';
    last = now;
    slices++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await analyses.compute(store.get(mainUri)!, () => false);
  const totalMs = performance.now() - t0;
  running = false;
  tick();
  const shown = gaps.filter((g) => !SKIP?.test(g.step)).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: Math.round(totalMs * 10) / 10,
    longestMs: Math.round(longest * 10) / 10,
    ...(SKIP ? { longestOtherMs: shown[0]?.ms ?? 0 } : {}),
    slices,
    longest: shown.slice(0, TOP),
  };
}

async function main(): Promise<void> {
const out: Record<string, unknown>[] = [];
for (let r = 0; r < RUNS; r++) {
  const analyses = new Analyses(new Workspace(store as never));
  const cold = await sliced(analyses);
  const d = store.get(editUri)!;
  const line = Number(editLine);
  docs.set(editUri, TextDocument.update(d, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '#' }], d.version + 1));
  const keystroke = await sliced(analyses);
  out.push({ cold, keystroke });
}
console.log(JSON.stringify({ dir, edit: `${editFile}:${editLine}`, runs: out }, null, 1));
}
void main();

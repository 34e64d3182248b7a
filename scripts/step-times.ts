// The longest steps of one configuration directory's lint (engine/steps.ts),
// in CPU ms, drained in process: what each piece between two yields of
// lintConfigSteps costs, named by its label, loading the configuration
// included (in its steps, loadConfigSteps, as the server loads). A
// development aid beside slice-times.ts (which measures the server's
// wall-clock gaps); CPU time, so it reads the same on a shared machine.
// With --edit FILE:LINE, the lint measured is the one after a keystroke: the
// directory is linted once, then again with `#` typed at the start of that
// line (as slice-times.ts edits), its memos as the server would have them.
//   node --import tsx scripts/step-times.ts DIR [--top N] [--skip REGEX] [--edit FILE:LINE]
import { readFileSync, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigSteps } from '../server/src/engine/config';
import { lintConfigSteps } from '../server/src/engine/lint';
import type { FileReader } from '../server/src/engine/types';
import { labelText } from '../server/src/engine/steps';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = resolve(args[0]);
const top = Number(opt('--top') ?? 10);
const skip = opt('--skip') ? new RegExp(opt('--skip')!) : undefined;
const edit = opt('--edit')?.split(':');
const editPath = edit && resolve(dir, edit[0]);
let edited = false;
const typed = (p: string, text: string) => {
  if (!edited || p !== editPath) return text;
  const lines = text.split('\n');
  lines[Number(edit![1])] = `#${lines[Number(edit![1])]}`;
  return lines.join('\n');
};
const reader: FileReader = {
  readText: (p) => (existsSync(p) && statSync(p).isFile() ? typed(p, readFileSync(p, 'latin1')) : undefined),
  mtimeMs: (p) => (existsSync(p) ? statSync(p).mtimeMs : undefined),
};
const cpu = (t0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};
function measure(): { steps: { ms: number; step: string }[]; problems: number } {
  const steps: { ms: number; step: string }[] = [];
  let t0 = process.cpuUsage();
  // Loading in its steps too (loadConfigSteps, as the server loads).
  const load = loadConfigSteps(dir, reader);
  let config;
  for (;;) {
    const r = load.next();
    const ms = cpu(t0);
    if (r.done) {
      steps.push({ ms, step: 'loadConfig (its last step)' });
      config = r.value;
      break;
    }
    steps.push({ ms, step: `loadConfig: ${r.value ? labelText(r.value) : '(unlabelled)'}` });
    t0 = process.cpuUsage();
  }
  t0 = process.cpuUsage();
  const run = lintConfigSteps(config);
  let problems = 0;
  for (;;) {
    const r = run.next();
    const ms = cpu(t0);
    if (r.done) {
      steps.push({ ms, step: '(after the last step)' });
      problems = r.value.length;
      break;
    }
    steps.push({ ms, step: r.value ? labelText(r.value) : `(unlabelled, after ${steps[steps.length - 1].step})` });
    t0 = process.cpuUsage();
  }
  return { steps, problems };
}
if (edit) {
  measure();
  edited = true;
}
const { steps, problems } = measure();
const total = steps.reduce((a, s) => a + s.ms, 0);
const shown = steps.filter((s) => !skip?.test(s.step)).sort((a, b) => b.ms - a.ms).slice(0, top);
console.log(JSON.stringify({ dir, edit: edit?.join(':'), problems, steps: steps.length, totalCpuMs: Math.round(total), longest: shown.map((s) => ({ ms: Math.round(s.ms * 10) / 10, step: s.step.slice(0, 120) })) }, null, 1));

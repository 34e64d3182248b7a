// Where lint time goes, per phase and per rule, for one configuration
// directory (a development aid for the scaling work; `npm run bench` has the
// figures that count):  node --import tsx scripts/phase-times.ts DIR
// DIR may be relative (to the current directory).
import { readFileSync, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../server/src/engine/config';
import { lintConfig } from '../server/src/engine/lint';
import { mainCfChecks } from '../server/src/engine/maincf/checks';
import { masterCfProblems } from '../server/src/engine/mastercf';
import { analyzeParameters } from '../server/src/engine/postconf';
import { RULES } from '../server/src/engine/rules';
import { RuleContext } from '../server/src/engine/rules/context';
import type { FileReader } from '../server/src/engine/types';

if (!process.argv[2]) {
  console.error('usage: node --import tsx scripts/phase-times.ts DIR');
  process.exit(2);
}
// The engine's paths are absolute (a relative one names no file it can find beside main.cf).
const dir = resolve(process.argv[2]);
const reader: FileReader = {
  readText: (p) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'latin1') : undefined),
  mtimeMs: (p) => (existsSync(p) ? statSync(p).mtimeMs : undefined),
};
const times: Record<string, number> = {};
function t<T>(name: string, f: () => T): T {
  // CPU time, not wall time: the machine is shared.
  const t0 = process.cpuUsage();
  const r = f();
  const d = process.cpuUsage(t0);
  times[name] = +((d.user + d.system) / 1000).toFixed(1);
  return r;
}
const config = t('loadConfig', () => loadConfig(dir, reader));
if (config.main) t('mainCfChecks', () => mainCfChecks(config.main!, config.version));
if (config.master) {
  const mainDict = new Map<string, string>([['config_directory', config.dir]]);
  for (const e of config.main?.entries ?? []) mainDict.set(e.name, e.value);
  t('masterCfProblems', () => masterCfProblems(config.master!, { configDir: config.dir, main: mainDict, readFile: (p) => reader.readText(p) }));
}
if (config.main) t('analyzeParameters', () => analyzeParameters({ configDir: config.dir, main: config.main!, master: config.master, version: config.version, readFile: (p) => reader.readText(p) }));
const ctx = new RuleContext(config, reader, {});
for (const rule of RULES) t(`rule ${rule.codes.map((c) => c.code).join(',')}`, () => rule.check(ctx));
const n = t('lintConfig (all, fresh)', () => lintConfig(loadConfig(dir, reader), reader).length);
console.log(JSON.stringify({ problems: n, cpuMs: times }, null, 1));

// In-process timing of the simulator: the relay matrix of each configuration
// directory (loaded afresh each run, so its lists are tokenized again) and one
// transaction of an outside client to an outside domain. With --root, the same for
// another checkout of this repository in the same process, runs alternating,
// so that a before/after ratio is measured under the same load. Wall ms,
// median of --runs; a development aid, not a test.
//   node --import tsx scripts/bench-simulate.ts DIR... [--runs N] [--root /path/to/other/checkout]
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const RUNS = Number(opt('--runs') ?? 9);
const other = opt('--root');
const dirs = args.map((d) => resolve(d));

interface Engine {
  name: string;
  loadSimConfig: (dir: string, reader: unknown) => unknown;
  relayMatrix: (config: unknown) => { cells: unknown[] };
  simulateTransaction: (config: unknown, tx: unknown) => { verdict: string };
  reader: unknown;
}

async function engine(root: string, name: string): Promise<Engine> {
  const src = `${root}/server/src`;
  const config = await import(`${src}/engine/simulate/config.ts`);
  const matrix = await import(`${src}/engine/simulate/matrix.ts`);
  const simulate = await import(`${src}/engine/simulate/simulate.ts`);
  const disk = await import(`${src}/disk/read-file.ts`);
  return { name, loadSimConfig: config.loadSimConfig, relayMatrix: matrix.relayMatrix, simulateTransaction: simulate.simulateTransaction, reader: disk.diskReader('utf8') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const engines = [await engine(resolve(__dirname, '..'), 'this checkout')];
  if (other) engines.push(await engine(resolve(other), other));
  const tx = { client: { address: '203.0.113.5' }, helo: 'mail.elsewhere.example', sender: 'sender@elsewhere.example', recipients: ['someone@elsewhere.example'], through: 'rcpt' };
  const out: Record<string, Record<string, { matrixMs: number; transactionMs: number; cells: number }>> = {};
  for (const dir of dirs) {
    const times = engines.map(() => ({ matrix: [] as number[], tx: [] as number[], cells: 0 }));
    for (let r = 0; r < RUNS; r++) {
      // Alternating which goes first, so that neither always runs after the other's garbage.
      const order = r % 2 ? [...engines.keys()].reverse() : [...engines.keys()];
      order.forEach((i) => {
        const e = engines[i];
        const t0 = performance.now();
        const m = e.relayMatrix(e.loadSimConfig(dir, e.reader));
        const t1 = performance.now();
        e.simulateTransaction(e.loadSimConfig(dir, e.reader), tx);
        const t2 = performance.now();
        times[i].matrix.push(t1 - t0);
        times[i].tx.push(t2 - t1);
        times[i].cells = m.cells.length;
      });
    }
    out[dir] = Object.fromEntries(engines.map((e, i) => [e.name, { matrixMs: Math.round(median(times[i].matrix) * 10) / 10, transactionMs: Math.round(median(times[i].tx) * 10) / 10, cells: times[i].cells }]));
  }
  console.log(JSON.stringify({ runs: RUNS, results: out }, null, 1));
}
void main();

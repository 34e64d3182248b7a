// Developer aid: prints where our postconf emulation and the real postconf differ.
// Usage: node --import tsx scripts/debug-postconf.ts FILE... or @TEXT (JSON-escaped).
import { readFileSync } from 'node:fs';
import { ConfigDir, normalizeWarnings, PID_MARKER, run } from '../test/helpers/postfix-tools';
import { postconfMain } from '../server/src/engine/postconf/main';
import { hostModel } from '../server/src/cli/host';
const host = { ...hostModel(), processId: PID_MARKER };
for (const f of process.argv.slice(2)) {
  const text = f.startsWith('@') ? JSON.parse('"' + f.slice(1) + '"') : readFileSync(f, 'latin1');
  for (const args of [['-n'], ['-nx'], ...(process.env.D ? [['-d']] : [])]) {
    const d = new ConfigDir();
    d.write('main.cf', Buffer.from(text, 'latin1'));
    const real = run('postconf', ['-c', d.dir, ...args]);
    const fl = args.join('');
    const ours0 = postconfMain({ dir: d.dir, mainText: text, master: undefined, nonDefault: fl.includes('n'), expand: fl.includes('x'), defaults: fl.includes('d'), host });
      const ours = { ...ours0, stdout: ours0.stdout.replaceAll(PID_MARKER, String(real.pid)), stderr: ours0.stderr.replaceAll(PID_MARKER, String(real.pid)) };
    const a = (real.stdout + normalizeWarnings(real.stderr).join('\n') + `\nstatus ${real.status}`).replaceAll(d.dir, 'DIR').split('\n');
    const b = (ours.stdout + normalizeWarnings(ours.stderr).join('\n') + `\nstatus ${ours.status}`).replaceAll(d.dir, 'DIR').split('\n');
    const sa = new Set(a), sb = new Set(b);
    const onlyA = a.filter((l) => !sb.has(l)), onlyB = b.filter((l) => !sa.has(l));
    if (onlyA.length || onlyB.length) {
      console.log(`== ${f.slice(0, 60)} ${args}`);
      for (const l of onlyA.slice(0, 15)) console.log('  real: ' + l);
      for (const l of onlyB.slice(0, 15)) console.log('  ours: ' + l);
    }
    d.dispose();
  }
}

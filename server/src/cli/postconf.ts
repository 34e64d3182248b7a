// `postfix-lint postconf -c DIR [-n] [-x] [-d] [-M] [-F] [-P] [-f] [NAME...]`:
// prints what the real postconf prints, from our engine. Used by the
// differential tests and handy for reviewing a config without Postfix.

import { existsSync, readFileSync } from 'node:fs';
import { postconfMain } from '../engine/postconf/main';
import { hostModel } from './host';
import type { CliIo } from './io';
import { readMasterForPostconf } from './master-input';

export function runPostconf(argv: string[], io: CliIo): number {
  let dir = '/etc/postfix';
  const flags = new Set<string>();
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c') {
      dir = argv[++i] ?? dir;
    } else if (a.startsWith('-c') && a.length > 2) {
      dir = a.slice(2);
    } else if (a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) flags.add(f);
    } else {
      names.push(a);
    }
  }
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1') : undefined);
  const master = readMasterForPostconf(dir, read);
  if (flags.has('M') || flags.has('F') || flags.has('P')) {
    const r = master.printMasterModes(flags, names, read(`${dir}/main.cf`));
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.status;
  }
  const r = postconfMain({
    dir,
    mainText: read(`${dir}/main.cf`),
    master: master.input,
    nonDefault: flags.has('n'),
    expand: flags.has('x'),
    defaults: flags.has('d'),
    names,
    host: hostModel(),
  });
  io.stdout(r.stdout);
  io.stderr(r.stderr);
  return r.status;
}

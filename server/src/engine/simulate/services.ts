// TEMPORARY adapter: the part of master.cf the simulator needs (services,
// their command and `-o name=value` overrides with ranges), until
// server/src/engine/mastercf/ lands. Logical lines follow the main.cf rules.

import { logicalRange, readLogicalLines, type LogicalLine } from '../../lines';
import type { Range } from '../../types';

export interface SimOverride {
  name: string;
  value: string;
  /** Range of the value text. */
  valueRange: Range;
  range: Range;
}

export interface SimService {
  name: string;
  type: string;
  /** `name/type`, as postconf -M prints it. */
  key: string;
  command: string;
  args: string[];
  overrides: SimOverride[];
  range: Range;
  nameRange: Range;
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Splits on whitespace; a `{ ... }` group is one word (braces included). */
function words(ll: LogicalLine): Word[] {
  const t = ll.text;
  const out: Word[] = [];
  let i = 0;
  while (i < t.length) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (i >= t.length) break;
    const start = i;
    if (t[i] === '{') {
      let level = 0;
      for (; i < t.length; i++) {
        if (t[i] === '{') level++;
        else if (t[i] === '}') {
          level--;
          if (level === 0) {
            i++;
            break;
          }
        }
      }
    } else {
      while (i < t.length && !/\s/.test(t[i])) i++;
    }
    out.push({ text: t.slice(start, i), start, end: i });
  }
  return out;
}

export function parseMasterServices(text: string): SimService[] {
  const services: SimService[] = [];
  for (const ll of readLogicalLines(text).lines) {
    const w = words(ll);
    if (w.length < 8) continue;
    const [name, type] = [w[0].text, w[1].text];
    const command = w[7].text;
    const args: string[] = [];
    const overrides: SimOverride[] = [];
    for (let k = 8; k < w.length; k++) {
      const word = w[k];
      args.push(word.text);
      let opt: Word | undefined;
      if (word.text === '-o' && k + 1 < w.length) {
        opt = w[++k];
        args.push(opt.text);
      } else if (word.text.startsWith('-o') && word.text.length > 2) {
        opt = { text: word.text.slice(2), start: word.start + 2, end: word.end };
      }
      if (!opt) continue;
      let body = opt.text;
      let bodyStart = opt.start;
      if (body.startsWith('{') && body.endsWith('}')) {
        body = body.slice(1, -1);
        bodyStart += 1;
      }
      const eq = body.indexOf('=');
      if (eq < 0) continue;
      const rawName = body.slice(0, eq);
      const name = rawName.trim();
      let vs = eq + 1;
      while (vs < body.length && /\s/.test(body[vs])) vs++;
      let ve = body.length;
      while (ve > vs && /\s/.test(body[ve - 1])) ve--;
      overrides.push({
        name,
        value: body.slice(vs, ve),
        valueRange: logicalRange(ll, bodyStart + vs, bodyStart + ve),
        range: logicalRange(ll, opt.start, opt.end),
      });
    }
    services.push({
      name,
      type,
      key: `${name}/${type}`,
      command,
      args,
      overrides,
      range: logicalRange(ll, 0, ll.text.length),
      nameRange: logicalRange(ll, w[0].start, w[0].end),
    });
  }
  // Postfix uses the last of duplicate entries.
  const seen = new Map<string, SimService>();
  for (const s of services) seen.set(s.key, s);
  return [...seen.values()];
}

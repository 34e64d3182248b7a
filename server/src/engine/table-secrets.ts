// A table path in a configuration can name any file: a private key, a .env
// with passwords. The engine reports what is wrong with a table's lines and
// quotes them, and those reports end up in CI logs (text, JSON, SARIF). So a
// file that is not a table at all gets one finding that quotes nothing, and
// text quoted from real tables is cut short.

import type { Problem } from './types';

/** Longest quoted piece of a table line shown in a finding. */
export const MAX_QUOTED = 40;

const PEM = /^-----BEGIN [A-Z0-9 ]*-----/m;
// NAME=value (shell, dotenv): no table entry looks like this (a key and its value are separated by whitespace).
const ASSIGNMENT = /^(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Why a file read as a lookup table is not one, or undefined when it may
 * be: a PEM block (keys, certificates) or only NAME=value assignments.
 * A table whose every entry has an error is still a table (a cidr file of
 * host-bit mistakes): its findings are the point, so it is not hidden.
 */
export function notATable(text: string): string | undefined {
  if (PEM.test(text)) return 'it holds a PEM block (a private key or certificate)';
  const entries: number[] = [];
  let assignments = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // Comments, blank lines and continuation lines are not entries of their own.
    if (/^[ \t]/.test(line) || /^\s*(#|$)/.test(line)) continue;
    entries.push(i);
    if (ASSIGNMENT.test(line)) assignments++;
  }
  if (entries.length === 0) return undefined;
  if (assignments === entries.length) return `its ${entries.length === 1 ? 'only line is' : `${entries.length} lines are`} NAME=value assignments, like a .env or shell file`;
  return undefined;
}

/** Cuts every "quoted" piece of a message to MAX_QUOTED characters and an ellipsis. */
export function shortenQuotes(message: string): string {
  return message.replace(/"([^"\n]*)"/g, (whole, inside: string) => (inside.length > MAX_QUOTED ? `"${inside.slice(0, MAX_QUOTED)}…"` : whole));
}

/**
 * The findings of a lint run, with nothing from inside the files that are
 * not tables (`hidden`) and quotes from the other table files shortened.
 * main.cf and master.cf are the configuration under review: kept as they are.
 */
export function protectTableText(problems: Problem[], configFiles: ReadonlySet<string>, hidden: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  for (const p of problems) {
    if (hidden.has(p.file)) continue;
    if (configFiles.has(p.file)) {
      out.push(p);
      continue;
    }
    const message = shortenQuotes(p.message);
    const related = p.related?.filter((r) => !hidden.has(r.file)).map((r) => (configFiles.has(r.file) ? r : { ...r, message: shortenQuotes(r.message) }));
    out.push(message === p.message && related === undefined ? p : { ...p, message, ...(related ? { related } : {}) });
  }
  return out;
}

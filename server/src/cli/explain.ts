// `postfix-lint explain -c DIR [LOGFILE|-]`: for each access decision smtpd
// logged (reject, reject_warning, hold, discard, ...), the restriction and
// line of today's configuration that makes it, or why it cannot be
// reproduced; for each warning, error or fatal line, what it means and,
// when the configuration caused it, the finding (file:line) that says where.
// Then a summary: rejects by restriction and by client, warnings by kind.
//
// Exit status: 0 every decision was explained, 1 some were not reproduced
// today (changed or external), 2 usage error. Warnings do not change it.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigMode } from '../engine/config-files';
import { decisiveStepText, explainLog, summarize, type Explanation } from '../engine/review/explain';
import { explainWarnings, summarizeWarnings, warningFindingText, type WarningExplanation } from '../engine/review/log-warning';
import { lintTargets } from '../engine/lint';
import { loadSimConfig } from '../engine/simulate/config';
import { printable } from './format';
import type { CliIo } from './io';
import type { FileReader } from '../engine/types';

const USAGE = `usage: postfix-lint explain [-c DIR] [--format text|json] [--live|--repository] [LOGFILE|-]

Explains smtpd's access decisions in a Postfix log (mail.log, maillog, or the
output of postlog/journalctl): for each reject, reject_warning, hold, discard,
... line, which restriction at which file:line of the configuration in DIR
(default /etc/postfix) gives that answer today. For each warning:, error: and
fatal: line, what it means and whether the configuration caused it (then the
finding that says where) or DNS, a client or the server's state did. Reads
standard input without LOGFILE or with -.`;

function describe(x: Explanation, logName: string): string {
  const e = x.event;
  const head = `${logName}:${e.line + 1}: ${e.action} ${e.command} from ${e.clientName ?? 'unknown'}[${e.clientAddress}]${e.sender !== undefined ? ` <${e.sender}>` : ''}${e.recipient ? ` → <${e.recipient}>` : ''}: ${e.detail}`;
  const step = decisiveStepText(x);
  const svc = x.service ? `, service ${x.service}` : '';
  switch (x.status) {
    case 'explained':
      return `${head}\n  explained: ${step || x.simulated}${svc}`;
    case 'explained-assuming':
      return `${head}\n  explained, assuming ${x.assumed.join(' and ')}: ${step || x.simulated}${svc}`;
    case 'external':
      return `${head}\n  not from the configuration: ${x.note}${svc}`;
    case 'changed':
      return `${head}\n  not reproduced: today's configuration answers ${x.simulated}${step ? ` (${step})` : ''}${svc}`;
    default:
      return `${head}\n  cannot simulate: ${x.note}`;
  }
}

const ORIGIN: Record<WarningExplanation['origin'], string> = {
  configuration: 'from the configuration',
  client: 'not from the configuration (the client)',
  dns: 'not from the configuration (DNS)',
  operational: 'operational',
  unknown: 'not recognised',
};

function describeWarning(x: WarningExplanation, logName: string): string {
  const w = x.warning;
  const out = [`${logName}:${w.line + 1}: ${w.severity} from ${w.program}: ${w.text}`, `  ${ORIGIN[x.origin]}: ${x.meaning}`];
  for (const f of x.findings) out.push(`  see ${warningFindingText(f)}: ${f.message}`);
  if (x.note) out.push(`  ${x.note}`);
  return out.join('\n');
}

export function runExplain(argv: string[], io: CliIo): number {
  let dir = '/etc/postfix';
  let format: 'text' | 'json' = 'text';
  let mode: ConfigMode | undefined;
  let log: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c' || a === '--config') dir = argv[++i] ?? '';
    else if (a === '--format') format = argv[++i] as 'text' | 'json';
    else if (a.startsWith('--format=')) format = a.slice(9) as 'text' | 'json';
    else if (a === '--live' || a === '--repository') mode = a.slice(2) as ConfigMode;
    else if (a === '-h' || a === '--help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    } else if (a !== '-' && a.startsWith('-')) {
      io.stderr(`postfix-lint explain: unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else if (log === undefined) log = a;
    else {
      io.stderr(`postfix-lint explain: one log file at a time\n${USAGE}\n`);
      return 2;
    }
  }
  if (!dir || !['text', 'json'].includes(format)) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const abs = resolve(dir);
  if (io.reader.readText(`${abs}/main.cf`) === undefined) {
    io.stderr(`postfix-lint explain: cannot read ${abs}/main.cf\n`);
    return 2;
  }
  let text: string;
  try {
    text = log === undefined || log === '-' ? readFileSync(0, 'utf8') : readFileSync(log, 'utf8');
  } catch (e) {
    io.stderr(`postfix-lint explain: cannot read ${log ?? 'standard input'}: ${(e as Error).message}\n`);
    return 2;
  }
  const config = loadSimConfig(abs, io.reader, mode);
  const xs = explainLog(config, text);
  const summary = summarize(xs);
  // Findings only when the log has warnings: they point at what caused them.
  const hasWarnings = /\[\d+\]: (warning|error|fatal|panic): /.test(text);
  const reader = io.reader as FileReader & { isDirectory?(p: string): boolean };
  // A reader without isDirectory (tests' in-memory files) knows only the configuration directory as one.
  const lintReader: FileReader & { isDirectory(p: string): boolean } = Object.assign(Object.create(reader) as FileReader, { isDirectory: (p: string) => (reader.isDirectory ? reader.isDirectory(p) : p === abs) });
  const ws = explainWarnings(text, hasWarnings ? lintTargets([abs], lintReader, { mode: config.mode }).problems : []);
  const wsummary = summarizeWarnings(ws);
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ configuration: { dir: abs, mode: config.mode }, explanations: xs, warnings: ws, summary: { ...summary, warnings: wsummary } }, null, 2)}\n`);
  } else {
    const name = log === undefined || log === '-' ? '(stdin)' : log;
    const items: { line: number; text: string }[] = [
      ...xs.map((x) => ({ line: x.event.line, text: describe(x, name) })),
      ...ws.map((x) => ({ line: x.warning.line, text: describeWarning(x, name) })),
    ].sort((a, b) => a.line - b.line);
    const out = items.map((i) => printable(i.text).replace(/\\x0a/g, '\n'));
    out.push('', `${xs.length} decision${xs.length === 1 ? '' : 's'} read: ${Object.entries(summary.byStatus).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
    const origins = new Map<string, number>();
    for (const w of ws) origins.set(w.origin, (origins.get(w.origin) ?? 0) + 1);
    out.push(`${ws.length} warning${ws.length === 1 ? '' : 's'} read${ws.length ? `: ${[...origins].map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}`);
    if (summary.byRestriction.length) {
      out.push('Rejects by restriction:');
      for (const r of summary.byRestriction) out.push(`  ${String(r.count).padStart(6)}  ${r.restriction}`);
      out.push('Rejects by client:');
      for (const c of summary.byClient.slice(0, 20)) out.push(`  ${String(c.count).padStart(6)}  ${c.client}`);
      if (summary.byClient.length > 20) out.push(`  (${summary.byClient.length - 20} more clients)`);
    }
    if (wsummary.byKind.length) {
      out.push('Warnings by kind:');
      for (const k of wsummary.byKind) out.push(`  ${String(k.count).padStart(6)}  ${k.kind} (${k.origin})`);
    }
    if (wsummary.byClient.length) {
      out.push('Warnings by client:');
      for (const c of wsummary.byClient.slice(0, 20)) out.push(`  ${String(c.count).padStart(6)}  ${c.client}`);
      if (wsummary.byClient.length > 20) out.push(`  (${wsummary.byClient.length - 20} more clients)`);
    }
    io.stdout(`${out.join('\n')}\n`);
  }
  return xs.every((x) => x.status === 'explained' || x.status === 'explained-assuming') ? 0 : 1;
}

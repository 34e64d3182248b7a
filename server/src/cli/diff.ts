// `postfix-lint diff`: what a change to a configuration does to mail.
//
//   postfix-lint diff OLD_DIR NEW_DIR [--format text|json|markdown|sarif]
//   postfix-lint diff --git REV [DIR]          DIR in the working tree against REV
//
// Both sides are judged the same way (a repository copy unless --live), so
// the only differences reported are the change's own. Exit status: 0 nothing
// that makes mail less safe, 1 the change opens a relay or adds an error
// finding, 2 usage error or a side that cannot be read.

import { resolve } from 'node:path';
import { checkoutRevision } from '../disk/git-revision';
import type { ConfigMode } from '../engine/config-files';
import { behaviourOf, type ReviewFinding } from '../engine/review/behaviour';
import { diffBehaviour, type BehaviourDiff } from '../engine/review/diff';
import { cellLine, summary, toJson, toMarkdown, valueLine, type Labels } from '../engine/review/report';
import { formatProblems, printable } from './format';
import { hostModel } from './host';
import type { CliIo } from './io';
import type { FileReader } from '../engine/types';

const USAGE = `usage: postfix-lint diff OLD_DIR NEW_DIR [--format text|json|markdown|sarif] [--live] [--postfix-version X.Y]
       postfix-lint diff --git REV [DIR] [--format ...]

Reports the behavioural difference between two Postfix configuration
directories: relay-matrix answers that changed per smtpd service, findings
added and removed, and effective parameter values (postconf -n and -P) that
changed. --git REV compares DIR (default .) in the working tree with its
content at the git revision REV. Exit status: 0 nothing that makes mail less
safe, 1 the change opens a relay or adds an error finding, 2 usage error.`;

type DiffFormat = 'text' | 'json' | 'markdown' | 'sarif';

interface DiffArgs {
  dirs: string[];
  git?: string;
  format: DiffFormat;
  mode: ConfigMode;
  version?: string;
}

function parseArgs(argv: string[]): DiffArgs | string {
  const a: DiffArgs = { dirs: [], format: 'text', mode: 'repository' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    if (name === '--format') {
      const f = value();
      if (!['text', 'json', 'markdown', 'sarif'].includes(f)) return `unknown format ${f}`;
      a.format = f as DiffFormat;
    } else if (name === '--git') {
      const rev = value();
      if (!rev) return '--git needs a revision';
      a.git = rev;
    } else if (name === '--live') a.mode = 'live';
    else if (name === '--repository') a.mode = 'repository';
    else if (name === '--postfix-version') {
      const v = value();
      if (!/^\d+\.\d+(\.\d+)?$/.test(v ?? '')) return `--postfix-version needs a version such as 3.7, not ${v}`;
      a.version = v;
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else a.dirs.push(arg);
  }
  if (a.git !== undefined ? a.dirs.length > 1 : a.dirs.length !== 2) return a.git !== undefined ? 'diff --git takes one directory' : 'diff needs two directories';
  return a;
}

export function runDiff(argv: string[], io: CliIo & { reader: FileReader & { isDirectory(p: string): boolean } }): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`postfix-lint diff: ${args}\n${USAGE}\n`);
    return 2;
  }
  let oldDir: string;
  let newDir: string;
  let cleanup = () => {};
  let oldLabel: string;
  if (args.git !== undefined) {
    newDir = resolve(args.dirs[0] ?? '.');
    try {
      const copy = checkoutRevision(newDir, args.git);
      oldDir = copy.path;
      cleanup = copy.cleanup;
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
      io.stderr(`postfix-lint diff: cannot read ${args.dirs[0] ?? '.'} at revision ${args.git}: ${stderr}\n`);
      return 2;
    }
    oldLabel = `${args.dirs[0] ?? '.'} at ${args.git}`;
  } else {
    oldDir = resolve(args.dirs[0]);
    newDir = resolve(args.dirs[1]);
    oldLabel = args.dirs[0];
  }
  const newLabel = args.git !== undefined ? `${args.dirs[0] ?? '.'} (working tree)` : args.dirs[1];
  try {
    if (!io.reader.isDirectory(newDir)) {
      io.stderr(`postfix-lint diff: ${newLabel} is not a directory\n`);
      return 2;
    }
    const options = { mode: args.mode, version: args.version, host: hostModel() };
    const before = behaviourOf(oldDir, io.reader, options);
    const after = behaviourOf(newDir, io.reader, options);
    if (!before.exists && !after.exists) {
      io.stderr(`postfix-lint diff: neither ${oldLabel} nor ${newLabel} has a main.cf\n`);
      return 2;
    }
    const d = diffBehaviour(before, after);
    io.stdout(render(d, args.format, { old: oldLabel, new: newLabel }));
    return d.cells.some((c) => c.opensRelay) || d.added.some((f) => f.severity === 'error') ? 1 : 0;
  } finally {
    cleanup();
  }
}

function render(d: BehaviourDiff, format: DiffFormat, labels: Labels): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(d, labels), null, 2)}\n`;
    case 'sarif':
      // Only what the change adds: a review tool shows these on the changed files.
      return formatProblems(d.added, 'sarif', process.cwd(), [{ dir: d.new.dir, mode: 'repository' }]);
    case 'markdown':
      return toMarkdown(d, labels);
    default:
      return toText(d, labels);
  }
}

function findingLine(f: ReviewFinding): string {
  return printable(`${f.relFile}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`);
}

function toText(d: BehaviourDiff, labels: Labels): string {
  const out = [`Behavioural difference: ${labels.old} → ${labels.new}`];
  if (!d.old.exists) out.push(`  ${labels.old} has no main.cf: everything below is new`);
  if (!d.new.exists) out.push(`  ${labels.new} has no main.cf: everything below is gone`);
  const section = (title: string, lines: string[]) => {
    if (!lines.length) return;
    out.push('', `${title}:`);
    for (const l of lines) out.push(`  ${l}`);
  };
  section('Relay matrix', d.cells.map(cellLine));
  section(`Findings added (${d.added.length})`, d.added.map(findingLine));
  section(`Findings removed (${d.removed.length})`, d.removed.map(findingLine));
  section('Effective values', d.values.map(valueLine));
  out.push('', summary(d));
  return `${out.join('\n')}\n`;
}

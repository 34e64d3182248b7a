// `postfix-lint diff`: what a change to a configuration does to mail.
//
//   postfix-lint diff OLD_DIR NEW_DIR [--format text|json|markdown|sarif]
//   postfix-lint diff --git REV [DIR]          DIR in the working tree against REV
//
// Both sides are judged the same way (a repository copy unless --live), so
// the only differences reported are the change's own. Exit status: 0 nothing
// that makes mail less safe, 1 the change opens a relay or adds an error
// finding, 2 usage error or a side that cannot be read.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ruleDocUrl } from '../engine/codes';
import type { ConfigMode } from '../engine/config-files';
import { behaviourOf, type ReviewFinding } from '../engine/review/behaviour';
import { diffBehaviour, isEmptyDiff, type BehaviourDiff, type CellChange, type ValueChange } from '../engine/review/diff';
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

/**
 * Writes DIR's files as they are at REV into a new temporary directory. Git
 * runs only because the user asked for --git; the revision's symbolic links
 * are recreated only when they point inside the copy.
 */
export function checkoutRevision(dir: string, rev: string): { path: string; cleanup(): void } {
  const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const abs = realpathSync(dir);
  const top = git(['rev-parse', '--show-toplevel'], abs).toString().trim();
  const sub = relative(realpathSync(top), abs);
  try {
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], top);
  } catch {
    throw new Error(`no such revision: ${rev}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'postfix-lint-diff-'));
  const listing = git(['ls-tree', '-r', '-z', '--full-tree', rev, '--', sub === '' ? '.' : sub], top).toString();
  for (const entry of listing.split('\0')) {
    const m = /^(\d+) (\w+) [0-9a-f]+\t(.*)$/s.exec(entry);
    if (!m || m[2] !== 'blob') continue;
    const [, fileMode, , path] = m;
    const inside = sub === '' ? path : path.slice(sub.length + 1);
    const target = join(root, inside);
    if (!target.startsWith(root + sep)) continue;
    mkdirSync(dirname(target), { recursive: true });
    const content = git(['cat-file', 'blob', `${rev}:${path}`], top);
    if (fileMode === '120000') {
      const link = content.toString();
      if (resolve(dirname(target), link).startsWith(root + sep)) symlinkSync(link, target);
      continue;
    }
    writeFileSync(target, content);
  }
  return { path: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
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

interface Labels {
  old: string;
  new: string;
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

function findingJson(f: ReviewFinding) {
  return { code: f.code, severity: f.severity, category: f.category, file: f.relFile, line: f.range.start.line + 1, column: f.range.start.character + 1, message: f.message, url: ruleDocUrl(f.code) };
}

function toJson(d: BehaviourDiff, labels: Labels) {
  return {
    old: { label: labels.old, hasMainCf: d.old.exists, openRelay: d.old.openRelay },
    new: { label: labels.new, hasMainCf: d.new.exists, openRelay: d.new.openRelay },
    relayMatrix: d.cells,
    findingsAdded: d.added.map(findingJson),
    findingsRemoved: d.removed.map(findingJson),
    values: d.values,
  };
}

const show = (v: string | undefined) => (v === undefined ? '(not tested)' : v);

function cellLine(c: CellChange): string {
  const verdict = c.opensRelay ? ' — an open relay' : c.closesRelay ? ' — no longer an open relay' : '';
  return `${c.service}: ${c.client} [${c.clientAddress}${c.saslUser ? `, logged in as ${c.saslUser}` : ''}] → <${c.recipientAddress}> (${c.recipient}; sender <${c.sender}>): ${show(c.before)} → ${show(c.after)}${verdict}`;
}

function valueLine(v: ValueChange): string {
  const unset = v.scope === 'main.cf' ? '(default)' : '(main.cf value)';
  return `${v.scope} ${v.name}: ${v.before ?? unset} → ${v.after ?? unset}`;
}

function findingLine(f: ReviewFinding): string {
  return printable(`${f.relFile}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`);
}

function summary(d: BehaviourDiff): string {
  if (isEmptyDiff(d)) return 'No behavioural difference.';
  const opened = d.cells.filter((c) => c.opensRelay).length;
  const parts = [
    opened ? `OPENS A RELAY on ${opened} service${opened === 1 ? '' : 's'}` : '',
    `${d.cells.length} relay-matrix answer${d.cells.length === 1 ? '' : 's'} changed`,
    `${d.added.length} finding${d.added.length === 1 ? '' : 's'} added`,
    `${d.removed.length} removed`,
    `${d.values.length} effective value${d.values.length === 1 ? '' : 's'} changed`,
  ];
  return parts.filter(Boolean).join(', ');
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

/** Markdown for a pull-request comment: table cells escaped, one table per part. */
function toMarkdown(d: BehaviourDiff, labels: Labels): string {
  const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
  const code = (s: string | undefined) => (s === undefined ? '—' : `\`${s.replace(/`/g, "'")}\``);
  const out = [`### Postfix: what this change does to mail`, '', `${esc(labels.old)} → ${esc(labels.new)}: **${esc(summary(d))}**`];
  if (d.cells.length) {
    out.push('', '#### Relay matrix', '', '| service | client | recipient | sender | before | after | |', '|---|---|---|---|---|---|---|');
    for (const c of d.cells) {
      const note = c.opensRelay ? '🔴 open relay' : c.closesRelay ? '🟢 relay closed' : '';
      out.push(`| ${esc(c.service)} | ${esc(c.client)} ${code(c.clientAddress)} | ${esc(c.recipient)} ${code(c.recipientAddress)} | ${code(c.sender)} | ${code(c.before)} | ${code(c.after)} | ${note} |`);
    }
  }
  const findings = (title: string, list: ReviewFinding[]) => {
    if (!list.length) return;
    out.push('', `#### ${title} (${list.length})`, '', '| file | line | severity | rule | message |', '|---|---|---|---|---|');
    for (const f of list) out.push(`| ${esc(f.relFile)} | ${f.range.start.line + 1} | ${f.severity} | [${f.code}](${ruleDocUrl(f.code)}) | ${esc(f.message)} |`);
  };
  findings('Findings added', d.added);
  findings('Findings removed', d.removed);
  if (d.values.length) {
    out.push('', '#### Effective values', '', '| file | parameter | before | after |', '|---|---|---|---|');
    for (const v of d.values) out.push(`| ${v.scope} | ${esc(v.name)} | ${code(v.before)} | ${code(v.after)} |`);
  }
  return `${out.join('\n')}\n`;
}

// postfix-lint: lints Postfix configuration directories and files for CI and
// code review, and offers the engine's oracle interfaces (postconf, postmap)
// and the policy simulator. Arguments in, engine, formatted output out.

import { runFix, runRecipe, runRecipes } from './recipe';
import { readFileSync, writeSync } from 'node:fs';
import { diskReader } from '../disk/read-file';
import { resolve } from 'node:path';
import { lintWithRuleSettings } from './rule-config';
import type { ConfigMode } from '../engine/config-files';
import { SEVERITY_RANK, type FileReader, type Problem } from '../engine/types';
import { formatProblems, type LintFormat, type OutputFormat } from './format';
import type { CliIo } from './io';
import { runPostconf } from './postconf';
import { runPostmap } from './postmap';
import { runSimulate } from './simulate';
import { mainCfFailure } from './main-cf';
import { runDiff } from './diff';
import { runExplain } from './explain';
import { htmlReport } from './report';

const USAGE = `usage: postfix-lint [--format text|json|sarif|gitlab|html] [--postfix-version X.Y] [--min-severity error|warning|info|hint] [--fail-on error|warning|info|hint|never] [--live|--repository] [--config FILE] PATH...
       postfix-lint postconf -c DIR [-n] [-x] [-d] [-M] [-F] [-P] [-f] [NAME...]
       postfix-lint postmap [-q KEY | -q - | -s] type:name
       postfix-lint simulate -c DIR [--service NAME] --client ADDR[,HOSTNAME] [--helo NAME] [--sasl-user USER] --from ADDR --to ADDR... [--format text|json]
       postfix-lint simulate -c DIR --matrix [--against [SERVICE=]HOST:PORT]...   --against: does a live server answer the same?
       postfix-lint explain [-c DIR] [LOGFILE|-]          why smtpd logged a reject
       postfix-lint recipes | recipe NAME -c DIR [--set KEY=VALUE]... [--postfix-version X.Y] [--diff|--write]
       postfix-lint --fix [--diff] [--config FILE] [--min-severity S] PATH...   apply every safe fix of what is reported
       postfix-lint diff OLD_DIR NEW_DIR | diff --git REV [DIR]   [--format text|json|markdown|sarif]

Lints a Postfix configuration directory (main.cf, master.cf and the lookup
tables they name) or single files. /etc/postfix is judged as the live
configuration of this machine, any other directory as a repository copy
(tables beside main.cf, host files not read, compiled tables built at deploy
time); --live and --repository choose. Rule severities and "off" come from
--config FILE or the nearest .postfix-lint.json above each path ({"rules":
{"PF519": "off"}, "categories": {"style": "off"}}). Exit status: 0 no errors, 1 errors found
or main.cf cannot be read, 2 usage error.`;

/**
 * Two streams, two encodings (README, "Encoding"). Files are decoded as UTF-8,
 * Postfix's own policy since compatibility_level 3.6: a line that is not
 * UTF-8 shows U+FFFD and is reported (PF304) the way postmap ignores it; what
 * people read (text, JSON, SARIF, simulator traces) is written as UTF-8. The
 * postconf emulation alone works on bytes (latin1 both ways), so its output
 * is byte for byte real postconf's.
 */
export const fsReader = diskReader('utf8');
const byteReader = diskReader('bytes');

function writeAll(fd: number, s: string, encoding: BufferEncoding): void {
  const buf = Buffer.from(s, encoding);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

const processIo: CliIo = {
  stdout: (s) => writeAll(1, s, 'utf8'),
  stderr: (s) => writeAll(2, s, 'utf8'),
  reader: fsReader,
  stdinLines: () => readFileSync(0, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''),
};

const postconfIo: CliIo = { stdout: (s) => writeAll(1, s, 'latin1'), stderr: (s) => writeAll(2, s, 'latin1'), reader: byteReader };

/** The options of a lint (and of --fix, which lints first): what the findings are and which count. */
export interface LintArgs {
  format: LintFormat;
  version?: string;
  minSeverity: Problem['severity'];
  failOn: Problem['severity'] | 'never';
  mode?: ConfigMode;
  configFile?: string;
  paths: string[];
  fix: boolean;
  diff: boolean;
}

/** Parses lint options (with `--fix [--diff]` when `fixing`); a number is the exit status of a usage error or --help. */
export function parseLintArgs(argv: string[], io: CliIo & { reader: typeof fsReader }, fixing = false): LintArgs | number {
  const args: LintArgs = { format: 'text', minSeverity: 'hint', failOn: 'error', paths: [], fix: false, diff: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (fixing && (a === '--fix' || a === '--diff')) args[a === '--fix' ? 'fix' : 'diff'] = true;
    else if (a === '--format') args.format = argv[++i] as LintFormat;
    else if (a.startsWith('--format=')) args.format = a.slice(9) as LintFormat;
    else if (a === '--postfix-version') {
      args.version = argv[++i];
      if (!/^\d+\.\d+(\.\d+)?$/.test(args.version ?? '')) {
        io.stderr(`postfix-lint: --postfix-version needs a release such as 3.7 or 3.7.11, not "${args.version ?? ''}"\n${USAGE}\n`);
        return 2;
      }
    }
    else if (a === '--config' || a.startsWith('--config=')) {
      let configFile = a === '--config' ? argv[++i] : a.slice(9);
      if (!configFile) {
        io.stderr(`postfix-lint: --config needs a file (rule settings, like .postfix-lint.json)\n${USAGE}\n`);
        return 2;
      }
      configFile = resolve(configFile);
      if (io.reader.readText(configFile) === undefined) {
        io.stderr(`postfix-lint: --config ${configFile}: cannot be read\n`);
        return 2;
      }
      args.configFile = configFile;
    }
    else if (a === '--min-severity') args.minSeverity = argv[++i] as Problem['severity'];
    else if (a === '--fail-on') args.failOn = argv[++i] as Problem['severity'] | 'never';
    else if (a === '--live' || a === '--repository') {
      if (args.mode && args.mode !== a.slice(2)) {
        io.stderr(`postfix-lint: --live and --repository exclude each other\n${USAGE}\n`);
        return 2;
      }
      args.mode = a.slice(2) as ConfigMode;
    }
    else if (a === '-h' || a === '--help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('-')) {
      io.stderr(`postfix-lint: unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else args.paths.push(a);
  }
  if (!['text', 'json', 'sarif', 'gitlab', 'html'].includes(args.format) || !(args.minSeverity in SEVERITY_RANK) || !(args.failOn === 'never' || args.failOn in SEVERITY_RANK) || args.paths.length === 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  return args;
}

export function runLint(argv: string[], io: CliIo & { reader: typeof fsReader }): number | Promise<number> {
  const args = parseLintArgs(argv, io);
  if (typeof args === 'number') return args;
  const { format, version, minSeverity, failOn, mode, configFile, paths } = args;
  const targets = paths.map((p) => resolve(p));
  for (const p of targets) {
    const failure = io.reader.isDirectory(p) ? mainCfFailure(p, io.reader, mode) : undefined;
    if (failure) {
      io.stderr(`postfix-lint: fatal: ${failure}\n`);
      return 1;
    }
  }
  // Rule settings: --config FILE, else the .postfix-lint.json nearest above each target.
  const report = lintWithRuleSettings(targets, io.reader, { version, mode }, configFile, (m) => io.stderr(`postfix-lint: warning: ${m}\n`));
  const problems = report.problems.filter((p) => SEVERITY_RANK[p.severity] <= SEVERITY_RANK[minSeverity]);
  // The exit status follows --fail-on (default: errors), among the findings shown.
  const status = failOn !== 'never' && problems.some((p) => SEVERITY_RANK[p.severity] <= SEVERITY_RANK[failOn]) ? 1 : 0;
  if (format === 'html') {
    return htmlReport(report, problems, paths.map((p) => resolve(p)), io.reader).then((page) => {
      io.stdout(page);
      return status;
    });
  }
  io.stdout(formatProblems(problems, format as OutputFormat, process.cwd(), report.configurations));
  return status;
}

export function main(argv: string[], io: CliIo = processIo): number | Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'postconf':
      return runPostconf(rest, io === processIo ? postconfIo : io);
    case 'postmap':
      // The table engine decodes UTF-8 itself, so its output is text, not bytes.
      return runPostmap(rest, io);
    case 'simulate':
      return runSimulate(rest, io);
    case 'explain':
      return runExplain(rest, { ...io, reader: fsReader });
    case 'diff':
      return runDiff(rest, { ...io, reader: fsReader });
    case 'recipes':
      return runRecipes(io);
    case 'recipe':
      return runRecipe(rest, { ...io, reader: fsReader });
    case 'lint':
      return runLint(rest, { ...io, reader: fsReader });
    default:
      if (argv.includes('--fix')) {
        const args = parseLintArgs(argv, { ...io, reader: fsReader }, true);
        if (typeof args === 'number') return args;
        return runFix(args, { ...io, reader: fsReader });
      }
      return runLint(argv, { ...io, reader: fsReader });
  }
}

/** postfix-lint run as a command: the arguments of this process, its exit status. */
export function runCommandLine(): void {
  Promise.resolve(main(process.argv.slice(2))).then(
    (status) => (process.exitCode = status),
    (e) => {
      process.stderr.write(`postfix-lint: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}

// Run directly (tsx); dist/cli.js is the loader in boot/cli.ts, which calls runCommandLine.
if (require.main === module) runCommandLine();

// master.cf: one service per logical line, read the way Postfix 3.7 reads it
// (readllines, then words split on blanks with `{...}` kept together), with
// exact ranges for every field, argument and -o setting.
//
// Three readers of the same text matter and they disagree at the edges:
// - postconf checks the 8 fields and dies at the first bad line (recorded in
//   `fatal` / `postconfFatal`, like MainCf.fatal); its rewritten argument list
//   (`postconf`) drives the postconf -M/-F/-P emulation;
// - the master daemon checks more (inet services cannot be private, wakeup
//   `-?`, braces, duplicate services);
// - each daemon reads its own options (`overrides` come from this view, the
//   one that decides what runs).
// Every problem of every line is reported for the editor. Never throws.

import { CommentLine, LogicalLine, logicalRange, readLogicalLinesSteps } from '../lines';
import { drain, ITEMS_PER_STEP, type Steps } from '../steps';
import type { Problem, Range } from '../types';
import { masterProblem } from './codes';
import { ArgWord, DaemonOverride, daemonViewSteps, DAEMONS_IGNORING_ARGUMENTS, smtpClientArgumentError, DAEMONS_WITHOUT_ARGUMENTS } from './daemon-view';
import { masterEndpoint, parseInetEndpoint } from './endpoint';
import { normalizeForPostconfSteps, PostconfView } from './postconf-view';
import { splitQuotedSteps, truncateBytes, byteLength } from './tokenize';

/** Service types postconf accepts, in its own order. */
export const MASTER_TYPES = ['unix', 'fifo', 'inet', 'pass', 'unix-dgram'] as const;
export type MasterServiceType = (typeof MASTER_TYPES)[number];

/** Field names as postconf -F prints them. */
export const MASTER_FIELD_NAMES = ['service', 'type', 'private', 'unprivileged', 'chroot', 'wakeup', 'process_limit', 'command'] as const;

export interface MasterWord {
  text: string;
  /** Offsets inside the logical line text. */
  start: number;
  end: number;
  range: Range;
}

export interface MasterOverride {
  name: string;
  value: string;
  nameRange: Range;
  valueRange: Range;
  /** From the option word to the end of the value. */
  range: Range;
  /** `-o name=value`, `-oname=value`, or `-o { name = value }`. */
  form: 'separate' | 'attached' | 'braced';
  /** Offsets of the value inside the logical line text (MasterService.text). */
  valueStart: number;
  valueEnd: number;
}

export interface MasterArgument {
  word: MasterWord;
  /** The argument as the daemon receives it (braces removed). */
  value: string;
}

export interface MasterService {
  /** `name/type`, postconf's name for the service. */
  key: string;
  name: MasterWord;
  type: MasterWord;
  private: MasterWord;
  unprivileged: MasterWord;
  chroot: MasterWord;
  wakeup: MasterWord;
  maxproc: MasterWord;
  command: MasterWord;
  /** The 8 fields in order. */
  fields: MasterWord[];
  /** Words after the command field. */
  args: MasterWord[];
  /** `-o` settings as the daemon applies them, in order (a later one wins). */
  overrides: MasterOverride[];
  /** Arguments after the options (pipe's `flags=... argv=...`, for example). */
  positional: MasterArgument[];
  /** Basename of the command field: the program that runs. */
  program: string;
  /** The master daemon's identity for the service (`25`, `[::1]:25`, `private/relay`). */
  endpoint: string;
  /** The fields pass postconf's checks. */
  valid: boolean;
  /** What postconf makes of the words (for the postconf emulation). */
  postconf: PostconfView;
  /** Zero-based first and last physical line. */
  line: number;
  lastLine: number;
  range: Range;
  /** The logical line as Postfix joins it. */
  text: string;
  logical: LogicalLine;
}

export interface MasterShortLine {
  line: number;
  range: Range;
  text: string;
  words: MasterWord[];
}

export type PostconfMasterFatal =
  /** `file DIR/master.cf: line N: bad field count` */
  | { kind: 'field-count'; line: number }
  /** `invalid type field "x" in "..."` and friends: the text as printed. */
  | { kind: 'field'; line: number; text: string };

export interface MasterCf {
  file: string;
  /** Every logical line with at least 8 words, valid or not, in file order. */
  services: MasterService[];
  /** Logical lines with fewer than 8 words. */
  shortLines: MasterShortLine[];
  comments: CommentLine[];
  /** Lines at the top that start with whitespace: Postfix warns and skips them. */
  orphans: { line: number; range: Range; text: string }[];
  problems: Problem[];
  /** postconf's first fatal error: it reads nothing after it and shows nothing at all. */
  fatal?: Problem;
  postconfFatal?: PostconfMasterFatal;
  lineCount: number;
}

function validFlag(s: string): boolean {
  return s.length === 1 && 'yn-'.includes(s);
}

function validWakeup(s: string): boolean {
  const len = s.endsWith('?') ? s.length - 1 : s.length;
  if (s[0] === '-' && len === 1) return true;
  let digits = 0;
  while (digits < s.length && s[digits] >= '0' && s[digits] <= '9') digits++;
  return digits === len;
}

function validMaxproc(s: string): boolean {
  return s === '-' || /^[0-9]*$/.test(s);
}

function programName(command: string): string {
  return command.slice(command.lastIndexOf('/') + 1);
}

/** The text of a logical line as C code sees it: up to the first NUL. */
function cText(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * A word of a service line. Its document range is made from the line's
 * offsets when first asked: a line can hold 200,000 words (100,000 `-o`
 * options), and allocating a range for each one up front made loading such a
 * master.cf mostly garbage collection, for ranges nobody reads.
 */
class LineWord implements MasterWord {
  readonly #logical: LogicalLine;
  #range: Range | undefined;
  constructor(
    readonly text: string,
    readonly start: number,
    readonly end: number,
    logical: LogicalLine,
  ) {
    this.#logical = logical;
  }
  get range(): Range {
    return (this.#range ??= logicalRange(this.#logical, this.start, this.end));
  }
}

/** A `-o` setting of a service line, its ranges made when first asked (see LineWord); it keeps the offsets, not the DaemonOverride. */
class LineOverride implements MasterOverride {
  readonly name: string;
  readonly value: string;
  readonly form: MasterOverride['form'];
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly #logical: LogicalLine;
  readonly #nameStart: number;
  readonly #nameEnd: number;
  readonly #start: number;
  readonly #end: number;
  #ranges: { name: Range; value: Range; range: Range } | undefined;
  constructor(o: DaemonOverride, logical: LogicalLine) {
    this.name = o.name;
    this.value = o.value;
    this.form = o.form;
    this.valueStart = o.valueStart;
    this.valueEnd = o.valueEnd;
    this.#nameStart = o.nameStart;
    this.#nameEnd = o.nameEnd;
    this.#start = o.start;
    this.#end = o.end;
    this.#logical = logical;
  }
  get nameRange(): Range {
    return this.#made().name;
  }
  get valueRange(): Range {
    return this.#made().value;
  }
  get range(): Range {
    return this.#made().range;
  }
  #made() {
    const ll = this.#logical;
    return (this.#ranges ??= {
      name: logicalRange(ll, this.#nameStart, this.#nameEnd),
      value: logicalRange(ll, this.valueStart, this.valueEnd),
      range: logicalRange(ll, this.#start, this.#end),
    });
  }
}

function quoteLine(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The last parse of each file, by text. The lint reads master.cf twice (the
 * configuration and the simulator's view of it); a parse is never modified,
 * so the second reader gets the same result instead of another parse.
 */
// One per file (a few files: each open configuration's), so the configuration-level
// results kept per directory (engine/lint.ts) see the same object while the text is the same.
const lastParses = new Map<string, { text: string; result: MasterCf }>();
const MAX_PARSES = 16;

export function parseMasterCf(text: string, file = 'master.cf'): MasterCf {
  return drain(parseMasterCfSteps(text, file));
}

/**
 * parseMasterCf in steps of about ITEMS_PER_STEP words (lines, services, the
 * words of one long line, its -o options), so the language server answers
 * requests while a 100,000-line master.cf is read; the same result.
 */
export function* parseMasterCfSteps(text: string, file = 'master.cf'): Steps<MasterCf> {
  const last = lastParses.get(file);
  if (last && last.text === text) return last.result;
  const result = yield* parseMasterCfText(text, file);
  lastParses.delete(file);
  lastParses.set(file, { text, result });
  if (lastParses.size > MAX_PARSES) lastParses.delete(lastParses.keys().next().value as string);
  return result;
}

function* parseMasterCfText(text: string, file: string): Steps<MasterCf> {
  const label = () => `parse ${file}`;
  const ll = yield* readLogicalLinesSteps(text);
  yield label;
  const problems: Problem[] = [];
  const services: MasterService[] = [];
  const shortLines: MasterShortLine[] = [];
  const orphans: MasterCf['orphans'] = [];
  let fatal: Problem | undefined;
  let postconfFatal: PostconfMasterFatal | undefined;

  for (const o of ll.orphans) {
    const range = logicalRange(o, 0, o.text.length);
    const shown = `${truncateBytes(o.text, 30)}${byteLength(o.text) > 30 ? '...' : ''}`;
    orphans.push({ line: o.firstLine, range, text: o.text });
    problems.push(
      masterProblem(
        'leadingWhitespace',
        file,
        range,
        `logical line must not start with whitespace: "${shown}" (an indented line continues the line above it; here there is none, so Postfix skips it)`,
      ),
    );
  }

  const setFatal = (p: Problem, pf: PostconfMasterFatal) => {
    if (fatal) return;
    fatal = p;
    postconfFatal = pf;
  };

  let work = 0;
  for (const logical of ll.lines) {
    if (work >= ITEMS_PER_STEP) {
      work = 0;
      yield label;
    }
    const t = cText(logical.text);
    const words: MasterWord[] = yield* splitQuotedSteps(t, ITEMS_PER_STEP, (text, start, end) => new LineWord(text, start, end, logical));
    work += words.length;
    const lineRange = logicalRange(logical, 0, logical.text.length);
    const lineNo = logical.firstLine + 1;

    if (words.length < 8) {
      shortLines.push({ line: logical.firstLine, range: lineRange, text: t, words });
      const p = masterProblem(
        'badFieldCount',
        file,
        lineRange,
        `line ${lineNo}: bad field count: a service needs 8 fields (service type private unpriv chroot wakeup maxproc command), this line has ${words.length}`,
      );
      problems.push(p);
      setFatal(p, { kind: 'field-count', line: lineNo });
      continue;
    }

    const [name, type, priv, unpriv, chroot, wakeup, maxproc, command] = words;
    const checks: { ok: boolean; field: number; key: 'invalidType' | 'invalidFlag' | 'invalidWakeup' | 'invalidMaxproc'; advice: string }[] = [
      { ok: (MASTER_TYPES as readonly string[]).includes(type.text), field: 1, key: 'invalidType', advice: 'use inet, unix, unix-dgram, fifo or pass' },
      { ok: validFlag(priv.text), field: 2, key: 'invalidFlag', advice: 'use y, n or - (the default)' },
      { ok: validFlag(unpriv.text), field: 3, key: 'invalidFlag', advice: 'use y, n or - (the default)' },
      { ok: validFlag(chroot.text), field: 4, key: 'invalidFlag', advice: 'use y, n or - (the default)' },
      { ok: validWakeup(wakeup.text), field: 5, key: 'invalidWakeup', advice: 'use a number of seconds, optionally followed by ?, or -' },
      { ok: validMaxproc(maxproc.text), field: 6, key: 'invalidMaxproc', advice: 'use a number (0 means no limit) or -' },
    ];
    let valid = true;
    for (const c of checks) {
      if (c.ok) continue;
      const fieldName = MASTER_FIELD_NAMES[c.field];
      const w = words[c.field];
      const postfixText = `invalid ${fieldName} field "${w.text}" in "${t.replace(/\n/g, ' ')}"`;
      const p = masterProblem(c.key, file, w.range, `invalid ${fieldName} field "${w.text}": ${c.advice}`);
      problems.push(p);
      if (valid) setFatal(p, { kind: 'field', line: lineNo, text: postfixText });
      valid = false;
    }

    const args = words.slice(8);
    const program = programName(command.text);
    const postconf = yield* normalizeForPostconfSteps(words, ITEMS_PER_STEP);
    const svc: MasterService = {
      key: `${name.text}/${type.text}`,
      name,
      type,
      private: priv,
      unprivileged: unpriv,
      chroot,
      wakeup,
      maxproc,
      command,
      fields: words.slice(0, 8),
      args,
      overrides: [],
      positional: [],
      program,
      endpoint: masterEndpoint(name.text, type.text, priv.text),
      valid,
      postconf,
      line: logical.firstLine,
      lastLine: logical.lastLine,
      range: lineRange,
      text: t,
      logical,
    };
    services.push(svc);
    if (valid) masterOnlyChecks(svc, file, problems);
    yield* daemonChecks(svc, file, problems);
  }

  duplicateChecks(services, file, problems);
  return { file, services, shortLines, comments: ll.comments, orphans, problems, fatal, postconfFatal, lineCount: ll.lineCount };
}

/** Fatal errors of the master daemon that postconf lets through, and type advice. */
function masterOnlyChecks(s: MasterService, file: string, problems: Problem[]): void {
  const type = s.type.text;
  if (type === 'inet') {
    if (s.private.text !== 'n') {
      problems.push(
        masterProblem(
          'inetPrivate',
          file,
          s.private.range,
          `inet service cannot be private: set the private field to n${s.private.text === '-' ? ' (its default, -, means y)' : ''}`,
        ),
      );
    }
    const hp = parseInetEndpoint(s.name.text);
    if (typeof hp === 'string') problems.push(masterProblem('inetEndpoint', file, s.name.range, `${hp} in "${s.name.text}"`));
  }
  const wake = s.wakeup.text;
  if (wake !== '-' && !/^[0-9]/.test(wake)) {
    problems.push(
      masterProblem('wakeupRejectedByMaster', file, s.wakeup.range, `field "wakeup_time": bad value: "${wake}" (the master daemon wants a number here, or - alone)`),
    );
  }
  if (s.command.text === '-') {
    problems.push(masterProblem('commandMissing', file, s.command.range, 'field "command" has no default value: name the program to run'));
  }
  if (type === 'fifo') {
    problems.push(masterProblem('fifoType', file, s.type.range, "type fifo is a legacy named-pipe listener; Postfix's own services use unix"));
  }
  if (type === 'unix-dgram' && s.program !== 'postlogd') {
    problems.push(
      masterProblem('unixDgramType', file, s.type.range, `type unix-dgram only works for postlogd; ${s.program} expects a stream socket (use unix)`),
    );
  }
}

/** Whether this service's lines already have an error; its problems are the last ones pushed. */
function hasErrorOn(s: MasterService, problems: Problem[]): boolean {
  for (let i = problems.length - 1; i >= 0 && problems[i].range.start.line >= s.line; i--) {
    if (problems[i].severity === 'error' && problems[i].range.start.line <= s.lastLine) return true;
  }
  return false;
}

/** What the daemon will make of its arguments. */
function* daemonChecks(s: MasterService, file: string, problems: Problem[]): Steps<void> {
  const ll = s.logical;
  const words: readonly ArgWord[] = s.args; // daemonView only reads text and offsets
  const view = yield* daemonViewSteps(words, ITEMS_PER_STEP, (o) => new LineOverride(o, ll));
  s.overrides = view.overrides;
  s.positional = s.args.slice(view.firstPositional).map((word, i) => ({ word, value: view.values[view.firstPositional + i] }));

  for (const issue of view.issues) {
    const w = s.args[issue.wordIndex];
    switch (issue.kind) {
      case 'braces':
        problems.push(masterProblem('braces', file, w.range, `${issue.message} (the master daemon refuses this line; postconf only warns)`));
        break;
      case 'missing-equals': {
        const advice = issue.spaced
          ? `write -o ${issue.optarg}=... without spaces around '=', or -o { ${issue.optarg} = ... }`
          : `write -o name=value`;
        problems.push(masterProblem('optionMissingEquals', file, w.range, `${issue.message}: ${s.program} will not start; ${advice}`));
        break;
      }
      case 'missing-value':
        problems.push(masterProblem('optionMissingValue', file, w.range, `invalid option: ${issue.letter} (-${issue.letter} needs a value after it): ${s.program} will not start`));
        break;
      case 'invalid-option':
        problems.push(masterProblem('invalidOption', file, w.range, `invalid option: ${issue.letter}: ${s.program} will not start`));
        break;
      case 'attached-braces':
        problems.push(
          masterProblem('attachedBraces', file, w.range, 'the daemon does not remove braces written against -o: put a space between -o and {'),
        );
        break;
      case 'postconf-split':
        problems.push(
          masterProblem(
            'postconfSplitsOption',
            file,
            w.range,
            `postconf splits "${w.text}" at its second "o" and then shows and checks the wrong settings; the daemon reads it correctly; write "${w.text.slice(0, 2)} ${w.text.slice(2)}"`,
          ),
        );
        break;
    }
  }

  const stray = s.positional[0];
  if (stray && !view.issues.some((i) => i.kind === 'missing-equals' || i.kind === 'missing-value' || i.kind === 'invalid-option')) {
    const prev = view.firstPositional > 0 ? view.values[view.firstPositional - 1] : '';
    const hint = prev.endsWith(',') || stray.value.startsWith(',') ? '; a -o value with spaces needs braces: -o { name = a, b }' : '';
    if (DAEMONS_WITHOUT_ARGUMENTS.has(s.program)) {
      problems.push(
        masterProblem('unexpectedArgument', file, stray.word.range, `unexpected command-line argument: ${stray.value}: ${s.program} will not start${hint}`),
      );
    } else if (DAEMONS_IGNORING_ARGUMENTS.has(s.program)) {
      problems.push(masterProblem('argumentIgnored', file, stray.word.range, `${s.program} ignores the argument "${stray.value}"${hint}`));
    } else if ((s.program === 'smtp' || s.program === 'lmtp') && !hasErrorOn(s, problems)) {
      // (A line the master refuses never starts the client: that error says it all.)
      const bad = smtpClientArgumentError(s.positional.map((p) => p.value));
      if (bad) {
        const at = s.positional[bad.index];
        problems.push(masterProblem('unexpectedArgument', file, at.word.range, `${bad.message}: ${s.program} will not start (it takes only flags=DORX after its options)${hint}`));
      }
    }
  }
}

/** Same type and endpoint twice: the master warns and uses the last entry. */
function duplicateChecks(services: MasterService[], file: string, problems: Problem[]): void {
  const seen = new Map<string, MasterService>();
  for (const s of services) {
    if (!s.valid) continue;
    const id = `${s.type.text} ${s.endpoint}`;
    const earlier = seen.get(id);
    if (earlier) {
      problems.push(
        masterProblem(
          'duplicateService',
          file,
          s.name.range,
          `duplicate master.cf entry for service "${earlier.name.text}" (${s.endpoint}) -- using the last entry (line ${s.line + 1} replaces line ${earlier.line + 1}: ${quoteLine(earlier.text)})`,
        ),
      );
    }
    seen.set(id, s);
  }
}

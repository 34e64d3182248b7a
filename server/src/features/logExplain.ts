// "Why was this mail refused?" in the editor: on a Postfix log (the
// postfix-log language: mail.log, maillog) every access decision smtpd logged
// (reject, reject_warning, hold, discard, ...) and every warning:, error: and
// fatal: line gets a code lens; resolving it runs the engine's explanation
// (engine/review/explain.ts for decisions, engine/review/log-warning.ts for
// warnings, with the configuration's findings) against the workspace's
// configuration and puts the short answer in the lens title, and the command
// behind it answers with the whole explanation in Markdown. The server does
// the explaining, so any LSP editor gets it:
//   textDocument/codeLens, codeLens/resolve on postfix-log documents
//   textDocument/hover on a logged decision or warning: the whole explanation
//   workspace/executeCommand postfix.server.explainLogLine [{ uri, line }]
//     → { markdown, configDir, explanation } | { markdown, configDir, warning } | { error }
//
// Which configuration: `postfix.logConfigDirectory` when set (relative to the
// first workspace folder), else the one configuration directory found in the
// workspace; several (or none) is an error that says to set it.

import { basename, isAbsolute, relative, resolve } from 'node:path';
import { MarkupKind, type CodeLens, type Hover, type Position } from './lsp';
import { fileLink, mdText } from '../engine/assist/markdown';
import { explainEvent, type Explanation } from '../engine/review/explain';
import { parseSaslLogin, parseSmtpdLogLine } from '../engine/review/log-line';
import { explainWarning, parseLogWarning, type WarningExplanation } from '../engine/review/log-warning';
import type { Problem } from '../engine/types';
import { loadSimConfig, type SimConfig } from '../engine/simulate/config';
import { describeError, type Feature, type ServerContext } from './context';
import { analysisOptions, currentSettings } from './settings';
import { workspaceConfigDirs } from './workspaceDiagnostics';

export const EXPLAIN_LOG_LINE_COMMAND = 'postfix.server.explainLogLine';

/** Lenses on one log at most: a busy day's mail.log has hundreds of thousands of rejects. */
const MAX_LENSES = 5000;
/** How far back the SASL login of a queue ID is looked for. */
const LOGIN_LOOKBACK_LINES = 5000;

export interface ExplainLogLineArgs {
  uri: string;
  /** Zero-based line. */
  line: number;
}

export type ExplainLogLineResult = { error: string } | { markdown: string; configDir: string; explanation: Explanation } | { markdown: string; configDir: string; warning: WarningExplanation };

/** A line the lenses and hovers explain: an access decision or a warning/error/fatal line. */
function explainable(text: string, line: number): boolean {
  return parseSmtpdLogLine(text, line) !== undefined || parseLogWarning(text, line) !== undefined;
}

function isArgs(x: unknown): x is ExplainLogLineArgs {
  return typeof x === 'object' && x !== null && typeof (x as ExplainLogLineArgs).uri === 'string' && Number.isInteger((x as ExplainLogLineArgs).line);
}

/** The configuration directory the logs are explained against, or why there is none. */
async function configDir(roots: string[]): Promise<{ dir: string } | { error: string }> {
  const set = currentSettings().logConfigDirectory;
  if (set) {
    if (!isAbsolute(set) && roots.length === 0) return { error: `postfix.logConfigDirectory "${set}" is relative, and there is no workspace folder` };
    return { dir: isAbsolute(set) ? resolve(set) : resolve(roots[0], set) };
  }
  const dirs = await workspaceConfigDirs();
  if (dirs.length === 1) return { dir: dirs[0] };
  if (dirs.length === 0) return { error: 'no Postfix configuration directory (main.cf) in the workspace: set postfix.logConfigDirectory' };
  return { error: `${dirs.length} configuration directories in the workspace (${dirs.slice(0, 3).map((d) => relative(roots[0] ?? '/', d) || '.').join(', ')}${dirs.length > 3 ? ', …' : ''}): set postfix.logConfigDirectory to the one that wrote this log` };
}

class LogExplainer {
  /** The simulator's view of a configuration, rebuilt when the shared analysis of its directory is. */
  private readonly configs = new Map<string, { serial: number; config: SimConfig }>();

  constructor(private readonly ctx: ServerContext) {}

  private async simConfig(dir: string): Promise<{ config: SimConfig; problems: readonly Problem[] } | { error: string }> {
    const analysis = await this.ctx.analyses.computeDir(dir, () => false);
    if (!analysis) return { error: `cannot analyse ${dir}` };
    if (analysis.config.main === undefined) return { error: `cannot read ${dir}/main.cf` };
    const had = this.configs.get(dir);
    if (had && had.serial === analysis.serial) return { config: had.config, problems: analysis.problems };
    const config = loadSimConfig(dir, analysis.reader, analysisOptions().mode);
    this.configs.clear();
    this.configs.set(dir, { serial: analysis.serial, config });
    return { config, problems: analysis.problems };
  }

  lenses(uri: string): CodeLens[] {
    const document = this.ctx.logs.get(uri);
    if (!document) return [];
    const lines = document.getText().split('\n');
    const out: CodeLens[] = [];
    for (let i = 0; i < lines.length && out.length < MAX_LENSES; i++) {
      if (!explainable(lines[i].replace(/\r$/, ''), i)) continue;
      const range = { start: { line: i, character: 0 }, end: { line: i, character: 0 } };
      out.push({ range, data: { uri, line: i } satisfies ExplainLogLineArgs });
    }
    return out;
  }

  async explain(args: unknown): Promise<ExplainLogLineResult> {
    if (!isArgs(args)) return { error: 'expected { uri, line }' };
    const document = this.ctx.logs.get(args.uri);
    if (!document) return { error: `${args.uri} is not an open Postfix log` };
    const lines = document.getText().split('\n');
    const raw = (lines[args.line] ?? '').replace(/\r$/, '');
    const event = parseSmtpdLogLine(raw, args.line);
    const warning = event ? undefined : parseLogWarning(raw, args.line);
    if (!event && !warning) return { error: `line ${args.line + 1} is neither an access decision smtpd logged (reject, reject_warning, hold, discard, ...) nor a warning, error or fatal line` };
    const where = await configDir(this.ctx.roots);
    if ('error' in where) return where;
    const loaded = await this.simConfig(where.dir);
    if ('error' in loaded) return loaded;
    if (!event) {
      const x = explainWarning(warning!, loaded.problems);
      return { markdown: warningMarkdown(x, where.dir), configDir: where.dir, warning: x };
    }
    const config = loaded.config;
    // The login behind a queue ID is logged on an earlier line of the same log.
    let user: string | undefined;
    if (event.queueId !== 'NOQUEUE') {
      for (let i = args.line - 1; i >= 0 && i >= args.line - LOGIN_LOOKBACK_LINES && !user; i--) {
        const login = parseSaslLogin(lines[i]);
        if (login?.queueId === event.queueId) user = login.user;
      }
    }
    const explanation = explainEvent(config, event, user);
    return { markdown: explanationMarkdown(explanation, where.dir), configDir: where.dir, explanation };
  }
}

const VERDICT: Record<Explanation['status'], string> = {
  explained: 'Explained',
  'explained-assuming': 'Explained, with an assumption',
  external: 'Not from the configuration',
  changed: 'Not reproduced by today\'s configuration',
  unsupported: 'Cannot simulate',
};

/** One line for the lens title. */
export function explanationTitle(x: Explanation): string {
  const step = x.decisive ? `${x.decisive.restriction}${x.decisive.parameter ? ` in ${x.decisive.parameter}` : ''}` : '';
  const at = x.decisive?.source ? ` (${basename(x.decisive.source.file)}:${x.decisive.source.range.start.line + 1})` : '';
  switch (x.status) {
    case 'explained':
      return `Why? ${step || x.simulated}${at}`;
    case 'explained-assuming':
      return `Why? ${step || x.simulated}${at}, assuming ${x.assumed.join(' and ')}`;
    case 'external':
      return 'Why? not from the configuration (a policy service)';
    case 'changed':
      return `Why? today's configuration answers ${x.simulated ?? 'differently'}`;
    default:
      return 'Why? cannot simulate';
  }
}

const ORIGIN: Record<WarningExplanation['origin'], string> = {
  configuration: 'From the configuration',
  client: 'Not from the configuration: the client',
  dns: 'Not from the configuration: DNS',
  operational: 'Operational',
  unknown: 'Not recognised',
};

/** The lens title of a warning line. */
export function warningTitle(x: WarningExplanation): string {
  const f = x.findings[0];
  if (x.origin === 'configuration') return f ? `Why? configuration: ${f.code} (${basename(f.file)}:${f.line})` : `Why? configuration (${x.note ?? 'no finding today'})`;
  return `Why? ${ORIGIN[x.origin].toLowerCase()}`;
}

/** A warning line explained; everything from the log or the configuration is escaped (untrusted text). */
export function warningMarkdown(x: WarningExplanation, dir: string): string {
  const w = x.warning;
  const out: string[] = [];
  out.push(`**${ORIGIN[x.origin]}**: ${mdText(w.severity)} from ${mdText(w.program)}`);
  out.push(`Logged (line ${w.line + 1}): ${mdText(w.text, 400)}`);
  out.push(mdText(x.meaning, 800));
  const facts: string[] = [];
  for (const f of x.findings) facts.push(`- **Finding:** ${mdText(f.code)} at ${fileLink(f.file, f.line - 1)}: ${mdText(f.message, 400)}`);
  if (x.note) facts.push(`- **Note:** ${mdText(x.note, 400)}`);
  facts.push(`- **Configuration:** ${mdText(dir, 400)}`);
  out.push(facts.join('\n'));
  return out.join('\n\n');
}

/** The whole explanation; everything from the log or the configuration is escaped (untrusted text). */
export function explanationMarkdown(x: Explanation, dir: string): string {
  const e = x.event;
  const out: string[] = [];
  out.push(`**${VERDICT[x.status]}**: ${mdText(e.action)} ${mdText(e.command)} from ${mdText(`${e.clientName ?? 'unknown'}[${e.clientAddress}]`)}`);
  out.push(`Logged (line ${e.line + 1}): ${mdText(e.detail, 400)}`);
  const facts: string[] = [];
  if (x.decisive) {
    const s = x.decisive.source;
    facts.push(`- **Restriction:** ${mdText(x.decisive.restriction)}${x.decisive.parameter ? ` in ${mdText(x.decisive.parameter)}` : ''}${s ? ` at ${fileLink(s.file, s.range.start.line)}` : x.decisive.parameter ? ` (${mdText(x.decisive.parameter)} is not set: Postfix's default)` : ''}`);
  }
  if (x.simulated) facts.push(`- **Today's configuration answers:** ${mdText(x.simulated, 400)}`);
  if (x.service) facts.push(`- **Service:** ${mdText(x.service)}`);
  for (const a of x.assumed) facts.push(`- **Assumed:** ${mdText(a, 400)}`);
  if (x.note) facts.push(`- **Note:** ${mdText(x.note, 400)}`);
  facts.push(`- **Configuration:** ${mdText(dir, 400)}`);
  out.push(facts.join('\n'));
  return out.join('\n\n');
}

let explainer: LogExplainer | undefined;

/** The "Why?" lenses of an open log (codeLens.ts asks for logs), or undefined for any other document. */
export function logLenses(ctx: ServerContext, uri: string): CodeLens[] | undefined {
  return ctx.logs.get(uri) ? (explainer?.lenses(uri) ?? []) : undefined;
}

/**
 * Hover on an open log: the explanation of the decision logged on that line
 * (as the lens's command gives it), or why there is none; null on any other
 * line. Undefined for a document that is not an open log (hover.ts asks).
 */
export async function logHover(ctx: ServerContext, uri: string, position: Position): Promise<Hover | null | undefined> {
  const document = ctx.logs.get(uri);
  if (!document || !explainer) return document ? null : undefined;
  const text = document.getText().split('\n')[position.line]?.replace(/\r$/, '');
  if (text === undefined || !explainable(text, position.line)) return null;
  const r = await explainer.explain({ uri, line: position.line });
  const value = 'error' in r ? `**Why?** Cannot explain this line: ${mdText(r.error, 400)}` : r.markdown;
  return { contents: { kind: MarkupKind.Markdown, value }, range: { start: { line: position.line, character: 0 }, end: { line: position.line, character: text.length } } };
}

/** workspace/executeCommand postfix.server.explainLogLine (recipes.ts dispatches the server's commands). */
export function explainLogLine(args: unknown): Promise<ExplainLogLineResult> {
  return explainer ? explainer.explain(args) : Promise.resolve({ error: 'not ready' });
}

export const logExplain: Feature = {
  name: 'logExplain',
  capabilities: {
    codeLensProvider: { resolveProvider: true },
  },
  register(ctx) {
    const e = new LogExplainer(ctx);
    explainer = e;
    ctx.connection.onCodeLensResolve(async (lens: CodeLens) => {
      if (lens.command || !isArgs(lens.data)) return lens;
      // Not ctx.guard: a failure still answers with this lens, titled as failed.
      let title: string;
      try {
        const r = await e.explain(lens.data);
        title = 'error' in r ? `Why? (${r.error})` : 'warning' in r ? warningTitle(r.warning) : explanationTitle(r.explanation);
      } catch (err) {
        ctx.log.error(`codeLens/resolve failed: ${describeError(err)}`);
        title = 'Why? (the explanation failed; see the Postfix output)';
      }
      return { ...lens, command: { title: title.length > 160 ? `${title.slice(0, 159)}…` : title, command: EXPLAIN_LOG_LINE_COMMAND, arguments: [lens.data] } };
    });
  },
};

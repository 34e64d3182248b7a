// A recipe's plan is data: main.cf settings, words to put into restriction
// lists, master.cf services with their -o options, and new table files.
// planEdits() turns a plan into text edits against the files as they are:
// only what differs is touched (a second run finds nothing to change), every
// other byte (comments, blank lines, CRLF line ends, tabs) stays as it was.

import type { MasterService } from '../mastercf';
import type { RuleContext } from '../rules/context';
import { insertBefore, setMainParameter, setServiceOption, appendToSite, removeMainEntries, removeServiceOption, rewriteEntry } from '../rules/edits';
import { siteOf, splitWords } from '../rules/lists';
import type { TextEdit } from '../types';

export interface MainSetting {
  name: string;
  value: string;
  /** Leave an explicit setting alone (only fill in what is unset). */
  keepExisting?: boolean;
  /**
   * Parameters this one supersedes (Postfix ignores them once it is set):
   * their lines go, and the first of them becomes this setting's line when
   * main.cf does not have it yet. Leaving them would read as if they still
   * chose something.
   */
  replaces?: string[];
}

export interface ListInsert {
  /** main.cf list parameter. */
  parameter: string;
  /** Words to insert (a restriction with its argument). */
  words: string;
  /** Value to set when the list is not in main.cf. */
  whenUnset: string;
  /** Present already when a word of the list matches (idempotence). */
  present: RegExp;
}

export interface ServicePlan {
  /** master.cf service name (`submission`, `submissions`). */
  name: string;
  /** Also counts as this service (`smtps` for `submissions`, `587`). */
  aliases: string[];
  options: [string, string][];
  /** -o options to remove from the existing service (superseded by `options`). */
  remove?: string[];
}

export interface NewFile {
  /** File name in the configuration directory. */
  name: string;
  text: string;
}

export interface Plan {
  main: MainSetting[];
  lists: ListInsert[];
  services: ServicePlan[];
  files: NewFile[];
  /** What the user must still do (placeholders to fill in, postmap, reload). */
  notes: string[];
}

export interface PlannedChange {
  edits: TextEdit[];
  newFiles: { file: string; text: string }[];
}

const TRUSTED = new Set(['permit_mynetworks', 'permit_sasl_authenticated', 'permit_tls_clientcerts', 'permit_tls_all_clientcerts', 'permit_inet_interfaces']);

function eolOf(text: string): string {
  return /\r\n/.test(text) ? '\r\n' : '\n';
}

/** Inserted text follows the file's line ends. */
function withEol(ctx: RuleContext, edits: TextEdit[]): TextEdit[] {
  return edits.map((e) => (eolOf(ctx.text(e.file) ?? '') === '\r\n' ? { ...e, newText: e.newText.replace(/\r?\n/g, '\r\n') } : e));
}

function sameWords(a: string, b: string): boolean {
  const w = (s: string) => splitWords(s).map((x) => x.text.replace(/,$/, '')).join(' ');
  return w(a) === w(b);
}

export function findService(ctx: RuleContext, plan: ServicePlan): MasterService | undefined {
  const names = [plan.name, ...plan.aliases];
  return ctx.config.master?.services.find((s) => s.valid && s.type.text === 'inet' && names.some((n) => s.name.text === n || s.name.text.endsWith(`:${n}`)));
}

function optionText(name: string, value: string): string {
  return /\s/.test(value) ? `-o { ${name} = ${value} }` : `-o ${name}=${value}`;
}

/** The chroot column of the configuration's smtpd service, so that paths (private/auth) resolve alike. */
export function smtpdChroot(ctx: RuleContext): string {
  const smtp = ctx.config.master?.services.find((s) => s.valid && s.program === 'smtpd' && s.type.text === 'inet');
  return smtp?.chroot.text ?? 'n';
}

/** A new smtpd service in master.cf, with its -o options on continuation lines. */
export function serviceText(name: string, chroot: string, options: [string, string][]): string {
  let text = `${name.padEnd(10)} inet  n       -       ${chroot.padEnd(7)} -       -       smtpd\n`;
  for (const [n, v] of options) text += `  ${optionText(n, v)}\n`;
  return text;
}

/** The edits and new files that bring the configuration to the plan. */
export function planEdits(ctx: RuleContext, plan: Plan): PlannedChange {
  const edits: TextEdit[] = [];
  const main = ctx.config.main;
  for (const s of plan.main) {
    const entry = main?.byName.get(s.name);
    const superseded = (main?.entries ?? []).filter((e) => s.replaces?.includes(e.name));
    if (entry && (s.keepExisting || sameWords(entry.value, s.value))) {
      edits.push(...removeMainEntries(ctx, s.replaces ?? []));
      continue;
    }
    if (!entry && superseded.length) {
      const [first] = superseded;
      edits.push(...rewriteEntry(ctx, first, s.name, s.value));
      edits.push(...removeMainEntries(ctx, s.replaces ?? [], first));
      continue;
    }
    edits.push(...setMainParameter(ctx, s.name, s.value), ...removeMainEntries(ctx, s.replaces ?? []));
  }
  for (const l of plan.lists) {
    const entry = main?.byName.get(l.parameter);
    if (!entry) {
      edits.push(...setMainParameter(ctx, l.parameter, l.whenUnset));
      continue;
    }
    const site = siteOf(ctx, { kind: 'main', entry }, l.parameter);
    if (site.tokens.some((t) => l.present.test(t.text.replace(/,$/, '')))) continue;
    // Right after the leading trusted permits, so that only outsiders meet it.
    const first = site.tokens.find((t) => !TRUSTED.has(t.text.replace(/,$/, '').toLowerCase()));
    edits.push(first ? insertBefore(first, l.words) : appendToSite(ctx, site, l.words));
  }
  const masterPath = ctx.config.masterPath;
  const masterText = ctx.text(masterPath);
  let appended = '';
  for (const sp of plan.services) {
    const svc = findService(ctx, sp);
    if (svc) {
      for (const name of sp.remove ?? []) for (const o of svc.overrides.filter((x) => x.name === name)) edits.push(...removeServiceOption(ctx, o));
      for (const [name, value] of sp.options) {
        const have = [...svc.overrides].reverse().find((o) => o.name === name);
        if (have && sameWords(have.value, value)) continue;
        edits.push(...setServiceOption(ctx, svc, name, value));
      }
      continue;
    }
    appended += serviceText(sp.name, smtpdChroot(ctx), sp.options);
  }
  if (appended) {
    const text = masterText ?? '';
    const lines = text.split('\n');
    const line = lines.length - 1;
    const character = lines[line].length;
    const lead = text === '' || text.endsWith('\n') ? '' : '\n';
    edits.push({ file: masterPath, range: { start: { line, character }, end: { line, character } }, newText: `${lead}${appended}` });
  }
  const newFiles: { file: string; text: string }[] = [];
  for (const f of plan.files) {
    const file = `${ctx.config.dir.replace(/\/+$/, '')}/${f.name}`;
    const have = ctx.text(file);
    if (have === undefined) newFiles.push({ file, text: f.text });
  }
  return { edits: withEol(ctx, edits), newFiles };
}

// smtpd restriction lists as a service sees them, with every word located in
// main.cf or master.cf: `-o` values, main.cf values, `$name` references into
// other main.cf parameters, restriction classes, and built-in defaults (which
// have no location). Words are split the way smtpd splits them (commas and
// white space, `{...}` kept whole), then grouped into restrictions with their
// arguments the way smtpd_check.c consumes them.

import restrictionRows from '../catalog/generated/restrictions';
import { expandValue, memoFor } from '../expand';
import { logicalRange } from '../lines';
import { valueRange } from '../maincf/parse';
import type { MasterService } from '../mastercf';
import type { Range } from '../types';
import { serviceMemoKey, type RuleContext, type Where } from './context';
import { eachBraced, splitBracedWords } from '../tables/text';
import { pushAll } from '../arrays';

export type Stage = 'client' | 'helo' | 'sender' | 'relay' | 'recipient' | 'etrn' | 'data' | 'end_of_data';

export const STAGES: Stage[] = ['client', 'helo', 'sender', 'relay', 'recipient', 'etrn', 'data', 'end_of_data'];

export const STAGE_PARAMETER: Record<Stage, string> = {
  client: 'smtpd_client_restrictions',
  helo: 'smtpd_helo_restrictions',
  sender: 'smtpd_sender_restrictions',
  relay: 'smtpd_relay_restrictions',
  recipient: 'smtpd_recipient_restrictions',
  etrn: 'smtpd_etrn_restrictions',
  data: 'smtpd_data_restrictions',
  end_of_data: 'smtpd_end_of_data_restrictions',
};

/** What a bare `type:table` stands for in each list (smtpd's default access check); none in DATA lists. */
export const DEFAULT_ACCESS: Record<Stage, string | undefined> = {
  client: 'check_client_access',
  helo: 'check_helo_access',
  sender: 'check_sender_access',
  relay: 'check_recipient_access',
  recipient: 'check_recipient_access',
  etrn: 'check_etrn_access',
  data: undefined,
  end_of_data: undefined,
};

export interface RestrictionFact {
  name: string;
  takes: string;
  stages: string[];
  aliasOf?: string;
  removedIn?: string;
  notes: string;
}

const FACTS = new Map<string, RestrictionFact>();
for (const r of restrictionRows) {
  if (r.name.startsWith('<')) continue;
  FACTS.set(r.name, {
    name: r.name,
    takes: r.takes,
    stages: r.stages.split(','),
    aliasOf: r.alias_of || undefined,
    removedIn: r.removed_in || undefined,
    notes: r.notes,
  });
}

/** Facts about a built-in restriction name (case-insensitive, as smtpd compares). */
export function restrictionFact(name: string): RestrictionFact | undefined {
  return FACTS.get(name.toLowerCase());
}

export function builtinRestrictionNames(): string[] {
  return [...FACTS.keys()];
}

/** A place where a restriction list is written: a main.cf value or a master.cf -o value. */
export interface Site {
  id: string;
  file: string;
  parameter: string;
  value: string;
  where: Exclude<Where, { kind: 'default' }>;
  tokens: SiteToken[];
  /** Document range of value[start, end). */
  rangeOf(start: number, end: number): Range;
}

export interface SiteToken {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly range: Range;
  readonly site: Site;
  readonly index: number;
}

/** A word of an effective list. `token` is set when the word is written literally (editable). */
export interface ListToken {
  text: string;
  token?: SiteToken;
  /** Where it comes from when it is not literal: the `$name` or the value it was expanded from. */
  file?: string;
  range?: Range;
  /** Parameter whose value holds the word. */
  parameter: string;
}

/**
 * A word of a site. Its document range is worked out when first asked for: a
 * list can hold a million words and only the few in findings need one.
 */
class WordOfSite implements SiteToken {
  private where?: Range;
  constructor(
    readonly text: string,
    readonly start: number,
    readonly end: number,
    readonly site: Site,
    readonly index: number,
  ) {}
  get range(): Range {
    return (this.where ??= this.site.rangeOf(this.start, this.end));
  }
}

/** Words of a list value with offsets, as smtpd's mystrtokq() splits them. */
export function splitWords(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  eachBraced(text, (start, end) => void out.push({ text: text.slice(start, end), start, end }));
  return out;
}

/** The site of a main.cf entry or -o setting (one object per place, so problems dedupe). */
export function siteOf(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, parameter: string): Site {
  const file = where.kind === 'main' ? ctx.config.mainPath : ctx.config.masterPath;
  const anchor = where.kind === 'main' ? where.entry.valueRange.start : where.override.valueRange.start;
  const id = `${file}:${anchor.line}:${anchor.character}:${parameter}`;
  return ctx.once(`site:${id}`, () => {
    let value: string;
    let rangeOf: (s: number, e: number) => Range;
    if (where.kind === 'main') {
      const entry = where.entry;
      value = entry.value;
      rangeOf = (s, e) => valueRange(entry, s, e);
    } else {
      const o = where.override;
      const s = where.service;
      value = o.value;
      // The -o value as the daemon reads it; when it is not a literal slice of the line (braces), fall back to its range.
      const literal = s.logical.text.slice(o.valueStart, o.valueEnd) === o.value;
      rangeOf = literal ? (a, b) => logicalRange(s.logical, o.valueStart + a, o.valueStart + b) : () => o.valueRange;
    }
    const site: Site = { id, file, parameter, value, where, tokens: [], rangeOf };
    site.tokens = splitWords(value).map((w, index) => new WordOfSite(w.text, w.start, w.end, site, index));
    return site;
  });
}

const REF_ONLY = /^\$(?:([A-Za-z0-9_]+)|\{([A-Za-z0-9_]+)\}|\(([A-Za-z0-9_]+)\))$/;

/** The words of a list parameter for a service, each located where it is written. */
export function listTokens(ctx: RuleContext, parameter: string, service?: MasterService, depth = 0): ListToken[] {
  const key = `list:${service?.key ?? ''}:${service?.line ?? ''}:${parameter}`;
  return ctx.once(key, () => computeTokens(ctx, parameter, service, depth));
}

function computeTokens(ctx: RuleContext, parameter: string, service: MasterService | undefined, depth: number): ListToken[] {
  const { raw, where } = ctx.raw(parameter, service);
  if (raw === undefined) return [];
  const lookup = (n: string) => ctx.raw(n, service).raw;
  const memo = memoFor(ctx, serviceMemoKey(service));
  // Postfix's words: the whole value expanded (the memo makes a $name used at every level cost one expansion).
  const expanded = expandValue(raw, lookup, { memo }).value;
  const postfixWords = () => splitBracedWords(expanded);
  if (where.kind === 'default' || depth > 20) return postfixWords().map((text) => ({ text, parameter }));
  const site = siteOf(ctx, where, parameter);
  const out: ListToken[] = [];
  for (const t of site.tokens) {
    const ref = REF_ONLY.exec(t.text);
    if (ref) {
      // The referenced list's own tokens (shared: `a1 = $a0 $a0` holds a0's token objects twice, not copies).
      pushAll(out, listTokens(ctx, ref[1] ?? ref[2] ?? ref[3], service, depth + 1));
      continue;
    }
    if (t.text.includes('$')) {
      for (const w of splitWords(expandValue(t.text, lookup, { memo }).value)) out.push({ text: w.text, file: site.file, range: t.range, parameter });
      continue;
    }
    out.push({ text: t.text, token: t, parameter });
  }
  // Piecewise expansion must agree with Postfix's whole-value expansion; else keep Postfix's words at the value.
  if (!sameWords(expanded, out)) {
    const range = site.rangeOf(0, site.value.length);
    return postfixWords().map((text) => ({ text, file: site.file, range, parameter }));
  }
  return out;
}

/** Whether `value` splits into exactly the words of `tokens`, checked in place (no word list is built). */
function sameWords(value: string, tokens: ListToken[]): boolean {
  let k = 0;
  const through = eachBraced(value, (start, end) => {
    const t = tokens[k++];
    return t !== undefined && t.text.length === end - start && value.startsWith(t.text, start);
  });
  return through && k === tokens.length;
}

/** File and range of a word (its own, or the place it was expanded from). */
export function tokenLocation(t: ListToken): { file: string; range: Range } | undefined {
  if (t.token) return { file: t.token.site.file, range: t.token.range };
  if (t.file && t.range) return { file: t.file, range: t.range };
  return undefined;
}

export type ArgError = 'missing-domain' | 'need-table' | 'need-transport' | 'need-number';

export interface Item {
  kind: 'builtin' | 'class' | 'table' | 'unknown';
  name: ListToken;
  /** Lower-cased name (builtins compare case-insensitively). */
  lower: string;
  fact?: RestrictionFact;
  args: ListToken[];
  argError?: ArgError;
  /** Preceded by warn_if_reject. */
  warnOnly: boolean;
  /** Index of the name word in the list. */
  first: number;
  /** Index of the last word (name or argument). */
  last: number;
}

/** Names smtpd knows as restriction classes for a service. */
export function restrictionClasses(ctx: RuleContext, service?: MasterService): Set<string> {
  return new Set(splitWords(ctx.value('smtpd_restriction_classes', service)).map((w) => w.text));
}

/** Groups words into restrictions and their arguments as smtpd consumes them. */
export function parseItems(tokens: ListToken[], classes: Set<string>): Item[] {
  const items: Item[] = [];
  let warnOnly = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const lower = t.text.toLowerCase();
    const fact = restrictionFact(t.text);
    const item: Item = { kind: 'unknown', name: t, lower, fact, args: [], warnOnly, first: i, last: i };
    warnOnly = false;
    if (fact) {
      item.kind = 'builtin';
      const next = tokens[i + 1];
      // A word smtpd would consume as a (bad) argument, unless it is clearly the next restriction.
      const plainWord = next !== undefined && !restrictionFact(next.text) && !classes.has(next.text);
      switch (fact.takes) {
        case 'table':
          if (next && next.text.includes(':')) item.args.push(next);
          else {
            item.argError = 'need-table';
            if (plainWord) item.args.push(next);
          }
          break;
        case 'domain=filter':
          if (next) item.args.push(next);
          else item.argError = 'missing-domain';
          break;
        case 'transport:server':
          if (next && next.text.includes(':')) item.args.push(next);
          else {
            item.argError = 'need-transport';
            if (plainWord) item.args.push(next);
          }
          break;
        case 'seconds':
          if (next && /^[0-9]+$/.test(next.text)) item.args.push(next);
          else {
            item.argError = 'need-number';
            if (plainWord) item.args.push(next);
          }
          break;
        case 'restriction':
          warnOnly = true;
          break;
      }
      i += item.args.length;
      item.last = i;
    } else if (classes.has(t.text)) {
      item.kind = 'class';
    } else if (t.text.includes(':') || t.text.startsWith('{')) {
      item.kind = 'table';
    }
    items.push(item);
  }
  return items;
}

/** The restriction lists of one service, with restriction classes. */
export interface ServiceLists {
  service?: MasterService;
  classes: Set<string>;
  lists: { stage: Stage; parameter: string; tokens: ListToken[]; items: Item[] }[];
  /** Class name → its words and restrictions. */
  classLists: Map<string, { tokens: ListToken[]; items: Item[] }>;
}

export function serviceLists(ctx: RuleContext, service?: MasterService): ServiceLists {
  return ctx.once(`lists:${service?.key ?? ''}:${service?.line ?? ''}`, () => {
    const classes = restrictionClasses(ctx, service);
    const lists = STAGES.map((stage) => {
      const parameter = STAGE_PARAMETER[stage];
      const tokens = listTokens(ctx, parameter, service);
      return { stage, parameter, tokens, items: parseItems(tokens, classes) };
    });
    const classLists = new Map<string, { tokens: ListToken[]; items: Item[] }>();
    for (const name of classes) {
      const tokens = listTokens(ctx, name, service);
      classLists.set(name, { tokens, items: parseItems(tokens, classes) });
    }
    return { service, classes, lists, classLists };
  });
}

/**
 * Every list evaluation context: each smtpd service, plus main.cf alone (its
 * lists are checked even when every service overrides them). Problems found
 * through several contexts at one place are reported once.
 */
export function allServiceLists(ctx: RuleContext): ServiceLists[] {
  const out = ctx.smtpdServices().map((s) => serviceLists(ctx, s.service));
  if (ctx.config.master) out.push(serviceLists(ctx, undefined));
  return out;
}

/** Every list with its items, of every context, including class bodies (stage undefined). */
export function allLists(ctx: RuleContext): { sl: ServiceLists; stage?: Stage; parameter: string; tokens: ListToken[]; items: Item[] }[] {
  const out: { sl: ServiceLists; stage?: Stage; parameter: string; tokens: ListToken[]; items: Item[] }[] = [];
  for (const sl of allServiceLists(ctx)) {
    for (const l of sl.lists) out.push({ sl, ...l });
    for (const [name, c] of sl.classLists) out.push({ sl, parameter: name, ...c });
  }
  return out;
}

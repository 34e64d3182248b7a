// smtpd restriction lists as a service sees them, with every word located in
// main.cf or master.cf: `-o` values, main.cf values, `$name` references into
// other main.cf parameters, restriction classes, and built-in defaults (which
// have no location). Words are split the way smtpd splits them (commas and
// white space, `{...}` kept whole), then grouped into restrictions with their
// arguments the way smtpd_check.c consumes them.

import restrictionRows from '../catalog/generated/restrictions';
import { expandValue, memoFor, namesUsed } from '../expand';
import { logicalRange } from '../lines';
import { valueRange } from '../maincf/parse';
import { lastOverride, type MasterService } from '../mastercf';
import type { Range } from '../types';
import { serviceMemoKey, type RuleContext, type Where } from './context';
import { bracedChunks, eachBraced } from '../tables/text';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, WRITTEN_WORDS_PER_STEP, type Steps } from '../steps';

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

function siteId(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, parameter: string): string {
  const file = where.kind === 'main' ? ctx.config.mainPath : ctx.config.masterPath;
  const anchor = where.kind === 'main' ? where.entry.valueRange.start : where.override.valueRange.start;
  return `${file}:${anchor.line}:${anchor.character}:${parameter}`;
}

/** The site of a main.cf entry or -o setting (one object per place, so problems dedupe). */
export function siteOf(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, parameter: string): Site {
  return ctx.made<Site>(`site:${siteId(ctx, where, parameter)}`) ?? drain(siteSteps(ctx, where, parameter));
}

/**
 * siteOf in steps: its words are made WRITTEN_WORDS_PER_STEP at a time (a
 * mynetworks of 100,000 networks on one line was one piece of 60-170 ms).
 */
export function* siteSteps(ctx: RuleContext, where: Exclude<Where, { kind: 'default' }>, parameter: string): Steps<Site> {
  const id = siteId(ctx, where, parameter);
  return yield* ctx.onceSteps(`site:${id}`, function* () {
    const file = where.kind === 'main' ? ctx.config.mainPath : ctx.config.masterPath;
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
    // Straight from the offsets: a mynetworks of 100,000 addresses makes no second object per word.
    const tokens: SiteToken[] = [];
    for (const chunk of bracedChunks(value, WRITTEN_WORDS_PER_STEP)) {
      for (let k = 0; k < chunk.length; k += 2) tokens.push(new WordOfSite(value.slice(chunk[k], chunk[k + 1]), chunk[k], chunk[k + 1], site, tokens.length));
      if (chunk.length === 2 * WRITTEN_WORDS_PER_STEP) {
        const n = tokens.length;
        yield () => `words of ${parameter}, ${n}`;
      }
    }
    site.tokens = tokens;
    return site;
  });
}

const REF_ONLY = /^\$(?:([A-Za-z0-9_]+)|\{([A-Za-z0-9_]+)\}|\(([A-Za-z0-9_]+)\))$/;

/**
 * The service whose settings a list is read with: none (main.cf's) when the
 * service sets (by -o) none of the names reading the list reads, since it
 * then sees exactly what main.cf alone sees, so the list is main.cf's, built
 * once (a 2^17-word list built twice is twice the wait; 50,000 services
 * each setting smtpd_client_restrictions held 50,000 copies of the other
 * seven lists).
 */
function lookupService(ctx: RuleContext, parameter: string, service?: MasterService): MasterService | undefined {
  if (!service || service.overrides.length === 0) return undefined;
  const read = namesRead(ctx, parameter);
  // The smaller side is walked: a service can have 100,000 -o settings, a list can read 100,000 names.
  if (service.overrides.length <= read.size) return service.overrides.some((o) => read.has(o.name)) ? service : undefined;
  for (const n of read) if (lastOverride(service, n)) return service;
  return undefined;
}

/** The name and every name its main.cf value (or default) may expand, transitively; once per context. */
function namesRead(ctx: RuleContext, name: string): Set<string> {
  return ctx.once(`names read:${name}`, () => {
    const out = new Set([name]);
    const todo = [name];
    while (todo.length > 0) {
      for (const n of namesUsed(ctx.raw(todo.pop()!).raw ?? '')) {
        if (out.has(n)) continue;
        out.add(n);
        todo.push(n);
      }
    }
    return out;
  });
}

/** The once-key of a list read with `own`'s settings (lookupService). */
function listKey(parameter: string, own?: MasterService): string {
  return `list:${own?.key ?? ''}:${own?.line ?? ''}:${parameter}`;
}

/** listTokens in steps of about ITEMS_PER_STEP words (engine/steps.ts). */
export function* listTokensSteps(ctx: RuleContext, parameter: string, service?: MasterService, depth = 0): Steps<ListToken[]> {
  const own = lookupService(ctx, parameter, service);
  const key = listKey(parameter, own);
  return ctx.made<ListToken[]>(key) ?? (yield* ctx.onceSteps(key, () => computeTokens(ctx, parameter, own, depth)));
}

function* computeTokens(ctx: RuleContext, parameter: string, service: MasterService | undefined, depth: number): Steps<ListToken[]> {
  const { raw, where } = ctx.raw(parameter, service);
  if (raw === undefined) return [];
  const lookup = (n: string) => ctx.raw(n, service).raw;
  const memo = memoFor(ctx, serviceMemoKey(ctx, service));
  const label = `words of ${parameter}`;
  // Postfix's words: the whole value expanded (the memo makes a $name used at every level cost one expansion).
  // Expanded after the words below: those expand the names it uses first, in their own steps.
  const expand = () => expandValue(raw, lookup, { memo }).value;
  const postfixWords = (expanded: string, at?: { file: string; range: Range }) => wordsSteps(expanded, at ? (text) => ({ text, ...at, parameter }) : (text) => ({ text, parameter }), label);
  if (where.kind === 'default' || depth > 20) return yield* postfixWords(expand());
  const site = yield* siteSteps(ctx, where, parameter);
  const out: ListToken[] = [];
  let work = 0;
  for (const t of site.tokens) {
    const ref = REF_ONLY.exec(t.text);
    if (ref) {
      // The referenced list's own tokens (shared: `a1 = $a0 $a0` holds a0's token objects twice, not copies).
      const words = yield* listTokensSteps(ctx, ref[1] ?? ref[2] ?? ref[3], service, depth + 1);
      for (let i = 0; i < words.length; i++) {
        out.push(words[i]);
        if (++work === ITEMS_PER_STEP) {
          work = 0;
          yield label;
        }
      }
      continue;
    }
    if (t.text.includes('$')) {
      for (const w of splitWords(expandValue(t.text, lookup, { memo }).value)) out.push({ text: w.text, file: site.file, range: t.range, parameter });
    } else out.push({ text: t.text, token: t, parameter });
    if (++work === ITEMS_PER_STEP) {
      work = 0;
      yield label;
    }
  }
  // Piecewise expansion must agree with Postfix's whole-value expansion; else keep Postfix's words at the value.
  const expanded = expand();
  if (!(yield* sameWords(expanded, out, label))) return yield* postfixWords(expanded, { file: site.file, range: site.rangeOf(0, site.value.length) });
  return out;
}

/** The words of a value as list tokens, made by `make`, in steps. */
function* wordsSteps(value: string, make: (text: string) => ListToken, label: string): Steps<ListToken[]> {
  const out: ListToken[] = [];
  for (const chunk of bracedChunks(value, ITEMS_PER_STEP)) {
    for (let k = 0; k < chunk.length; k += 2) out.push(make(value.slice(chunk[k], chunk[k + 1])));
    if (chunk.length === 2 * ITEMS_PER_STEP) yield label;
  }
  return out;
}

/** Whether `value` splits into exactly the words of `tokens`, checked in place (no word list is built), in steps. */
function* sameWords(value: string, tokens: ListToken[], label: string): Steps<boolean> {
  let n = 0;
  for (const chunk of bracedChunks(value, ITEMS_PER_STEP)) {
    for (let k = 0; k < chunk.length; k += 2) {
      const t = tokens[n++];
      if (t === undefined || t.text.length !== chunk[k + 1] - chunk[k] || !value.startsWith(t.text, chunk[k])) return false;
    }
    if (chunk.length === 2 * ITEMS_PER_STEP) yield label;
  }
  return n === tokens.length;
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

const NO_ARGS: ListToken[] = Object.freeze([]) as unknown as ListToken[];

/** What a word is: its lower case and fact, kept for the words seen (a doubled list repeats a few words 2^17 times). */
function word(text: string): { lower: string; fact?: RestrictionFact } {
  let w = WORDS.get(text);
  if (!w) {
    const lower = text.toLowerCase();
    w = { lower, fact: FACTS.get(lower) };
    if (WORDS.size < 10_000) WORDS.set(text, w);
  }
  return w;
}
const WORDS = new Map<string, { lower: string; fact?: RestrictionFact }>();

/** Groups words into restrictions and their arguments as smtpd consumes them, in steps of about ITEMS_PER_STEP words. */
export function* parseItemsSteps(tokens: ListToken[], classes: Set<string>, label = 'restrictions'): Steps<Item[]> {
  const items: Item[] = [];
  let warnOnly = false;
  let work = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (++work === ITEMS_PER_STEP) {
      work = 0;
      yield label;
    }
    const t = tokens[i];
    const { lower, fact } = word(t.text);
    // Most restrictions take no argument: they share one empty list.
    const item: Item = { kind: 'unknown', name: t, lower, fact, args: fact && fact.takes !== 'none' && fact.takes !== 'restriction' ? [] : NO_ARGS, warnOnly, first: i, last: i };
    warnOnly = false;
    if (fact) {
      item.kind = 'builtin';
      const next = tokens[i + 1];
      // A word smtpd would consume as a (bad) argument, unless it is clearly the next restriction.
      const plainWord = next !== undefined && !word(next.text).fact && !classes.has(next.text);
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
  // Rules ask for the same lists many times: a made one without making steps.
  return ctx.made<ServiceLists>(`lists:${service?.key ?? ''}:${service?.line ?? ''}`) ?? drain(serviceListsSteps(ctx, service));
}

/**
 * serviceLists in steps (engine/steps.ts): a list of 2^17 words is split,
 * located and grouped a few thousand words at a time. A rule that walks the
 * lists builds them this way first (allListsSteps); later calls find them made.
 */
export function* serviceListsSteps(ctx: RuleContext, service?: MasterService): Steps<ServiceLists> {
  const made = ctx.made<ServiceLists>(`lists:${service?.key ?? ''}:${service?.line ?? ''}`);
  if (made) return made;
  const main = yield* ctx.onceSteps('lists::', () => computeServiceLists(ctx, undefined));
  if (service === undefined) return main;
  // A service without -o settings: main.cf's lists, as this service's.
  if (service.overrides.length === 0) return ctx.once(`lists:${service.key}:${service.line}`, () => ({ ...main, service }));
  return yield* ctx.onceSteps(`lists:${service.key}:${service.line}`, () => computeServiceLists(ctx, service, main));
}

/**
 * The lists of main.cf, or of a service with -o settings: each list its
 * settings do not change (lookupService; the restriction classes unchanged
 * too) is main.cf's list object itself.
 */
function* computeServiceLists(ctx: RuleContext, service?: MasterService, main?: ServiceLists): Steps<ServiceLists> {
  const base = main && lookupService(ctx, 'smtpd_restriction_classes', service) === undefined ? main : undefined;
  const shares = (name: string) => base !== undefined && lookupService(ctx, name, service) === undefined;
  const classes = base ? base.classes : restrictionClasses(ctx, service);
  const lists: ServiceLists['lists'] = [];
  for (let i = 0; i < STAGES.length; i++) {
    const stage = STAGES[i];
    const parameter = STAGE_PARAMETER[stage];
    if (shares(parameter)) {
      lists.push(base!.lists[i]);
      continue;
    }
    const tokens = yield* listTokensSteps(ctx, parameter, service);
    lists.push({ stage, parameter, tokens, items: yield* parseItemsSteps(tokens, classes, `restrictions of ${parameter}`) });
  }
  let classLists = new Map<string, { tokens: ListToken[]; items: Item[] }>();
  let ownClass = false;
  for (const name of classes) {
    if (shares(name)) {
      classLists.set(name, base!.classLists.get(name)!);
      continue;
    }
    ownClass = true;
    const tokens = yield* listTokensSteps(ctx, name, service);
    classLists.set(name, { tokens, items: yield* parseItemsSteps(tokens, classes, `restrictions of ${name}`) });
  }
  // Whole containers shared too when nothing differs (allLists then skips them at once).
  if (base && !ownClass) {
    if (lists.every((l, i) => l === base.lists[i])) return { ...base, service };
    classLists = base.classLists;
  }
  return { service, classes, lists, classLists };
}

/**
 * Every list evaluation context: each smtpd service, plus main.cf alone (its
 * lists are checked even when every service overrides them). Problems found
 * through several contexts at one place are reported once. Each built in
 * steps, and a step after every SERVICES_PER_STEP services (50,000 services
 * were one piece); gathered once per context.
 */
export function* allServiceListsSteps(ctx: RuleContext): Steps<ServiceLists[]> {
  return ctx.made<ServiceLists[]>('lists:contexts') ?? (yield* ctx.onceSteps('lists:contexts', () => contextLists(ctx)));
}

function* contextLists(ctx: RuleContext): Steps<ServiceLists[]> {
  const out: ServiceLists[] = [];
  for (const s of ctx.smtpdServices()) {
    out.push(yield* serviceListsSteps(ctx, s.service));
    if (out.length % SERVICES_PER_STEP === 0) {
      const n = out.length;
      yield () => `lists of ${n} services`;
    }
  }
  if (ctx.config.master) out.push(yield* serviceListsSteps(ctx, undefined));
  return out;
}

/** One list of allLists: its context, its stage (none for a class body), its words and restrictions. */
export type ContextList = { sl: ServiceLists; stage?: Stage; parameter: string; tokens: ListToken[]; items: Item[] };

/**
 * Every list with its items, of every context, including class bodies (stage
 * undefined); a list two contexts share (a service without -o settings reads
 * main.cf's) once, with the first context that has it.
 */
export function allLists(ctx: RuleContext): ContextList[] {
  return ctx.made<ContextList[]>('lists:all') ?? drain(allListsSteps(ctx));
}

/** allLists in steps: gathered once per context (every pass of every rule walks them), SERVICES_PER_STEP contexts a step. */
export function* allListsSteps(ctx: RuleContext): Steps<ContextList[]> {
  return ctx.made<ContextList[]>('lists:all') ?? (yield* ctx.onceSteps('lists:all', () => gatherLists(ctx)));
}

function* gatherLists(ctx: RuleContext): Steps<ContextList[]> {
  const out: ContextList[] = [];
  // Lists are shared: a service without -o settings has main.cf's (the same arrays and map), one with -o settings main.cf's list objects its settings do not change.
  const seen = new Set<unknown>();
  const contexts = yield* allServiceListsSteps(ctx);
  for (let i = 0; i < contexts.length; i++) {
    const sl = contexts[i];
    if (!seen.has(sl.lists)) {
      seen.add(sl.lists);
      for (const l of sl.lists) {
        if (seen.has(l)) continue;
        seen.add(l);
        out.push({ sl, ...l });
      }
    }
    if (!seen.has(sl.classLists)) {
      seen.add(sl.classLists);
      for (const [name, c] of sl.classLists) {
        if (seen.has(c)) continue;
        seen.add(c);
        out.push({ sl, parameter: name, ...c });
      }
    }
    if ((i + 1) % SERVICES_PER_STEP === 0) yield () => `lists of ${i + 1} services, gathered`;
  }
  return out;
}

/**
 * Where a walk over allLists ends its steps: after the lists of
 * SERVICES_PER_STEP contexts, or ITEMS_PER_STEP restrictions of a long list,
 * whichever comes first.
 */
export class ListPace {
  private contexts = 0;
  private items = 0;
  private sl?: ServiceLists;
  /** Counts a list before it is walked: true when a step should end first. */
  list(sl: ServiceLists): boolean {
    if (sl === this.sl) return false;
    this.sl = sl;
    return ++this.contexts > SERVICES_PER_STEP && this.reset();
  }
  /** Counts a restriction: true when a step should end. */
  item(): boolean {
    return ++this.items >= ITEMS_PER_STEP && this.reset();
  }
  private reset(): true {
    this.contexts = 1;
    this.items = 0;
    return true;
  }
}

// PF408: OK in the table of a restriction that may not allow-list. smtpd
// refuses OK (and RELAY, and all-numeric results) from
// check_reverse_client_hostname_access and from every check_*_{mx,ns,a}_access:
// whoever controls a DNS name could point its MX or NS records at your
// allow-listed hosts. It logs "this is not allowed for security reasons" and
// answers 451 4.3.5 instead of accepting.

import { isAccessSourceType } from '../tables/access';
import { parseAccessTableSteps } from '../tables/access-parse';
import { parseCidrTableSteps } from '../tables/cidr';
import { parseInlineTable, parseStaticTable } from '../tables/inline';
import { parseRegexTable } from '../tables/regexp';
import type { Problem, Range } from '../types';
import type { RuleContext } from './context';
import type { TableUse } from '../config';
import { allListsSteps, ListPace, ListToken } from './lists';
import { drain, ITEMS_PER_STEP, type Steps } from '../steps';
import { code, problem, Rule } from './rule';

export const OK_NOT_ALLOWED = code('PF408', 'ok-in-mx-ns-access', 'error', 'postfix', 'OK in a check_*_{mx,ns,a}_access or check_reverse_client_hostname_access table: 451 4.3.5');

function forbidsOk(name: string): boolean {
  return /^check_\w+_(mx|ns|a)_access$/.test(name) || name === 'check_reverse_client_hostname_access';
}

/** First word of a result, when it allow-lists (OK, RELAY, all digits). */
function allowWord(value: string): string | undefined {
  const w = value.trim().split(/\s+/)[0] ?? '';
  return /^(ok|relay)$/i.test(w) || /^[0-9]+$/.test(w) ? w : undefined;
}

interface Hit {
  file: string;
  range: Range;
  word: string;
}

/** The part of a range that holds the first word (on one line). */
function firstWordRange(range: Range, word: string, value: string): Range {
  const lead = value.length - value.trimStart().length;
  const start = { line: range.start.line, character: range.start.character + lead };
  return { start, end: { line: start.line, character: start.character + word.length } };
}

/** What okNotAllowed keeps through one run: table uses by spec, and the hits of each table file by spec. */
interface Tables {
  uses?: Map<string, TableUse>;
  hits: Map<string, Hit[]>;
}

/** The first table use of each spec, indexed in steps (a spec is looked up for each service that names it). */
function* usesBySpec(ctx: RuleContext, tables: Tables): Steps<Map<string, TableUse>> {
  if (tables.uses) return tables.uses;
  const uses = new Map<string, TableUse>();
  for (let i = 0; i < ctx.config.tables.length; i++) {
    const u = ctx.config.tables[i];
    if (!uses.has(u.spec)) uses.set(u.spec, u);
    if ((i + 1) % ITEMS_PER_STEP === 0) yield 'PF408 access tables: table uses';
  }
  return (tables.uses = uses);
}

function* tableHits(ctx: RuleContext, arg: ListToken, tables: Tables): Steps<Hit[]> {
  const spec = arg.text;
  const colon = spec.indexOf(':');
  if (colon <= 0) return [];
  const type = spec.slice(0, colon);
  const name = spec.slice(colon + 1);
  const hits: Hit[] = [];
  const inSpec = (start: number, end: number): Range | undefined => {
    const t = arg.token;
    if (!t || t.range.start.line !== t.range.end.line) return undefined;
    const base = t.range.start.character + colon + 1;
    return { start: { line: t.range.start.line, character: base + start }, end: { line: t.range.start.line, character: base + end } };
  };
  if (type === 'static') {
    const t = parseStaticTable(name);
    if ('fatal' in t) return [];
    const word = allowWord(t.value);
    const r = inSpec(t.valueStart, t.valueEnd);
    if (word && r && arg.token) hits.push({ file: arg.token.site.file, range: firstWordRange(r, word, t.value), word });
    return hits;
  }
  if (type === 'inline') {
    const t = parseInlineTable(name);
    if ('fatal' in t) return [];
    for (const e of t.entries) {
      const word = allowWord(e.value);
      const r = inSpec(e.valueStart, e.valueEnd);
      if (word && r && arg.token) hits.push({ file: arg.token.site.file, range: firstWordRange(r, word, e.value), word });
    }
    return hits;
  }
  // A table file's hits depend on its spec alone: scanned once, however many services name it.
  const made = tables.hits.get(spec);
  if (made) return made;
  const use = (yield* usesBySpec(ctx, tables)).get(spec);
  const source = use?.files.source ?? (name.startsWith('/') ? name : undefined);
  if (source) yield* fileHits(ctx, type, source, hits);
  tables.hits.set(spec, hits);
  return hits;
}

/** The allow-listing results of a table file, its entries scanned ITEMS_PER_STEP a step. */
function* fileHits(ctx: RuleContext, type: string, source: string, hits: Hit[]): Steps<void> {
  const text = ctx.text(source);
  if (text === undefined) return;
  const label = () => `PF408 access tables: ${source}`;
  let n = 0;
  if (isAccessSourceType(type)) {
    for (const e of (yield* parseAccessTableSteps(text, source, { type })).entries()) {
      if (++n % ITEMS_PER_STEP === 0) yield label;
      if (e.winner !== e.index) continue;
      const word = allowWord(e.value);
      if (word) hits.push({ file: source, range: firstWordRange(e.valueRange, word, e.value), word });
    }
  } else if (type === 'cidr') {
    for (const r of (yield* parseCidrTableSteps(text, source)).rules) {
      if (++n % ITEMS_PER_STEP === 0) yield label;
      const word = r.op === 'match' ? allowWord(r.value) : undefined;
      if (word && r.valueRange) hits.push({ file: source, range: firstWordRange(r.valueRange, word, r.value), word });
    }
  } else if (type === 'pcre' || type === 'regexp') {
    for (const r of parseRegexTable(type, text, source).rules) {
      if (++n % ITEMS_PER_STEP === 0) yield label;
      const word = r.op === 'match' ? allowWord(r.replacement) : undefined;
      if (word && r.replacementRange) hits.push({ file: source, range: firstWordRange(r.replacementRange, word, r.replacement), word });
    }
  }
}

function* okNotAllowed(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const tables: Tables = { hits: new Map() };
  const pace = new ListPace();
  const label = 'PF408 access tables';
  for (const list of yield* allListsSteps(ctx)) {
    if (pace.list(list.sl)) yield label;
    for (const it of list.items) {
      if (pace.item()) yield label;
      // Every such restriction takes a table: the regular expression only for those that have one.
      if (it.kind !== 'builtin' || !it.args[0] || !forbidsOk(it.lower)) continue;
      for (const h of yield* tableHits(ctx, it.args[0], tables)) {
        const k = `${h.file}|${h.range.start.line}:${h.range.start.character}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(
          problem(
            OK_NOT_ALLOWED,
            h.file,
            h.range,
            `restriction ${it.lower} returns ${h.word.toUpperCase()} here: this is not allowed for security reasons (anyone who controls a DNS name can point it at allow-listed hosts), so smtpd answers "451 4.3.5 Server configuration error" instead. Use DUNNO to make an exception.`,
            [{ title: 'Use DUNNO instead', edits: [{ file: h.file, range: h.range, newText: 'DUNNO' }], hardening: true }],
          ),
        );
      }
    }
  }
  return out;
}

export const accessTablesRule: Rule = {
  codes: [OK_NOT_ALLOWED],
  check(ctx) {
    return drain(okNotAllowed(ctx));
  },
  steps: okNotAllowed,
};

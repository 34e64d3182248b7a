// Postfix match lists: mydestination and virtual_*_domains (string lists:
// exact match or table lookup), relay_domains (domain list: parent domains
// too), mynetworks (host name or address list). The first pattern that
// matches decides; `!pattern` negates; `/file/name` is read in place;
// `type:table` is looked up.

import { ServiceView, splitList } from './config';
import type { SimTable } from './tables';
import { parseIpOrNumber, ipInNet, ip4InNet, type Ip, type Ip4Number } from './ip';
import { pushAll } from '../arrays';
import { COMPILED_PER_STEP, drain, NETWORKS_PER_STEP, type Steps } from '../steps';

export type ListKind = 'string' | 'domain' | 'namadr';

export interface ListMatch {
  matched: boolean;
  /** The pattern that decided, as written (with its `!`). */
  pattern?: string;
  /** A table lookup or pattern failed: Postfix answers with a temporary error. */
  error?: string;
  /** A lookup in a table the engine cannot read was assumed to miss. */
  assumed?: string;
}

function isTable(p: string): boolean {
  return p[0] !== '[' && p.includes(':');
}

/** Parent-style matching (`example.com` matches `sub.example.com`) for this list? */
export function parentStyle(view: ServiceView, listName: string): boolean {
  return view.list('parent_domain_matches_subdomains').includes(listName);
}

/** Expands `/file/name` patterns (each file line is a list, comments skipped). */
function patterns(view: ServiceView, value: string, negate = false, depth = 0): string[] {
  const out: string[] = [];
  for (const tok of splitList(value)) if (!addPattern(view, tok, negate, depth, out)) break;
  return out;
}

/** Adds one word's patterns to out (a `/file`'s lines); false at a comment, which ends the list. */
function addPattern(view: ServiceView, tok: string, negate: boolean, depth: number, out: string[]): boolean {
  if (tok.startsWith('#')) return false;
  let neg = negate;
  let item = tok;
  while (item.startsWith('!')) {
    neg = !neg;
    item = item.slice(1);
  }
  if (item.startsWith('/') && depth < 10) {
    const text = view.config.reader.readText(item);
    if (text === undefined) {
      out.push(`${neg ? '!' : ''}fail:${item}`);
      return true;
    }
    for (const line of text.split('\n')) if (!line.startsWith('#')) pushAll(out, patterns(view, line, neg, depth + 1));
    return true;
  }
  out.push((neg ? '!' : '') + item);
  return true;
}

type Lookup = { hit: boolean; error?: string; assumed?: string };

function tableGet(table: SimTable, key: string): Lookup {
  const r = table.lookup(key);
  if (r.kind === 'found') return { hit: true };
  if (r.kind === 'notfound') return { hit: false };
  if (r.kind === 'unreadable') return { hit: false, assumed: r.reason };
  return { hit: false, error: `${table.spec}: table lookup problem` };
}

function matchString(view: ServiceView, s: string, pattern: string): Lookup {
  if (isTable(pattern)) return tableGet(view.table(pattern), s);
  return { hit: s === pattern.toLowerCase() };
}

function matchHostname(view: ServiceView, name: string, pattern: string, parent: boolean): Lookup {
  if (isTable(pattern)) {
    const table = view.table(pattern);
    let entry = name;
    let first = true;
    for (;;) {
      if (first || table.fixed) {
        const r = tableGet(table, entry);
        if (r.hit || r.error || r.assumed) return r;
      }
      first = false;
      const dot = entry.indexOf('.', 1);
      if (dot < 0) return { hit: false };
      entry = parent ? entry.slice(dot + 1) : entry.slice(dot);
    }
  }
  const p = pattern.toLowerCase();
  if (name === p) return { hit: true };
  if (parent) {
    return { hit: name.length > p.length && name.endsWith(p) && name[name.length - p.length - 1] === '.' };
  }
  return { hit: p.startsWith('.') && name.length > p.length && name.endsWith(p) };
}

/** What matchHostaddr needs of a pattern, worked out once per pattern text. */
interface AddrPattern {
  /** Lower-cased pattern. */
  p: string;
  table: boolean;
  v6: boolean;
  /** Looks like net/mask or another IPv6 form: worth parsing. */
  network: boolean;
  /**
   * Parsed lazily: the network and prefix, or the pattern's error (null: not
   * parsed yet). A dotted-quad IPv4 network is kept as a 32-bit number (`v4`),
   * not a BigInt `net`: mynetworks can list a hundred thousand of them.
   */
  parsed: { net?: Ip; v4?: number; len: number; error?: 'address' | 'mask' | 'host-bits' } | null;
}

function addrPattern(pattern: string): AddrPattern {
  const p = pattern.toLowerCase();
  return { p, table: isTable(pattern), v6: p.includes(':'), network: !(!/[:/]/.test(p) || /^[0-9.]*$/.test(p) || !/^[0-9a-f.:[\]/]*$/.test(p)), parsed: null };
}

function parseAddrPattern(ap: AddrPattern): NonNullable<AddrPattern['parsed']> {
  let body = ap.p;
  if (body.startsWith('[')) {
    const close = body.indexOf(']');
    if (close < 0) return { len: 0, error: 'address' }; // reported as the missing ']' below
    body = body.slice(1, close) + body.slice(close + 1);
  }
  const slash = body.indexOf('/');
  const parsed = parseIpOrNumber(slash < 0 ? body : body.slice(0, slash));
  if (!parsed) return { len: 0, error: 'address' };
  const max = parsed.version === 4 ? 32 : 128;
  const maskText = slash < 0 ? String(max) : body.slice(slash + 1);
  if (!/^\d+$/.test(maskText) || Number(maskText) > max) return { len: 0, error: 'mask' };
  const len = Number(maskText);
  if ('v4' in parsed) {
    const hostMask = len === 32 ? 0 : 0xffffffff >>> len;
    if ((parsed.v4 & hostMask) !== 0) return { len, error: 'host-bits' };
    return { v4: parsed.v4, len };
  }
  const net = parsed;
  const hostBits = len === max ? 0n : (1n << BigInt(max - len)) - 1n;
  if ((net.value & hostBits) !== 0n) return { net, len, error: 'host-bits' };
  return { net, len };
}

/** An address subject of a list match, worked out once per match rather than once per pattern. */
interface AddrSubject {
  /** Lower-case. */
  addr: string;
  /** Made of address characters only: otherwise no address pattern can match. */
  plausible: boolean;
  /** The parse (undefined: not an address); a dotted quad as a number, no BigInt. */
  ip: Ip | Ip4Number | undefined;
  /** An IPv4 parse as a 32-bit number, for the IPv4 networks' integer match. */
  v4: number | undefined;
}

function addrSubject(addr: string): AddrSubject {
  const ip = parseIpOrNumber(addr);
  // IPv4-mapped IPv6 forms come back as BigInt, still IPv4.
  const v4 = ip === undefined ? undefined : 'v4' in ip ? ip.v4 : ip.version === 4 ? Number(ip.value) : undefined;
  return { addr, plausible: /^[0-9a-fA-F.:]+$/.test(addr), ip, v4 };
}

function matchHostaddr(view: ServiceView, subject: AddrSubject, pattern: string, ap: AddrPattern): Lookup {
  const { addr, ip } = subject;
  if (!subject.plausible) return { hit: false };
  if (ap.table) return tableGet(view.table(pattern), addr);
  const p = ap.p;
  if (p[0] !== '[') {
    if (addr === p) return { hit: true };
  } else if (p === `[${addr}]`) return { hit: true };
  // Only net/mask patterns and other-looking IPv6 forms go on; families must agree.
  if (addr.includes(':') !== ap.v6) return { hit: false };
  if (!ap.network) return { hit: false };
  if (p.startsWith('[') && p.indexOf(']') < 0) return { hit: false, error: `missing ']' character after "${pattern}"` };
  const parsed = (ap.parsed ??= parseAddrPattern(ap));
  if (parsed.error === 'address' || !ip) return { hit: false, error: `bad address pattern: "${pattern}"` };
  if (parsed.error === 'mask') return { hit: false, error: `bad mask length in "${pattern}"` };
  if (parsed.error === 'host-bits') return { hit: false, error: `non-null host address bits in "${pattern}"` };
  if (parsed.v4 !== undefined) return { hit: subject.v4 !== undefined && ip4InNet(subject.v4, parsed.v4, parsed.len) };
  return { hit: ipInNet('v4' in ip ? { version: 4, value: BigInt(ip.v4) } : ip, parsed.net!, parsed.len) };
}

/** A list value split into patterns (with `/file` contents), each with its negation and address form. */
interface CompiledItem {
  raw: string;
  pat: string;
  match: boolean;
  addr?: AddrPattern;
}

/**
 * Compiled lists per configuration and list value. Each simulated transaction
 * has its own ServiceView, and the relay matrix runs dozens of them over the
 * same mynetworks, which can list a million networks: split and parse it once.
 */
const compiledLists = new WeakMap<object, Map<string, CompiledItem[]>>();
const MAX_COMPILED_PER_CONFIG = 256;

function compiledList(view: ServiceView, listName: string): CompiledItem[] {
  return drain(compiledListSteps(view, listName));
}

/**
 * A list's compiled items, made in steps the first time: its words from its
 * tokens (ServiceView.listSteps: a domain list of references to lists is not
 * expanded and split whole in one piece), compiled and, without tables,
 * indexed by pattern, yielding every COMPILED_PER_STEP words. Kept by the
 * expanded value, so services with the same value share them.
 */
export function* compiledListSteps(view: ServiceView, listName: string): Steps<CompiledItem[]> {
  const value = view.value(listName);
  let byValue = compiledLists.get(view.config);
  if (!byValue) compiledLists.set(view.config, (byValue = new Map()));
  let items = byValue.get(value);
  if (items) return items;
  const words = yield* view.listSteps(listName);
  // The first of equal patterns decides wherever the others are (a match is a function of pattern and
  // subject), so a word seen before adds nothing: a doubling list ($a1 = $a0 $a0) compiles to its distinct words.
  const raws: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    if (i > 0 && i % COMPILED_PER_STEP === 0) yield () => `simulate: compiling ${listName}, ${i} words`;
    const w = words[i];
    if (seen.has(w)) continue;
    seen.add(w);
    if (!addPattern(view, w, false, 0, raws)) break;
  }
  items = new Array<CompiledItem>(raws.length);
  let free = true;
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    let match = true;
    let pat = raw;
    while (pat.startsWith('!')) {
      match = !match;
      pat = pat.slice(1);
    }
    items[i] = { raw, pat, match };
    if (free && isTable(pat)) free = false;
    if ((i + 1) % COMPILED_PER_STEP === 0) yield () => `simulate: compiling ${listName}, ${i + 1} patterns`;
  }
  tableFree.set(items, free);
  if (free && items.length > INDEX_FROM) {
    // First item per lower-cased pattern: a domain's answer without walking a million patterns.
    const index = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const p = items[i].pat.toLowerCase();
      if (!index.has(p)) index.set(p, i);
      if ((i + 1) % COMPILED_PER_STEP === 0) yield () => `simulate: indexing ${listName}, ${i + 1} patterns`;
    }
    firstByPattern.set(items, index);
  }
  if (byValue.size >= MAX_COMPILED_PER_CONFIG) byValue.clear();
  byValue.set(value, items);
  return items;
}

/**
 * The texts, besides `name` itself, that a plain pattern of a domain list
 * must have to match `name` (lower-case), nearest first: match_hostname in
 * util/match_ops.c. In parent style (parent_domain_matches_subdomains names
 * the list) each parent domain (`example.com` for `sub.example.com`);
 * otherwise each `.parent` suffix. A leading-dot pattern matches no
 * subdomain in parent style: smtpd 3.7.11 relays to none of them
 * (test/fixtures/simulate/matrix.ts, "domain patterns").
 */
export function domainSuffixPatterns(name: string, parent: boolean): string[] {
  const out: string[] = [];
  for (let i = 1; i <= name.length; i++) {
    if (parent ? name.charCodeAt(i - 1) === 46 : i < name.length && name.charCodeAt(i) === 46) out.push(name.slice(i));
  }
  return out;
}

/** Lists longer than this (without tables) are indexed by pattern for string and domain matches. */
const INDEX_FROM = 64;
const firstByPattern = new WeakMap<CompiledItem[], Map<string, number>>();

/**
 * scanList's answer for a list without tables, from its indexes: the first
 * item that decides for any subject is, among the items that can (found by
 * their text, and for an address by its networks: addrIndexSteps), the
 * earliest in the list. String and domain lists: the subject itself, and its
 * parent domains or `.domain` suffixes. Undefined without an index.
 */
function indexedAnswer(view: ServiceView, items: CompiledItem[], kind: ListKind, folded: string[], parent: boolean): ListMatch | undefined {
  const index = firstByPattern.get(items);
  const addrIndex = kind === 'namadr' ? addrIndexes.get(items) : undefined;
  if (!index || (kind === 'namadr' && !addrIndex)) return undefined;
  let first = Infinity;
  const consider = (p: string) => {
    const at = index.get(p);
    if (at !== undefined && at < first) first = at;
  };
  for (let s = 0; s < folded.length; s++) {
    const name = folded[s];
    if (addrIndex && s > 0) {
      // After the exact texts it considers: `first` may have moved.
      const at = firstAddressItem(addrIndex, addrSubject(name), consider);
      if (at < first) first = at;
      continue;
    }
    consider(name);
    if (kind === 'string') continue;
    for (const p of domainSuffixPatterns(name, parent)) consider(p);
  }
  if (first === Infinity) return { matched: false, assumed: undefined };
  if (kind !== 'namadr') return { matched: items[first].match, pattern: items[first].raw, assumed: undefined };
  // The item's own answer (a match or the error its pattern gives), as the walk would give it there.
  const answer = scanList(view, [items[first]], kind, folded, parent);
  return answer.pattern !== undefined ? answer : undefined;
}

/**
 * What matchHostaddr decides for the patterns of a host/address list without
 * tables, by address family (an address meets only the network patterns of
 * its own: with ':' or without). mynetworks can list 100,000 networks, and
 * walking them all for the outside client took 160-260 ms in one piece.
 */
interface AddrIndex {
  /** [patterns without ':', patterns with ':']. */
  families: [FamilyIndex, FamilyIndex];
}

interface FamilyIndex {
  /** The first network pattern: where an address that does not parse gets "bad address pattern" (or the pattern's own error). */
  firstNetwork: number;
  /** The first network pattern that fails for every address: no ']', a bad address or mask, host bits set. */
  firstError: number;
  /** Dotted-quad networks: by prefix length, each network's first item. */
  v4: Map<number, Map<number, number>>;
  /** Other networks (IPv6, IPv4-mapped): by version and prefix length, each network's first item. */
  big: { version: 4 | 6; len: number; first: Map<bigint, number> }[];
}

const addrIndexes = new WeakMap<CompiledItem[], AddrIndex>();

/** The first item of `items` that decides for the address `subject` (Infinity: none); exact texts through `consider`. */
function firstAddressItem(index: AddrIndex, subject: AddrSubject, consider: (p: string) => void): number {
  if (!subject.plausible) return Infinity;
  const { addr, ip } = subject;
  // Written as the address itself, or in brackets: a match whatever the family.
  consider(addr);
  consider(`[${addr}]`);
  const family = index.families[addr.includes(':') ? 1 : 0];
  if (!ip) return family.firstNetwork;
  let first = family.firstError;
  if (subject.v4 !== undefined) {
    for (const [len, nets] of family.v4) {
      const at = nets.get(len === 0 ? 0 : (subject.v4 & (len >= 32 ? -1 : ~(0xffffffff >>> len))) >>> 0);
      if (at !== undefined && at < first) first = at;
    }
  }
  if (family.big.length > 0) {
    const big = 'v4' in ip ? { version: 4 as const, value: BigInt(ip.v4) } : ip;
    for (const g of family.big) {
      if (g.version !== big.version) continue;
      const at = g.first.get(big.value >> BigInt((g.version === 4 ? 32 : 128) - g.len));
      if (at !== undefined && at < first) first = at;
    }
  }
  return first;
}

/**
 * A host/address list's address index (AddrIndex), made in steps the first
 * time: every network pattern parsed, NETWORKS_PER_STEP at a time. Lists with
 * tables have none (a table answers in its place in the walk).
 */
function* addrIndexSteps(items: CompiledItem[], listName: string): Steps<AddrIndex | undefined> {
  let index = addrIndexes.get(items);
  if (index || !firstByPattern.has(items)) return index;
  const family = (): FamilyIndex => ({ firstNetwork: Infinity, firstError: Infinity, v4: new Map(), big: [] });
  index = { families: [family(), family()] };
  for (let i = 0; i < items.length; i++) {
    if ((i + 1) % NETWORKS_PER_STEP === 0) yield () => `simulate: indexing ${listName} networks, ${i + 1} patterns`;
    const ap = (items[i].addr ??= addrPattern(items[i].pat));
    if (ap.table || !ap.network) continue;
    const f = index.families[ap.v6 ? 1 : 0];
    if (f.firstNetwork === Infinity) f.firstNetwork = i;
    if (ap.p.startsWith('[') && ap.p.indexOf(']') < 0) {
      if (f.firstError === Infinity) f.firstError = i;
      continue;
    }
    const parsed = (ap.parsed ??= parseAddrPattern(ap));
    if (parsed.error) {
      if (f.firstError === Infinity) f.firstError = i;
    } else if (parsed.v4 !== undefined) {
      let nets = f.v4.get(parsed.len);
      if (!nets) f.v4.set(parsed.len, (nets = new Map()));
      if (!nets.has(parsed.v4)) nets.set(parsed.v4, i);
    } else {
      const net = parsed.net!;
      let g = f.big.find((x) => x.version === net.version && x.len === parsed.len);
      if (!g) f.big.push((g = { version: net.version, len: parsed.len, first: new Map() }));
      const key = net.value >> BigInt((net.version === 4 ? 32 : 128) - parsed.len);
      if (!g.first.has(key)) g.first.set(key, i);
    }
  }
  addrIndexes.set(items, index);
  return index;
}

/**
 * Matches a list parameter. `subjects` are a domain (string/domain lists) or
 * [hostname, address] (namadr lists).
 */
export function matchList(view: ServiceView, listName: string, kind: ListKind, subjects: string[]): ListMatch {
  const parent = kind !== 'string' && parentStyle(view, listName);
  const folded = subjects.map((s) => s.toLowerCase());
  const items = compiledList(view, listName);
  if (!looksUpTables(items)) {
    if (kind === 'namadr') drain(addrIndexSteps(items, listName));
    // No table in the list: the answer depends on the subjects alone, and the
    // relay matrix asks the same few clients a dozen times over one list.
    let answers = pureAnswers.get(items);
    if (!answers) pureAnswers.set(items, (answers = new Map()));
    const key = `${kind}\0${parent}\0${folded.join('\0')}`;
    let answer = answers.get(key);
    if (!answer) {
      if (answers.size >= MAX_PURE_ANSWERS) answers.clear();
      answers.set(key, (answer = indexedAnswer(view, items, kind, folded, parent) ?? scanList(view, items, kind, folded, parent)));
    }
    return { ...answer };
  }
  return scanList(view, items, kind, folded, parent);
}

/** Answers of lists without tables, by kind, parent style and subjects. */
const pureAnswers = new WeakMap<CompiledItem[], Map<string, ListMatch>>();
const MAX_PURE_ANSWERS = 64;
const tableFree = new WeakMap<CompiledItem[], boolean>();

function looksUpTables(items: CompiledItem[]): boolean {
  let free = tableFree.get(items);
  if (free === undefined) tableFree.set(items, (free = !items.some((item) => isTable(item.pat))));
  return !free;
}

function scanList(view: ServiceView, items: CompiledItem[], kind: ListKind, folded: string[], parent: boolean): ListMatch {
  let assumed: string | undefined;
  const addrs: AddrSubject[] = [];
  for (const item of items) {
    const { raw, pat, match } = item;
    for (let i = 0; i < folded.length; i++) {
      let r: Lookup;
      if (kind === 'string') r = matchString(view, folded[i], pat);
      else if (kind === 'domain' || i === 0) r = matchHostname(view, folded[i], pat, parent);
      else {
        if (!(i in addrs)) addrs[i] = addrSubject(folded[i]);
        r = matchHostaddr(view, addrs[i], pat, (item.addr ??= addrPattern(pat)));
      }
      if (r.assumed) assumed = r.assumed;
      if (r.hit) return { matched: match, pattern: raw, assumed };
      if (r.error) return { matched: false, pattern: raw, error: r.error };
    }
  }
  return { matched: false, assumed };
}

/** The match lists a transaction or the relay matrix may read, in the order smtpd and trivial-rewrite come to them. */
const MATCH_LISTS = ['mynetworks', 'relay_domains', 'mydestination', 'virtual_alias_domains', 'virtual_mailbox_domains'];
/** Those of them matched against a client's name and address. */
const NAMADR_LISTS = new Set(['mynetworks']);

/**
 * Compiles the match lists in steps ahead of the synchronous matches and
 * list reads that use them (a domain list can hold a million words), into
 * the caches every view of the service shares. On a view of its own: the
 * transaction's assumptions stay those of the lists it reads.
 */
export function* matchListsSteps(view: ServiceView): Steps<void> {
  const own = new ServiceView(view.config, view.service, view.assumptions);
  for (const name of MATCH_LISTS) {
    const items = yield* compiledListSteps(own, name);
    if (NAMADR_LISTS.has(name)) yield* addrIndexSteps(items, name);
  }
}

// The configuration as one smtpd process sees it: master.cf `-o` overrides,
// then main.cf, then the built-in default, expanded recursively. Parameter
// values keep their source location so trace steps can point at the exact
// restriction that decided.

import { defaultValue } from '../catalog/parameters';
import { EXPANSION_TOO_LARGE, MAX_OUTPUT, expandValue } from '../expand';
import { parseMainCf, parseMainCfSteps, valueRange, type MainCf } from '../maincf/parse';
import type { FileReader, Range } from '../types';
import { ConfigFiles, type ConfigMode } from '../config-files';
import { loadConfigSteps, type PostfixConfig } from '../config';
import { parseMasterCfSteps } from '../mastercf';
import { simServicesSteps, type SimOverride, type SimService } from './services';
import { openEngineTable, openTable, splitBraced, type SimTable } from './tables';
import type { OpenedTable } from '../tables';
import { parseIp } from './ip';
import { Address4, Address6 } from 'ip-address';
import type { AssumptionUsed, Assumptions, SourceRef } from './types';
import { pushAll } from '../arrays';
import { bracedChunks } from '../tables/text';
import { drain, SCANNED_WORDS_PER_STEP, TOKENS_PER_STEP, WRITTEN_WORDS_PER_STEP, type Steps } from '../steps';

export interface SimConfig {
  dir: string;
  /** Reads the files the configuration names where they are for its mode (config-files.ts). */
  reader: FileReader;
  mode: ConfigMode;
  mainCfPath: string;
  masterCfPath: string;
  mainCf: MainCf;
  /** Services from master.cf; undefined when there is no master.cf. */
  services?: SimService[];
}

export function loadSimConfig(dir: string, base: FileReader, mode?: ConfigMode): SimConfig {
  return drain(loadSimConfigSteps(dir, base, mode));
}

/** loadSimConfig in steps: master.cf parsed, and its services made, a few thousand at a time (its parse is kept per text). */
export function* loadSimConfigSteps(dir: string, base: FileReader, mode?: ConfigMode): Steps<SimConfig> {
  const d = dir.replace(/\/+$/, '') || '/';
  // The linter's resolver for the same directory (which installed paths it stands for).
  const reader = base instanceof ConfigFiles && base.dir === d && (mode === undefined || base.mode === mode) ? base : (yield* loadConfigSteps(d, base, { mode })).files;
  const mainCfPath = `${d}/main.cf`;
  const masterCfPath = `${d}/master.cf`;
  const mainText = reader.readText(mainCfPath) ?? '';
  const masterText = reader.readText(masterCfPath);
  const mainCf = yield* parseMainCfSteps(mainText, mainCfPath);
  const services = masterText === undefined ? undefined : yield* simServicesSteps(yield* parseMasterCfSteps(masterText, masterCfPath));
  return { dir: d, reader, mode: reader.mode, mainCfPath, masterCfPath, mainCf, services };
}

/**
 * The simulator's view of a configuration the engine has loaded, from the
 * parses it holds: what loadSimConfig(config.dir, config.files, config.mode)
 * gives (a parse is kept per text, so that reads and parses the same files
 * to the same objects) without reading 8 MB of master.cf again. In steps:
 * the services are made a few thousand at a time.
 */
export function* simConfigOfSteps(config: PostfixConfig): Steps<SimConfig> {
  const d = config.dir.replace(/\/+$/, '') || '/';
  const files = config.files;
  // Where the loaded files are not the ones loadSimConfig would read (a relative directory, paths spelt otherwise): read them.
  const same = d.startsWith('/') && files.dir === d && files.mode === config.mode && config.mainPath === `${d}/main.cf` && config.masterPath === `${d}/master.cf`;
  if (!same) return yield* loadSimConfigSteps(config.dir, files, config.mode);
  const mainCf = config.main ?? parseMainCf('', config.mainPath);
  const services = config.master ? yield* simServicesSteps(config.master) : undefined;
  return { dir: d, reader: files, mode: files.mode, mainCfPath: config.mainPath, masterCfPath: config.masterPath, mainCf, services };
}

/** A token of a restriction or match list, with where it was written. */
export interface Located {
  text: string;
  source?: SourceRef;
  /** Parameter whose value the token was written in. */
  parameter: string;
}

export type Origin = 'master.cf' | 'main.cf' | 'default';

/** Splits a list value on commas and whitespace, keeping `{...}` groups whole (as smtpd does). */
export function splitList(value: string): string[] {
  return splitBraced(value);
}

/** splitList in steps: yields every TOKENS_PER_STEP words. */
function* splitListSteps(value: string, name: string): Steps<string[]> {
  const out: string[] = [];
  for (const chunk of bracedChunks(value, TOKENS_PER_STEP)) {
    for (let k = 0; k < chunk.length; k += 2) out.push(value.slice(chunk[k], chunk[k + 1]));
    if (chunk.length === 2 * TOKENS_PER_STEP) {
      const n = out.length;
      yield () => `simulate: splitting ${name}, ${n} words`;
    }
  }
  return out;
}

/**
 * Whether every word written in `raw` is a plain word (no `$`, no `{`) or a
 * `$name` alone, read in place, in steps: a value without `$` or `{` at all
 * (a 100,000-network mynetworks) answers at once, without a split.
 */
function* piecewiseSteps(raw: string, name: string): Steps<boolean> {
  if (!/[${]/.test(raw)) return true;
  for (const chunk of bracedChunks(raw, SCANNED_WORDS_PER_STEP)) {
    for (let k = 0; k < chunk.length; k += 2) {
      const start = chunk[k];
      const end = chunk[k + 1];
      let i = start;
      while (i < end && raw.charCodeAt(i) !== 36 && raw.charCodeAt(i) !== 123) i++;
      if (i < end && !REF_ONLY.test(raw.slice(start, end))) return false;
    }
    if (chunk.length === 2 * SCANNED_WORDS_PER_STEP) yield () => `simulate: words written in ${name}, checked`;
  }
  return true;
}

/** Tables opened for a configuration, by spec. */
const openedTables = new WeakMap<SimConfig, Map<string, OpenedTable>>();

const REF_ONLY = /^\$(?:([A-Za-z0-9_]+)|\{([A-Za-z0-9_]+)\}|\(([A-Za-z0-9_]+)\))$/;

/** Parameter values for one service, with assumptions for host facts. */
/**
 * What computing a value did besides giving it: replayed when another view
 * takes the value from the cache. `tooLarge`: the value of that name expands
 * past our limit (expand.ts), so what it was taken as ('') is not what smtpd
 * would have.
 */
type Effect = AssumptionUsed | 'service_name' | { tooLarge: string };

/**
 * Expanded values and list tokens of one service under one set of
 * assumptions, shared by every view of it (the relay matrix runs dozens of
 * transactions, each with its own view; a list of 2^17 words is built once).
 */
interface SharedValues {
  values: Map<string, { value: string; effects: Effect[] }>;
  tokens: Map<string, { tokens: Located[]; effects: Effect[]; plain?: Plain }>;
  lists: Map<string, { words: string[]; effects: Effect[] }>;
  /** Other results of a service's values alone (sharedSteps). */
  derived: Map<string, { value: unknown; effects: Effect[] }>;
}

/**
 * A list whose value expands piece by piece: its words have no `$` and no
 * braces, and the lists it refers to ($name alone) are plain themselves
 * without referring back to it. Expanding it whole then gives its pieces'
 * expansions joined by what separates them (no error, no brace group
 * across pieces), so its tokens are its pieces' tokens, as long as the
 * whole stays within the expansion limit: `length` is the expanded length,
 * `names` the lists it refers to, itself included.
 */
interface Plain {
  length: number;
  names: Set<string>;
}

const sharedValues = new WeakMap<SimConfig, Map<SimService | undefined, WeakMap<Assumptions, SharedValues>>>();

function sharedFor(config: SimConfig, service: SimService | undefined, assumptions: Assumptions): SharedValues {
  let byService = sharedValues.get(config);
  if (!byService) sharedValues.set(config, (byService = new Map()));
  let byAssumptions = byService.get(service);
  if (!byAssumptions) byService.set(service, (byAssumptions = new WeakMap()));
  let shared = byAssumptions.get(assumptions);
  if (!shared) byAssumptions.set(assumptions, (shared = { values: new Map(), tokens: new Map(), lists: new Map(), derived: new Map() }));
  return shared;
}

export class ServiceView {
  private tables = new Map<string, SimTable>();
  private shared: SharedValues;
  /** Tokens copied since the last step of a first tokenizing (tokensSteps). */
  private copied = 0;
  /** Effects seen by the computations under way (innermost last), so that they can be cached with them. */
  private recording: Effect[][] = [];
  readonly assumed: AssumptionUsed[] = [];
  /** Some value used the service's own name ($service_name): results differ between services with the same settings. */
  readsServiceName = false;
  /**
   * Names whose values, read by this view, expand past our 4 MiB limit.
   * Postfix has no limit: smtpd would build the whole value (for minutes or
   * until memory runs out) and act on it, so no result that read one stands.
   */
  readonly tooLarge: string[] = [];

  constructor(
    readonly config: SimConfig,
    readonly service: SimService | undefined,
    readonly assumptions: Assumptions,
  ) {
    this.shared = sharedFor(config, service, assumptions);
  }

  private effect(e: Effect): void {
    for (const r of this.recording) r.push(e);
    if (e === 'service_name') this.readsServiceName = true;
    else if ('tooLarge' in e) {
      if (!this.tooLarge.includes(e.tooLarge)) this.tooLarge.push(e.tooLarge);
    } else if (!this.assumed.some((a) => a.what === e.what)) this.assumed.push(e);
  }

  /** Runs make, returning its result and the effects it had (its own and those it replayed). */
  private recorded<T>(make: () => T): { result: T; effects: Effect[] } {
    const effects: Effect[] = [];
    this.recording.push(effects);
    try {
      return { result: make(), effects };
    } finally {
      this.recording.pop();
    }
  }

  /** The raw (unexpanded) value and where it comes from. */
  raw(name: string): { value: string | undefined; origin: Origin; source?: SourceRef; valueOffset?: (start: number, end: number) => Range } {
    const o = this.service && lastSimOverride(this.service, name);
    if (o) {
      // Offsets inside an -o value map to the value range when it is on one line.
      const vr = o.valueRange;
      const single = vr.start.line === vr.end.line;
      return {
        value: o.value,
        origin: 'master.cf',
        source: { file: this.config.masterCfPath, range: vr },
        valueOffset: single
          ? (s, e) => ({ start: { line: vr.start.line, character: vr.start.character + s }, end: { line: vr.start.line, character: vr.start.character + e } })
          : undefined,
      };
    }
    const entry = this.config.mainCf.byName.get(name);
    if (entry) {
      return {
        value: entry.value,
        origin: 'main.cf',
        source: { file: this.config.mainCfPath, range: entry.valueRange },
        valueOffset: (s, e) => valueRange(entry, s, e),
      };
    }
    return { value: this.hostDefault(name) ?? defaultValue(name), origin: 'default' };
  }

  /** Defaults that depend on the machine Postfix runs on. */
  private hostDefault(name: string): string | undefined {
    switch (name) {
      case 'myhostname': {
        const h = this.assumptions.hostname ?? 'localhost.localdomain';
        this.assume('machine hostname (myhostname is not set)', h, 'hostname');
        if (h.includes('.')) return h;
        // A machine name without a dot gets mydomain as set, else localdomain.
        const d = this.setting('mydomain');
        return `${h}.${d === undefined ? 'localdomain' : this.settingsOnly(d, 'mydomain')}`;
      }
      case 'mydomain': {
        // Postfix takes myhostname as set (main.cf or -o), expanded with the
        // settings alone (mail_conf_lookup_eval: unset names are empty), or
        // the machine name; then the part after its first dot. Expanding the
        // full myhostname here would loop through $mydomain.
        const set = this.setting('myhostname');
        const h = set === undefined ? (this.hostDefault('myhostname') ?? '') : this.settingsOnly(set, 'myhostname');
        const dot = h.indexOf('.');
        return dot >= 0 ? h.slice(dot + 1) : 'localdomain';
      }
      case 'mynetworks':
        return this.defaultMynetworks();
      case 'service_name':
        this.effect('service_name');
        return this.service?.name ?? 'smtp';
      case 'process_name':
        return 'smtpd';
      case 'config_directory':
        return this.config.dir;
    }
    return undefined;
  }

  /** A value expanded with main.cf and -o settings only, as mail_conf_lookup_eval does. */
  private settingsOnly(value: string, name: string): string {
    return this.checked(expandValue(value, (n) => this.setting(n)), name);
  }

  /** The raw value set in master.cf (-o) or main.cf; undefined when only a default applies. */
  private setting(name: string): string | undefined {
    const o = this.service && lastSimOverride(this.service, name);
    if (o) return o.value;
    return this.config.mainCf.byName.get(name)?.value;
  }

  assume(what: string, value: string, option: keyof Assumptions): void {
    this.effect({ what, value, option });
  }

  /** The machine's interface addresses with prefix lengths. */
  interfaces(): { addr: string; prefix: number }[] {
    const list = this.assumptions.interfaces ?? ['127.0.0.1/8', '::1/128'];
    if (!this.assumptions.interfaces) this.assume('machine interface addresses', list.join(' '), 'interfaces');
    return list.map((s) => {
      const [addr, p] = s.split('/');
      return { addr: addr.replace(/^\[|\]$/g, ''), prefix: p ? Number(p) : addr.includes(':') ? 128 : 32 };
    });
  }

  /** Addresses smtpd listens on: inet_interfaces (`all`: every interface). */
  ownAddresses(): { addr: string; prefix: number }[] {
    const ii = splitList(this.value('inet_interfaces')).map((s) => s.toLowerCase());
    const protocols = this.value('inet_protocols').toLowerCase();
    const allowV4 = /\b(all|ipv4)\b/.test(protocols);
    const allowV6 = /\b(all|ipv6)\b/.test(protocols);
    let out: { addr: string; prefix: number }[] = [];
    if (ii.includes('all')) out = this.interfaces();
    else {
      const ifs = this.assumptions.interfaces ? this.interfaces() : [];
      for (const a of ii) {
        if (a === 'loopback-only' || a === 'localhost') {
          out.push({ addr: '127.0.0.1', prefix: 8 }, { addr: '::1', prefix: 128 });
          continue;
        }
        const bare = a.replace(/^\[|\]$/g, '');
        const known = ifs.find((f) => f.addr === bare);
        const prefix = known?.prefix ?? (bare.startsWith('127.') ? 8 : bare === '::1' ? 128 : bare.includes(':') ? 64 : 24);
        out.push({ addr: bare, prefix });
      }
    }
    return out.filter((a) => (a.addr.includes(':') ? allowV6 : allowV4));
  }

  private defaultMynetworks(): string {
    const style = this.value('mynetworks_style').toLowerCase();
    const parts: string[] = [];
    for (const { addr, prefix } of this.ownAddresses()) {
      const v6 = addr.includes(':');
      const max = v6 ? 128 : 32;
      let len = style === 'host' ? max : prefix;
      if (style === 'class' && !v6) {
        const first = Number(addr.split('.')[0]);
        len = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 4;
      }
      const net = networkAddress(addr, len);
      parts.push(v6 ? `[${net}]/${len}` : `${net}/${len}`);
    }
    const v = parts.join(' ');
    this.assume(`mynetworks (not set; computed from mynetworks_style = ${style} and the interface addresses)`, v, 'interfaces');
    return v;
  }

  /** The expanded value. */
  value(name: string): string {
    const hit = this.shared.values.get(name);
    if (hit) {
      for (const e of hit.effects) this.effect(e);
      return hit.value;
    }
    const { result: value, effects } = this.recorded(() => {
      const r = this.raw(name);
      return r.value === undefined ? '' : this.expand(r.value, name);
    });
    this.shared.values.set(name, { value, effects });
    return value;
  }

  /** The words of a list value (shared: callers must not change them). */
  list(name: string): string[] {
    const hit = this.shared.lists.get(name);
    if (hit) {
      for (const e of hit.effects) this.effect(e);
      return hit.words;
    }
    const { result: words, effects } = this.recorded(() => splitList(this.value(name)));
    this.shared.lists.set(name, { words, effects });
    return words;
  }

  /**
   * list() in steps: the words put together from the list's tokens
   * (tokensSteps, which yields between the pieces of a list of references to
   * lists), so a domain list of 2^20 words is not expanded and split whole in
   * one piece. The same words as list() (tokensSteps keeps to the whole
   * value's words), cached with it.
   */
  *listSteps(name: string): Steps<string[]> {
    // Only a value of words and plain references is worth tokenizing: other pieces (`${x?{$big}:{}}`)
    // would be expanded apart from their conditions, where the whole value may expand to little.
    if (this.shared.lists.has(name)) return this.list(name);
    const raw = this.raw(name).value;
    // Checked in place: tokensSteps is the one that splits the value.
    if (raw !== undefined && (yield* piecewiseSteps(raw, name))) {
      // On a view of its own: where the pieces fall back to the whole value, list() below takes the
      // effects (size-limit notes) list() has, not those of tokenizing the pieces.
      const own = new ServiceView(this.config, this.service, this.assumptions);
      const effects: Effect[] = [];
      own.recording.push(effects);
      const tokens = yield* own.tokensSteps(name);
      if (!this.shared.lists.has(name)) {
        const words = new Array<string>(tokens.length);
        for (let i = 0; i < tokens.length; i++) {
          words[i] = tokens[i].text;
          if ((i + 1) % TOKENS_PER_STEP === 0) yield () => `simulate: words of ${name}, ${i + 1}`;
        }
        this.shared.lists.set(name, { words, effects });
      }
      return this.list(name);
    }
    // Other values are expanded whole (memoised: time linear in the result) and split in steps.
    const { result: value, effects } = this.recorded(() => this.value(name));
    const words = yield* splitListSteps(value, name);
    if (!this.shared.lists.has(name)) this.shared.lists.set(name, { words, effects });
    return this.list(name);
  }

  isSet(name: string): boolean {
    return this.raw(name).origin !== 'default';
  }

  bool(name: string): boolean {
    return /^(yes|true|1)$/i.test(this.value(name).trim());
  }

  int(name: string, fallback: number): number {
    const n = Number.parseInt(this.value(name), 10);
    return Number.isFinite(n) ? n : fallback;
  }

  private expand(text: string, name: string): string {
    // Each $name once per expansion (the memo of one call: the effects of its lookups are recorded with the value).
    return this.checked(expandValue(text, (n) => this.raw(n).value), name);
  }

  /** An expansion's value, noting `name` when it went past the size limit (its value is then ''). */
  private checked(r: { value: string; errors: string[] }, name: string): string {
    if (r.errors.includes(EXPANSION_TOO_LARGE)) this.effect({ tooLarge: name });
    return r.value;
  }

  /** The list tokens of a parameter, each with its source when it can be located (shared: callers must not change them). */
  tokens(name: string): Located[] {
    return drain(this.tokensSteps(name));
  }

  /**
   * tokens() in steps: a list of references to lists ($a17 with a1 = $a0 $a0,
   * 2^17 words) is put together from its pieces, yielding between them and
   * every TOKENS_PER_STEP tokens copied.
   */
  *tokensSteps(name: string, depth = 0): Steps<Located[]> {
    // Once per name: a list of references to lists would otherwise be rebuilt for every reference.
    const key = `${depth} ${name}`;
    const hit = this.shared.tokens.get(key);
    if (hit) {
      for (const e of hit.effects) this.effect(e);
      return hit.tokens;
    }
    const effects: Effect[] = [];
    const before = this.tooLarge.length;
    this.recording.push(effects);
    let made: { tokens: Located[]; plain?: Plain };
    try {
      made = yield* this.computeTokens(name, depth);
    } finally {
      this.recording.pop();
    }
    // The lists it refers to are tokenized before it is expanded whole: name it first, as the one the
    // transaction needed (simulate.ts tooLargeReason), then the references it went through.
    const own = effects.findIndex((e) => typeof e === 'object' && 'tooLarge' in e && e.tooLarge === name);
    const first = effects.findIndex((e) => typeof e === 'object' && 'tooLarge' in e);
    if (own > first) effects.splice(first, 0, ...effects.splice(own, 1));
    const at = this.tooLarge.indexOf(name);
    if (at > before) this.tooLarge.splice(before, 0, ...this.tooLarge.splice(at, 1));
    this.shared.tokens.set(key, { ...made, effects });
    return made.tokens;
  }

  private *computeTokens(name: string, depth: number): Steps<{ tokens: Located[]; plain?: Plain }> {
    const r = this.raw(name);
    if (r.value === undefined || depth > 20) {
      const tokens = this.list(name).map((text) => ({ text, parameter: name }));
      // Words alone: what they expand to is what is written.
      const literal = r.value !== undefined && !/[${]/.test(r.value);
      return { tokens, plain: literal ? { length: r.value!.length, names: new Set([name]) } : undefined };
    }
    const located: Located[] = [];
    const source = (start: number, end: number): SourceRef | undefined => {
      const range = r.valueOffset?.(start, end) ?? r.source?.range;
      return range && r.source ? { file: r.source.file, range } : undefined;
    };
    // Plain pieces (words without $ or braces, references to plain lists) expand to themselves or
    // to those lists: see Plain. Then the whole value need not be expanded and split again.
    let plain: Plain | undefined = { length: r.value.length, names: new Set([name]) };
    const value = r.value;
    // A word written out costs several copied tokens (its source range is worked out): a
    // 100,000-word mynetworks line or continuation was one piece of 300-400 ms.
    for (const chunk of bracedChunks(value, WRITTEN_WORDS_PER_STEP)) {
      for (let k = 0; k < chunk.length; k += 2) {
        const t = { text: value.slice(chunk[k], chunk[k + 1]), start: chunk[k], end: chunk[k + 1] };
        const ref = REF_ONLY.exec(t.text);
        if (ref) {
          const refName = ref[1] ?? ref[2] ?? ref[3];
          const sub = yield* this.tokensSteps(refName, depth + 1);
          const subPlain = this.shared.tokens.get(`${depth + 1} ${refName}`)?.plain;
          if (plain && subPlain && !subPlain.names.has(name)) {
            plain.length += subPlain.length - t.text.length;
            for (const n of subPlain.names) plain.names.add(n);
          } else plain = undefined;
          for (let from = 0; from < sub.length; from += TOKENS_PER_STEP) {
            pushAll(located, from === 0 && sub.length <= TOKENS_PER_STEP ? sub : sub.slice(from, from + TOKENS_PER_STEP));
            this.copied += Math.min(TOKENS_PER_STEP, sub.length - from);
            if (this.copied >= TOKENS_PER_STEP) {
              this.copied = 0;
              const n = located.length;
              yield () => `simulate: tokenizing ${name}, ${n} tokens`;
            }
          }
          continue;
        }
        const dollar = t.text.includes('$');
        if (dollar || t.text.includes('{')) plain = undefined;
        const sub = dollar ? splitList(this.expand(t.text, name)) : [t.text];
        const at = source(t.start, t.end);
        for (const text of sub) located.push({ text, parameter: name, source: at });
      }
      if (chunk.length === 2 * WRITTEN_WORDS_PER_STEP) {
        const n = located.length;
        yield () => `simulate: tokenizing ${name}, ${n} tokens`;
      }
    }
    if (plain && plain.length <= MAX_OUTPUT) return { tokens: located, plain };
    const n = located.length;
    if (n > TOKENS_PER_STEP / 16) yield () => `simulate: tokenizing ${name}, ${n} tokens`;
    // If piecewise expansion disagrees with Postfix's whole-value expansion, trust the latter.
    const expanded = this.list(name);
    if (located.length !== expanded.length || located.some((l, i) => l.text !== expanded[i])) {
      return { tokens: expanded.map((text) => ({ text, parameter: name, source: r.source })) };
    }
    return { tokens: located };
  }

  /**
   * A result computed from this service's values alone (no tables, nothing
   * of the transaction), once for every view that shares them; its effects
   * are replayed like those of the values. Shared: callers must not change it.
   */
  *sharedSteps<T>(key: string, make: () => Steps<T>): Steps<T> {
    const hit = this.shared.derived.get(key);
    if (hit) {
      for (const e of hit.effects) this.effect(e);
      return hit.value as T;
    }
    const effects: Effect[] = [];
    this.recording.push(effects);
    let value: T;
    try {
      value = yield* make();
    } finally {
      this.recording.pop();
    }
    this.shared.derived.set(key, { value, effects });
    return value;
  }

  /** The engine's table for a spec, parsed once per configuration (the relay matrix runs dozens of transactions). */
  openedTable(spec: string): OpenedTable {
    let opened = openedTables.get(this.config);
    if (!opened) openedTables.set(this.config, (opened = new Map()));
    let o = opened.get(spec);
    // A repository copy's compiled tables are built at deploy time: look up the source.
    if (!o) opened.set(spec, (o = openEngineTable(spec, this.config.reader, { requireIndex: this.config.mode === 'live' })));
    return o;
  }

  /** Opens (once) a lookup table named in this configuration. */
  table(spec: string): SimTable {
    let t = this.tables.get(spec);
    if (!t) {
      t = openTable(spec, this.config.reader, { requireIndex: this.config.mode === 'live' }, this.openedTable(spec));
      this.tables.set(spec, t);
    }
    return t;
  }
}

/** The last -o setting of each name (the one that wins), built once per service. */
const overrideIndex = new WeakMap<SimService, Map<string, SimOverride>>();

function lastSimOverride(service: SimService, name: string): SimOverride | undefined {
  let index = overrideIndex.get(service);
  if (!index) {
    index = new Map();
    for (const o of service.overrides) index.set(o.name, o);
    overrideIndex.set(service, index);
  }
  return index.get(name);
}

export { findSmtpdService, simServiceIndexSteps, smtpdServices } from './service-index';

/** The network address of addr/len in Postfix's textual form. */
function networkAddress(addr: string, len: number): string {
  const ip = parseIp(addr);
  if (!ip) return addr;
  const max = ip.version === 4 ? 32 : 128;
  const shift = BigInt(max - len);
  const net = (ip.value >> shift) << shift;
  return ip.version === 4 ? Address4.fromBigInt(net).correctForm() : Address6.fromBigInt(net).correctForm();
}

// `$name` expansion with Postfix's semantics (mac_parse + mac_expand with
// recursion): `$name`, `${name}`, `$(name)`, `$$`, `${name?text}`,
// `${name:text}`, `${name?{a}:{b}}`, relational `${{x} == {y}?{a}:{b}}`, and
// postconf's `<level` family that compares compatibility levels. Errors are
// reported with Postfix's warning texts; like Postfix, after the first error
// the result is unusable (postconf then dies with "macro processing error").

export type Lookup = (name: string) => string | undefined;

export interface ExpandResult {
  value: string;
  /** Names looked up for plain use (`$x`, `${x}`) that had no value at all. */
  undefinedNames: string[];
  /** Postfix warning texts, e.g. `truncated macro reference: "${x"`. */
  errors: string[];
}

export interface ExpandOptions {
  /** Expand the values of looked-up names again (Postfix does, for main.cf). Default true. */
  recurse?: boolean;
  /** Register postconf's `<level`, `<=level`, ... operators. Default true. */
  levelOperators?: boolean;
  /**
   * Expansions of `$name` kept from earlier calls with the same lookup (see
   * newExpansionMemo), or false to expand every reference afresh (tests
   * compare the two). Default: a memo for this call only.
   */
  memo?: ExpansionMemo | false;
}

/**
 * What expanding `$name` gave, reused where expanding it again in place
 * would give exactly the same (see expandName). Only for one lookup: a
 * caller that keeps one across calls must pass the same lookup each time.
 */
export interface ExpansionMemo {
  readonly names: Map<string, MemoEntry>;
}

type MemoEntry =
  | {
      /** The value the lookup gave; the entry holds only while it gives the same. */
      raw: string;
      out: string;
      /** Names it used that had no value, in first-use order. */
      undefinedNames: string[];
      /** Highest macro call level reached, relative to the level it was expanded at (-1: none). */
      depth: number;
      /** The same for the nesting of relational operands. */
      relationalDepth: number;
    }
  | { raw: string; tooLarge: true };

export function newExpansionMemo(): ExpansionMemo {
  return { names: new Map() };
}

const memos = new WeakMap<object, Map<string, ExpansionMemo>>();

/**
 * The memo for expanding with one lookup over the life of `owner` (a parsed
 * configuration, a lint run), `key` naming the lookup (service-memo.ts
 * names a service's):
 * a value past the size limit is then refused at once by every dependent
 * instead of being rebuilt to 4 MiB by each. Only for lookups whose answers
 * cannot change while owner lives.
 */
export function memoFor(owner: object, key = ''): ExpansionMemo {
  let byKey = memos.get(owner);
  if (!byKey) memos.set(owner, (byKey = new Map()));
  let m = byKey.get(key);
  if (!m) byKey.set(key, (m = newExpansionMemo()));
  return m;
}

/** A `name = value` setting laid over main.cf (a master.cf `-o`). */
interface Setting {
  readonly name: string;
  readonly value: string;
}

/**
 * A memo key naming the lookup that `settings` make over main.cf and the
 * defaults (the last setting of a name wins): '' (main.cf's own) for none,
 * the same key for lists that set the same values. Linear: a service can
 * have 100,000 -o settings (callers keep the key; see service-memo.ts).
 */
export function settingsKey(settings: readonly Setting[]): string {
  if (settings.length === 0) return '';
  const last = new Map<string, string>();
  for (const s of settings) {
    // Ordered by each name's last setting; no sort, so the cost stays linear.
    last.delete(s.name);
    last.set(s.name, s.value);
  }
  return JSON.stringify([...last]);
}

const REFERENCE = /\$[{(]?[ \t\r\n]*([A-Za-z0-9_]+)/g;

/**
 * Every name expanding `value` can look up (after `$`, `${`, `$(`, in
 * relational operands and `?`/`:` texts too), and perhaps a few more: a
 * name looked up is always one of these, which memo keys rely on.
 */
export function* namesUsed(value: string): Generator<string> {
  if (!value.includes('$')) return;
  for (const m of value.matchAll(REFERENCE)) yield m[1];
}

/** The error an expansion past MAX_OUTPUT ends with (our limit; Postfix has none). */
export const EXPANSION_TOO_LARGE = 'unreasonable macro expansion size';

const WS = ' \t\r\n';
const NAME_CHAR = /[A-Za-z0-9_]/;
const MAX_NESTING = 100;
// Beyond this output size a value is certainly runaway (e.g. $a = $a$a); stop.
export const MAX_OUTPUT = 1 << 22;

interface Ctx {
  lookup: Lookup;
  memo: ExpansionMemo | undefined;
  /** Highest level a callback was entered at (before its increment), for memo entries. */
  maxLevel: number;
  /** Set when emit refused text: the output size that would have been reached. */
  refusedAt: number;
  recurse: boolean;
  scan: boolean;
  levelOps: boolean;
  out: string[];
  outLen: number;
  level: number;
  /** Nesting of relational operands, which Postfix does not bound (it crashes); max: the deepest entered. */
  guard: { depth: number; max: number };
  error: boolean;
  errors: string[];
  undefinedNames: string[];
}

function warn(ctx: Ctx, msg: string): void {
  ctx.errors.push(msg);
  ctx.error = true;
}

function spaces(s: string, i: number): number {
  let j = i;
  while (j < s.length && WS.includes(s[j])) j++;
  return j;
}

// The expander recurses as deep as the configuration nests (Postfix does not
// bound nesting through relational operands), so it must not use the
// JavaScript stack: each recursive step is a generator that yields the
// sub-step it needs, and run() drives them with a stack on the heap.
type Step<T = unknown> = Generator<Step, T, unknown>;

/** Runs a step and every sub-step it yields, iteratively; returns its result. */
function run<T>(first: Step<T>): T {
  const stack: Step[] = [first];
  let input: unknown;
  for (;;) {
    const r = stack[stack.length - 1].next(input);
    if (r.done) {
      stack.pop();
      if (stack.length === 0) return r.value as T;
      input = r.value;
    } else {
      stack.push(r.value);
      input = undefined;
    }
  }
}

/** Splits text into literals and `$` expressions, as mac_parse does; expands each in ctx. */
function* macParse(value: string, ctx: Ctx): Step<void> {
  let buf = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch !== '$') {
      // The literal run up to the next `$` in one piece (a value can be megabytes long).
      const next = value.indexOf('$', i);
      const stop = next < 0 ? value.length : next;
      buf += value.slice(i, stop);
      i = stop;
      continue;
    }
    if (value[i + 1] === '$') {
      buf += '$';
      i += 2;
      continue;
    }
    if (buf.length > 0) {
      yield callback(ctx, 'literal', buf);
      buf = '';
    }
    i++;
    const open = value[i];
    if (open === '{' || open === '(') {
      const close = open === '{' ? '}' : ')';
      let level = 1;
      let j = i + 1;
      let truncated = false;
      for (; level > 0; j++) {
        if (j >= value.length) {
          truncated = true;
          break;
        }
        if (value[j] === open) level++;
        if (value[j] === close) level--;
      }
      if (truncated) {
        warn(ctx, `truncated macro reference: "${value}"`);
        return;
      }
      // Postfix stops here once any earlier piece failed (but not for plain $name).
      if (ctx.error) return;
      buf = value.slice(i + 1, j - 1);
      i = j;
    } else {
      let j = i;
      while (j < value.length && NAME_CHAR.test(value[j])) j++;
      buf = value.slice(i, j);
      i = j;
    }
    if (buf.length === 0) {
      warn(ctx, `empty macro name: "${value}"`);
      return;
    }
    yield callback(ctx, 'expr', buf);
    buf = '';
  }
  if (buf.length > 0 && !ctx.error) yield callback(ctx, 'literal', buf);
}

/** Extracts a balanced `{...}` payload starting at s[i] === '{'; returns payload and the index after trailing blanks. */
function curly(ctx: Ctx, s: string, i: number): { payload: string; next: number } | undefined {
  let level = 1;
  let j = i + 1;
  for (;;) {
    if (j >= s.length) {
      warn(ctx, `unbalanced {} in attribute expression: "${s.slice(i)}"`);
      return undefined;
    }
    if (s[j] === '{') level++;
    else if (s[j] === '}' && --level <= 0) break;
    j++;
  }
  return { payload: s.slice(i + 1, j), next: spaces(s, j + 1) };
}

const OPS = ['==', '!=', '<', '<=', '>=', '>'];

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function opResult(op: string, delta: number): boolean {
  switch (op) {
    case '==':
      return delta === 0;
    case '!=':
      return delta !== 0;
    case '<':
      return delta < 0;
    case '<=':
      return delta <= 0;
    case '>=':
      return delta >= 0;
    default:
      return delta > 0;
  }
}

const LONG_MAX = (1n << 63n) - 1n;
const MAJOR_MAX = LONG_MAX >> 20n;

/**
 * Encodes a compatibility level (`3`, `3.6`, `3.6.1`) as one comparable
 * number, or undefined when Postfix calls it malformed. Majors may be huge
 * (up to LONG_MAX >> 20), so this is a bigint.
 */
export function compatLevelValue(s: string): bigint | undefined {
  const m = /^[ \t\r\n\f\v]*([+-]?\d+)(?:\.[ \t\r\n\f\v]*([+-]?\d+)(?:\.[ \t\r\n\f\v]*([+-]?\d+))?)?$/.exec(s);
  if (!m) return undefined;
  const major = BigInt(m[1]);
  const minor = m[2] === undefined ? 0n : BigInt(m[2]);
  const patch = m[3] === undefined ? 0n : BigInt(m[3]);
  if (major < 0n || major > MAJOR_MAX || minor < 0n || minor > 1023n || patch < 0n || patch > 1023n) return undefined;
  return (major << 20n) | (minor << 10n) | patch;
}

/**
 * Expands a relational operand in a fresh context, as Postfix does (own
 * nesting count, so only the machine's stack limits this nesting).
 */
function* expandPart(ctx: Ctx, text: string): Step<string> {
  if (ctx.guard.depth >= MAX_RELATIONAL_DEPTH) {
    // Measured: postconf 3.7.11 with an 8 MB stack answers at 13,750 levels and crashes (SIGSEGV) at 13,828.
    warn(ctx, `unreasonable macro call nesting: "${clip(text)}" (relational expressions nested over ${MAX_RELATIONAL_DEPTH} deep; Postfix itself crashes on this)`);
    return '';
  }
  const sub: Ctx = { ...ctx, out: [], outLen: 0, level: 0, maxLevel: -1, error: false };
  if (ctx.guard.depth > ctx.guard.max) ctx.guard.max = ctx.guard.depth;
  ctx.guard.depth++;
  yield macParse(text, sub);
  ctx.guard.depth--;
  if (sub.error) ctx.error = true;
  return sub.out.join('');
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/** Evaluates `{left} op {right}`; returns the fake lookup result ("true" or "") and the index after it. */
function* relational(ctx: Ctx, s: string, i: number): Step<{ lookup: string | undefined; next: number } | undefined> {
  const left = curly(ctx, s, i);
  if (!left) return undefined;
  let k = left.next;
  let opLen = 0;
  while (k + opLen < s.length && '<>!=?+-*/~&|%'.includes(s[k + opLen])) opLen++;
  const op = s.slice(k, k + opLen);
  if (!OPS.includes(op)) {
    // Postfix's own message has doubled quotes; reproduced so users can grep for it.
    warn(ctx, `"==" or "!="" or "<"" or "<="" or ">="" or ">" expected at: "...${left.payload}}>>>${s.slice(k, k + 20)}"`);
    return undefined;
  }
  k += opLen;
  let level = false;
  if (/[A-Za-z0-9]/.test(s[k] ?? '')) {
    let e = k;
    while (e < s.length && /[A-Za-z0-9]/.test(s[e])) e++;
    const suffix = s.slice(k, e);
    if (!ctx.levelOps || suffix !== 'level') {
      warn(ctx, `bad operator suffix at: "...${op}>>>${suffix}"`);
      return undefined;
    }
    level = true;
    k = e;
  }
  const r = spaces(s, k);
  if (s[r] !== '{') {
    warn(ctx, `"{expression}" expected at: "...{${left.payload}} ${op}>>>${s.slice(k, k + 20)}"`);
    return undefined;
  }
  const right = curly(ctx, s, r);
  if (!right) return undefined;
  const lv = (yield expandPart(ctx, left.payload)) as string;
  const rv = (yield expandPart(ctx, right.payload)) as string;
  // Postfix applies the operator even when an operand failed (its warning
  // still prints), and only then gives up.
  if (ctx.scan) return ctx.error ? undefined : { lookup: undefined, next: right.next };
  let delta: number;
  if (level) {
    const a = compatLevelValue(lv);
    const b = a === undefined ? undefined : compatLevelValue(rv);
    if (a === undefined || b === undefined) {
      warn(ctx, `malformed compatibility level syntax: "${a === undefined ? lv : rv}"`);
      return undefined;
    }
    delta = a < b ? -1 : a > b ? 1 : 0;
  } else if (/^\d+$/.test(lv) && /^\d+$/.test(rv)) {
    const d = BigInt(lv) - BigInt(rv);
    delta = d < 0n ? -1 : d > 0n ? 1 : 0;
  } else {
    delta = compareStrings(lv, rv);
  }
  if (ctx.error) return undefined;
  return { lookup: opResult(op, delta) ? 'true' : '', next: right.next };
}

function emit(ctx: Ctx, s: string): void {
  if (ctx.outLen + s.length > MAX_OUTPUT) {
    ctx.refusedAt = ctx.outLen + s.length;
    warn(ctx, EXPANSION_TOO_LARGE);
    return;
  }
  ctx.out.push(s);
  ctx.outLen += s.length;
}

// Relational operands nested deeper than this: Postfix runs out of stack.
const MAX_RELATIONAL_DEPTH = 13000;

function* callback(ctx: Ctx, kind: 'literal' | 'expr', text: string): Step<void> {
  if (ctx.level > ctx.maxLevel) ctx.maxLevel = ctx.level;
  if (ctx.level++ > MAX_NESTING) warn(ctx, `unreasonable macro call nesting: "${text}"`);
  if (ctx.error) return;
  yield expressionCallback(ctx, kind, text);
}

function* expressionCallback(ctx: Ctx, kind: 'literal' | 'expr', text: string): Step<void> {
  if (kind === 'literal') {
    if (!ctx.scan) emit(ctx, text);
    ctx.level--;
    return;
  }
  let lookup: string | undefined;
  let name: string | undefined;
  let cp: number;
  let ch: string | undefined;
  let i = spaces(text, 0);
  if (text[i] === '{') {
    const rel = (yield relational(ctx, text, i)) as { lookup: string | undefined; next: number } | undefined;
    if (!rel) return;
    lookup = rel.lookup;
    cp = rel.next;
    ch = text[cp];
    if (ch !== undefined) {
      if (ch !== '?' && ch !== ':') {
        warn(ctx, `"?" or ":" expected at: "...}>>>${text.slice(cp, cp + 20)}"`);
        return;
      }
      cp++;
    }
  } else {
    const start = i;
    for (;;) {
      const k = spaces(text, i);
      if (k >= text.length) {
        ch = undefined;
        cp = k;
        break;
      }
      if (text[k] === '?' || text[k] === ':') {
        ch = text[k];
        cp = k + 1;
        break;
      }
      if (!NAME_CHAR.test(text[i])) {
        warn(ctx, `attribute name syntax error at: "...${text.slice(0, i)}>>>${text.slice(i, i + 20)}"`);
        return;
      }
      i++;
    }
    name = text.slice(start, i);
    lookup = ctx.lookup(name);
    if (lookup === undefined && ch === undefined && !ctx.undefinedNames.includes(name)) ctx.undefinedNames.push(name);
  }

  const nonEmpty = lookup !== undefined && lookup !== '';
  if (ch === '?') {
    let ifTrue: string;
    let k = spaces(text, cp);
    if (text[k] === '{') {
      const c = curly(ctx, text, k);
      if (!c) return;
      ifTrue = c.payload;
      cp = c.next;
    } else {
      ifTrue = text.slice(cp);
      cp = text.length;
    }
    if (nonEmpty || ctx.scan) yield macParse(ifTrue, ctx);
    if (cp < text.length) {
      if (text[cp] !== ':') {
        warn(ctx, `":" expected at: "...${ifTrue}}>>>${text.slice(cp, cp + 20)}"`);
        return;
      }
      cp++;
      ch = ':';
      k = spaces(text, cp);
      if (!(yield falseBranch(ctx, text, cp, nonEmpty))) return;
    }
  } else if (ch === ':') {
    if (!(yield falseBranch(ctx, text, cp, nonEmpty))) return;
  } else if (lookup !== undefined && lookup !== '' && !ctx.scan) {
    if (!ctx.recurse) emit(ctx, lookup);
    else if (name !== undefined && ctx.memo) yield expandName(ctx, ctx.memo, name, lookup);
    else yield macParse(lookup, ctx);
  }
  ctx.level--;
}

/**
 * `$name` with recursion, through the memo: a list that doubles at each
 * step (a1 = $a0 $a0, a2 = $a1 $a1, ...) costs time linear in its output
 * instead of in the number of paths. An entry is reused only where
 * expanding in place gives exactly the same: it expanded without any error,
 * and from here its macro call nesting and relational nesting stay within
 * the limits. The first expansion runs in place (not in a copy of the
 * context), so that when it fails, the state Postfix goes on with (a call
 * level that never comes down again, each later piece warning anew) is the
 * same as without the memo.
 */
function* expandName(ctx: Ctx, memo: ExpansionMemo, name: string, value: string): Step<void> {
  const m = memo.names.get(name);
  if (m && m.raw === value) {
    if ('tooLarge' in m) {
      // Expanding it again could only fail the same way, after building megabytes.
      ctx.refusedAt = ctx.outLen + MAX_OUTPUT + 1;
      warn(ctx, EXPANSION_TOO_LARGE);
      return;
    }
    if (ctx.level + m.depth <= MAX_NESTING && ctx.guard.depth + m.relationalDepth < MAX_RELATIONAL_DEPTH) {
      for (const n of m.undefinedNames) if (!ctx.undefinedNames.includes(n)) ctx.undefinedNames.push(n);
      if (m.depth >= 0 && ctx.level + m.depth > ctx.maxLevel) ctx.maxLevel = ctx.level + m.depth;
      if (m.relationalDepth >= 0 && ctx.guard.depth + m.relationalDepth > ctx.guard.max) ctx.guard.max = ctx.guard.depth + m.relationalDepth;
      emit(ctx, m.out);
      return;
    }
  }
  const level = ctx.level;
  const relational = ctx.guard.depth;
  const outerMax = ctx.maxLevel;
  const outerGuardMax = ctx.guard.max;
  const outerUndefined = ctx.undefinedNames;
  const start = ctx.out.length;
  const startLen = ctx.outLen;
  ctx.maxLevel = -1;
  ctx.guard.max = -1;
  ctx.undefinedNames = [];
  ctx.refusedAt = -1;
  yield macParse(value, ctx);
  const used = ctx.undefinedNames;
  const depth = ctx.maxLevel < 0 ? -1 : ctx.maxLevel - level;
  const relationalDepth = ctx.guard.max < 0 ? -1 : ctx.guard.max - relational;
  ctx.maxLevel = Math.max(outerMax, ctx.maxLevel);
  ctx.guard.max = Math.max(outerGuardMax, ctx.guard.max);
  ctx.undefinedNames = outerUndefined;
  for (const n of used) if (!outerUndefined.includes(n)) outerUndefined.push(n);
  if (ctx.error) {
    if (ctx.refusedAt - startLen > MAX_OUTPUT) memo.names.set(name, { raw: value, tooLarge: true });
    return;
  }
  // One piece for the whole expansion, so that reusing it (and joining the result) stays linear.
  const out = ctx.out.length - start === 1 ? ctx.out[start] : ctx.out.splice(start).join('');
  if (ctx.out.length === start) ctx.out.push(out);
  memo.names.set(name, { raw: value, out, undefinedNames: used, depth, relationalDepth });
}

function* falseBranch(ctx: Ctx, text: string, cp: number, nonEmpty: boolean): Step<boolean> {
  const k = spaces(text, cp);
  let ifFalse: string;
  let rest: number;
  if (text[k] === '{') {
    const c = curly(ctx, text, k);
    if (!c) return false;
    ifFalse = c.payload;
    rest = c.next;
  } else {
    ifFalse = text.slice(cp);
    rest = text.length;
  }
  if (!nonEmpty || ctx.scan) yield macParse(ifFalse, ctx);
  if (rest < text.length) {
    warn(ctx, `unexpected input at: "...${ifFalse}}>>>${text.slice(rest, rest + 20)}"`);
    return false;
  }
  return true;
}

function newContext(lookup: Lookup, recurse: boolean, scan: boolean, levelOps: boolean, memo: ExpansionMemo | undefined): Ctx {
  return { lookup, memo, maxLevel: -1, refusedAt: -1, recurse, scan, levelOps, out: [], outLen: 0, level: 0, guard: { depth: 0, max: -1 }, error: false, errors: [], undefinedNames: [] };
}

/** Expands a parameter value the way postconf -x does. Never throws. */
export function expandValue(value: string, lookup: Lookup, options: ExpandOptions = {}): ExpandResult {
  const memo = options.memo === false ? undefined : (options.memo ?? newExpansionMemo());
  const ctx = newContext(lookup, options.recurse ?? true, false, options.levelOperators ?? true, memo);
  run(macParse(value, ctx));
  // Past the size limit the partial text is megabytes of nothing useful (Postfix would go on for ever): none.
  const value_ = ctx.errors.includes(EXPANSION_TOO_LARGE) ? '' : ctx.out.join('');
  return { value: value_, undefinedNames: ctx.undefinedNames, errors: ctx.errors };
}

/**
 * Lists every name a value refers to, in both branches of conditionals, the
 * way postconf scans values to find user-defined parameters. Also returns
 * syntax errors.
 */
export function scanNames(value: string): { names: string[]; errors: string[] } {
  const names: string[] = [];
  const record = (n: string) => {
    names.push(n);
    return undefined;
  };
  const ctx = newContext(record, false, true, true, undefined);
  run(macParse(value, ctx));
  return { names, errors: ctx.errors };
}

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
}

const WS = ' \t\r\n';
const NAME_CHAR = /[A-Za-z0-9_]/;
const MAX_NESTING = 100;
// Beyond this output size a value is certainly runaway (e.g. $a = $a$a); stop.
const MAX_OUTPUT = 1 << 22;

interface Ctx {
  lookup: Lookup;
  recurse: boolean;
  scan: boolean;
  levelOps: boolean;
  out: string[];
  outLen: number;
  level: number;
  /** Nesting of relational operands, which Postfix does not bound (it crashes). */
  guard: { depth: number };
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
  const sub: Ctx = { ...ctx, out: [], outLen: 0, level: 0, error: false };
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
    warn(ctx, 'unreasonable macro expansion size');
    return;
  }
  ctx.out.push(s);
  ctx.outLen += s.length;
}

// Relational operands nested deeper than this: Postfix runs out of stack.
const MAX_RELATIONAL_DEPTH = 13000;

function* callback(ctx: Ctx, kind: 'literal' | 'expr', text: string): Step<void> {
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
    const name = text.slice(start, i);
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
    if (ctx.recurse) yield macParse(lookup, ctx);
    else emit(ctx, lookup);
  }
  ctx.level--;
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

function newContext(lookup: Lookup, recurse: boolean, scan: boolean, levelOps: boolean): Ctx {
  return { lookup, recurse, scan, levelOps, out: [], outLen: 0, level: 0, guard: { depth: 0 }, error: false, errors: [], undefinedNames: [] };
}

/** Expands a parameter value the way postconf -x does. Never throws. */
export function expandValue(value: string, lookup: Lookup, options: ExpandOptions = {}): ExpandResult {
  const ctx = newContext(lookup, options.recurse ?? true, false, options.levelOperators ?? true);
  run(macParse(value, ctx));
  return { value: ctx.out.join(''), undefinedNames: ctx.undefinedNames, errors: ctx.errors };
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
  const ctx = newContext(record, false, true, true);
  run(macParse(value, ctx));
  return { names, errors: ctx.errors };
}

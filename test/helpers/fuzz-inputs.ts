// Inputs for the fuzz test (test/unit/fuzz.test.ts): every input is a pure
// function of (seed, generator, index), so any failure is reproduced by
// FUZZ_SEED=<seed> FUZZ_ONLY=<generator>:<index>.
//
// - fragment: a few lines cut from a real configuration or table, mutated
//   (cheap entry points: parsers, expansion, hover, completion, postmap).
// - directory: a whole real configuration directory with mutated files
//   (every entry point: lint, postconf, postmap, simulate, relay matrix,
//   hover, completion, code actions).
// - hostile classes, one generator each: expansion bombs, deep nesting,
//   loops, catastrophic patterns, device paths, NULs, BOMs, huge lines.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MATRIX } from '../fixtures/simulate/matrix';
import { repoDir, sharedDir } from './env';

export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32 over a string-hashed seed: small, fast and the same everywhere. */
export function rngFor(...parts: (string | number)[]): Rng {
  let h = 2166136261;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  let a = h >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (xs) => xs[next.int(xs.length)];
  next.chance = (p) => next() < p;
  return next;
}

export const CONFIG_DIR = '/etc/postfix';

export interface DirInput {
  kind: 'dir';
  /** Where the files are (CONFIG_DIR: the live configuration; elsewhere: a repository copy). */
  dir: string;
  /** Absolute path → content (latin1 byte string, as the CLI reads). */
  files: Record<string, string>;
  /** What the input stands for, in failure reports. */
  label: string;
}

export interface FragmentInput {
  kind: 'fragment';
  /** main.cf, master.cf or a table file name (its type comes from the name). */
  path: string;
  text: string;
  label: string;
}

export type FuzzInput = DirInput | FragmentInput;

interface Source {
  label: string;
  files: Record<string, string>;
}

/** main.cf.j2, main.cf.debian, ... are main.cf for the engine. */
function engineName(name: string): string {
  if (/^main\.cf(\.|$)/.test(name)) return 'main.cf';
  if (/^master\.cf(\.|$)/.test(name)) return 'master.cf';
  return name;
}

function readDir(dir: string, label: string): Source | undefined {
  const files: Record<string, string> = {};
  const walk = (d: string, rel: string, depth: number) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (depth < 2) walk(p, rel ? `${rel}/${n}` : n, depth + 1);
      } else if (st.isFile() && st.size < 256 * 1024 && !n.endsWith('.tsv') && !n.endsWith('.md')) {
        const name = rel ? `${rel}/${n}` : engineName(n);
        if (!(name in files)) files[name] = readFileSync(p, 'latin1');
      }
    }
  };
  walk(dir, '', 0);
  return Object.keys(files).length ? { label, files } : undefined;
}

const ESSENTIAL_MASTER = `smtp inet n - y - - smtpd
pickup unix n - y 60 1 pickup
cleanup unix n - y - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - y - - trivial-rewrite
`;

let sourcesCache: Source[] | undefined;

/** Real configurations: ../shared/corpus, ../shared/precision/configs, and the test fixtures. */
export function sources(): Source[] {
  if (sourcesCache) return sourcesCache;
  const out: Source[] = [];
  for (const root of [join(sharedDir, 'corpus'), join(sharedDir, 'precision', 'configs'), join(repoDir, 'test', 'fixtures', 'lsp')]) {
    if (!existsSync(root)) continue;
    for (const n of readdirSync(root).sort()) {
      const p = join(root, n);
      if (!statSync(p).isDirectory()) continue;
      const s = readDir(p, `${basename(root)}/${n}`);
      if (s) out.push(s);
    }
  }
  for (const m of MATRIX) {
    const sub = (s: string) => s.replaceAll('{{ETC}}', CONFIG_DIR);
    let master = ESSENTIAL_MASTER;
    for (const svc of m.live.services) {
      master += `${svc.name === 'smtp' ? 'smtp' : svc.name} inet n - n - - smtpd\n`;
      for (const o of svc.options ?? []) master += `  -o ${sub(o)}\n`;
    }
    const files: Record<string, string> = { 'main.cf': sub(m.live.mainCf), 'master.cf': master };
    for (const [k, v] of Object.entries(m.live.tables ?? {})) files[k] = sub(v);
    out.push({ label: `matrix/${m.name}`, files });
  }
  for (const f of ['/usr/share/postfix/main.cf.dist', '/usr/share/postfix/master.cf.dist']) {
    if (existsSync(f)) out.push({ label: f, files: { [engineName(basename(f))]: readFileSync(f, 'latin1') } });
  }
  out.push({ label: 'built-in', files: { 'main.cf': 'compatibility_level = 3.6\nmydestination = $myhostname,\n    localhost\nrelayhost = ${x?{a}:{b}}\n', 'master.cf': 'smtp inet n - y - - smtpd\n  -o { smtpd_client_restrictions = permit_mynetworks, reject }\n' } });
  sourcesCache = out;
  return out;
}

// ---- Mutation ----

const TOKENS = [
  '$', '${', '}', '{', '$(', ')', '\n', '\n  ', '\t', '#', '=', ' = ', ',', ' ', '\0', '\uFEFF', '\r', '\r\n', '\\\n', ':', '?', '!',
  'hash:', 'pcre:', 'regexp:', 'cidr:', 'inline:{', 'texthash:', 'static:', 'proxy:', 'unionmap:{', 'pipemap:{',
  '/dev/zero', '/proc/self/environ', '/sys/kernel/x', '$myhostname', '$mydomain', '${myhostname?{x}:{y}}', '${{a} == {b}?{c}:{d}}',
  'permit', 'reject', 'permit_mynetworks', 'reject_unauth_destination', 'check_client_access', 'check_recipient_access', 'smtpd_restriction_classes',
  'OK', 'REJECT', 'DUNNO', '550 5.7.1 no', 'PREPEND X: y', '/^(a|a)*$/', '/(a+)+b/', 'if /x/', 'endif', '-o', '-o {', 'smtpd', 'unix', 'inet', '127.0.0.1',
  '[::1]/128', '0.0.0.0/0', '::/0', 'caf\u00e9', '\u00ff\u00fe', 'x'.repeat(300), '$a0 $a0',
];

/** A few edits: insert a token or random bytes, delete, duplicate or swap lines, truncate. */
export function mutate(rng: Rng, text: string, edits = 1 + rng.int(6)): string {
  let t = text;
  for (let e = 0; e < edits; e++) {
    const at = t.length ? rng.int(t.length + 1) : 0;
    switch (rng.int(8)) {
      case 0:
      case 1:
        t = t.slice(0, at) + rng.pick(TOKENS) + t.slice(at);
        break;
      case 2: {
        let s = '';
        for (let i = rng.int(12); i > 0; i--) s += String.fromCharCode(rng.chance(0.7) ? 32 + rng.int(95) : rng.int(256));
        t = t.slice(0, at) + s + t.slice(at);
        break;
      }
      case 3:
        t = t.slice(0, at) + t.slice(at + 1 + rng.int(40));
        break;
      case 4: {
        const lines = t.split('\n');
        const i = rng.int(lines.length);
        lines.splice(rng.int(lines.length + 1), 0, lines[i]);
        t = lines.join('\n');
        break;
      }
      case 5: {
        const lines = t.split('\n');
        const i = rng.int(lines.length);
        const j = rng.int(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        t = lines.join('\n');
        break;
      }
      case 6:
        if (rng.chance(0.2)) t = t.slice(0, at);
        else t = t.slice(0, at) + t.slice(at, at + 1 + rng.int(60)).toUpperCase() + t.slice(at + 1 + rng.int(60));
        break;
      default: {
        // A line from another real file.
        const other = rng.pick(sources());
        const names = Object.keys(other.files);
        const lines = other.files[rng.pick(names)].split('\n');
        const l = lines[rng.int(lines.length)];
        t = t.slice(0, at) + `\n${l}\n` + t.slice(at);
      }
    }
  }
  return t;
}

/** A window of a few lines of a real file, mutated. */
export function fragment(rng: Rng, label: string): FragmentInput {
  const src = rng.pick(sources());
  const names = Object.keys(src.files);
  const name = rng.pick(names);
  const lines = src.files[name].split('\n');
  const start = rng.int(lines.length);
  const text = lines.slice(start, start + 1 + rng.int(16)).join('\n');
  const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return { kind: 'fragment', path: `${CONFIG_DIR}/${base}`, text: mutate(rng, text, rng.int(5)), label: `${label} from ${src.label}/${name}:${start + 1}` };
}

/** A whole real configuration directory with one to three of its files mutated; live or repository copy. */
export function directory(rng: Rng, label: string): DirInput {
  const src = rng.pick(sources());
  const live = rng.chance(0.5);
  const dir = live ? CONFIG_DIR : `/work/repo/${src.label.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const files: Record<string, string> = {};
  for (const [n, t] of Object.entries(src.files)) files[`${dir}/${n}`] = t;
  const keys = Object.keys(files);
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const k = rng.pick(keys);
    files[k] = mutate(rng, files[k]);
  }
  return { kind: 'dir', dir, files, label: `${label} from ${src.label}${live ? '' : ' (repository copy)'}` };
}

// ---- Hostile classes ----

function dirOf(label: string, main: string, master = ESSENTIAL_MASTER, tables: Record<string, string> = {}): DirInput {
  const files: Record<string, string> = { [`${CONFIG_DIR}/main.cf`]: main, [`${CONFIG_DIR}/master.cf`]: master };
  for (const [n, t] of Object.entries(tables)) files[`${CONFIG_DIR}/${n}`] = t;
  return { kind: 'dir', dir: CONFIG_DIR, files, label };
}

const USES = ['myhostname', 'mydestination', 'smtpd_recipient_restrictions', 'smtpd_relay_restrictions', 'mynetworks', 'relay_domains', 'smtpd_banner', 'virtual_alias_maps'];

/** $a0 doubling: a_i = $a_{i-1} $a_{i-1}, used where the linter and the simulator expand it. */
function bomb(rng: Rng): DirInput {
  // Issue 8's case as written: mydestination = $a20, a domain list of 2^20 words.
  if (rng.chance(0.2)) {
    let main = `a0 = ${rng.pick(['x', 'x.y', 'a'])}\n`;
    for (let i = 1; i <= 20; i++) main += `a${i} = $a${i - 1} $a${i - 1}\n`;
    return dirOf('expansion bomb: mydestination = $a20', `${main}mydestination = $a20\n`);
  }
  const n = 8 + rng.int(rng.chance(0.3) ? 40 : 16);
  const sep = rng.pick([' ', ', ', ',', '']);
  let main = `a0 = ${rng.pick(['x', 'permit', 'reject', '127.0.0.1', 'hash:/etc/postfix/t', '$myhostname'])}\n`;
  for (let i = 1; i <= n; i++) main += `a${i} = $a${i - 1}${sep}${rng.chance(0.5) ? `$a${i - 1}` : `\${a${i - 1}}`}\n`;
  for (let k = 1 + rng.int(3); k > 0; k--) main += `${rng.pick(USES)} = $a${n - rng.int(3)}\n`;
  return dirOf(`expansion bomb depth ${n}`, main);
}

/** Deep ${{...}} relational nesting and deep ${name?...} conditionals. */
function nesting(rng: Rng): DirInput {
  // Up to 1,000 levels (the issue's case); deeper is slow in our expander and in postconf alike (4,000 levels: 18.8 s in postconf 3.7.11).
  const depth = rng.chance(0.3) ? 500 + rng.int(500) : 5 + rng.int(200);
  let v = 'x';
  const form = rng.int(3);
  for (let i = 0; i < depth; i++) {
    if (form === 0) v = `\${{${v}} == {a}?{y}:{z}}`;
    else if (form === 1) v = `\${myhostname?{${v}}:{z}}`;
    else v = `\${${rng.pick(['mydomain', 'a', 'myorigin'])}:${v}}`;
  }
  return dirOf(`nesting depth ${depth} form ${form}`, `a = b\n${rng.pick(USES)} = ${v}\n`);
}

/** Restriction classes that call each other, parameter cycles, myhostname through mydomain. */
function loops(rng: Rng): DirInput {
  const n = 1 + rng.int(6);
  const names = Array.from({ length: n }, (_, i) => `c${i}`);
  let main = `smtpd_restriction_classes = ${names.join(', ')}\n`;
  names.forEach((c, i) => (main += `${c} = ${rng.chance(0.3) ? 'permit_mynetworks, ' : ''}${names[(i + 1) % n]}${rng.chance(0.3) ? ', reject' : ''}\n`));
  main += `smtpd_recipient_restrictions = permit_mynetworks, ${rng.pick(names)}, reject_unauth_destination\n`;
  if (rng.chance(0.5)) main += `smtpd_client_restrictions = ${rng.pick(names)}\n`;
  if (rng.chance(0.4)) main += 'p = $q\nq = $p\nmyorigin = $p\n';
  if (rng.chance(0.4)) main += 'myhostname = mail.$mydomain\n';
  if (rng.chance(0.3)) main += `mydomain = $myhostname\n`;
  if (rng.chance(0.3)) main += `smtpd_sender_restrictions = check_sender_access inline:{ x@example.test=${rng.pick(names)} }\n`;
  return dirOf(`restriction loop of ${n}`, main);
}

const BAD_PATTERNS = ['/^postmaster@(a|a)*X$/', '/(a+){25}/', '/^(x+x+)+y$/', '/(a*)*b/', '/^(a|aa)+$/', '/(.*a){20}/', '/^([a-z]+)*@/', '/(\\w+\\s?)+$/', '!/(a|a)*Z/', '/((a+)+)+c/'];

/** Catastrophic backtracking in pcre/regexp tables, reached with the keys the relay matrix chooses. */
function regex(rng: Rng): DirInput {
  const type = rng.pick(['pcre', 'regexp']);
  const lines = Array.from({ length: 1 + rng.int(4) }, () => `${rng.pick(BAD_PATTERNS)} ${rng.pick(['REJECT', 'OK', 'DUNNO', '550 no'])}`);
  const dest = 'a'.repeat(8 + rng.int(40));
  const inline = rng.chance(0.3);
  const spec = inline ? `${type}:{ {${lines[0]}} }` : `${type}:${CONFIG_DIR}/bad.${type}`;
  const main = `mydestination = ${dest}.example, ${dest}\nmyhostname = ${dest}.example\nsmtpd_recipient_restrictions = permit_mynetworks, check_recipient_access ${spec}, reject_unauth_destination\nsmtpd_sender_restrictions = check_sender_access ${spec}\nheader_checks = ${spec}\n`;
  return dirOf(`backtracking ${type}${inline ? ' inline' : ''}`, main, ESSENTIAL_MASTER, { [`bad.${type}`]: `${lines.join('\n')}\n` });
}

const DEVICES = ['/dev/zero', '/dev/urandom', '/dev/stdin', '/dev/fd/0', '/proc/self/environ', '/proc/self/mem', '/sys/kernel/mm/transparent_hugepage/enabled', '/dev/../dev/zero', '/etc/../dev/zero', '//dev//zero'];

/** Table and file parameters naming device and kernel files: they must never be read. */
function devices(rng: Rng): DirInput {
  const dev = () => rng.pick(DEVICES);
  const lines = [
    `alias_maps = hash:${dev()}`,
    `smtpd_client_restrictions = check_client_access cidr:${dev()}`,
    `smtpd_recipient_restrictions = check_recipient_access hash:${dev()}, reject_unauth_destination`,
    `virtual_alias_maps = ${rng.pick(['hash', 'texthash', 'regexp', 'pcre', 'cidr', 'lmdb'])}:${dev()}`,
    `header_checks = regexp:${dev()}`,
    `smtpd_tls_cert_file = ${dev()}`,
    `transport_maps = mysql:${dev()}`,
    `mynetworks = ${dev()}`,
    `relay_domains = ${dev()}`,
  ];
  const main = lines.filter(() => rng.chance(0.6)).join('\n') + '\n';
  const master = rng.chance(0.3) ? `${ESSENTIAL_MASTER}sub inet n - n - - smtpd -o smtpd_sender_restrictions=check_sender_access\${x?{hash:${dev()}}}\n` : ESSENTIAL_MASTER;
  const live = rng.chance(0.5);
  const input = dirOf('device paths', main, master);
  if (!live) {
    const files: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.files)) files[k.replace(CONFIG_DIR, '/work/repo/devices')] = v;
    return { kind: 'dir', dir: '/work/repo/devices', files, label: 'device paths (repository copy)' };
  }
  return input;
}

/** NUL bytes inside values, names and table lines. */
function nuls(rng: Rng): DirInput {
  const src = directory(rng, 'nul');
  for (const k of Object.keys(src.files)) {
    let t = src.files[k];
    for (let i = 1 + rng.int(4); i > 0; i--) {
      const at = rng.int(t.length + 1);
      t = t.slice(0, at) + '\0'.repeat(1 + rng.int(3)) + t.slice(at);
    }
    src.files[k] = t;
  }
  src.files[`${src.dir}/main.cf`] = `${src.files[`${src.dir}/main.cf`] ?? ''}\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\0, reject_unauth_destination\n`;
  return { ...src, label: src.label.replace(/^nul/, 'NUL bytes') };
}

/** A UTF-8 BOM (as Latin-1 bytes, as read from disk, or as U+FEFF) at the start or inside files. */
function boms(rng: Rng): DirInput {
  const src = directory(rng, 'bom');
  for (const k of Object.keys(src.files)) {
    if (!rng.chance(0.7)) continue;
    const bom = rng.pick(['\u00ef\u00bb\u00bf', '\uFEFF']);
    const t = src.files[k];
    const at = rng.chance(0.7) ? 0 : rng.int(t.length + 1);
    src.files[k] = t.slice(0, at) + bom + t.slice(at);
  }
  return { ...src, label: src.label.replace(/^bom/, 'BOM') };
}

/** Huge lines: a giant value, name, continuation run, master.cf -o line or table line. */
function huge(rng: Rng): DirInput {
  const size = 20_000 + rng.int(rng.chance(0.2) ? 1_000_000 : 200_000);
  const shape = rng.int(6);
  let main = 'compatibility_level = 3.6\n';
  let master = ESSENTIAL_MASTER;
  const tables: Record<string, string> = {};
  if (shape === 0) main += `mynetworks = ${Array.from({ length: Math.ceil(size / 16) }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`).join(' ')}\n`;
  else if (shape === 1) main += `${'p'.repeat(size)} = x\nmyhostname = $${'p'.repeat(size)}\n`;
  else if (shape === 2) main += `smtpd_recipient_restrictions = permit_mynetworks,\n${'  reject_unauth_destination,\n'.repeat(Math.ceil(size / 28))}  permit\n`;
  else if (shape === 3) master += `big inet n - n - - smtpd ${'-o syslog_name=x '.repeat(Math.ceil(size / 17))}\n`;
  else if (shape === 4) {
    main += `smtpd_client_restrictions = check_client_access cidr:${CONFIG_DIR}/big.cidr\n`;
    tables['big.cidr'] = `${'1'.repeat(size)} REJECT\n10.0.0.0/8 ${'x'.repeat(size)}\n`;
  } else main += `smtpd_banner = ${'$myhostname '.repeat(Math.ceil(size / 12))}\n`;
  return dirOf(`huge line shape ${shape}, ~${size} bytes`, main, master, tables);
}

export const HOSTILE = { bomb, nesting, loops, regex, devices, nuls, boms, huge } as const;
export type HostileClass = keyof typeof HOSTILE;

// Scaling series for `npm run bench`: lint time against input size for each
// kind of large input, with the real tool run on the same files.
//
//   node scripts/bench-scaling.mjs [--series a,b] [--sizes 1000,10000] [--runs N] [--timeout S] [--keep]
//
// Series (each size N is the count of the repeated element):
//   continuation  one main.cf parameter (mynetworks) continued over N lines    real: postconf -n
//   parameters    N parameters of our own, in chains of ten $references        real: postconf -n
//   services      N master.cf services, half unix, half inet on loopback       real: postconf -n (reads master.cf too)
//   options       one master.cf service with N -o options                      real: postconf -n
//   access        an access map of N lines                                     real: postmap cdb:
//   cidr          a cidr table of N lines                                      real: postmap -q (reads the whole table)
//   longline      one mynetworks line of N addresses (no continuation)         real: postconf -n
//   doubling      a restriction list of N words built by doubling               real: postconf -nx
//                 (a1 = $a0 $a0, ...; N rounded to a power of two)
//   domains       mydestination = $aK, a domain list of N words by doubling     real: postconf -nx
//                 (issue 8's 2^20-word case at 1M)
//   backtrack     a pcre table of N rules with nested quantifiers, reached      real: postmap -q
//                 by the relay matrix's postmaster@<mydestination> key
// Ours is `node dist/cli.js DIR` (a full lint of the directory: main.cf,
// master.cf and the tables it names), wall time including Node's start.
// /usr/bin/time adds CPU time (user + system), the figure to compare on a
// loaded machine. For each series the growth exponent k of time ~ size^k is
// fitted (least squares on log-log) over the sizes that took at least twice
// as long as the smallest, where start-up no longer dominates; linear is k ≈ 1.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_SIZES = {
  continuation: [1_000, 10_000, 100_000, 1_000_000],
  parameters: [1_000, 10_000, 100_000, 1_000_000],
  services: [1_000, 10_000, 100_000],
  options: [1_000, 10_000, 100_000, 1_000_000],
  access: [1_000, 10_000, 100_000, 1_000_000],
  cidr: [1_000, 10_000, 100_000, 1_000_000],
  longline: [1_000, 10_000, 100_000, 1_000_000],
  doubling: [1_000, 10_000, 100_000, 1_000_000],
  domains: [1_000, 10_000, 100_000, 1_000_000],
  backtrack: [10, 100, 1_000],
};

/** What `npm run bench` runs: 1k to 1M where the whole bench stays near three minutes on two cores. */
export const BENCH_SIZES = {
  continuation: [1_000, 10_000, 100_000],
  parameters: [1_000, 10_000, 100_000],
  services: [1_000, 10_000],
  options: [1_000, 10_000, 100_000],
  access: [1_000, 10_000, 100_000, 1_000_000],
  cidr: [1_000, 10_000, 100_000],
  longline: [1_000, 10_000, 100_000, 1_000_000],
  doubling: [1_000, 10_000, 100_000],
  domains: [1_000, 10_000, 100_000, 1_000_000],
  backtrack: [10, 100, 1_000],
};

const STOCK_MASTER = existsSync('/usr/share/postfix/master.cf.dist')
  ? readFileSync('/usr/share/postfix/master.cf.dist', 'latin1')
  : 'smtp      inet  n       -       y       -       -       smtpd\npickup    unix  n       -       y       60      1       pickup\n';

const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** n generated lines, built in chunks. */
function lines(n, f) {
  const parts = [];
  for (let i = 0; i < n; i += 10_000) {
    let chunk = '';
    for (let k = i; k < Math.min(n, i + 10_000); k++) chunk += f(k);
    parts.push(chunk);
  }
  return parts.join('');
}

const HEAD = 'compatibility_level = 3.6\nmyhostname = mx.example.com\n';
const OPTIONS = ['syslog_name=postfix/big', 'smtpd_client_restrictions=permit_mynetworks,reject', 'smtpd_tls_security_level=encrypt', 'smtpd_sasl_auth_enable=yes', 'milter_macro_daemon_name=ORIGINATING'];

/** The files of one series at one size, and which real command judges them. */
export function generate(series, n) {
  switch (series) {
    case 'continuation':
      return { files: { 'main.cf': `${HEAD}mynetworks = 127.0.0.0/8\n${lines(n, (i) => `    ${ip(i)}/32\n`)}`, 'master.cf': STOCK_MASTER }, real: 'postconf' };
    case 'parameters':
      return {
        files: {
          'main.cf': `${HEAD}${lines(n, (i) => (i % 10 === 0 ? `own_param_${i} = value${i}\n` : `own_param_${i} = $own_param_${i - 1} v${i}\n`))}smtpd_banner = $myhostname $own_param_9\n`,
          'master.cf': STOCK_MASTER,
        },
        real: 'postconf',
      };
    case 'services':
      return {
        files: {
          'main.cf': HEAD,
          'master.cf': `${STOCK_MASTER}${lines(n, (i) =>
            i % 2
              ? `svc${i} unix - n n - - smtp\n  -o syslog_name=postfix/svc${i}\n`
              : `127.0.${(i >> 8) & 255}.${i & 255}:${1024 + (i >> 16)} inet n - n - - smtpd\n  -o smtpd_client_restrictions=permit_mynetworks,reject\n`,
          )}`,
        },
        real: 'postconf',
      };
    case 'options':
      return { files: { 'main.cf': HEAD, 'master.cf': `${STOCK_MASTER}big inet n - n - - smtpd\n${lines(n, (i) => `  -o ${OPTIONS[i % OPTIONS.length]}\n`)}` }, real: 'postconf' };
    case 'access':
      return {
        files: {
          'main.cf': `${HEAD}smtpd_client_restrictions = check_client_access cdb:\${config_directory}/access, permit\n`,
          'master.cf': STOCK_MASTER,
          access: lines(n, (i) => `user${i}@example${i % 1000}.com REJECT 5.7.1 blocked\n`),
        },
        real: 'postmap-cdb',
      };
    case 'cidr':
      return {
        files: {
          'main.cf': `${HEAD}smtpd_client_restrictions = check_client_access cidr:\${config_directory}/clients.cidr, permit\n`,
          'master.cf': STOCK_MASTER,
          'clients.cidr': lines(n, (i) => `${ip(i)}/32 REJECT listed ${i}\n`),
        },
        real: 'postmap-cidr',
      };
    case 'longline':
      return { files: { 'main.cf': `${HEAD}mynetworks = 127.0.0.0/8${lines(n, (i) => ` ${ip(i)}/32`)}\n`, 'master.cf': STOCK_MASTER }, real: 'postconf' };
    case 'doubling': {
      const k = Math.max(1, Math.round(Math.log2(n)));
      let main = `${HEAD}a0 = permit_mynetworks\n`;
      for (let i = 1; i <= k; i++) main += `a${i} = $a${i - 1} $a${i - 1}\n`;
      return { files: { 'main.cf': `${main}smtpd_recipient_restrictions = $a${k}, reject_unauth_destination\n`, 'master.cf': STOCK_MASTER }, real: 'postconf-x' };
    }
    case 'domains': {
      // One-letter words: 2^20 of them stay under the 4 MiB expansion limit.
      const k = Math.max(1, Math.round(Math.log2(n)));
      let main = `${HEAD}a0 = x\n`;
      for (let i = 1; i <= k; i++) main += `a${i} = $a${i - 1} $a${i - 1}\n`;
      return { files: { 'main.cf': `${main}mydestination = $a${k}\n`, 'master.cf': STOCK_MASTER }, real: 'postconf-x' };
    }
    case 'backtrack': {
      const bad = ['/^postmaster@(a|a)*X$/', '/(a+){25}/', '/^(a|aa)+$/', '/(.*a){20}/', '/^([a-z]+)*@/'];
      return {
        files: {
          'main.cf': `${HEAD}mydestination = ${'a'.repeat(28)}\nsmtpd_recipient_restrictions = permit_mynetworks, check_recipient_access pcre:\${config_directory}/bad.pcre, reject_unauth_destination\n`,
          'master.cf': STOCK_MASTER,
          'bad.pcre': lines(n, (i) => `${bad[i % bad.length]} REJECT rule ${i}\n`),
        },
        real: 'postmap-pcre',
      };
    }
    default:
      throw new Error(`unknown series ${series}`);
  }
}

function write(dir, files) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const past = new Date(Date.now() - 10_000); // postconf re-reads a main.cf younger than 1 s
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text, 'latin1');
    utimesSync(join(dir, name), past, past);
  }
  return Object.values(files).reduce((a, t) => a + t.length, 0);
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const timeFile = resolve('.bench/scaling-time.txt');

/** Wall seconds; CPU seconds (user + system) and peak RSS from /usr/bin/time when it is there. */
function once(cmd, args, timeoutS, before) {
  before?.();
  const [c, a] = TIME ? [TIME, ['-o', timeFile, '-f', '%U %S %M', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { timeout: timeoutS * 1000, stdio: 'ignore' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') return { seconds: null, timedOutAfter: timeoutS };
  const out = { seconds: +s.toFixed(3), status: r.status };
  if (TIME) {
    const [u, sy, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    out.cpu = +(u + sy).toFixed(2);
    out.rssMB = Math.round(kb / 1024);
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(cmd, args, runs, timeoutS, before) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const r = once(cmd, args, timeoutS, before);
    if (r.seconds === null) return r;
    out.push(r);
  }
  const res = { seconds: median(out.map((r) => r.seconds)), status: out[0].status };
  if (out[0].cpu !== undefined) {
    res.cpu = median(out.map((r) => r.cpu));
    res.rssMB = Math.max(...out.map((r) => r.rssMB));
  }
  return res;
}

const haveReal = spawnSync('sh', ['-c', 'command -v postconf && command -v postmap'], { stdio: 'ignore' }).status === 0;

function realCommand(kind, dir) {
  switch (kind) {
    case 'postconf':
      return { cmd: 'postconf', args: ['-c', dir, '-n'], label: 'postconf -n' };
    case 'postmap-cdb':
      return { cmd: 'postmap', args: ['-c', dir, `cdb:${join(dir, 'access')}`], label: 'postmap cdb:', before: () => rmSync(join(dir, 'access.cdb'), { force: true }) };
    case 'postconf-x':
      return { cmd: 'postconf', args: ['-c', dir, '-nx'], label: 'postconf -nx' };
    case 'postmap-pcre':
      return { cmd: 'postmap', args: ['-c', dir, '-q', `postmaster@${'a'.repeat(28)}`, `pcre:${join(dir, 'bad.pcre')}`], label: 'postmap -q pcre:' };
    case 'postmap-cidr':
      return { cmd: 'postmap', args: ['-c', dir, '-q', '192.0.2.1', `cidr:${join(dir, 'clients.cidr')}`], label: 'postmap -q cidr:' };
    default:
      throw new Error(kind);
  }
}

/**
 * Least-squares slope of log(time) on log(size), over the points that took at
 * least twice as long as the smallest size (below that, start-up dominates).
 */
export function growthExponent(points) {
  const floor = points[0]?.seconds;
  if (typeof floor !== 'number') return null;
  const ps = points.filter((p) => typeof p.seconds === 'number' && p.seconds >= 2 * floor);
  if (ps.length === 1) ps.unshift(points[0]);
  if (ps.length < 2) return null;
  const xs = ps.map((p) => Math.log(p.size));
  const ys = ps.map((p) => Math.log(p.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return +(num / den).toFixed(2);
}

export function runScaling({ series = Object.keys(DEFAULT_SIZES), sizes, perSeries = DEFAULT_SIZES, runs = 1, timeout = 120, keep = false, cli = 'dist/cli.js', log = () => {} } = {}) {
  const root = resolve('.bench/scaling');
  mkdirSync(root, { recursive: true });
  const out = {};
  for (const s of series) {
    const points = [];
    for (const n of sizes ?? perSeries[s]) {
      const { files, real } = generate(s, n);
      const dir = join(root, `${s}-${n}`);
      const bytes = write(dir, files);
      const ours = timed(process.execPath, [cli, dir], runs, timeout);
      const point = { size: n, bytes, ours: ours.seconds, oursCpu: ours.cpu ?? null, oursRssMB: ours.rssMB ?? null };
      if (ours.timedOutAfter) point.oursTimedOutAfter = ours.timedOutAfter;
      if (haveReal) {
        const rc = realCommand(real, dir);
        const r = timed(rc.cmd, rc.args, runs, timeout, rc.before);
        Object.assign(point, { realCommand: rc.label, real: r.seconds, realCpu: r.cpu ?? null });
        if (r.timedOutAfter) point.realTimedOutAfter = r.timedOutAfter;
        if (r.seconds && ours.seconds) point.ratio = +(ours.seconds / r.seconds).toFixed(2);
      }
      log(`${s} ${n}: ours ${point.ours ?? `>${timeout}`} s (cpu ${point.oursCpu}), ${point.realCommand ?? 'real'} ${point.real ?? `>${timeout}`} s (cpu ${point.realCpu})`);
      points.push(point);
      // Keep only the largest of each series (the language-server bench opens it).
      if (!keep || n !== (sizes ?? perSeries[s]).at(-1)) rmSync(dir, { recursive: true, force: true });
    }
    const fit = (key) => growthExponent(points.map((p) => ({ size: p.size, seconds: p[key] })));
    // Time ratio from each size to the next (10× the input): about 10 is linear, 100 quadratic.
    const steps = (key) => points.slice(1).map((p, i) => (typeof p[key] === 'number' && points[i][key] ? +(p[key] / points[i][key]).toFixed(1) : null));
    out[s] = {
      points,
      growthExponentOurs: { wall: fit('ours'), cpu: fit('oursCpu') },
      growthExponentReal: haveReal ? { wall: fit('real'), cpu: fit('realCpu') } : null,
      stepRatiosOursCpu: steps('oursCpu'),
    };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const series = arg('--series')?.split(',');
  const sizes = arg('--sizes')?.split(',').map(Number);
  const result = runScaling({ series, sizes, runs: Number(arg('--runs') ?? 1), timeout: Number(arg('--timeout') ?? 120), keep: process.argv.includes('--keep'), log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
}

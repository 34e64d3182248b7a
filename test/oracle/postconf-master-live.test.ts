// What postconf lets through but the running system refuses: checked against a
// real Postfix 3.7.11 master daemon and real smtpd processes (root only).
// - The master daemon, on reload: duplicate services (its own idea of "same
//   service") and its fatal checks of fields and braces.
// - smtpd, when a connection starts it: -o values without '=', stray arguments,
//   options it does not know.
// Each case compares the message Postfix logs with the Postfix wording in our
// problem for that line (PF2xx).
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseMasterCf } from '../../server/src/engine/mastercf';
import type { Problem } from '../../server/src/engine/types';
import { requireTools } from '../helpers/env';
import { acquireSlot, onExitStop, type Slot } from '../helpers/live-postfix';

const MASTER = '/usr/lib/postfix/sbin/master';
const BASE_SERVICES = [
  'pickup    unix  n - n 60 1 pickup',
  'cleanup   unix  n - n -  0 cleanup',
  'qmgr      unix  n - n 300 1 qmgr',
  'rewrite   unix  - - n -  - trivial-rewrite',
  'anvil     unix  - - n -  1 anvil',
  'proxymap  unix  - - n -  - proxymap',
  'scache    unix  - - n -  1 scache',
  'postlog   unix-dgram n - n - 1 postlogd',
];

/**
 * A private instance: own directories, log file, master daemon in the
 * foreground. While a master runs it holds a machine-wide live-instance slot
 * (the shared harness, test/helpers/live-postfix.ts), and it is stopped
 * however this process ends.
 */
class Instance {
  readonly dir = mkdtempSync(join(tmpdir(), 'pf-master-live-'));
  readonly etc = join(this.dir, 'etc');
  private master?: ChildProcess;
  private exited?: Promise<void>;
  private slot?: Slot;
  private unregister?: () => void;
  /** The slot's own loopback address (valid once started), for services on fixed ports. */
  host = '127.0.0.1';

  constructor() {
    chmodSync(this.dir, 0o755);
    mkdirSync(this.etc);
    mkdirSync(join(this.dir, 'spool'));
    const main = [
      'compatibility_level = 3.6',
      `queue_directory = ${this.dir}/spool`,
      `data_directory = ${this.dir}/data`,
      `maillog_file = ${this.dir}/maillog`,
      `maillog_file_prefixes = ${this.dir}`,
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'mynetworks = 127.0.0.1/32',
      'default_transport = discard',
      'relay_transport = discard',
      'local_transport = discard',
      'alias_maps =',
      'alias_database =',
      'service_throttle_time = 1s',
      '',
    ].join('\n');
    writeFileSync(join(this.etc, 'main.cf'), main);
    this.writeMaster('');
    const past = new Date(Date.now() - 10_000);
    utimesSync(join(this.etc, 'main.cf'), past, past);
    execFileSync('postfix', ['-c', this.etc, 'check'], { stdio: 'ignore' });
  }

  writeMaster(extra: string): string {
    const text = `${BASE_SERVICES.join('\n')}\n${extra}`;
    writeFileSync(join(this.etc, 'master.cf'), text);
    return text;
  }

  log(): string {
    const f = join(this.dir, 'maillog');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Waits for a log line; the limit only catches a line that never comes (a loaded machine delays them a lot). */
  async waitFor(re: RegExp, ms = 120_000, from = 0): Promise<RegExpExecArray | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.log().slice(from));
      if (m || Date.now() > until) return m ?? undefined;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async hold(): Promise<Slot> {
    const slot = await acquireSlot();
    this.slot = slot;
    this.host = `${slot.hostPrefix}.${process.pid & 255}.1`;
    slot.own(this.etc);
    return slot;
  }

  private async letGo(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    this.slot?.disown(this.etc);
    await this.slot?.release();
    this.slot = undefined;
  }

  /** Stops the master's whole process group (for exit handlers). */
  private watch(child: ChildProcess): void {
    this.unregister = onExitStop(this.etc, () => {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    });
  }

  async start(): Promise<void> {
    await this.hold();
    // Own process group, so that stopping the master also stops its children.
    const child = spawn(MASTER, ['-c', this.etc, '-d'], { stdio: 'ignore', detached: true });
    this.master = child;
    this.watch(child);
    this.exited = new Promise((r) => child.once('exit', () => r()));
    assert.ok(await this.waitFor(/postfix\/master\[\d+\]: daemon started/), `master did not start; see ${this.dir}/maillog`);
  }

  /**
   * Rewrites master.cf and makes the master read it again; returns what it
   * logged once `expect` lines matching `until` are in the log (its warnings
   * reach the log through postlogd, after the reload line and in no fixed
   * time), or the master died.
   */
  async reload(extra: string, until: RegExp, expect: number): Promise<{ text: string; log: string; died: boolean }> {
    const before = this.log().length;
    const text = this.writeMaster(extra);
    const reloads = (this.log().match(/: reload -- /g) ?? []).length;
    this.master!.kill('SIGHUP');
    await this.waitFor(new RegExp(`(: reload -- [^\\n]*\\n[\\s\\S]*){${reloads + 1}}`));
    let died = false;
    void this.exited!.then(() => (died = true));
    const enough = new RegExp(`(${until.source}[^\\n]*\\n[\\s\\S]*){${expect}}`);
    const until2 = Date.now() + 120_000;
    while (!died && !enough.test(this.log().slice(before)) && Date.now() < until2) await new Promise((r) => setTimeout(r, 25));
    return { text, log: this.log().slice(before), died };
  }

  /** Runs the master for about a second from the current files; its exit status (0: it ran fine). */
  async runBriefly(): Promise<number> {
    await this.hold();
    try {
      return await new Promise((resolve) => {
        const child = spawn(MASTER, ['-c', this.etc, '-d', '-e', '1'], { stdio: 'ignore', detached: true });
        this.watch(child);
        child.once('exit', (code) => resolve(code ?? -1));
      });
    } finally {
      await this.letGo();
    }
  }

  async stop(): Promise<void> {
    if (this.master && this.master.exitCode === null) {
      this.master.kill('SIGTERM');
      await this.exited;
    }
    await this.letGo();
  }
}

/** Ports nobody listens on right now (other tests may run instances too). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve) => {
          const srv = createServer();
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Postfix's wording in a problem message: our explanation removed. */
function postfixPart(p: Problem): string {
  if (p.code === 'PF213') return p.message.replace(/ \(line \d+ replaces line \d+: .*\)$/, '');
  return p.message.split(/ \(|: (?=smtpd will not start)/)[0];
}

function problemsOf(text: string, codes: string[]): Problem[] {
  return parseMasterCf(text).problems.filter((p) => codes.includes(p.code));
}

test('master daemon: duplicate services and fatal lines that postconf accepts', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf'], root: true, path: MASTER })) return;
  const [p1, p2, p3] = await freePorts(3);
  const duplicates = (host: string) =>
    [
      `${host}:${p1} inet n - n - - smtpd`,
      `[${host}]:${p1} inet n - n - - smtpd`,
      'relay unix - - n - - smtp',
      'relay unix y - n - - smtp',
      'relay unix n - n - - smtp',
      // symbolic and numeric port: the same service (qmtp is 209 in /etc/services),
      // on the instance's own address so that concurrent runs never share the port
      `${host}:qmtp inet n - n - - smtpd`,
      `${host}:209 inet n - n - - smtpd`,
      'relay unix-dgram - - n - - postlogd',
      '',
    ].join('\n');
  const fatalCases: [string, string, boolean][] = [
    ['inet service cannot be private', `127.0.0.1:${p2} inet - - n - - smtpd\n`, true],
    ['wakeup -?', 'tick unix n - n -? 1 pickup\n', true],
    ['wakeup ?', 'tick unix n - n ? 1 pickup\n', true],
    ['command -', 'nocmd unix - - n - - -\n', true],
    ['unbalanced braces', 'b unix - - n - - smtp -o {smtp_helo_name=x\n', true],
    ['text after braces', 'b unix - - n - - smtp {a}b\n', true],
    ['bad inet endpoint', '[127.0.0.1 inet n - n - - smtpd\n', true],
    ['control: conditional wakeup', 'tick unix n - n 60? 1 pickup\n', false],
    ['control: braces', 'b unix - - n - - smtp -o { smtp_helo_name = x }\n', false],
    ['control: public inet', `127.0.0.1:${p3} inet n - n - - smtpd\n`, false],
  ];

  const inst = new Instance();
  try {
    await inst.start();
    const r = await inst.reload(duplicates(inst.host), /warning: duplicate master\.cf entry/, 3);
    assert.equal(r.died, false, r.log);
    const real = [...r.log.matchAll(/warning: (duplicate master\.cf entry .*)$/gm)].map((m) => m[1]).sort();
    const ours = problemsOf(r.text, ['PF213']).map(postfixPart).sort();
    assert.equal(real.length, 3, r.log);
    assert.deepEqual(ours, real);
  } finally {
    await inst.stop();
  }

  // A line the master refuses stops it at start-up (exit status 1; its message
  // goes to syslog, which this machine does not have). Controls must run.
  await Promise.all(
    fatalCases.map(async ([label, extra, fatal]) => {
      const i = new Instance();
      const text = i.writeMaster(extra);
      const ours = parseMasterCf(text).problems.filter((p) => p.category === 'postfix' && p.severity === 'error');
      const code = await i.runBriefly();
      assert.equal(code, fatal ? 1 : 0, `${label}: master exit status`);
      assert.equal(ours.length, fatal ? 1 : 0, `${label}: ${JSON.stringify(ours.map((p) => p.message))}`);
    }),
  );
});

/** Connects and returns the greeting ('' when the server closes or stays silent). */
function greeting(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    const done = () => {
      s.destroy();
      resolve(got);
    };
    s.setTimeout(4000, done);
    s.on('data', (d) => {
      got += d.toString();
      done();
    });
    s.on('error', done);
    s.on('close', done);
  });
}

test('smtpd start-up: what a daemon makes of its -o options and arguments', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf'], root: true, path: MASTER })) return;
  // Each service gets its own port; the ones marked null must start fine.
  const cases: [string, string | null][] = [
    ['-o smtpd_client_restrictions = permit_mynetworks,reject', 'PF208'],
    ['-o smtpd_client_restrictions=permit_mynetworks, reject', 'PF209'],
    ['-o bogus', 'PF208'],
    ['-v -o', 'PF210'],
    ['-X', 'PF211'],
    ['-o { smtpd_client_restrictions = permit_mynetworks, reject }', null],
    ['-osyslog_name=postfix/odd', null],
    ['-vo smtpd_helo_required=yes', null],
  ];
  const inst = new Instance();
  try {
    const ports = await freePorts(cases.length);
    const lines = cases.map(([args], i) => `127.0.0.1:${ports[i]} inet n - n - - smtpd ${args}`);
    const text = inst.writeMaster(`${lines.join('\n')}\n`);
    await inst.start();
    const problems = parseMasterCf(text).problems;
    const expected = new Set<string>();
    cases.forEach(([args, code], i) => {
      const ours = problems.filter((p) => p.range.start.line === BASE_SERVICES.length + i && p.severity === 'error');
      if (code === null) assert.deepEqual(ours, [], args);
      else {
        assert.deepEqual(
          ours.map((p) => p.code),
          [code],
          args,
        );
        expected.add(postfixPart(ours[0]));
      }
    });
    // Start every smtpd. The ones we call fine must greet; a dying one may be
    // restarted after the throttle time, so compare distinct fatal messages.
    const greetings = await Promise.all(cases.map((_, i) => greeting(ports[i])));
    cases.forEach(([args, code], i) => {
      if (code === null) assert.match(greetings[i], /^220 /, `${args}: smtpd should greet`);
      else assert.equal(greetings[i], '', `${args}: smtpd should die before greeting`);
    });
    const fatals = () => new Set([...inst.log().matchAll(/postfix\/smtpd\[\d+\]: fatal: (.*)$/gm)].map((m) => m[1]));
    const until = Date.now() + 5000;
    while (fatals().size < expected.size && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual([...fatals()].sort(), [...expected].sort());
  } finally {
    await inst.stop();
  }
});

test('smtp/lmtp start-up: flags=DORX is their only argument, anything else is fatal', async (t) => {
  if (!requireTools(t, { commands: ['postfix', 'postconf'], root: true, path: MASTER })) return;
  // The master starts a client when something connects to it; it reads its
  // arguments before the first request (get_cli_attr, Postfix 3.5 and later).
  const cases: [string, string | null][] = [
    ['smtp bogus', 'unknown attribute name: bogus'],
    ['smtp flags=OZ', 'unknown flags=OZ value "Z" in "OZ"'],
    ['lmtp flags=DO extra', 'unknown attribute name: extra'],
    ['lmtp flags= FLAGS=x', 'unknown FLAGS=x value "x" in "x"'],
    ['lmtp flags=O', null],
    ['smtp flags=DORX', null],
    ['smtp flags=', null],
  ];
  const inst = new Instance();
  try {
    const ports = await freePorts(cases.length);
    const lines = cases.map(([cmd], i) => `127.0.0.1:${ports[i]} inet n - n - - ${cmd}`);
    const text = inst.writeMaster(`${lines.join('\n')}\n`);
    const problems = parseMasterCf(text).problems.filter((p) => p.category === 'postfix' && p.severity === 'error');
    await inst.start();
    await Promise.all(ports.map((p) => greeting(p)));
    for (const [i, [cmd, fatal]] of cases.entries()) {
      const ours = problems.filter((p) => p.range.start.line === BASE_SERVICES.length + i);
      const program = cmd.split(' ')[0];
      if (fatal === null) {
        assert.deepEqual(ours, [], cmd);
        continue;
      }
      assert.deepEqual(ours.map((p) => p.code), ['PF209'], cmd);
      assert.ok(ours[0].message.startsWith(`${fatal}: `), `${cmd}: ${ours[0].message}`);
      const logged = await inst.waitFor(new RegExp(`postfix/${program}\\[\\d+\\]: fatal: ${fatal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      assert.ok(logged, `${cmd}: ${program} should log "fatal: ${fatal}"\n${inst.log()}`);
    }
    // The controls started and stayed quiet: no fatal line beyond the expected ones.
    const fatals = [...inst.log().matchAll(/postfix\/(?:smtp|lmtp)\[\d+\]: fatal: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(fatals)].sort(), cases.flatMap(([, f]) => (f ? [f] : [])).sort());
  } finally {
    await inst.stop();
  }
});

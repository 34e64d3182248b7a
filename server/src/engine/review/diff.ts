// The behavioural difference between two configurations: which relay-matrix
// answers changed, which findings a change adds or removes, and which
// effective parameter values changed. A text diff shows what was typed; this
// shows what it does to mail.

import type { Answer, Behaviour, Probe, ReviewFinding } from './behaviour';

export interface CellChange extends Probe {
  /** Undefined when the service exists on one side only. */
  before?: string;
  after?: string;
  /** Outside client → outside domain goes from refused to accepted. */
  opensRelay: boolean;
  /** Outside client → outside domain goes from accepted to refused. */
  closesRelay: boolean;
}

export interface ValueChange {
  /** `name` for main.cf (postconf -n), `service/type/name` for master.cf (postconf -P). */
  name: string;
  scope: 'main.cf' | 'master.cf';
  before?: string;
  after?: string;
}

export interface BehaviourDiff {
  old: { dir: string; exists: boolean; openRelay: boolean };
  new: { dir: string; exists: boolean; openRelay: boolean };
  cells: CellChange[];
  added: ReviewFinding[];
  removed: ReviewFinding[];
  values: ValueChange[];
}

/** What a cell says, in one short string: `ACCEPT`, `REJECT 554 5.7.1`, `FATAL`. */
export function cellAnswer(c: Answer): string {
  if (c.verdict === 'fatal') return 'FATAL (smtpd exits)';
  const verdict = c.verdict.toUpperCase();
  return c.reply && c.verdict !== 'accept' ? `${verdict} ${c.reply.code}${c.reply.enhanced ? ` ${c.reply.enhanced}` : ''}` : verdict;
}

function accepted(c: Answer | undefined): boolean {
  return !!c && (c.verdict === 'accept' || c.verdict === 'hold' || c.verdict === 'discard');
}

/**
 * Findings compare by code, file (relative to its configuration) and message,
 * not by line: an edit above a finding moves it without changing it.
 */
function findingKey(f: ReviewFinding, dir: string): string {
  return `${f.code}\u0000${f.relFile}\u0000${f.message.split(dir).join('<config>')}`;
}

/** Multiset difference: the findings of `a` not matched one-for-one in `b`. */
function findingsOnlyIn(a: Behaviour, b: Behaviour): ReviewFinding[] {
  const counts = new Map<string, number>();
  for (const f of b.findings) {
    const k = findingKey(f, b.dir);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out: ReviewFinding[] = [];
  for (const f of a.findings) {
    const k = findingKey(f, a.dir);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(f);
  }
  return out;
}

function valueChanges(before: Map<string, string>, after: Map<string, string>, scope: ValueChange['scope']): ValueChange[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: ValueChange[] = [];
  for (const name of names) {
    // Where each side happens to be checked out, not what it does.
    if (name === 'config_directory') continue;
    const b = before.get(name);
    const a = after.get(name);
    if (b !== a) out.push({ name, scope, before: b, after: a });
  }
  return out;
}

export function diffBehaviour(before: Behaviour, after: Behaviour): BehaviourDiff {
  const cells: CellChange[] = [];
  // Every transaction either matrix tried is replayed on the other side, so
  // a client or domain that only one configuration knows is still compared.
  const probes = new Map([...before.probes, ...after.probes]);
  for (const [key, probe] of probes) {
    const b = before.answers.get(key) ?? (before.exists ? before.replay(probe) : undefined);
    const a = after.answers.get(key) ?? (after.exists ? after.replay(probe) : undefined);
    const bAnswer = b && cellAnswer(b);
    const aAnswer = a && cellAnswer(a);
    if (bAnswer === aAnswer) continue;
    const relayCell = probe.client === 'outside' && probe.recipient === 'outside domain';
    cells.push({
      ...probe,
      before: bAnswer,
      after: aAnswer,
      opensRelay: relayCell && !accepted(b) && accepted(a),
      closesRelay: relayCell && accepted(b) && !accepted(a),
    });
  }
  return {
    old: { dir: before.dir, exists: before.exists, openRelay: before.openRelay },
    new: { dir: after.dir, exists: after.exists, openRelay: after.openRelay },
    cells,
    added: findingsOnlyIn(after, before),
    removed: findingsOnlyIn(before, after),
    values: [...valueChanges(before.main, after.main, 'main.cf'), ...valueChanges(before.services, after.services, 'master.cf')],
  };
}

/** Nothing a reviewer needs to look at. */
export function isEmptyDiff(d: BehaviourDiff): boolean {
  return d.cells.length === 0 && d.added.length === 0 && d.removed.length === 0 && d.values.length === 0 && d.old.exists === d.new.exists;
}

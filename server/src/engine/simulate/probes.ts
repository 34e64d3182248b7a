// What an outside client can claim to be. The relay matrix's outside client
// uses one plain sender and HELO name; but a restriction list that permits on
// the sender's or HELO's word (`check_sender_access` with `example.com OK`
// ahead of reject_unauth_destination) lets anyone relay who writes
// MAIL FROM:<x@example.com>. These probes are the senders and HELO names
// that can change the verdict: the permitting keys of every sender and HELO
// access table on the service's restriction path, the server's own domains
// and hostname, the null sender and postmaster@.
//
// Client addresses and verified hostnames are not probed: an outsider cannot
// take them over, and a table that trusts one names a deliberate relay client.
// Reverse hostnames (which the client's own DNS chooses) are not either:
// smtpd refuses an OK from check_reverse_client_hostname_access and the
// *_ns/_mx/_a variants (forbid_allowlist in smtpd_check.c).

import { lookupTable, type OpenedTable } from '../tables';
import type { ServiceView } from './config';
import { RESTRICTIONS_PER_STEP, type Steps } from '../steps';

export interface Probe {
  sender: string;
  helo: string;
  /** Why this probe was tried, e.g. `MAIL FROM:<x@example.com> (OK in check_sender_access hash:/etc/postfix/sender_ok)`. */
  note: string;
}

/** Tables whose key the client chooses, by restriction name. */
const FORGEABLE: Record<string, 'sender' | 'helo'> = {
  check_sender_access: 'sender',
  check_helo_access: 'helo',
};

const LISTS = ['smtpd_client_restrictions', 'smtpd_helo_restrictions', 'smtpd_sender_restrictions', 'smtpd_relay_restrictions', 'smtpd_recipient_restrictions'];

/** At most this many probes per service (each is one more simulated transaction). */
const MAX_PROBES = 48;
/** At most this many keys taken from one table. */
const MAX_KEYS_PER_TABLE = 16;

/** An access-table result that can permit: OK, RELAY, permit*, or a restriction class. */
function mayPermit(value: string, classes: Set<string>): boolean {
  const first = value.trim().split(/[\s,]+/)[0]?.toLowerCase() ?? '';
  if (first === 'ok' || first === 'relay' || first.startsWith('permit')) return true;
  if (/^\d/.test(first)) return /^2/.test(first);
  return classes.has(value.trim().split(/[\s,]+/)[0] ?? '');
}

/** Keys of a table whose result may permit, as written in the table. */
function permittingKeys(opened: OpenedTable, classes: Set<string>): string[] {
  const t = opened.table;
  if (!t) return [];
  const out: string[] = [];
  switch (t.kind) {
    case 'access':
      for (let i = 0; i < t.count && out.length < MAX_KEYS_PER_TABLE; i++) {
        if (t.duplicates.has(i)) continue;
        if (mayPermit(t.value(i), classes)) out.push(t.key(i));
      }
      break;
    case 'inline':
      for (const e of t.entries) if (out.length < MAX_KEYS_PER_TABLE && mayPermit(e.value, classes)) out.push(e.key);
      break;
    case 'pcre':
    case 'regexp':
      for (const r of t.rules) {
        if (out.length >= MAX_KEYS_PER_TABLE) break;
        if (r.op !== 'match' || r.patterns.length !== 1 || !r.patterns[0].match || r.maxSub > 0 || !mayPermit(r.replacement, classes)) continue;
        const sample = literalSample(r.patterns[0].source);
        // Only a sample that really gets this answer from the table.
        if (sample && lookupTable(opened, sample).status === 'found') out.push(sample);
      }
      break;
    case 'proxy':
    case 'unionmap':
      for (const m of t.members) out.push(...permittingKeys(m, classes));
      break;
  }
  return out.slice(0, MAX_KEYS_PER_TABLE);
}

/** A string a simple pattern matches: /^(.*@)?example\.com$/ gives x@example.com; undefined when the pattern is not that simple. */
export function literalSample(source: string): string | undefined {
  let s = source.replace(/^\^/, '').replace(/\$$/, '');
  s = s.replace(/\((?:\?:)?\.[*+]@\)\?/g, 'x@').replace(/\((?:\?:)?\.[*+]\\?\.\)\?/g, '');
  s = s.replace(/\.[*+]/g, 'x').replace(/\[\^@\][*+]/g, 'x');
  s = s.replace(/\\([.@+\-])/g, '$1');
  if (/[\\()[\]{}|?*+^$]/.test(s)) return undefined;
  return s || undefined;
}

/** The sender a sender-access key stands for. */
function senderFor(key: string, nullKey: string): string | undefined {
  if (key === nullKey) return '';
  if (/^\d+(\.\d+){0,3}$/.test(key) || key.includes(':') || key.startsWith('[')) return undefined;
  if (key.endsWith('@')) return `${key}elsewhere.example`;
  if (key.includes('@')) return key;
  if (key.startsWith('.')) return `x@mail${key}`;
  return `x@${key}`;
}

/** A host name a HELO key stands for. */
function hostFor(key: string): string | undefined {
  if (key.includes('@') || key === '') return undefined;
  return key.startsWith('.') ? `mail${key}` : key;
}

/** Plain domains of a domain-list parameter (no tables, files or negations), one by one: a list can hold a million words and few are needed. */
function* domains(words: readonly string[]): Generator<string> {
  let previous: string | undefined;
  for (const p of words) {
    // A doubled list ($a = $b $b) repeats its words back to back: each costs one comparison, not a name to weigh.
    if (p === previous) continue;
    previous = p;
    if (!p.startsWith('!') && !p.startsWith('/') && !p.startsWith('[') && !p.includes(':')) yield p.replace(/^\./, '');
  }
}

/** The first `max` distinct names of `names` that are set and fully expanded. */
function firstDistinct(names: Iterable<string>, max: number): string[] {
  const out = new Set<string>();
  for (const d of names) {
    if (out.size >= max) break;
    if (d && !d.includes('$')) out.add(d);
  }
  return [...out];
}

/** The server's own names, in order; every list is read (for the assumptions it records) even when few words are used. */
function ownNames(view: ServiceView): Iterable<string> {
  const first = [view.value('myhostname'), view.value('mydomain')];
  const lists = ['mydestination', 'virtual_mailbox_domains', 'virtual_alias_domains', 'relay_domains'].map((param) => view.list(param));
  return (function* () {
    yield* first;
    for (const words of lists) yield* domains(words);
  })();
}

/**
 * Restriction names and their table arguments on the service's path,
 * restriction classes included. From the lists' tokens (the words of their
 * values, without expanding a list of references whole again, config.ts),
 * yielding every RESTRICTIONS_PER_STEP words: a list can hold 2^17 of them.
 */
function* tableRestrictions(view: ServiceView): Steps<{ name: string; table: string }[]> {
  const classes = new Set(view.list('smtpd_restriction_classes'));
  const out: { name: string; table: string }[] = [];
  const seen = new Set<string>();
  let looked = 0;
  function* walk(param: string, depth: number): Steps<void> {
    if (seen.has(param) || depth > 20) return;
    seen.add(param);
    const toks = yield* view.tokensSteps(param);
    for (let i = 0; i < toks.length; i++) {
      if (++looked % RESTRICTIONS_PER_STEP === 0) {
        const n = looked;
        yield () => `relay matrix: ${n} restrictions looked at for forgeable access tables`;
      }
      const name = toks[i].text.toLowerCase();
      if (FORGEABLE[name] && i + 1 < toks.length) out.push({ name, table: toks[++i].text });
      else if (classes.has(toks[i].text)) yield* walk(toks[i].text, depth + 1);
    }
  }
  for (const l of LISTS) yield* walk(l, 0);
  // Access-table results may name a class: every class is on the path then.
  for (const c of classes) yield* walk(c, 1);
  return out;
}

/** The probes for one service, the first the plain outside client; in steps (see tableRestrictions). */
export function* outsideProbesSteps(view: ServiceView, baseSender: string, baseHelo: string): Steps<Probe[]> {
  const probes: Probe[] = [{ sender: baseSender, helo: baseHelo, note: `MAIL FROM:<${baseSender}>, HELO ${baseHelo}` }];
  const seen = new Set([`${baseSender}|${baseHelo}|`]);
  const add = (p: Probe) => {
    const k = `${p.sender.toLowerCase()}|${p.helo.toLowerCase()}|`;
    if (seen.has(k) || probes.length >= MAX_PROBES) return;
    seen.add(k);
    probes.push(p);
  };
  const classes = new Set(view.list('smtpd_restriction_classes'));
  const nullKey = view.value('smtpd_null_access_lookup_key') || '<>';
  for (const { name, table } of yield* tableRestrictions(view)) {
    const opened = view.openedTable(table);
    for (const key of permittingKeys(opened, classes)) {
      const why = `listed in ${name} ${table}`;
      const kind = FORGEABLE[name];
      if (kind === 'sender') {
        const sender = senderFor(key, nullKey);
        if (sender !== undefined) add({ sender, helo: baseHelo, note: `MAIL FROM:<${sender}> (${key} ${why})` });
      } else {
        const host = hostFor(key);
        if (host !== undefined) add({ sender: baseSender, helo: host, note: `HELO ${host} (${key} ${why})` });
      }
    }
  }
  // The server's own names, which restrictions often trust.
  const own = firstDistinct(ownNames(view), 8);
  add({ sender: '', helo: baseHelo, note: 'the null sender MAIL FROM:<>' });
  for (const d of own) {
    add({ sender: `x@${d}`, helo: baseHelo, note: `MAIL FROM:<x@${d}> (a domain of this server)` });
    add({ sender: `postmaster@${d}`, helo: baseHelo, note: `MAIL FROM:<postmaster@${d}>` });
  }
  const myhostname = view.value('myhostname');
  if (myhostname) add({ sender: baseSender, helo: myhostname, note: `HELO ${myhostname} (this server's own name)` });
  return probes;
}

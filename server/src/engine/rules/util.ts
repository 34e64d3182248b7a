// Small helpers shared by rules: grouping one finding seen from several
// services into one problem, ranges, spelling suggestions, address parsing.

import { SERVICES_PER_STEP, type Steps } from '../steps';
import type { Range } from '../types';
import type { RuleContext, Where } from './context';
import type { ListToken } from './lists';
import { tokenLocation } from './lists';
import { editDistance } from '../edit-distance';

/** The closest candidate within a distance that grows with the word's length. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 5));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase(), Math.min(limit, bestD), { transpositions: true });
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  if (best !== undefined && bestD <= limit) return best;
  // A missing or extra word part (reject_unknown_sender → reject_unknown_sender_domain).
  for (const c of candidates) if (w.length >= 8 && (c.startsWith(w) || w.startsWith(c)) && Math.abs(c.length - w.length) <= 8) return c;
  return undefined;
}

/** Groups findings by location so that one place seen through several services gives one problem. */
export class ByLocation<T> {
  private map = new Map<string, { file: string; range: Range; items: T[] }>();

  add(file: string, range: Range, item: T): void {
    const k = `${file}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
    const e = this.map.get(k);
    if (e) e.items.push(item);
    else this.map.set(k, { file, range, items: [item] });
  }

  addToken(t: ListToken, item: T): boolean {
    const loc = tokenLocation(t);
    if (!loc) return false;
    this.add(loc.file, loc.range, item);
    return true;
  }

  entries(): { file: string; range: Range; items: T[] }[] {
    return [...this.map.values()];
  }
}

/** Range from the start of one range to the end of another (same file). */
export function spanRange(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

/** `a, b and c`. */
export function listText(items: string[]): string {
  const u = [...new Set(items)];
  if (u.length <= 1) return u.join('');
  return `${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
}

export interface Net {
  version: 4 | 6;
  bytes: number[];
  prefix: number;
  /** As written, without brackets. */
  text: string;
}

function parseV4(s: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : undefined;
}

function parseV6(s: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return undefined;
  let head = s;
  let v4: number[] | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const parts = head.split('::');
  if (parts.length > 2) return undefined;
  const group = (p: string) => (p === '' ? [] : p.split(':'));
  const left = group(parts[0]);
  const right = parts.length === 2 ? group(parts[1]) : [];
  const fill = 8 - left.length - right.length;
  if ((parts.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...left, ...Array(parts.length === 2 ? fill : 0).fill('0'), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const bytes: number[] = [];
  for (const g of groups) {
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 255);
  }
  if (v4) bytes.splice(12, 4, ...v4);
  return bytes;
}

/** `1.2.3.0/24`, `[2001:db8::]/32`, `2001:db8::/32` (unbracketed: as written), `host`; undefined when not an address pattern. */
export function parseNet(pattern: string): (Net & { bracketed: boolean }) | undefined {
  const m = /^(\[)?([^\]/]+)(\])?(?:\/(\d{1,3}))?$/.exec(pattern);
  if (!m || Boolean(m[1]) !== Boolean(m[3])) return undefined;
  const v4 = parseV4(m[2]);
  if (v4 && !m[1]) return { version: 4, bytes: v4, prefix: m[4] === undefined ? 32 : Number(m[4]), text: m[2], bracketed: false };
  const v6 = parseV6(m[2]);
  if (v6) {
    const prefix = m[4] === undefined ? 128 : Number(m[4]);
    if (prefix > 128) return undefined;
    return { version: 6, bytes: v6, prefix, text: m[2], bracketed: Boolean(m[1]) };
  }
  return undefined;
}

/** Whether `net` lies inside `outer/len`. */
export function netInside(net: Net, outer: number[], len: number): boolean {
  if (net.prefix < len) return false;
  for (let bit = 0; bit < len; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((net.bytes[byte] & mask) !== (outer[byte] & mask)) return false;
  }
  return true;
}

const PRIVATE4: [number[], number][] = [
  [[10, 0, 0, 0], 8],
  [[172, 16, 0, 0], 12],
  [[192, 168, 0, 0], 16],
  [[127, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[169, 254, 0, 0], 16],
];

const PRIVATE6: [number[], number][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128],
  [[0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7],
  [[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10],
];

/** Loopback, RFC 1918, shared (CGNAT), link-local, unique-local. */
export function isPrivateNet(net: Net): boolean {
  const table = net.version === 4 ? PRIVATE4 : PRIVATE6;
  return table.some(([outer, len]) => netInside(net, outer, len));
}

export function isLoopbackNet(net: Net): boolean {
  return net.version === 4 ? netInside(net, [127, 0, 0, 0], 8) : net.prefix === 128 && net.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/** `1 point`, `2 points`. */
export function countOf(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Where a parameter is written: main.cf, or an -o of a master.cf service. */
export interface WrittenPlace {
  where: Exclude<Where, { kind: 'default' }>;
  value: string;
}

/**
 * Every place each of `names` is written (main.cf's entry, then each -o in
 * master.cf order), in steps of SERVICES_PER_STEP master.cf services: a
 * master.cf may hold 100,000 services, and a search per name walks them all.
 */
export function* writtenPlacesSteps(ctx: RuleContext, names: readonly string[]): Steps<Map<string, WrittenPlace[]>> {
  return yield* ctx.onceSteps(`places:${names.join(',')}`, function* () {
    const out = new Map<string, WrittenPlace[]>(names.map((n) => [n, []]));
    for (const name of names) {
      const entry = ctx.config.main?.byName.get(name);
      if (entry) out.get(name)!.push({ where: { kind: 'main', entry }, value: entry.value });
    }
    const services = ctx.config.master?.services ?? [];
    for (let i = 0; i < services.length; i++) {
      if ((i + 1) % SERVICES_PER_STEP === 0) yield () => `places of ${names.join(', ')}`;
      const s = services[i];
      for (const o of s.overrides) out.get(o.name)?.push({ where: { kind: 'master', service: s, override: o }, value: o.value });
    }
    return out;
  });
}

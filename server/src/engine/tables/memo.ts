// Parse results of table files, reused while a file's text is the same. A
// configuration is linted again on every keystroke in main.cf; the tables it
// names have not changed, and re-parsing a 100,000-line map each time is most
// of the cost. The key is what the parse depends on (parser, file, options);
// the text is compared on a hit, which costs nothing when the caller hands in
// the same string (the editor's buffer, the server's file cache) and a memcmp
// otherwise. Parse results are shared: callers must not change them.

import { drain, type Steps } from '../steps';

interface Entry {
  text: string;
  value: unknown;
}

const MAX_ENTRIES = 64;
const entries = new Map<string, Entry>();
let hits = 0;
let misses = 0;

/**
 * `parse()` of `text`, or the result of the last parse under `key` when it
 * was of the same text. When the last parse under `key` was of another text,
 * `parse` gets it (text and result), so it can re-read only what changed.
 */
export function memoParse<T>(key: string, text: string, parse: (previous?: { text: string; value: T }) => T): T {
  return drain(
    memoParseSteps(key, text, function* (previous) {
      return parse(previous);
    }),
  );
}

/**
 * A parse in steps under way, by key: an analysis abandoned half-way (a newer
 * edit arrived) leaves it here, and the next one of the same text resumes it
 * instead of starting over (the editor opens a map and its main.cf in two
 * messages; the second used to throw away half a parse of the map).
 */
interface Pending {
  text: string;
  steps: Steps<unknown>;
  done: boolean;
  value?: unknown;
}
const MAX_PENDING = 8;
const pending = new Map<string, Pending>();

/**
 * memoParse for a parse in steps (a generator that yields between chunks).
 * A parse left half-way is resumed by the next call for the same text.
 */
export function* memoParseSteps<T>(key: string, text: string, parse: (previous?: { text: string; value: T }) => Steps<T>): Steps<T> {
  const e = entries.get(key);
  if (e && e.text === text) {
    hits++;
    // Most recently used last.
    entries.delete(key);
    entries.set(key, e);
    return e.value as T;
  }
  let p = pending.get(key);
  if (!p || p.text !== text) {
    misses++;
    p = { text, steps: parse(e as { text: string; value: T } | undefined), done: false };
    pending.delete(key);
    pending.set(key, p);
    if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value as string);
  }
  // Another caller may drive the same parse meanwhile (a hover, a code action): whoever ends it keeps the value.
  while (!p.done) {
    const r = p.steps.next();
    if (r.done) {
      p.done = true;
      p.value = r.value;
      if (pending.get(key) === p) pending.delete(key);
      entries.delete(key);
      entries.set(key, { text, value: r.value });
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    } else yield r.value;
  }
  return p.value as T;
}

/** Hit and miss counts since the start (tests and benchmarks prove reuse with them). */
export function parseMemoStats(): { hits: number; misses: number; entries: number } {
  return { hits, misses, entries: entries.size };
}

export function clearParseMemo(): void {
  entries.clear();
  pending.clear();
}

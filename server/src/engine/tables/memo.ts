// Parse results of table files, reused while a file's text is the same. A
// configuration is linted again on every keystroke in main.cf; the tables it
// names have not changed, and re-parsing a 100,000-line map each time is most
// of the cost. The key is what the parse depends on (parser, file, options);
// the text is compared on a hit, which costs nothing when the caller hands in
// the same string (the editor's buffer, the server's file cache) and a memcmp
// otherwise. Parse results are shared: callers must not change them.

import { drain } from '../steps';

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
 * memoParse for a parse in steps (a generator that yields between chunks).
 * Nothing is kept when the caller abandons it half-way.
 */
export function* memoParseSteps<T>(key: string, text: string, parse: (previous?: { text: string; value: T }) => Generator<void, T>): Generator<void, T> {
  const e = entries.get(key);
  if (e && e.text === text) {
    hits++;
    // Most recently used last.
    entries.delete(key);
    entries.set(key, e);
    return e.value as T;
  }
  misses++;
  const value = yield* parse(e as { text: string; value: T } | undefined);
  entries.delete(key);
  entries.set(key, { text, value });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
  return value;
}

/** Hit and miss counts since the start (tests and benchmarks prove reuse with them). */
export function parseMemoStats(): { hits: number; misses: number; entries: number } {
  return { hits, misses, entries: entries.size };
}

export function clearParseMemo(): void {
  entries.clear();
}

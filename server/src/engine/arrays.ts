// Array helpers for inputs of any size.

/**
 * Appends every item of `items` to `out`. `out.push(...items)` passes each
 * item as an argument and overflows the stack past about 120,000 items (a
 * table or a list of that many lines is a real input); this does not.
 */
export function pushAll<T>(out: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) out.push(items[i]);
  return out;
}

/** The index of the first number of an ascending array that is at least n (its length when none is). */
export function firstAtLeast(sorted: readonly number[], n: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of elements of an ascending array that are at most x. */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the last number of an ascending array that is at most x (0 when none is): the line holding an offset, given line starts. */
export function lastAtMost(sorted: ArrayLike<number>, x: number): number {
  return Math.max(0, upperBound(sorted, x) - 1);
}

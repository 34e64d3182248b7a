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

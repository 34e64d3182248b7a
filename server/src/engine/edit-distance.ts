// One edit distance for every spelling suggestion (restriction names, parameter
// names, table file names).

export interface EditDistanceOptions {
  /**
   * Count swapping two adjacent characters as one edit (optimal string
   * alignment: smtpd_sasl_auth_enbale is one edit from ..._enable). Without
   * it, plain Levenshtein (the swap costs two).
   */
  transpositions?: boolean;
}

// Reused rows: "did you mean" runs for every unknown name against every known
// one, and a main.cf can hold a hundred thousand names.
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The distance between `a` and `b` when it is at most `max`, else `max + 1`.
 * A cell (i, j) of the table is at least |i - j| away (each edit moves one
 * diagonal at most), so only cells within `max` of the diagonal can be that
 * small and only those are computed: no m x n table for a word that may be
 * megabytes long.
 */
export function editDistance(a: string, b: string, max = Infinity, options: EditDistanceOptions = {}): number {
  const m = a.length;
  const n = b.length;
  // No distance exceeds the longer length; this also keeps `far` a small integer.
  const limit = Math.min(max, Math.max(m, n));
  const far = limit + 1;
  if (Math.abs(m - n) > limit) return Math.min(far, max + 1);
  const swaps = options.transpositions === true;
  if (rows[0].length < n + 2) rows = [new Int32Array(2 * n + 2), new Int32Array(2 * n + 2), new Int32Array(2 * n + 2)];
  // Three rows: the transposition looks two rows back.
  let [before, prev, cur] = rows;
  for (let j = 0; j <= n; j++) prev[j] = j <= limit ? j : far;
  prev[n + 1] = far;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - limit);
    const hi = Math.min(n, i + limit);
    cur[lo - 1] = lo === 1 ? i : far;
    let least = cur[lo - 1];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      if (swaps && i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, before[j - 2] + 1);
      cur[j] = v;
      if (v < least) least = v;
    }
    if (hi < n) cur[hi + 1] = far;
    // Every cell of this row is over the limit: no later cell can come back under it.
    if (least > limit) return Math.min(far, max + 1);
    const spare = before; // rotate the rows without an array per row
    before = prev;
    prev = cur;
    cur = spare;
  }
  return Math.min(prev[n], far);
}

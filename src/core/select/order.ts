/**
 * The one ordering every deterministic selection strategy cuts: ascending by score, ties broken by ascending
 * example index (as if a later example had an infinitesimally larger score). Because keep-top, keep-bottom,
 * sliding-window and non-extreme all take a contiguous run of this single order, they agree with each other:
 * keepTop(s, k) and keepBottom(s, N - k) partition the dataset, and keepTop(s, k) is slidingWindow(s, N - k, k).
 * Breaking ties by index (not randomly) makes a selection a pure function of the scores, so a pruned subset can
 * be recomputed from a saved score file without also saving a seed.
 *
 * Also the shared argument checks, so every strategy words its errors the same way.
 */

/**
 * Refuse NaN: a NaN score (a diverged run, an example never presented) has no place in an ordering, and sorting
 * would put it somewhere arbitrary. +-Infinity are ordered normally.
 */
export function checkScores(fn: string, scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`${fn}: score of example ${i} is NaN; drop or impute NaN scores first`);
  }
}

/** `keep` must be a whole number of examples the pool can supply. */
export function checkKeep(fn: string, keep: number, n: number): void {
  if (!Number.isInteger(keep) || keep < 0 || keep > n) {
    throw new RangeError(`${fn}: keep must be an integer count in [0, ${n}] (the number of examples), got ${keep}; for a fraction use keepCount(N, fraction)`);
  }
}

/** Example indices sorted ascending by (score, index). NaN must have been refused first (checkScores). */
export function ascendingOrder(scores: ArrayLike<number>): Int32Array {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // `s[a] - s[b]` is NaN for equal infinities; NaN is falsy, so those fall through to the index tie-break too.
  // -0 and +0 compare equal (difference 0), so they tie and are ordered by index.
  return order.sort((a, b) => scores[a] - scores[b] || a - b);
}

/** The indices order[from..to) as a new ascending Int32Array: a selection is reported in dataset order. */
export function sortedSlice(order: Int32Array, from: number, to: number): Int32Array {
  return order.slice(from, to).sort();
}

/**
 * The top-k examples by score as the analyses see them (label entropy, overlap, precision@k): when tied scores
 * straddle the k-th place, every tied example counts as in the top k with the same probability (the expected
 * membership under a uniformly random tie-break). Selection strategies break ties by index instead (order.ts),
 * because a training subset must be a definite set; a statistic must not depend on dataset order, and scores with
 * many ties (forgetting counts, where most examples score 0) would otherwise measure the index order. Without ties
 * at the boundary the two agree: the top-k set is exactly what keepTop(scores, k) keeps.
 */
import { checkScores } from './order';

export interface TopKCut {
  /** Example indices, descending by score (ties by ascending index). */
  readonly order: Int32Array;
  /** Positions [0, certain) of `order` are in the top k under any tie-break. */
  readonly certain: number;
  /** Positions [certain, tieEnd) are the tie group straddling place k (empty if none straddles). */
  readonly tieEnd: number;
  /** Probability that each member of the straddling tie group is in the top k: (k - certain) / (tieEnd - certain). */
  readonly share: number;
}

/** Example indices sorted descending by score, ties by ascending index; refuses NaN. */
export function descendingOrder(fn: string, scores: ArrayLike<number>): Int32Array {
  checkScores(fn, scores);
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Where the top k ends in `order` (from descendingOrder(scores)), and how the tie across place k is shared. */
export function topKCut(scores: ArrayLike<number>, order: Int32Array, k: number): TopKCut {
  const n = order.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`topKCut: k must be an integer in [0, ${n}], got ${k}`);
  if (k === 0 || k === n) return { order, certain: k, tieEnd: k, share: 0 };
  const v = scores[order[k - 1]];
  let end = k;
  while (end < n && scores[order[end]] === v) end++;
  if (end === k) return { order, certain: k, tieEnd: k, share: 0 };
  let start = k - 1;
  while (start > 0 && scores[order[start - 1]] === v) start--;
  return { order, certain: start, tieEnd: end, share: (k - start) / (end - start) };
}

/** Per-example probability of being in the top k (1, `share` or 0), written into `out` (length n). */
export function topKMembership(cut: TopKCut, out: Float64Array = new Float64Array(cut.order.length)): Float64Array {
  const { order, certain, tieEnd, share } = cut;
  out.fill(0);
  for (let p = 0; p < certain; p++) out[order[p]] = 1;
  for (let p = certain; p < tieEnd; p++) out[order[p]] = share;
  return out;
}

/** Checks a list of k values for a statistic over the top k of n examples: integers in [1, n]. */
export function checkKs(fn: string, ks: readonly number[], n: number): void {
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`${fn}: k must be an integer in [1, ${n}] (the number of examples), got ${k}`);
  }
}

/**
 * Score-threshold pruning, the Data Diet paper's main experiment (Paul et al. 2021, section 3): rank the examples by
 * score and prune the lowest-scoring ones (keepTop), so training uses the "hard" examples. keepBottom is the
 * opposite (keep the easiest), which the paper's sliding-window analysis (section 4) and curriculum-style baselines use.
 *
 * Ties are broken by example index through the shared order (see order.ts), so keepTop(s, k) and
 * keepBottom(s, N - k) are complements: what one prunes, the other keeps.
 */
import { ascendingOrder, checkKeep, checkScores, sortedSlice } from './order';

/** Indices (ascending) of the `keep` highest-scoring examples; the N - keep lowest are pruned. */
export function keepTop(scores: ArrayLike<number>, keep: number): Int32Array {
  checkScores('keepTop', scores);
  checkKeep('keepTop', keep, scores.length);
  const n = scores.length;
  return sortedSlice(ascendingOrder(scores), n - keep, n);
}

/** Indices (ascending) of the `keep` lowest-scoring examples; the N - keep highest are pruned. */
export function keepBottom(scores: ArrayLike<number>, keep: number): Int32Array {
  checkScores('keepBottom', scores);
  checkKeep('keepBottom', keep, scores.length);
  return sortedSlice(ascendingOrder(scores), 0, keep);
}

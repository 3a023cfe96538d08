/**
 * Sliding-window pruning (Paul et al. 2021, section 4 and appendix B): sort by score ascending, drop the `offset`
 * lowest-scoring examples, keep the next `size`, drop everything above. Keeping the very highest scores is not
 * always best: the highest-EL2N examples are often ambiguous or mislabeled, and with label noise the best window
 * moves down and excludes more of the top. Offset and size are the two hyperparameters to tune on a validation set.
 * keepTop(s, k) is the window (N - k, k); keepBottom(s, k) is (0, k).
 */
import { ascendingOrder, checkScores, sortedSlice } from './order';

/** Refuses a window that does not fit: offset + size must be at most n. Shared with select()'s class-balanced path. */
export function checkWindow(fn: string, offset: number, size: number, n: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`${fn}: offset must be a non-negative integer count, got ${offset}`);
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`${fn}: size must be a non-negative integer count, got ${size}`);
  if (offset + size > n) {
    throw new RangeError(
      `${fn}: offset ${offset} + size ${size} = ${offset + size} exceeds the ${n} examples; need offset + size <= ${n}` +
        (size <= n ? ` (offset <= ${n - size} for size ${size})` : ` (size alone exceeds the dataset)`),
    );
  }
}

/** Indices (ascending) of the examples at ranks [offset, offset + size) of the ascending score order. */
export function slidingWindow(scores: ArrayLike<number>, offset: number, size: number): Int32Array {
  checkWindow('slidingWindow', offset, size, scores.length);
  checkScores('slidingWindow', scores);
  return sortedSlice(ascendingOrder(scores), offset, offset + size);
}

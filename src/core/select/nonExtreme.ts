/**
 * Non-extreme Max-Gradient (Vodrahalli et al. 2018, section 3.2 c): order by score descending, discard the top
 * p% (5% in the paper), then keep the highest of the rest. Plain Max-Gradient (keepTop) picks up outliers and
 * poor examples with the very largest gradients; skipping the extreme tail keeps hard-but-learnable ones. It is
 * a sliding window (slidingWindow.ts) pinned to the top: offset N - drop - keep, size keep.
 */
import { ascendingOrder, checkKeep, checkScores, sortedSlice } from './order';

export interface NonExtremeOptions {
  /** Fraction of all examples discarded from the top, in [0, 1); default 0.05 as in the paper. */
  dropFraction?: number;
  /** Number of top examples discarded instead of a fraction (exactly one of the two may be given). */
  dropCount?: number;
}

export const DEFAULT_DROP_FRACTION = 0.05;

/** How many top examples `opts` discards from `n`: round(dropFraction * n), or dropCount. */
export function nonExtremeDropCount(n: number, opts: NonExtremeOptions = {}): number {
  if (opts.dropFraction !== undefined && opts.dropCount !== undefined) {
    throw new RangeError('nonExtreme: give dropFraction or dropCount, not both');
  }
  if (opts.dropCount !== undefined) {
    const d = opts.dropCount;
    if (!Number.isInteger(d) || d < 0 || d > n) throw new RangeError(`nonExtreme: dropCount must be an integer in [0, ${n}], got ${d}`);
    return d;
  }
  const p = opts.dropFraction ?? DEFAULT_DROP_FRACTION;
  if (!(p >= 0 && p < 1)) throw new RangeError(`nonExtreme: dropFraction must be a fraction in [0, 1) (0.05 = top 5%), got ${p}`);
  // round, not floor: 0.29 * 100 is 28.999999999999996 in floating point.
  return Math.round(p * n);
}

/** Refuses a keep count the examples left after the drop cannot supply. */
export function checkNonExtreme(fn: string, drop: number, keep: number, n: number): void {
  if (drop + keep > n) {
    throw new RangeError(
      `${fn}: discarding the top ${drop} of ${n} examples leaves ${n - drop}, fewer than keep = ${keep}; ` +
        `lower keep to at most ${n - drop} or discard fewer`,
    );
  }
}

/** Indices (ascending) of the `keep` highest-scoring examples after the top `drop` (see options) are discarded. */
export function nonExtreme(scores: ArrayLike<number>, keep: number, opts: NonExtremeOptions = {}): Int32Array {
  const n = scores.length;
  checkKeep('nonExtreme', keep, n);
  const drop = nonExtremeDropCount(n, opts);
  checkNonExtreme('nonExtreme', drop, keep, n);
  checkScores('nonExtreme', scores);
  const end = n - drop;
  return sortedSlice(ascendingOrder(scores), end - keep, end);
}

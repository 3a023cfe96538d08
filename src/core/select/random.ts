/**
 * The random-pruning baseline every pruning curve is compared against (Paul et al. 2021, Fig. 1 "Prune Randomly";
 * Vodrahalli et al. 2018, "Random"): a uniformly random subset of a given size, repeatable from its
 * stream (randomStreams.ts, purpose `select`), which no other purpose shares: the baseline must not be correlated
 * with what it is compared to (e.g. the injected label noise).
 */
import type { Rng } from '../random';
import { checkKeep } from './order';

/**
 * Indices (ascending) of a uniformly random `keep`-subset of 0..n-1. A partial Fisher-Yates shuffle: only the
 * first `keep` positions are drawn, so keeping 1% of a large dataset costs 1% of a full shuffle.
 */
export function randomSubset(n: number, keep: number, rng: Rng): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomSubset: n must be a non-negative integer, got ${n}`);
  checkKeep('randomSubset', keep, n);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < keep; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, keep).sort();
}

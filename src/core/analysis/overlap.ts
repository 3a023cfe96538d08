/**
 * Do two scores pick the same examples? |S1 ∩ S2| / k for the top-k sets S1, S2 of two score vectors: EL2N vs
 * GraNd vs forgetting, one run vs another, an early epoch vs a late one, or one model vs another (Vodrahalli et al.
 * 2018 find the largest-gradient images partly model-specific; Paul et al. 2021 compare scores by Spearman
 * correlation, which weighs the whole ranking, whereas pruning only cares about the top). Two independent random
 * rankings overlap by k/N on average, the baseline reported alongside.
 *
 * Tie groups across place k count in proportion (select/topK.ts), independently for each score, so the value is
 * the expected overlap under random tie-breaking and two heavily tied scores (forgetting counts) do not look alike
 * merely because both break ties by index.
 */
import { checkKs, descendingOrder, topKCut, topKMembership } from '../select/topK';

export interface TopKOverlap {
  /** The k values, as given. */
  readonly ks: number[];
  /** overlap[j]: |top ks[j] of a ∩ top ks[j] of b| / ks[j], in [0, 1]. */
  readonly overlap: number[];
  /** baseline[j] = ks[j] / N: the expected overlap of two unrelated random rankings. */
  readonly baseline: number[];
}

/** Top-k overlap of two score vectors over the same examples, for each k in `ks` (counts in [1, N]). */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, ks: readonly number[]): TopKOverlap {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`topKOverlap: lengths differ (${n} vs ${b.length})`);
  checkKs('topKOverlap', ks, n);
  const orderA = descendingOrder('topKOverlap (first scores)', a);
  const orderB = descendingOrder('topKOverlap (second scores)', b);
  const inB = new Float64Array(n);
  const overlap = ks.map((k) => {
    const cutA = topKCut(a, orderA, k);
    topKMembership(topKCut(b, orderB, k), inB);
    // E|S1 ∩ S2| = sum_i P(i in S1) P(i in S2), the tie-breaks of the two scores being independent.
    let sum = 0;
    for (let q = 0; q < cutA.certain; q++) sum += inB[orderA[q]];
    let tied = 0;
    for (let q = cutA.certain; q < cutA.tieEnd; q++) tied += inB[orderA[q]];
    // Clamp the float sum of shares: a value like 1.0000000000000002 would read as a bug.
    return Math.min(1, (sum + cutA.share * tied) / k);
  });
  return { ks: [...ks], overlap, baseline: ks.map((k) => k / n) };
}

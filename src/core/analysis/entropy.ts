/**
 * Label entropy of the top-k examples by score (Vodrahalli et al. 2018, Fig. 7 and 12): if the highest scores
 * concentrated in a few classes, keeping only them would skew the class balance of the pruned set, which is why
 * that paper prefers Gradient-CDF sampling and why select/classBalanced.ts exists. Entropy near the uniform baseline
 * log K means the top k covers the classes evenly; well below it means a few classes dominate.
 *
 * Natural log (nats), so the baseline is ln K (ln 10 = 2.303 for CIFAR-10); divide by ln 2 for bits. The top-k set
 * counts a tie group across place k in proportion (select/topK.ts); the entropy is that of the expected class
 * counts, which equals the plain entropy when nothing ties at the boundary.
 */
import { checkKs, descendingOrder, topKCut } from '../select/topK';

/** Shannon entropy (nats) of the distribution proportional to `counts` (counts may be fractional); 0 log 0 = 0. */
export function labelEntropy(counts: ArrayLike<number>): number {
  let total = 0;
  for (let c = 0; c < counts.length; c++) {
    if (!(counts[c] >= 0)) throw new RangeError(`labelEntropy: count of class ${c} is ${counts[c]}; counts must be >= 0`);
    total += counts[c];
  }
  if (total === 0) throw new RangeError('labelEntropy: all counts are 0; the distribution is undefined');
  let h = 0;
  for (let c = 0; c < counts.length; c++) {
    const p = counts[c] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  // Rounding can leave -1e-17 for a single class; entropy is never negative.
  return Math.max(0, h);
}

export interface TopKEntropy {
  /** The k values, as given. */
  readonly ks: number[];
  /** entropy[j]: label entropy (nats) of the top ks[j] examples by score. */
  readonly entropy: number[];
  /** ln K: the entropy of K equally frequent classes, the maximum possible. */
  readonly uniform: number;
  /** Entropy of the whole dataset's labels: what an unbiased (e.g. random) selection tends to as k grows. */
  readonly dataset: number;
  readonly numClasses: number;
}

/** Label entropy of the top-k examples by score for each k in `ks` (counts in [1, N]). */
export function topKLabelEntropy(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  ks: readonly number[],
  opts: { numClasses?: number } = {},
): TopKEntropy {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`topKLabelEntropy: ${n} scores but ${labels.length} labels`);
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`topKLabelEntropy: label of example ${i} is ${y}; labels must be non-negative integers`);
    if (y > maxLabel) maxLabel = y;
  }
  const numClasses = opts.numClasses ?? maxLabel + 1;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`topKLabelEntropy: numClasses must be a positive integer, got ${numClasses}`);
  if (maxLabel >= numClasses) throw new RangeError(`topKLabelEntropy: label ${maxLabel} out of range for ${numClasses} classes`);
  checkKs('topKLabelEntropy', ks, n);
  const order = descendingOrder('topKLabelEntropy', scores);
  const all = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) all[labels[i]]++;
  const counts = new Float64Array(numClasses);
  const entropy = ks.map((k) => {
    const cut = topKCut(scores, order, k);
    counts.fill(0);
    for (let q = 0; q < cut.certain; q++) counts[labels[order[q]]] += 1;
    for (let q = cut.certain; q < cut.tieEnd; q++) counts[labels[order[q]]] += cut.share;
    return labelEntropy(counts);
  });
  return { ks: [...ks], entropy, uniform: Math.log(numClasses), dataset: n > 0 ? labelEntropy(all) : NaN, numClasses };
}

/**
 * How well a score finds the corrupted labels: EL2N and forgetting scores of mislabeled examples are high (Paul et
 * al. 2021, appendix F, Fig. 17), so ranking by score and inspecting the top is a noisy-label detector. Three views:
 *   - AUROC: probability that a random corrupted example outscores a random clean one; 0.5 is chance.
 *   - average precision: area under the precision-recall curve, sensitive to the top of the ranking, where a
 *     person actually looks; chance is the corrupted fraction.
 *   - precision@k: the fraction of corrupted examples among the k highest scores.
 * Higher score = more suspicious. `positives` are 0/1 flags (e.g. LabelNoise.corrupted from data/noise.ts).
 *
 * Ties: AUROC counts a tied positive-negative pair as half (sklearn.metrics.roc_auc_score); average precision
 * treats tied scores as one threshold (sklearn.metrics.average_precision_score); precision@k counts the tie group
 * across place k in proportion (select/topK.ts), so none depends on dataset order. A metric that is undefined
 * (no positives, or for AUROC no negatives) is NaN, as spearman() is for a constant sample; sklearn raises there.
 */
import { descendingOrder, topKCut } from '../select/topK';
import { ranks } from './spearman';

function checkLabels(fn: string, scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  if (scores.length !== positives.length) throw new RangeError(`${fn}: ${scores.length} scores but ${positives.length} positive flags`);
  let p = 0;
  for (let i = 0; i < positives.length; i++) {
    const f = positives[i];
    if (f !== 0 && f !== 1) throw new RangeError(`${fn}: flag of example ${i} is ${f}; positives must be 0 or 1`);
    p += f;
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`${fn}: score of example ${i} is NaN; drop or impute NaN scores first`);
  }
  return p;
}

/**
 * Area under the ROC curve via the Mann-Whitney statistic: (sum of positive ranks - P(P+1)/2) / (P * N) with
 * average ranks for ties, which is exactly the trapezoidal area sklearn computes. NaN without positives or negatives.
 */
export function auroc(scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  const p = checkLabels('auroc', scores, positives);
  const neg = scores.length - p;
  if (p === 0 || neg === 0) return NaN;
  const r = ranks(scores);
  let sum = 0;
  for (let i = 0; i < r.length; i++) if (positives[i] === 1) sum += r[i];
  return (sum - (p * (p + 1)) / 2) / (p * neg);
}

/**
 * Average precision, sum over thresholds of (R_t - R_{t-1}) * P_t, one threshold per distinct score from the top
 * (sklearn.metrics.average_precision_score: step-wise, no interpolation). NaN without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  const p = checkLabels('averagePrecision', scores, positives);
  if (p === 0) return NaN;
  const order = descendingOrder('averagePrecision', scores);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let start = 0; start < order.length; ) {
    // A whole tie group enters at one threshold.
    let end = start;
    const v = scores[order[start]];
    while (end < order.length && scores[order[end]] === v) tp += positives[order[end++]];
    seen = end;
    const recall = tp / p;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
    start = end;
  }
  return ap;
}

/** Fraction of positives among the k highest scores (the straddling tie group counts in proportion). */
export function precisionAtK(scores: ArrayLike<number>, positives: ArrayLike<number>, k: number): number {
  checkLabels('precisionAtK', scores, positives);
  const n = scores.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`precisionAtK: k must be an integer in [1, ${n}] (the number of examples), got ${k}`);
  const cut = topKCut(scores, descendingOrder('precisionAtK', scores), k);
  let hits = 0;
  for (let q = 0; q < cut.certain; q++) hits += positives[cut.order[q]];
  let tied = 0;
  for (let q = cut.certain; q < cut.tieEnd; q++) tied += positives[cut.order[q]];
  return (hits + cut.share * tied) / k;
}

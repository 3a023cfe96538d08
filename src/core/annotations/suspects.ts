/**
 * "Suspected label issue", two ways:
 *   confident-learning  (Northcutt et al. 2021; labelErrors/confidentLearning.ts) per-class thresholds, the confident
 *       joint and the prune-by-noise-rate filter pick the issues, as many as the estimated noise; they are reviewed
 *       by self-confidence p(label | x), lowest first. The default for out-of-sample predictions (`datadiet audit`,
 *       imported predictions), where the method's guarantees hold.
 *   threshold  the model, averaged over the score run's K runs, confidently predicts another class than the label
 *       it was trained on, by a fixed margin. The default for a score run's in-sample predictions.
 * Either way each example gets a suspicion in [-1, 1], shown next to it:
 *   suspicion = max over classes c != label of p(c | x)  -  p(label | x)      (mean softmax over runs)
 * Positive means the model prefers another class; near 1 means it is sure the label is wrong. Examples are
 * flagged when suspicion >= threshold (a user setting; default 0.5, i.e. the other class leads by 50 points), and
 * the review queue walks them in descending suspicion, ties broken by a score (EL2N by default) so that the
 * examples the model fits worst come first. This margin is the final-epoch counterpart of AUM (Pleiss et al.
 * 2020); on MNIST with 10% permuted labels it ranks corrupted examples first (see the noise study in README).
 */
import { precisionAtK } from '../analysis/auroc';
import { calibrateJoint, confidentJoint, findLabelIssues, labelCounts, numLabelIssues, selfConfidence, type IssueFilter } from '../labelErrors/confidentLearning';
import { SUSPECT_METHODS, type SuspectMethod } from '../../contract/choices';
import { percentileRank } from '../analysis/percentiles';
import type { Predictions } from './predictions';

export const DEFAULT_SUSPECT_THRESHOLD = 0.5;
/**
 * Confident learning: in docs/label-errors.md (npm run bench:label-errors) it finds label errors with a mean F1 of
 * 0.84 over MNIST and Fashion-MNIST at 10% and 30% uniform and class-conditional noise, in-sample or cross-validated,
 * where the fixed threshold gets 0.69 and collapses (recall 0.12-0.16) at 30% class-conditional noise.
 */
export const DEFAULT_SUSPECT_METHOD: SuspectMethod = 'confident-learning';
export { SUSPECT_METHODS, type SuspectMethod };

export interface SuspectRanking {
  /** Per row: max_{c != label} p(c) - p(label). */
  readonly suspicion: Float32Array;
  /** Rows in review order: descending suspicion, then descending tie-break score, then ascending row. */
  readonly order: Int32Array;
  /** 1 where the method flags the row. */
  readonly flagged: Uint8Array;
  /** How many rows are flagged (they are the first `count` of `order`). */
  readonly count: number;
  readonly method: SuspectMethod;
  /** The threshold method's margin (also recorded for confident learning, where it does not apply). */
  readonly threshold: number;
  /** Confident learning: the filter, and the estimated number of label issues (the calibrated joint's off-diagonal). */
  readonly filter?: IssueFilter;
  readonly estimatedIssues?: number;
}

/** max_{c != y} p_c - p_y for every row of an N x K probability matrix. */
export function suspicionFromProbs(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float32Array {
  const n = labels.length;
  if (probs.length !== n * k) throw new RangeError(`suspicionFromProbs: ${probs.length} probabilities for ${n} rows x ${k} classes`);
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const y = labels[r];
    if (!(y >= 0 && y < k)) throw new RangeError(`suspicionFromProbs: label ${y} at row ${r} is outside 0..${k - 1}`);
    let other = -Infinity;
    for (let c = 0; c < k; c++) if (c !== y) other = Math.max(other, probs[r * k + c]);
    out[r] = other - probs[r * k + y];
  }
  return out;
}

export interface SuspectOptions {
  /** How rows are flagged; default threshold (loadRunSuspects: DEFAULT_SUSPECT_METHOD). */
  readonly method?: SuspectMethod;
  /** Confident learning's filter (default prune_by_noise_rate, the paper's and cleanlab's). */
  readonly filter?: IssueFilter;
  /** Threshold method: flag rows whose suspicion reaches this (in [-1, 1]). */
  readonly threshold?: number;
  /** Tie-break score aligned with the rows (higher = more suspicious), e.g. mean EL2N. */
  readonly tieBreak?: ArrayLike<number>;
}

export function rankSuspects(pred: Pick<Predictions, 'probs' | 'label' | 'numClasses'>, opts: SuspectOptions = {}): SuspectRanking {
  const threshold = opts.threshold ?? DEFAULT_SUSPECT_THRESHOLD;
  const method = opts.method ?? 'threshold';
  if (!(SUSPECT_METHODS as readonly string[]).includes(method)) throw new RangeError(`suspect method must be one of ${SUSPECT_METHODS.join(', ')}, got ${method}`);
  if (!(threshold >= -1 && threshold <= 1)) throw new RangeError(`suspect threshold must be in [-1, 1] (0.5 = another class leads by 50 points), got ${threshold}`);
  const k = pred.numClasses;
  const suspicion = suspicionFromProbs(pred.probs, pred.label, k);
  const n = suspicion.length;
  const tb = opts.tieBreak;
  if (tb && tb.length !== n) throw new RangeError(`tie-break score has ${tb.length} values for ${n} rows`);
  let flagged: Uint8Array;
  let order: Int32Array;
  let estimated: { filter: IssueFilter; estimatedIssues: number } | undefined;
  if (method === 'confident-learning') {
    const filter = opts.filter ?? 'prune_by_noise_rate';
    flagged = n ? findLabelIssues(pred.probs, pred.label, k, { filter }) : new Uint8Array(0);
    estimated = { filter, estimatedIssues: n ? numLabelIssues(calibrateJoint(confidentJoint(pred.probs, pred.label, k), labelCounts(pred.label, k)), n) : 0 };
    // Issues first, least self-confident first (cleanlab's label-quality order); then the rest by suspicion.
    const self = n ? selfConfidence(pred.probs, pred.label, k) : new Float64Array(0);
    order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => flagged[b] - flagged[a] || (flagged[a] ? self[a] - self[b] : suspicion[b] - suspicion[a]) || (tb ? tb[b] - tb[a] : 0) || a - b,
    );
  } else {
    flagged = Uint8Array.from(suspicion, (v) => (v >= threshold ? 1 : 0));
    order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => suspicion[b] - suspicion[a] || (tb ? tb[b] - tb[a] : 0) || a - b);
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += flagged[i];
  return { suspicion, order, flagged, count, method, threshold, ...estimated };
}

/** Fraction of truly corrupted rows among the first k of the review order (k clipped to the row count). */
export function queuePrecisionAt(order: ArrayLike<number>, corrupted: ArrayLike<number>, k: number): number {
  const m = Math.min(k, order.length);
  if (m === 0) return NaN;
  let hits = 0;
  for (let q = 0; q < m; q++) hits += corrupted[order[q]] ? 1 : 0;
  return hits / m;
}

export interface SuspectQuality {
  readonly flagged: number;
  readonly corrupted: number;
  /** Precision of the review queue's first k. */
  readonly precisionAt: Record<string, number>;
  /** Precision and recall of the flagged set. */
  readonly flaggedPrecision: number;
  readonly flaggedRecall: number;
  /** precision@k of the suspicion as a plain score (ties shared), for comparison with the score tables. */
  readonly scorePrecisionAt: Record<string, number>;
}

/** How well the queue finds known corrupted labels (noise study). */
export function suspectQuality(r: SuspectRanking, corrupted: ArrayLike<number>, ks: readonly number[] = [100, 500, 1000]): SuspectQuality {
  const n = r.suspicion.length;
  if (corrupted.length !== n) throw new RangeError(`corrupted flags: ${corrupted.length} for ${n} rows`);
  let positives = 0;
  let tp = 0;
  for (let i = 0; i < n; i++) {
    positives += corrupted[i] ? 1 : 0;
    if (corrupted[i] && r.flagged[i]) tp++;
  }
  const valid = ks.filter((k) => k >= 1 && k <= n);
  return {
    flagged: r.count,
    corrupted: positives,
    precisionAt: Object.fromEntries(valid.map((k) => [String(k), queuePrecisionAt(r.order, corrupted, k)])),
    flaggedPrecision: r.count ? tp / r.count : NaN,
    flaggedRecall: positives ? tp / positives : NaN,
    scorePrecisionAt: Object.fromEntries(valid.map((k) => [String(k), precisionAtK(r.suspicion, corrupted, k)])),
  };
}

/** A row's place among all rows by a score, as a percentile in [0, 100] (100 = highest). */
export function scorePercentiles(score: ArrayLike<number>): Float32Array {
  return Float32Array.from(percentileRank(score), (q) => 100 * q);
}

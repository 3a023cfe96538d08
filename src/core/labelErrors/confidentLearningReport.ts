/**
 * Everything confident learning says about one matrix of out-of-sample probabilities, in one pass: the per-class
 * thresholds, the confident joint, its calibration, the noise matrices and the latent prior, the estimated number of
 * issues, the issues the chosen filter picks, and both label-quality scores (confidentLearning.ts defines each).
 */
import {
  calibrateJoint,
  confidentJoint,
  confidentThresholds,
  estimateNoise,
  findLabelIssues,
  labelCounts,
  normalizedMargin,
  numLabelIssues,
  selfConfidence,
  type IssueFilter,
  type Joint,
  type Labels,
  type NoiseEstimate,
  type Probs,
} from './confidentLearning';

export interface ConfidentLearningReport extends NoiseEstimate {
  readonly filter: IssueFilter;
  /** Examples per given label. */
  readonly labelCounts: number[];
  /** Per-class thresholds t_j (null for a class nobody is labelled with: JSON has no Infinity). */
  readonly thresholds: (number | null)[];
  /** Counts of (given label, confident class). */
  readonly confidentJoint: Joint;
  /** The confident joint calibrated to the label counts and N. */
  readonly calibratedJoint: Joint;
  /** Estimated number of label issues (off-diagonal share of the calibrated joint, times N). */
  readonly estimatedIssues: number;
  /** 1 for the examples the filter flags. */
  readonly issues: Uint8Array;
  readonly flagged: number;
  /** p(given label): low = likely an issue. */
  readonly selfConfidence: Float64Array;
  /** (p(given) - max other p + 1) / 2: low = likely an issue. */
  readonly normalizedMargin: Float64Array;
}

export function confidentLearningReport(probs: Probs, labels: Labels, k: number, filter: IssueFilter): ConfidentLearningReport {
  const counts = labelCounts(labels, k);
  const thresholds = confidentThresholds(probs, labels, k);
  const cj = confidentJoint(probs, labels, k, thresholds);
  const calibrated = calibrateJoint(cj, counts);
  const issues = findLabelIssues(probs, labels, k, { filter });
  return {
    filter,
    labelCounts: counts,
    thresholds: thresholds.map((t) => (Number.isFinite(t) ? t : null)),
    confidentJoint: cj,
    calibratedJoint: calibrated,
    ...estimateNoise(calibrated),
    estimatedIssues: numLabelIssues(calibrated, labels.length),
    issues,
    flagged: issues.reduce((a, v) => a + v, 0),
    selfConfidence: selfConfidence(probs, labels, k),
    normalizedMargin: normalizedMargin(probs, labels, k),
  };
}

export interface NoiseRate {
  /** The label the examples carry. */
  readonly given: number;
  /** The class they belong to. */
  readonly true: number;
  /** P(given | true): the share of the true class labelled `given`. */
  readonly rate: number;
}

/** The largest off-diagonal noise rates ("about 4% of 7s are labelled 1"), largest first, at least `min`. */
export function topNoiseRates(noiseMatrix: readonly (readonly number[])[], count: number, min = 0.005): NoiseRate[] {
  const out: NoiseRate[] = [];
  noiseMatrix.forEach((row, g) => row.forEach((rate, t) => g !== t && rate >= min && out.push({ given: g, true: t, rate })));
  return out.sort((a, b) => b.rate - a.rate || a.true - b.true || a.given - b.given).slice(0, count);
}

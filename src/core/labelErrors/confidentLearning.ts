/**
 * Confident learning (Northcutt, Jiang & Chuang, JAIR 2021): from out-of-sample predicted probabilities and the given
 * labels, count the examples confidently belonging to another class than their label (the confident joint), calibrate
 * those counts into an estimate of the joint of given and true labels, read the noise rates and the number of label
 * issues off it, and pick which examples are the issues. Definitions follow the paper (and cleanlab's conventions:
 * rows of the joint are the given label, columns the true label).
 *
 * Probabilities are an N x K row-major matrix; labels are 0..K-1 (a class without labelled examples is allowed: it is
 * never an example's confident class).
 */

import { ISSUE_FILTERS, type IssueFilter } from '../../contract/choices';

export type Probs = ArrayLike<number>;
export type Labels = ArrayLike<number>;

/** A K x K count matrix, row-major: [given][true]. */
export type Joint = number[][];

function check(probs: Probs, labels: Labels, k: number): number {
  const n = labels.length;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`confident learning needs at least 2 classes, got ${k}`);
  if (probs.length !== n * k) throw new RangeError(`${probs.length} probabilities for ${n} examples x ${k} classes`);
  for (let i = 0; i < n; i++) if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < k)) throw new RangeError(`label ${labels[i]} of example ${i} is outside 0..${k - 1}`);
  return n;
}

/** Examples per given label. */
export function labelCounts(labels: Labels, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/**
 * Per-class thresholds t_j: the mean predicted probability of class j over the examples labelled j (the model's
 * expected self-confidence for that class). An example "confidently belongs" to j when p_j >= t_j.
 */
export function confidentThresholds(probs: Probs, labels: Labels, k: number): number[] {
  const n = check(probs, labels, k);
  const sum = new Array<number>(k).fill(0);
  const count = labelCounts(labels, k);
  for (let i = 0; i < n; i++) sum[labels[i]] += probs[i * k + labels[i]];
  // A class nobody is labelled with has no expected self-confidence: no example confidently belongs to it.
  return sum.map((s, j) => (count[j] === 0 ? Infinity : s / count[j]));
}

/** Slack under a threshold, so that an example exactly at its class's mean counts despite float rounding. */
const SLACK = 1e-6;

/**
 * The class each example confidently belongs to, or -1 when no class reaches its threshold: the one class at or
 * above its threshold, or, when several are, the most probable of all.
 */
export function confidentClasses(probs: Probs, labels: Labels, k: number, thresholds = confidentThresholds(probs, labels, k)): Int32Array {
  const n = check(probs, labels, k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let above = 0;
    let only = -1;
    let best = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (p >= thresholds[j] - SLACK) {
        above++;
        only = j;
      }
      if (p > probs[i * k + best]) best = j;
    }
    out[i] = above === 0 ? -1 : above === 1 ? only : best;
  }
  return out;
}

/** Counts of (given label, confident class), with every diagonal at least 1 (each class keeps a correct example). */
export function confidentJoint(probs: Probs, labels: Labels, k: number, thresholds?: readonly number[]): Joint {
  const guess = confidentClasses(probs, labels, k, thresholds ? [...thresholds] : undefined);
  const cj: Joint = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < guess.length; i++) if (guess[i] >= 0) cj[labels[i]][guess[i]]++;
  for (let j = 0; j < k; j++) cj[j][j] = Math.max(1, cj[j][j]);
  return cj;
}

/**
 * Integer rounding of a non-negative matrix that keeps each row's total (rounded): floors, then the largest
 * remainders of the row get the missing units (ties to the lower column).
 */
export function roundPreservingRowTotals(m: readonly (readonly number[])[]): Joint {
  return m.map((row) => {
    const total = Math.round(row.reduce((a, v) => a + v, 0));
    const out = row.map((v) => Math.floor(v));
    let missing = total - out.reduce((a, v) => a + v, 0);
    const order = row.map((v, j) => ({ j, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r || a.j - b.j);
    for (let q = 0; missing > 0 && q < order.length; q++, missing--) out[order[q].j]++;
    return out;
  });
}

/**
 * The confident joint calibrated into joint counts of (given, true) labels: each row scaled to its class's label
 * count, then the whole to N, rounded keeping the row totals.
 */
export function calibrateJoint(cj: Joint, counts: readonly number[]): Joint {
  const rows = cj.map((row, j) => {
    const s = row.reduce((a, v) => a + v, 0);
    return row.map((v) => (s > 0 ? (v / s) * counts[j] : 0));
  });
  const total = rows.flat().reduce((a, v) => a + v, 0);
  const n = counts.reduce((a, v) => a + v, 0);
  return roundPreservingRowTotals(rows.map((row) => row.map((v) => (total > 0 ? (v / total) * n : 0))));
}

/** Estimated number of label issues: the off-diagonal share of the (calibrated) joint, times N, rounded down. */
export function numLabelIssues(joint: Joint, n: number): number {
  const total = joint.flat().reduce((a, v) => a + v, 0);
  const trace = joint.reduce((a, row, j) => a + row[j], 0);
  // Integer arithmetic first: (1 - 7/9) * 9 in floats is 1.999..., not 2.
  return total > 0 ? Math.floor(((total - trace) * n) / total + 1e-9) : 0;
}

export interface NoiseEstimate {
  /** P(given = i | true = j), [given][true]: each column sums to 1. */
  readonly noiseMatrix: number[][];
  /** P(true = j | given = i), [true][given]: each column sums to 1. */
  readonly inverseNoiseMatrix: number[][];
  /** P(true = j), from the joint's columns. */
  readonly truePrior: number[];
}

/** Noise rates and the latent class prior read off a joint. */
export function estimateNoise(joint: Joint): NoiseEstimate {
  const k = joint.length;
  const colSum = Array.from({ length: k }, (_, j) => joint.reduce((a, row) => a + row[j], 0));
  const rowSum = joint.map((row) => row.reduce((a, v) => a + v, 0));
  const total = rowSum.reduce((a, v) => a + v, 0);
  return {
    noiseMatrix: joint.map((row) => row.map((v, j) => (colSum[j] > 0 ? v / colSum[j] : 0))),
    inverseNoiseMatrix: Array.from({ length: k }, (_, t) => joint.map((row, g) => (rowSum[g] > 0 ? row[t] / rowSum[g] : 0))),
    truePrior: colSum.map((c) => (total > 0 ? c / total : 0)),
  };
}

// The filters are named in the contract: the CLI's --filter offers them.
export const FILTERS = ISSUE_FILTERS;
export type { IssueFilter };

export interface FindOptions {
  readonly filter?: IssueFilter;
  /** Classes with at most this many labelled examples are not pruned (rare classes keep their data). */
  readonly minExamplesPerClass?: number;
}

/**
 * How many of each given class to prune toward each true class: the calibrated joint, with every diagonal raised to
 * at least `n` (taken from the off-diagonals of that row in proportion, so the row total stays).
 */
export function pruneCounts(joint: Joint, n: number): Joint {
  return roundPreservingRowTotals(
    joint.map((row, g) => {
      const total = row.reduce((a, v) => a + v, 0);
      const diag = Math.min(total, Math.max(row[g], n));
      const off = total - row[g];
      const keepOff = total - diag;
      return row.map((v, t) => (t === g ? diag : off > 0 ? (v * keepOff) / off : 0));
    }),
  );
}

/** The `count` largest values' cut: the count-th largest value (so `>= cut` takes at least `count`, ties included). */
function nthLargest(values: number[], count: number): number {
  const sorted = [...values].sort((a, b) => b - a);
  return sorted[Math.min(count, sorted.length) - 1];
}

/** Label issues as a mask (1 = issue). The default filter is the paper's prune-by-noise-rate. */
export function findLabelIssues(probs: Probs, labels: Labels, k: number, opts: FindOptions = {}): Uint8Array {
  const n = check(probs, labels, k);
  const filter = opts.filter ?? 'prune_by_noise_rate';
  const minPerClass = opts.minExamplesPerClass ?? 1;
  const mask = new Uint8Array(n);
  if (filter === 'predicted_neq_given') {
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
      mask[i] = best !== labels[i] ? 1 : 0;
    }
    return mask;
  }
  const thresholds = confidentThresholds(probs, labels, k);
  if (filter === 'confident_learning') {
    const guess = confidentClasses(probs, labels, k, thresholds);
    for (let i = 0; i < n; i++) mask[i] = guess[i] >= 0 && guess[i] !== labels[i] ? 1 : 0;
    return mask;
  }
  const counts = labelCounts(labels, k);
  const prune = pruneCounts(calibrateJoint(confidentJoint(probs, labels, k, thresholds), counts), minPerClass);
  const members = Array.from({ length: k }, () => [] as number[]);
  for (let i = 0; i < n; i++) members[labels[i]].push(i);

  const byNoiseRate = new Uint8Array(n);
  const byClass = new Uint8Array(n);
  for (let g = 0; g < k; g++) {
    if (counts[g] <= minPerClass) continue;
    const rows = members[g];
    // Toward each other class t, the examples labelled g the model most prefers t over g for.
    for (let t = 0; t < k; t++) {
      const num = prune[g][t];
      if (t === g || num <= 0) continue;
      const margin = rows.map((i) => probs[i * k + t] - probs[i * k + g]);
      const cut = nthLargest(margin, num);
      rows.forEach((i, q) => margin[q] >= cut && (byNoiseRate[i] = 1));
    }
    // The examples labelled g the model finds least likely to be g, as many as the row's off-diagonal.
    const issues = counts[g] - prune[g][g];
    if (issues > 0) {
      const self = rows.map((i) => probs[i * k + g]);
      const rank = [...self].sort((a, b) => a - b)[Math.min(issues, self.length - 1)];
      rows.forEach((i, q) => self[q] < rank && (byClass[i] = 1));
    }
  }
  for (let i = 0; i < n; i++) {
    mask[i] = filter === 'prune_by_noise_rate' ? byNoiseRate[i] : filter === 'prune_by_class' ? byClass[i] : byNoiseRate[i] & byClass[i];
  }
  return mask;
}

/** Label quality by self-confidence: p(given label). Low = likely an issue. */
export function selfConfidence(probs: Probs, labels: Labels, k: number): Float64Array {
  const n = check(probs, labels, k);
  return Float64Array.from({ length: n }, (_, i) => probs[i * k + labels[i]]);
}

/** Label quality by normalized margin: (p(given) - max other p + 1) / 2, in [0, 1]. Low = likely an issue. */
export function normalizedMargin(probs: Probs, labels: Labels, k: number): Float64Array {
  const n = check(probs, labels, k);
  return Float64Array.from({ length: n }, (_, i) => {
    let other = -Infinity;
    for (let j = 0; j < k; j++) if (j !== labels[i]) other = Math.max(other, probs[i * k + j]);
    return (probs[i * k + labels[i]] - other + 1) / 2;
  });
}

/** Indices of the flagged examples, worst label quality first (ties by index). */
export function rankIssues(mask: ArrayLike<number>, quality: ArrayLike<number>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) idx.push(i);
  return idx.sort((a, b) => quality[a] - quality[b] || a - b);
}

/**
 * Area under the margin (AUM, Pleiss et al. 2020, "Identifying Mislabeled Data using the Area Under the Margin
 * Ranking"): at each presentation of an example, margin = logit_y - max_{k != y} logit_k, on the raw logits
 * (pre-softmax, as in the paper). AUM is the mean margin over the presentations. Correctly learned examples have
 * large positive AUM; mislabeled ones are pushed towards their true class and keep a negative margin, so low AUM
 * flags noisy labels.
 */
import { assertLogitsShape } from './el2n';

function assertMarginClasses(fn: string, numClasses: number): void {
  // With one class there is no "other" logit and the margin is undefined.
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new RangeError(`${fn}: numClasses must be an integer >= 2, got ${numClasses}`);
}

/** Margin of row `row`: logit of `label` minus the largest other logit, in float64. */
function rowMargin(logits: Float32Array, row: number, label: number, numClasses: number): number {
  const off = row * numClasses;
  let other = -Infinity;
  for (let k = 0; k < numClasses; k++) if (k !== label && logits[off + k] > other) other = logits[off + k];
  return logits[off + label] - other;
}

/** Per-row margin logit_y - max_{k != y} logit_k for an N*K row-major logits array (one pass, no averaging). */
export function marginFromLogits(logits: Float32Array, labels: Int32Array, numClasses: number): Float32Array {
  assertMarginClasses('marginFromLogits', numClasses);
  const n = assertLogitsShape('marginFromLogits', logits, numClasses, labels);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rowMargin(logits, i, labels[i], numClasses);
  return out;
}

/** Accumulates margins over training presentations; result() is the AUM per example. */
export class MarginTracker {
  private readonly sum: Float64Array;
  private readonly count: Int32Array;

  constructor(
    readonly numExamples: number,
    readonly numClasses: number,
  ) {
    if (!Number.isInteger(numExamples) || numExamples < 0) throw new RangeError(`MarginTracker: numExamples must be a non-negative integer, got ${numExamples}`);
    assertMarginClasses('MarginTracker', numClasses);
    this.sum = new Float64Array(numExamples);
    this.count = new Int32Array(numExamples);
  }

  /** Records one minibatch: rows of `logits` (n*K) belong to dataset examples `indices`, with labels `labels`. */
  update(indices: Int32Array, logits: Float32Array, labels: Int32Array): void {
    const n = assertLogitsShape('MarginTracker.update', logits, this.numClasses, labels);
    if (indices.length !== n) throw new RangeError(`MarginTracker.update: ${indices.length} indices for ${n} logit rows`);
    for (let j = 0; j < n; j++) {
      const i = indices[j];
      if (i < 0 || i >= this.numExamples) throw new RangeError(`MarginTracker.update: index ${i} at batch position ${j} is outside [0, ${this.numExamples})`);
    }
    for (let j = 0; j < n; j++) {
      this.sum[indices[j]] += rowMargin(logits, j, labels[j], this.numClasses);
      this.count[indices[j]]++;
    }
  }

  /** AUM per example; NaN for examples never presented (no margin was ever observed). */
  result(): Float32Array {
    const out = new Float32Array(this.numExamples);
    for (let i = 0; i < this.numExamples; i++) out[i] = this.count[i] > 0 ? this.sum[i] / this.count[i] : NaN;
    return out;
  }

  /** How many times each example was presented. */
  presentations(): Int32Array {
    return this.count.slice();
  }
}

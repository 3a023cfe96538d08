/**
 * Dataset cartography (Swayamdipta et al. 2020, "Dataset Cartography: Mapping and Diagnosing Datasets with
 * Training Dynamics"). At each presentation of an example, p_y = softmax probability of its label. Over the
 * presentations:
 *   confidence  = mean of p_y
 *   variability = population standard deviation of p_y (np.std, ddof = 0, as in the paper's code)
 *   correctness = fraction of presentations whose prediction (argmax) was the label
 * Easy-to-learn examples have high confidence and low variability, hard-to-learn (often mislabeled) ones low
 * confidence, and ambiguous ones high variability.
 *
 * Mean and variance are accumulated with Welford's algorithm: one pass, no per-presentation history, and no
 * catastrophic cancellation of the naive sum-of-squares formula when p_y stays near 1.
 */
import { assertLogitsShape, softmaxRowInto } from './el2n';

export interface DataMap {
  /** Mean p_y over presentations; NaN if never presented. */
  confidence: Float32Array;
  /** Population std of p_y over presentations; NaN if never presented. */
  variability: Float32Array;
  /** Fraction of presentations where argmax == label; NaN if never presented. */
  correctness: Float32Array;
}

export class DataMapTracker {
  private readonly count: Int32Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly correct: Int32Array;
  private readonly probs: Float64Array;

  constructor(
    readonly numExamples: number,
    readonly numClasses: number,
  ) {
    if (!Number.isInteger(numExamples) || numExamples < 0) throw new RangeError(`DataMapTracker: numExamples must be a non-negative integer, got ${numExamples}`);
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`DataMapTracker: numClasses must be a positive integer, got ${numClasses}`);
    this.count = new Int32Array(numExamples);
    this.mean = new Float64Array(numExamples);
    this.m2 = new Float64Array(numExamples);
    this.correct = new Int32Array(numExamples);
    this.probs = new Float64Array(numClasses);
  }

  /** Records one minibatch: rows of `logits` (n*K) belong to dataset examples `indices`, with labels `labels`. */
  update(indices: Int32Array, logits: Float32Array, labels: Int32Array): void {
    const K = this.numClasses;
    const n = assertLogitsShape('DataMapTracker.update', logits, K, labels);
    if (indices.length !== n) throw new RangeError(`DataMapTracker.update: ${indices.length} indices for ${n} logit rows`);
    for (let j = 0; j < n; j++) {
      const i = indices[j];
      if (i < 0 || i >= this.numExamples) throw new RangeError(`DataMapTracker.update: index ${i} at batch position ${j} is outside [0, ${this.numExamples})`);
    }
    const p = this.probs;
    for (let j = 0; j < n; j++) {
      const i = indices[j];
      const y = labels[j];
      softmaxRowInto(logits, j, K, p);
      // argmax with the first index winning ties, like tf.argMax and np.argmax.
      let best = 0;
      for (let k = 1; k < K; k++) if (logits[j * K + k] > logits[j * K + best]) best = k;
      if (best === y) this.correct[i]++;
      const c = ++this.count[i];
      const delta = p[y] - this.mean[i];
      this.mean[i] += delta / c;
      this.m2[i] += delta * (p[y] - this.mean[i]);
    }
  }

  result(): DataMap {
    const n = this.numExamples;
    const confidence = new Float32Array(n);
    const variability = new Float32Array(n);
    const correctness = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const c = this.count[i];
      if (c === 0) {
        confidence[i] = variability[i] = correctness[i] = NaN;
        continue;
      }
      confidence[i] = this.mean[i];
      variability[i] = Math.sqrt(this.m2[i] / c);
      correctness[i] = this.correct[i] / c;
    }
    return { confidence, variability, correctness };
  }

  /** How many times each example was presented. */
  presentations(): Int32Array {
    return this.count.slice();
  }
}

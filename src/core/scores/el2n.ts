/**
 * EL2N (Paul et al. 2021, "Deep Learning on a Data Diet", Definition 2.3): the L2 norm of the error vector
 * softmax(f(x)) - onehot(y). Averaged over a few independent runs early in training it ranks examples by how
 * hard they are; pruning the lowest-scoring ones costs little accuracy.
 *
 * Logits come in as one row-major N*K Float32Array (what a batched forward pass downloads). Per row the softmax is
 * computed in float64 after subtracting the row max, so logits like 1000 or -1000 neither overflow to Infinity nor
 * underflow every class to 0 (which would give 0/0 = NaN). Non-finite logits (a diverged model) give NaN scores
 * rather than an error: the caller decides whether a diverged run is fatal.
 */

/** Checks the shapes every per-example score over logits relies on; `fn` names the caller in the error. */
export function assertLogitsShape(fn: string, logits: Float32Array, numClasses: number, labels?: Int32Array): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`${fn}: numClasses must be a positive integer, got ${numClasses}`);
  if (logits.length % numClasses !== 0) {
    throw new RangeError(`${fn}: logits length ${logits.length} is not a multiple of numClasses ${numClasses} (expected N*K, row-major)`);
  }
  const n = logits.length / numClasses;
  if (labels) {
    if (labels.length !== n) throw new RangeError(`${fn}: ${labels.length} labels for ${n} logit rows (logits length ${logits.length} / K ${numClasses})`);
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      if (y < 0 || y >= numClasses) throw new RangeError(`${fn}: label ${y} of row ${i} is outside [0, ${numClasses})`);
    }
  }
  return n;
}

/**
 * Softmax of row `row` into `out` (length >= K), in float64 with max subtraction. Shared by the scores that need
 * probabilities so they all agree to the last bit.
 */
export function softmaxRowInto(logits: Float32Array, row: number, numClasses: number, out: Float64Array): void {
  const off = row * numClasses;
  let max = -Infinity;
  for (let k = 0; k < numClasses; k++) if (logits[off + k] > max) max = logits[off + k];
  // A NaN logit (or an Infinity, via Inf - Inf) makes exp() NaN, which then poisons the whole row through `sum`:
  // a diverged model must not yield a plausible-looking distribution.
  let sum = 0;
  for (let k = 0; k < numClasses; k++) {
    const e = Math.exp(logits[off + k] - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < numClasses; k++) out[k] /= sum;
}

/** Row-wise softmax of an N*K row-major logits array; float64 inside, float32 out. */
export function softmaxRows(logits: Float32Array, numClasses: number): Float32Array {
  const n = assertLogitsShape('softmaxRows', logits, numClasses);
  const out = new Float32Array(logits.length);
  const p = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    softmaxRowInto(logits, i, numClasses, p);
    out.set(p, i * numClasses);
  }
  return out;
}

/** EL2N_i = ||softmax(logits_i) - onehot(y_i)||_2 for each of the N rows. */
export function el2nFromLogits(logits: Float32Array, labels: Int32Array, numClasses: number): Float32Array {
  const n = assertLogitsShape('el2nFromLogits', logits, numClasses, labels);
  const out = new Float32Array(n);
  const p = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    softmaxRowInto(logits, i, numClasses, p);
    const y = labels[i];
    let acc = 0;
    for (let k = 0; k < numClasses; k++) {
      const d = k === y ? p[k] - 1 : p[k];
      acc += d * d;
    }
    out[i] = Math.sqrt(acc);
  }
  return out;
}

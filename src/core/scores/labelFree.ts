/**
 * Label-independent scores of the Data Diet appendix D (Eqs. 10-12), the ablation asking whether EL2N/GraNd
 * work because of the labels. Only Score_2 is computable from logits alone:
 *
 *   Score_2(x) = || softmax(f(x)) - (1/K) 1 ||_2
 *
 * i.e. how far the prediction is from uniform, whatever the label. Score_1 (||sum_k psi^(k)(x)||_2) and Score_3
 * (sum_k ||psi^(k)(x)||_2^2) need the per-example logit gradients psi^(k) = d f^(k) / d w, so they belong with the
 * gradient-based scores and are not computed here: with perExampleGradNorms (perExampleGrads.ts), Score_1 is the
 * L2 norm for an all-ones cotangent, and Score_3 the sum over k of the squared L2 norms for cotangent onehot(k).
 *
 * The paper found only the label-dependent scores beat random pruning; this exists to reproduce that ablation.
 */
import { assertLogitsShape, softmaxRowInto } from './el2n';

/** Score_2_i = ||softmax(logits_i) - 1/K||_2 for each of the N rows of an N*K row-major logits array. */
export function labelFreeScore2(logits: Float32Array, numClasses: number): Float32Array {
  const n = assertLogitsShape('labelFreeScore2', logits, numClasses);
  const out = new Float32Array(n);
  const p = new Float64Array(numClasses);
  const uniform = 1 / numClasses;
  for (let i = 0; i < n; i++) {
    softmaxRowInto(logits, i, numClasses, p);
    let acc = 0;
    for (let k = 0; k < numClasses; k++) {
      const d = p[k] - uniform;
      acc += d * d;
    }
    out[i] = Math.sqrt(acc);
  }
  return out;
}

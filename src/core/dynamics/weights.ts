import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../compute/read';
import type { Model } from '../models/model';

/**
 * A copy of a model's parameters and batch-norm statistics, in the model's stable order (params, then state), so
 * a network can be forked (linear-mode connectivity children) and two networks can be interpolated.
 */
export interface WeightSnapshot {
  readonly params: Float32Array[];
  readonly state: Float32Array[];
}

export function snapshotWeights(model: Model): WeightSnapshot {
  return {
    params: model.params.map((p) => Float32Array.from(readSync(p.variable, 'weight snapshots (training dynamics)'))),
    state: model.state.map((v) => Float32Array.from(readSync(v, 'weight snapshots (training dynamics)'))),
  };
}

export function loadWeights(model: Model, w: WeightSnapshot): void {
  if (w.params.length !== model.params.length || w.state.length !== model.state.length) {
    throw new Error(`snapshot has ${w.params.length} parameters and ${w.state.length} state tensors, the model ${model.params.length} and ${model.state.length}`);
  }
  const assign = (v: tf.Variable, values: Float32Array) => {
    if (values.length !== v.size) throw new Error(`snapshot tensor of ${values.length} values for ${v.name} of ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
  };
  model.params.forEach((p, i) => assign(p.variable, w.params[i]));
  model.state.forEach((v, i) => assign(v, w.state[i]));
}

/** (1 - alpha) a + alpha b, elementwise: alpha = 0 is `a`, alpha = 1 is `b`. */
export function lerp(a: Float32Array, b: Float32Array, alpha: number): Float32Array {
  if (a.length !== b.length) throw new RangeError(`lerp: tensors of ${a.length} and ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - alpha) * a[i] + alpha * b[i];
  return out;
}

/**
 * The point at `alpha` on the segment between two networks. Batch-norm statistics are interpolated too, but they
 * are only a placeholder: the statistics of an averaged network are not the average of the statistics, so the
 * barrier experiment recomputes them (recomputeBatchNormStats) before evaluating.
 */
export function interpolateWeights(a: WeightSnapshot, b: WeightSnapshot, alpha: number): WeightSnapshot {
  if (a.params.length !== b.params.length || a.state.length !== b.state.length) throw new RangeError('interpolateWeights: snapshots of different models');
  return { params: a.params.map((p, i) => lerp(p, b.params[i], alpha)), state: a.state.map((s, i) => lerp(s, b.state[i], alpha)) };
}

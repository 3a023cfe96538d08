import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset';
import { normalizeBatch, type ChannelStats } from '../data/normalize';
import { BN_MOMENTUM, type StateUpdate } from '../models/layers';
import type { Model } from '../models/model';
import { modelInputShape } from '../data/dataset';

/**
 * Recomputes batch-norm running statistics for the model's current weights: reset, then training-mode forward
 * passes over the given batches, turning the layers' exponential moving average into an exact running mean
 * (from old and new = (1 - mu) old + mu batch, the batch statistic is recovered and averaged with weight 1/b).
 * Interpolated networks need this: averaging two networks' statistics does not give the averaged network's.
 * A model without batch norm is left untouched.
 */
export function recomputeBatchNormStats(model: Model, ds: ImageDataset, stats: ChannelStats, batches: readonly Int32Array[]): void {
  if (model.state.length === 0 || batches.length === 0) return;
  for (const v of model.state) {
    // running_mean starts at 0, running_var at 1 (as a fresh layer), though the first batch overwrites both.
    tf.tidy(() => v.assign(v.name.includes('running_var') ? tf.onesLike(v) : tf.zerosLike(v)));
  }
  const [h, w, c] = modelInputShape(ds);
  batches.forEach((idx, b) => {
    const updates: StateUpdate[] = [];
    tf.tidy(() => {
      const x = tf.tensor4d(normalizeBatch(ds, idx, stats), [idx.length, h, w, c]);
      model.forward(x, { training: true, stateUpdates: updates });
    });
    const weight = 1 / (BN_MOMENTUM * (b + 1));
    for (const u of updates) {
      // mean_b = old + (batch - old) / b  and  new - old = mu (batch - old)  =>  mean_b = old + (new - old) / (mu b)
      const next = tf.tidy(() => tf.add(u.variable, tf.mul(tf.sub(u.value, u.variable), weight)));
      u.variable.assign(next);
      next.dispose();
      u.value.dispose();
    }
  });
}

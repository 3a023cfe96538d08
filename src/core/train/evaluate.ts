import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset';
import { normalizeBatch, type ChannelStats } from '../data/normalize';
import type { Model } from '../models/model';
import { crossEntropyPerExample } from './loss';
import { modelInputShape } from '../data/dataset';

export interface EvalResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
}

export const EVAL_BATCH = 500;

/**
 * Runs `fn` over the dataset (or the given indices) in inference mode, batch by batch, with the logits of each
 * batch. Keeps memory flat: every batch's tensors are freed before the next one.
 */
export function forEachLogitsBatch(
  model: Model,
  ds: ImageDataset,
  stats: ChannelStats,
  fn: (logits: tf.Tensor2D, labels: tf.Tensor1D, indices: Int32Array) => void,
  indices?: Int32Array,
  batchSize = EVAL_BATCH,
): void {
  const n = indices ? indices.length : ds.labels.length;
  const [h, w, c] = modelInputShape(ds);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const idx = indices ? indices.subarray(start, end) : Int32Array.from({ length: end - start }, (_, i) => start + i);
    tf.tidy(() => {
      const x = tf.tensor4d(normalizeBatch(ds, idx, stats), [idx.length, h, w, c]);
      const y = tf.tensor1d(Int32Array.from(idx, (i) => ds.labels[i]), 'int32');
      fn(model.forward(x, { training: false }), y, idx);
    });
  }
}

export async function evaluate(model: Model, ds: ImageDataset, stats: ChannelStats, indices?: Int32Array): Promise<EvalResult> {
  // Per batch [loss sum, correct] summed on the device, read once at the end (asynchronously: see compute/read.ts).
  let total: tf.Tensor1D | undefined;
  let count = 0;
  try {
    forEachLogitsBatch(
      model,
      ds,
      stats,
      (logits, labels) => {
        const part = tf.stack([tf.sum(crossEntropyPerExample(logits, labels)), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'))]) as tf.Tensor1D;
        const next = tf.keep(total ? tf.add(total, part) : part) as tf.Tensor1D;
        total?.dispose();
        total = next;
        count += labels.shape[0];
      },
      indices,
    );
    const [lossSum, correct] = total ? await total.data() : [0, 0];
    return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count };
  } finally {
    total?.dispose();
  }
}

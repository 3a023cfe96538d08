/**
 * A trained model's softmax over chosen examples, in inference mode (batch norm on its running statistics), batch by
 * batch. Each batch is read back asynchronously: the webgpu backend has no synchronous read in Node (compute/read.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { modelInputShape, type ImageDataset } from '../data/dataset';
import { normalizeBatch, type ChannelStats } from '../data/normalize';
import type { Model } from '../models/model';
import { EVAL_BATCH } from './evaluate';

/** N x K probabilities (row-major) of the examples at `indices`, in that order. */
export async function predictProbabilities(
  model: Model,
  ds: ImageDataset,
  stats: ChannelStats,
  indices: Int32Array,
  opts: { readonly batchSize?: number; readonly signal?: AbortSignal; readonly onBatch?: (done: number) => void } = {},
): Promise<Float32Array | undefined> {
  const k = ds.numClasses;
  const n = indices.length;
  const batch = opts.batchSize ?? EVAL_BATCH;
  const [h, w, c] = modelInputShape(ds);
  const out = new Float32Array(n * k);
  for (let start = 0; start < n; start += batch) {
    if (opts.signal?.aborted) return undefined;
    const idx = indices.subarray(start, Math.min(n, start + batch));
    const p = tf.tidy(() => tf.softmax(model.forward(tf.tensor4d(normalizeBatch(ds, idx, stats), [idx.length, h, w, c]), { training: false })));
    try {
      out.set((await p.data()) as Float32Array, start * k);
    } finally {
      p.dispose();
    }
    opts.onBatch?.(start + idx.length);
  }
  return out;
}

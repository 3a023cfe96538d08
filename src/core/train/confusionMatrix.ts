import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset';
import type { ChannelStats } from '../data/normalize';
import type { Model } from '../models/model';
import { forEachLogitsBatch } from './evaluate';

/** K x K counts: matrix[t][p] = examples of true class t predicted as p (rows true, columns predicted). */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  if (!(Number.isInteger(numClasses) && numClasses > 0)) throw new RangeError(`confusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
  if (labels.length !== predicted.length) throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(Number.isInteger(t) && t >= 0 && t < numClasses)) throw new RangeError(`confusionMatrix: label ${t} of example ${i} is not a class in [0, ${numClasses})`);
    if (!(Number.isInteger(p) && p >= 0 && p < numClasses)) throw new RangeError(`confusionMatrix: prediction ${p} of example ${i} is not a class in [0, ${numClasses})`);
    m[t][p]++;
  }
  return m;
}

/** The model's predicted class of every example of `ds`, in inference mode. */
export async function predictClasses(model: Model, ds: ImageDataset, stats: ChannelStats): Promise<Int32Array> {
  const parts: tf.Tensor1D[] = [];
  try {
    forEachLogitsBatch(model, ds, stats, (logits) => {
      parts.push(tf.keep(tf.argMax(logits, 1)) as tf.Tensor1D);
    });
    const out = new Int32Array(ds.labels.length);
    let at = 0;
    for (const p of parts) {
      // Read asynchronously, as evaluate does: a synchronous read stalls GPU backends.
      const v = await p.data();
      out.set(v, at);
      at += v.length;
    }
    return out;
  } finally {
    for (const p of parts) p.dispose();
  }
}

/** Confusion matrix of `model` on `ds` (e.g. the test split at the end of training). */
export async function datasetConfusion(model: Model, ds: ImageDataset, stats: ChannelStats): Promise<number[][]> {
  return confusionMatrix(ds.labels, await predictClasses(model, ds, stats), ds.numClasses);
}

import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset';
import { normalizeBatch, type ChannelStats } from '../data/normalize';
import type { Model } from '../models/model';
import { perExampleGradNorms, type ConvMethod } from '../scores/perExampleGrads';
import type { ParamSubset } from '../../contract/choices';
import { modelInputShape } from '../data/dataset';

/** softmax(f(x)) - onehot(y): the cross-entropy gradient w.r.t. the logits, the cotangent of GraNd (inference mode). */
export function crossEntropyCotangent(model: Model, x: tf.Tensor4D, labels: Int32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const k = model.spec.numClasses;
    return tf.sub(tf.softmax(model.forward(x, { training: false })), tf.oneHot(tf.tensor1d(labels, 'int32'), k)) as tf.Tensor2D;
  });
}

/**
 * ||grad_w loss(x_i, y_i)||_2 over all parameters for the given dataset indices (GraNd at the model's current
 * weights), in chunks of `chunk` examples to bound memory.
 */
export function exampleGradNorms(model: Model, train: ImageDataset, stats: ChannelStats, indices: Int32Array, opts: { chunk: number; convMethod?: ConvMethod; subset?: ParamSubset }): Float32Array {
  const out = new Float32Array(indices.length);
  const [h, w, c] = modelInputShape(train);
  for (let start = 0; start < indices.length; start += opts.chunk) {
    const idx = indices.subarray(start, Math.min(indices.length, start + opts.chunk));
    const labels = Int32Array.from(idx, (i) => train.labels[i]);
    const norms = tf.tidy(() => {
      const x = tf.tensor4d(normalizeBatch(train, idx, stats), [idx.length, h, w, c]);
      return perExampleGradNorms(model, x, crossEntropyCotangent(model, x, labels), { norm: 'l2', subset: opts.subset ?? 'all', convMethod: opts.convMethod ?? 'auto' });
    });
    out.set(norms, start);
  }
  return out;
}

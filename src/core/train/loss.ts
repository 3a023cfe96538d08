import * as tf from '@tensorflow/tfjs-core';

/** Per-example softmax cross-entropy, logsumexp(z) - z_y: numerically stable and cheap to differentiate. */
export function crossEntropyPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const k = logits.shape[1];
  const picked = tf.sum(tf.mul(logits, tf.oneHot(labels, k)), 1);
  return tf.sub(tf.logSumExp(logits, 1), picked) as tf.Tensor1D;
}

export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(crossEntropyPerExample(logits, labels));
}

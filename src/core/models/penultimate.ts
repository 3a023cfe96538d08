import * as tf from '@tensorflow/tfjs-core';

/**
 * One example's penultimate activations as a vector: the input of the final classifier, where a model's learned
 * features are. A feature map [n, h, w, c] (VGG's last conv block, whose classifier flattens it) is averaged over
 * its positions to [n, c], as ResNets' global average pool already does: the embedding then has one value per
 * channel (512 at width 1) whatever the image size, instead of h * w * 512 values that would make 60,000 examples
 * cost gigabytes. Vectors [n, d] are kept as they are.
 */
export function penultimateEmbedding(features: tf.Tensor): tf.Tensor2D {
  if (features.rank === 4) {
    const [n, h, w, c] = features.shape;
    return h * w === 1 ? tf.reshape(features, [n, c]) : (tf.mean(features, [1, 2]) as tf.Tensor2D);
  }
  if (features.rank === 2) return features as tf.Tensor2D;
  return tf.reshape(features, [features.shape[0], -1]);
}

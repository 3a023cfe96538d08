import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relError, useCpu } from '../../helpers/tf';
import { perturbedModel } from '../../helpers/perturbedModel';
import type { Architecture, ModelSpec } from '../../../../src/core/models/model';

const cases: { arch: Architecture; inputShape: [number, number, number]; dim: number; hidden: boolean }[] = [
  // width 0.25: cnn-small dense 128 -> 32, mlp 256 -> 64, VGG and ResNet-18 last stage 512 -> 128, ResNet-50 2048 -> 512.
  { arch: 'linear', inputShape: [6, 5, 2], dim: 60, hidden: false },
  { arch: 'mlp', inputShape: [6, 5, 2], dim: 64, hidden: true },
  { arch: 'cnn-small', inputShape: [12, 12, 1], dim: 32, hidden: true },
  // 28 px: the fourth pool leaves 1x1 (the fifth is skipped); 64 px: a 2x2 map, pooled to one value per channel.
  { arch: 'vgg11', inputShape: [28, 28, 1], dim: 128, hidden: true },
  { arch: 'vgg11', inputShape: [64, 64, 3], dim: 128, hidden: true },
  { arch: 'resnet18', inputShape: [16, 16, 3], dim: 128, hidden: true },
  { arch: 'resnet50', inputShape: [16, 16, 3], dim: 512, hidden: true },
];

test('forwardWithEmbedding: the same logits as forward, and the embedding is the classifier input (feature maps pooled)', async () => {
  await useCpu();
  for (const c of cases) {
    const spec: ModelSpec = { arch: c.arch, width: 0.25, inputShape: c.inputShape, numClasses: 5 };
    const model = perturbedModel(spec, 3, 4);
    const what = `${c.arch} ${c.inputShape.join('x')}`;
    try {
      assert.equal(model.hasHiddenLayer, c.hidden, what);
      const x = tf.randomNormal([3, ...c.inputShape], 0, 1, 'float32', 7) as tf.Tensor4D;
      const plain = model.forward(x, { training: false });
      const both = model.forwardWithEmbedding(x, { training: false });
      assert.deepEqual(both.embedding.shape, [3, c.dim], what);
      assert.ok(relError(both.logits.dataSync(), plain.dataSync()) < 1e-6, what);
      // The classifier's weight and bias are the last two parameters: logits = embedding W + b, except for VGG on a
      // map larger than 1x1, where the classifier reads the flattened map and the embedding is its average.
      const [w, b] = model.params.slice(-2).map((p) => p.variable);
      const pooledVgg = c.arch === 'vgg11' && c.inputShape[0] === 64;
      if (!pooledVgg) {
        const fromEmbedding = tf.add(tf.matMul(both.embedding, w as tf.Tensor2D), b);
        assert.ok(relError(fromEmbedding.dataSync(), plain.dataSync()) < 1e-5, what);
        fromEmbedding.dispose();
      } else assert.equal(w.shape[0], 4 * c.dim, `${what}: the classifier reads a 2x2 map of ${c.dim} channels`);
      tf.dispose([x, plain, both.logits, both.embedding]);
    } finally {
      model.dispose();
    }
  }
});

test('the embedding of a feature map is the mean over its positions', async () => {
  await useCpu();
  const { penultimateEmbedding } = await import('../../../../src/core/models/penultimate');
  const map = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  assert.deepEqual(Array.from(penultimateEmbedding(map).dataSync()), [4, 5]);
  assert.deepEqual(penultimateEmbedding(tf.zeros([2, 1, 1, 3])).shape, [2, 3]);
  assert.deepEqual(penultimateEmbedding(tf.zeros([2, 9])).shape, [2, 9]);
});

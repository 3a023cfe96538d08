import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { missingTrainingKernels } from '../../../../src/core/compute/kernels/index';
import { relError } from '../../helpers/tf';
import { assertNoLeak, randomValues, size, useNative, useWasm } from './kernelHarness';

const SHAPES: Record<string, number[]> = {
  c1: [3, 3, 3, 8], b1: [8],
  c2: [3, 3, 8, 12], g2: [12], be2: [12],
  proj: [1, 1, 8, 12],
  c3: [3, 3, 12, 12],
  d1: [12, 10], bd1: [10],
  d2: [3 * 3 * 12, 10],
};

/** A small CNN with a residual block: conv s1 + bias, relu, maxpool 2x2; conv s2 with batch norm written in plain
 * ops, relu, conv s1, plus a strided 1x1 projection; then both global mean pooling and avgPool into two dense
 * heads; softmax cross-entropy. Exercises every kernel a CNN/ResNet training step needs. */
function loss(x: tf.Tensor4D, y: tf.Tensor2D, p: Record<string, tf.Tensor>): tf.Scalar {
  let h = tf.relu(tf.add(tf.conv2d(x, p.c1 as tf.Tensor4D, 1, 'same'), p.b1)) as tf.Tensor4D; // 12x12
  h = tf.maxPool(h, 2, 2, 'valid'); // 6x6
  let r = tf.conv2d(h, p.c2 as tf.Tensor4D, 2, 'same'); // 3x3
  const mean = tf.mean(r, [0, 1, 2]);
  const centered = tf.sub(r, mean);
  const variance = tf.mean(tf.square(centered), [0, 1, 2]);
  r = tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5))), p.g2), p.be2) as tf.Tensor4D;
  r = tf.relu(r);
  r = tf.conv2d(r, p.c3 as tf.Tensor4D, 1, 'same');
  const out = tf.relu(tf.add(r, tf.conv2d(h, p.proj as tf.Tensor4D, 2, 'valid'))) as tf.Tensor4D;
  const gap = tf.mean(out, [1, 2]) as tf.Tensor2D;
  const pooled = tf.reshape(tf.avgPool(out, 3, 1, 'same'), [x.shape[0], -1]) as tf.Tensor2D;
  const logits = tf.add(tf.add(tf.matMul(gap, p.d1 as tf.Tensor2D), p.bd1), tf.matMul(pooled, p.d2 as tf.Tensor2D));
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

async function gradsOn(backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const p: Record<string, tf.Tensor> = {};
    let seed = 10;
    for (const [k, s] of Object.entries(SHAPES)) {
      // Batch-norm scales around 1, everything else in [-0.5, 0.5).
      const t = tf.tensor(randomValues(size(s), seed++), s);
      p[k] = k.startsWith('g') ? tf.add(tf.mul(t, 0.1), 1) : tf.mul(t, 0.5);
    }
    const x = tf.tensor4d(randomValues(4 * 12 * 12 * 3, 1), [4, 12, 12, 3]);
    const y = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10) as tf.Tensor2D;
    const names = Object.keys(p);
    const f = (...ts: tf.Tensor[]) => {
      const q: Record<string, tf.Tensor> = {};
      names.forEach((n, i) => (q[n] = ts[i + 1]));
      return loss(ts[0] as tf.Tensor4D, y, q);
    };
    const { value, grads } = tf.valueAndGrads(f)([x, ...names.map((n) => p[n])]);
    const out: Record<string, Float32Array> = { loss: value.dataSync() as Float32Array, x: grads[0].dataSync() as Float32Array };
    names.forEach((n, i) => (out[n] = grads[i + 1].dataSync() as Float32Array));
    return out;
  });
}

test('every kernel a CNN/ResNet training step needs is registered on wasm', async () => {
  await useWasm();
  assert.deepEqual(missingTrainingKernels('wasm'), []);
});

test('tf.grads of a conv net loss on wasm match cpu (all parameters and the input)', async () => {
  await useWasm();
  const ref = await gradsOn('cpu');
  const got = await gradsOn('wasm');
  for (const k of Object.keys(ref)) {
    const err = relError(got[k], ref[k]);
    assert.ok(err < 1e-5, `${k}: relative error ${err.toExponential(2)}`);
  }
});

test('tf.grads of a conv net loss on wasm with the native kernels (oneDNN) match cpu', async (t) => {
  if (!(await useNative(t))) return;
  const ref = await gradsOn('cpu');
  const got = await gradsOn('wasm');
  for (const k of Object.keys(ref)) {
    const err = relError(got[k], ref[k]);
    assert.ok(err < 1e-5, `${k}: relative error ${err.toExponential(2)}`);
  }
});

test('a training step on wasm leaks nothing', async () => {
  await useWasm();
  const p: Record<string, tf.Variable> = {};
  let seed = 30;
  for (const [k, s] of Object.entries(SHAPES)) p[k] = tf.variable(tf.tensor(randomValues(size(s), seed++), s));
  const x = tf.tensor4d(randomValues(4 * 12 * 12 * 3, 2), [4, 12, 12, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10) as tf.Tensor2D;
  const opt = tf.train.sgd(0.01);
  await assertNoLeak(() => opt.minimize(() => loss(x, y, p), true) as tf.Scalar, 'sgd step');
  tf.dispose([x, y, ...Object.values(p)]);
  opt.dispose();
});

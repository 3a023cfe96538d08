import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ADD_RELU, BN_APPLY, BN_GRAD, BN_STATS } from '../../../../src/core/compute/kernels/fused';
import { simdRuntime } from '../../../../src/core/compute/simd';
import { relError } from '../../helpers/tf';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

/**
 * The SIMD loops split across the runtime's worker threads (2-thread wasm backend): the same results as on cpu
 * and as on one thread.
 */
async function twoThreads(): Promise<void> {
  await useWasm(2);
  const rt = simdRuntime(tf.backend() as never);
  assert.ok(rt, 'SIMD runtime');
  const t0 = Date.now();
  while (rt.threads < 2 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(rt.threads, 2, 'worker thread started');
}

test('convolutions on two threads match cpu (forward, input and filter gradients)', async () => {
  await twoThreads();
  for (const [shape, co, stride] of [
    [[6, 16, 16, 8], 16, 1],
    [[6, 16, 16, 8], 16, 2],
    [[5, 12, 12, 3], 8, 1],
  ] as [[number, number, number, number], number, number][]) {
    const filterShape = [3, 3, shape[3], co];
    const info = tf.backend_util.computeConv2DInfo(shape, filterShape as [number, number, number, number], stride, 1, 'same');
    const x = { values: randomValues(size(shape), 1), shape };
    const filter = { values: randomValues(size(filterShape), 2), shape: filterShape };
    const dy = { values: randomValues(size(info.outShape), 3), shape: info.outShape };
    const label = JSON.stringify({ shape, co, stride });
    await assertKernelMatchesCpu('Conv2D', { x, filter }, { strides: stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 }, `Conv2D ${label}`);
    await assertKernelMatchesCpu('Conv2DBackpropInput', { dy, filter }, { strides: stride, pad: 'same', dataFormat: 'NHWC', inputShape: shape }, `input grad ${label}`);
    await assertKernelMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape }, `filter grad ${label}`);
  }
});

test('fused batch norm and add+relu on two threads match one thread exactly in elementwise parts, closely in sums', async () => {
  const shape = [4, 32, 32, 8];
  const xv = randomValues(size(shape), 4).map((v) => 2 * v + 1);
  const dyv = randomValues(size(shape), 5);
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor(xv, shape);
      const dy = tf.tensor(dyv, shape);
      const g = tf.tensor(randomValues(8, 6)), b = tf.tensor(randomValues(8, 7));
      const [mean, variance, m2, v2] = tf.engine().runKernel(BN_STATS, { x, runMean: g, runVar: tf.abs(b) }, { momentum: 0.1 }) as tf.Tensor[];
      const y = tf.engine().runKernel(BN_APPLY, { x, mean, variance, gamma: g, beta: b }, { epsilon: 1e-5, relu: true }) as tf.Tensor;
      const grads = tf.engine().runKernel(BN_GRAD, { dy, x, y, gamma: g, mean, variance }, { epsilon: 1e-5, relu: true }) as tf.Tensor[];
      const z = tf.engine().runKernel(ADD_RELU, { a: x, b: dy }) as tf.Tensor;
      return [mean, variance, m2, v2, y, ...grads, z].map((t) => t.dataSync() as Float32Array);
    });
  await useWasm(1);
  const one = run();
  await twoThreads();
  const two = run();
  one.forEach((ref, i) => assert.ok(relError(two[i], ref) < 1e-6, `output ${i}: ${relError(two[i], ref)}`));
  const x = tf.tensor(xv, shape);
  await assertNoLeak(() => tf.engine().runKernel(ADD_RELU, { a: x, b: x }) as tf.Tensor, 'add relu');
  x.dispose();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { channelBroadcastTuning } from '../../../../src/core/compute/kernels/channelBroadcast';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

const CASES: { big: number[]; c: number }[] = [
  { big: [4, 9, 7, 16], c: 16 },
  { big: [3, 5, 5, 8], c: 8 },
  { big: [50, 12], c: 12 },
  { big: [2, 6, 6, 6], c: 6 }, // C % 4 != 0: stock kernel
];

for (const threads of [1, 2]) {
  test(`Multiply, Add, Sub by a per-channel vector match cpu, either operand order (${threads} thread(s))`, async () => {
    await useWasm(threads);
    const saved = { ...channelBroadcastTuning };
    channelBroadcastTuning.minSize = 1; // the small test shapes take the SIMD pass too
    try {
      for (const { big, c } of CASES) {
        const x = { values: randomValues(size(big), 1), shape: big };
        const v = { values: randomValues(c, 2), shape: [c] };
        for (const kind of ['Multiply', 'Add', 'Sub']) {
          await assertKernelMatchesCpu(kind, { a: x, b: v }, {}, `${kind} ${big} by [${c}]`, 0);
          await assertKernelMatchesCpu(kind, { a: v, b: x }, {}, `${kind} [${c}] by ${big}`, 0);
        }
        // same shapes and a scalar: the stock kernel, still right
        await assertKernelMatchesCpu('Multiply', { a: x, b: x }, {}, `same shape ${big}`, 0);
        await assertKernelMatchesCpu('Add', { a: x, b: { values: Float32Array.of(3), shape: [] } }, {}, `scalar ${big}`, 0);
      }
    } finally {
      Object.assign(channelBroadcastTuning, saved);
    }
  });
}

test('per-channel Multiply/Add/Sub leak nothing and keep gradients right', async () => {
  await useWasm(1);
  const saved = { ...channelBroadcastTuning };
  channelBroadcastTuning.minSize = 1;
  try {
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 8, 3), [2, 8, 8, 8]);
    const v = tf.tensor1d(randomValues(8, 4));
    await assertNoLeak(() => [tf.mul(x, v), tf.add(v, x), tf.sub(x, v)], 'channel ops');
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sub(tf.mul(tf.add(a, b), b), b)))([x, v]);
    const gv = await g[1].data();
    // d/db sum((a + b) * b - b) = sum over positions of (a + 2b - 1), per channel
    const xv = await x.data();
    const vv = await v.data();
    for (let k = 0; k < 8; k++) {
      let want = 0;
      for (let p = 0; p < 2 * 8 * 8; p++) want += xv[p * 8 + k] + 2 * vv[k] - 1;
      assert.ok(Math.abs(gv[k] - want) < 1e-3 * Math.max(1, Math.abs(want)), `channel ${k}: ${gv[k]} vs ${want}`);
    }
    tf.dispose([x, v, ...g]);
  } finally {
    Object.assign(channelBroadcastTuning, saved);
  }
});

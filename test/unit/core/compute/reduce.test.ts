import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { middleBlock } from '../../../../src/core/compute/kernels/reduce';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

test('middleBlock: [outer, R, inner] only for one contiguous block of axes that is not innermost', () => {
  assert.deepEqual(middleBlock([2, 3, 4, 5], [0, 1, 2]), [1, 24, 5]);
  assert.deepEqual(middleBlock([2, 3, 4, 5], [1, 2]), [2, 12, 5]);
  assert.deepEqual(middleBlock([2, 3, 4, 5], [0]), [1, 2, 60]);
  assert.equal(middleBlock([2, 3, 4, 5], [3]), undefined);
  assert.equal(middleBlock([2, 3, 4, 5], [2, 3]), undefined);
  assert.equal(middleBlock([2, 3, 4, 5], [0, 2]), undefined);
});

test('Sum and Mean on wasm match cpu over leading, middle, innermost and scattered axes', async () => {
  await useWasm();
  const shape = [3, 5, 6, 7];
  const axesList: (number | number[])[] = [[0, 1, 2], [1, 2], 0, [0, 1], 3, [2, 3], [0, 2], -2, [0, 1, 2, 3]];
  for (const kernel of ['Sum', 'Mean']) {
    for (const axis of axesList) {
      for (const keepDims of [false, true]) {
        await assertKernelMatchesCpu(kernel, { x: { values: randomValues(size(shape), 9), shape } }, { axis, keepDims }, `${kernel} axis ${axis} keepDims ${keepDims}`);
      }
    }
  }
  // int32 goes to the stock kernels.
  const iv = Int32Array.from({ length: 60 }, (_, i) => (i * 7) % 11);
  await assertKernelMatchesCpu('Sum', { x: { values: iv, shape: [3, 4, 5], dtype: 'int32' } }, { axis: [0, 1], keepDims: false }, 'int32 sum', 0);
});

test('Sum and Mean on wasm leak nothing', async () => {
  await useWasm();
  const x = tf.tensor4d(randomValues(2 * 4 * 4 * 3, 1), [2, 4, 4, 3]);
  await assertNoLeak(() => [tf.sum(x, [0, 1, 2]), tf.mean(x, [1, 2]), tf.mean(x, [0, 2])], 'reductions');
  x.dispose();
});

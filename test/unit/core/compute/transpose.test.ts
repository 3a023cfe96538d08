import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { simplifyPermutation } from '../../../../src/core/compute/kernels/transpose';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

test('simplifyPermutation drops size-1 axes and merges neighbours', () => {
  assert.deepEqual(simplifyPermutation([8, 4, 4, 16], [3, 1, 2, 0]), { shape: [8, 16, 16], perm: [2, 1, 0] });
  assert.deepEqual(simplifyPermutation([8, 4, 4, 16], [1, 2, 0, 3]), { shape: [8, 16, 16], perm: [1, 0, 2] });
  assert.deepEqual(simplifyPermutation([1, 12, 8], [0, 2, 1]), { shape: [12, 8], perm: [1, 0] });
  assert.deepEqual(simplifyPermutation([2, 3, 5, 2, 2, 4], [0, 1, 3, 2, 4, 5]), { shape: [6, 5, 2, 8], perm: [0, 2, 1, 3] });
  assert.deepEqual(simplifyPermutation([3, 1, 5], [1, 0, 2]), { shape: [15], perm: [0] });
});

const CASES: { shape: number[]; perm: number[]; dtype?: 'float32' | 'int32' }[] = [
  // SIMD forms
  { shape: [8, 12], perm: [1, 0] },
  { shape: [1, 16, 20], perm: [0, 2, 1] },
  { shape: [8, 3, 5, 12], perm: [3, 1, 2, 0] },
  { shape: [4, 3, 5, 8], perm: [1, 2, 0, 3] },
  { shape: [8, 3, 3, 4], perm: [1, 2, 0, 3] },
  { shape: [2, 3, 5, 2, 2, 4], perm: [0, 1, 3, 2, 4, 5] },
  { shape: [8, 3, 5, 12], perm: [3, 1, 2, 0], dtype: 'int32' },
  // Stock fallbacks: sizes not multiples of 4, other permutations
  { shape: [5, 7], perm: [1, 0] },
  { shape: [6, 3, 5, 3], perm: [3, 1, 2, 0] },
  { shape: [4, 3, 5, 3], perm: [1, 2, 0, 3] },
  { shape: [2, 3, 4, 5], perm: [3, 0, 2, 1] },
  { shape: [3, 1, 5], perm: [1, 0, 2] },
];

test('Transpose on wasm matches cpu (SIMD forms and fallbacks)', async () => {
  await useWasm();
  let seed = 1;
  for (const c of CASES) {
    const values = c.dtype === 'int32' ? Int32Array.from(randomValues(size(c.shape), seed++), (v) => Math.round(v * 1000)) : randomValues(size(c.shape), seed++);
    await assertKernelMatchesCpu('Transpose', { x: { values, shape: c.shape, dtype: c.dtype } }, { perm: c.perm }, JSON.stringify(c), 0);
  }
});

test('Transpose on wasm leaks nothing', async () => {
  await useWasm();
  const x = tf.tensor(randomValues(8 * 3 * 5 * 12, 3), [8, 3, 5, 12]);
  for (const perm of [[3, 1, 2, 0], [1, 2, 0, 3], [0, 1, 2, 3], [3, 0, 2, 1]]) {
    await assertNoLeak(() => tf.transpose(x, perm), `perm ${perm}`);
  }
  x.dispose();
});

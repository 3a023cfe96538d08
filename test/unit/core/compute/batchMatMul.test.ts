import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertKernelMatchesCpu, assertNoLeak, MATMUL_SHAPES, matMulCombos, randomValues, size, useWasm } from './kernelHarness';

test('BatchMatMul on wasm matches cpu for every transpose combination, 2-D and batched', async () => {
  await useWasm();
  for (const { a, b, ta, tb } of matMulCombos(MATMUL_SHAPES)) {
    await assertKernelMatchesCpu(
      'BatchMatMul',
      { a: { values: randomValues(size(a), 1), shape: a }, b: { values: randomValues(size(b), 2), shape: b } },
      { transposeA: ta, transposeB: tb },
      `a ${a} b ${b} tA ${ta} tB ${tb}`,
    );
  }
});

test('BatchMatMul on wasm leaks nothing with transposes', async () => {
  await useWasm();
  const a = tf.tensor2d(randomValues(40, 3), [5, 8]);
  const b = tf.tensor2d(randomValues(24, 4), [3, 8]);
  await assertNoLeak(() => tf.matMul(a, b, false, true), 'tB');
  await assertNoLeak(() => tf.matMul(a, a, true, false), 'tA');
  tf.dispose([a, b]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relaxedSimdAvailable, simdRuntime, simdTuning } from '../../../../src/core/compute/simd';
import { assertKernelMatchesCpu, randomValues, size, useWasm } from './kernelHarness';

/** Conv forward, input and filter gradients on the live runtime against cpu. */
async function convsMatchCpu(label: string): Promise<void> {
  for (const [shape, co, stride] of [
    [[4, 12, 12, 8], 16, 1],
    [[3, 11, 11, 16], 8, 2],
  ] as [[number, number, number, number], number, number][]) {
    const filterShape = [3, 3, shape[3], co];
    const info = tf.backend_util.computeConv2DInfo(shape, filterShape as [number, number, number, number], stride, 1, 'same');
    const x = { values: randomValues(size(shape), 1), shape };
    const filter = { values: randomValues(size(filterShape), 2), shape: filterShape };
    const dy = { values: randomValues(size(info.outShape), 3), shape: info.outShape };
    const l = `${label} ${JSON.stringify({ shape, co, stride })}`;
    await assertKernelMatchesCpu('Conv2D', { x, filter }, { strides: stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 }, `Conv2D ${l}`);
    await assertKernelMatchesCpu('Conv2DBackpropInput', { dy, filter }, { strides: stride, pad: 'same', dataFormat: 'NHWC', inputShape: shape }, `input grad ${l}`);
    await assertKernelMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape }, `filter grad ${l}`);
  }
}

test('the conv loops match cpu with fused multiply-adds (relaxed SIMD) and without', async () => {
  // Node 20 has relaxed SIMD behind a V8 flag that relaxedSimdAvailable switches on; later versions have it on.
  assert.equal(relaxedSimdAvailable(), true, 'relaxed SIMD available in this Node');
  try {
    simdTuning.fma = false;
    await useWasm(2); // a new backend instance (thread count changed), so a new runtime built without FMA
    assert.equal(simdRuntime(tf.backend() as never)?.fma, false);
    await convsMatchCpu('mul+add');
  } finally {
    simdTuning.fma = true;
  }
  await useWasm(1);
  assert.equal(simdRuntime(tf.backend() as never)?.fma, true);
  await convsMatchCpu('fma');
});

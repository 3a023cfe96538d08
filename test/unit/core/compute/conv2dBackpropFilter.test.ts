import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterTuning as tuning } from '../../../../src/core/compute/kernels/conv2dBackpropFilter';
import { assertKernelMatchesCpu, assertNoLeak, type ConvCase, randomValues, size, useWasm } from './kernelHarness';

const CASES: ConvCase[] = [
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'valid' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 8], k: [3, 3], co: 6, stride: 2, pad: 'same' },
  { x: [2, 10, 10, 8], k: [3, 3], co: 6, stride: 2, pad: 'valid' },
  { x: [2, 7, 9, 8], k: [3, 3], co: 4, stride: 1, pad: 1 },
  { x: [2, 7, 9, 8], k: [3, 2], co: 4, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 11, 11, 6], k: [5, 5], co: 3, stride: 2, pad: 'same' },
  { x: [2, 6, 6, 5], k: [1, 1], co: 7, stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 8, stride: 3, pad: 'same' },
  { x: [4, 12, 12, 1], k: [3, 3], co: 8, stride: 1, pad: 'same' },
  // Channel counts the SIMD tap loops take without padding (Ci % 4 == 0, Co % 8 == 0), every kind of window.
  { x: [3, 9, 9, 8], k: [3, 3], co: 16, stride: 1, pad: 'same' },
  { x: [3, 10, 10, 4], k: [3, 3], co: 8, stride: 2, pad: 'same' },
  { x: [3, 9, 9, 4], k: [3, 3], co: 8, stride: 2, pad: 'same' },
  { x: [2, 8, 6, 12], k: [1, 1], co: 24, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 8, stride: 1, pad: 'valid' },
  { x: [2, 5, 5, 4], k: [3, 3], co: 8, stride: 1, pad: 3 },
  { x: [2, 7, 9, 4], k: [3, 2], co: 8, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // The ResNet ImageNet stem: 7x7 stride 2, PyTorch's padding 3, on an even side (a bottom row and right column of
  // padding unread) and an odd one.
  { x: [2, 16, 16, 3], k: [7, 7], co: 16, stride: 2, pad: 3 },
  { x: [2, 17, 15, 3], k: [7, 7], co: 8, stride: 2, pad: 3 },
  { x: [2, 16, 16, 4], k: [7, 7], co: 8, stride: 2, pad: 3 },
];

async function check(c: ConvCase, label: string): Promise<void> {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.co] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
  await assertKernelMatchesCpu(
    'Conv2DBackpropFilter',
    { x: { values: randomValues(size(c.x), 1), shape: c.x }, dy: { values: randomValues(size(info.outShape), 2), shape: info.outShape } },
    attrs,
    label,
  );
}

test('Conv2DBackpropFilter on wasm matches cpu (strides 1/2/3, same/valid/explicit pads, all three paths)', async () => {
  await useWasm();
  const saved = { ...tuning };
  try {
    for (const c of CASES) {
      for (const path of ['taps', 'conv', 'gemm'] as const) {
        tuning.taps = path === 'taps';
        tuning.gemmMaxRows = path === 'gemm' ? 1e9 : 0;
        await check(c, `${path} ${JSON.stringify(c)}`);
      }
    }
    // SIMD taps over several blocks of examples.
    tuning.taps = true;
    tuning.tapsBlockBytes = 1;
    await check({ x: [5, 6, 6, 4], k: [3, 3], co: 8, stride: 1, pad: 'same' }, 'taps blocked');
    await check({ x: [5, 6, 6, 3], k: [3, 3], co: 5, stride: 2, pad: 'same' }, 'taps blocked, padded channels');
    tuning.tapsBlockBytes = saved.tapsBlockBytes;
    // GEMM in several batch chunks.
    tuning.taps = false;
    tuning.gemmMaxRows = 1e9;
    tuning.colsLimit = 300;
    await check({ x: [5, 6, 6, 2], k: [3, 3], co: 3, stride: 1, pad: 'same' }, 'gemm chunked');
  } finally {
    Object.assign(tuning, saved);
  }
});

test('Conv2DBackpropFilter on wasm leaks nothing (engine tensors, bytes, wasm data ids)', async () => {
  await useWasm();
  const saved = { ...tuning };
  try {
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 3), [2, 8, 8, 3]);
    const dy = tf.tensor4d(randomValues(2 * 4 * 4 * 5, 4), [2, 4, 4, 5]);
    const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] }) as tf.Tensor;
    tuning.taps = true;
    await assertNoLeak(run, 'taps (padded channels)');
    tuning.taps = false;
    for (const rows of [0, 1e9]) {
      tuning.gemmMaxRows = rows;
      tuning.colsLimit = rows ? 100 : saved.colsLimit; // chunked GEMM disposes its partial sums too
      await assertNoLeak(run, `gemmMaxRows=${rows}`);
    }
    tf.dispose([x, dy]);
  } finally {
    Object.assign(tuning, saved);
  }
});

test('Conv2DBackpropFilter on wasm rejects NCHW with a clear error', async () => {
  await useWasm();
  const x = tf.zeros([1, 4, 4, 2]);
  const dy = tf.zeros([1, 4, 4, 3]);
  assert.throws(
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
    /NHWC/,
  );
  tf.dispose([x, dy]);
});

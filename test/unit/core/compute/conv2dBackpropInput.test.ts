import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { convDirectTuning as tuning } from '../../../../src/core/compute/kernels/convDirect';
import { assertKernelMatchesCpu, assertNoLeak, type ConvCase, randomValues, size, useWasm } from './kernelHarness';

const CASES: ConvCase[] = [
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'valid' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 8], k: [3, 3], co: 6, stride: 2, pad: 'same' },
  { x: [2, 10, 10, 8], k: [3, 3], co: 6, stride: 2, pad: 'valid' },
  { x: [2, 7, 9, 4], k: [3, 3], co: 4, stride: 1, pad: 1 },
  { x: [2, 7, 9, 4], k: [3, 2], co: 4, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Pads wider than the filter: rows of dy that only see padding are dropped.
  { x: [2, 5, 5, 3], k: [3, 3], co: 2, stride: 1, pad: 3 },
  { x: [2, 5, 6, 3], k: [2, 2], co: 2, stride: 2, pad: [[0, 0], [3, 0], [0, 4], [0, 0]] },
  { x: [2, 11, 11, 6], k: [5, 5], co: 3, stride: 2, pad: 'same' },
  { x: [2, 6, 6, 5], k: [1, 1], co: 7, stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 8, stride: 3, pad: 'same' },
  // Input channels multiples of 8 and inputs at least 8 wide take the direct loops (polyphase for strides > 1).
  { x: [2, 9, 10, 8], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [2, 9, 10, 16], k: [3, 3], co: 8, stride: 1, pad: 'valid' },
  { x: [2, 12, 12, 8], k: [3, 3], co: 16, stride: 2, pad: 'same' },
  { x: [2, 11, 13, 8], k: [3, 3], co: 5, stride: 2, pad: 'same' },
  { x: [2, 11, 13, 8], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [2, 12, 16, 8], k: [1, 1], co: 24, stride: 2, pad: 'same' },
  { x: [2, 10, 11, 8], k: [5, 5], co: 3, stride: 2, pad: 'same' },
  { x: [2, 9, 13, 8], k: [3, 2], co: 4, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 7, 9, 8], k: [3, 3], co: 4, stride: 1, pad: 3 },
  { x: [2, 13, 14, 8], k: [3, 3], co: 4, stride: 3, pad: 'same' },
  // The ResNet ImageNet stem: 7x7 stride 2, PyTorch's padding 3, on an even side (a bottom row and right column of
  // padding unread) and an odd one.
  { x: [2, 16, 16, 3], k: [7, 7], co: 16, stride: 2, pad: 3 },
  { x: [2, 17, 15, 8], k: [7, 7], co: 8, stride: 2, pad: 3 },
  { x: [2, 16, 16, 8], k: [7, 7], co: 8, stride: 2, pad: 3 },
];

test('Conv2DBackpropInput on wasm matches cpu (strides 1/2/3, same/valid/explicit pads; direct and XNNPACK paths)', async () => {
  await useWasm();
  const saved = { ...tuning };
  try {
    for (const enabled of [true, false]) {
      tuning.enabled = enabled;
      await checkAll();
    }
  } finally {
    Object.assign(tuning, saved);
  }
});

async function checkAll(): Promise<void> {
  for (const c of CASES) {
    const filterShape = [c.k[0], c.k[1], c.x[3], c.co] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad);
    await assertKernelMatchesCpu(
      'Conv2DBackpropInput',
      { dy: { values: randomValues(size(info.outShape), 5), shape: info.outShape }, filter: { values: randomValues(size(filterShape), 6), shape: filterShape } },
      { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap,
      `direct ${tuning.enabled} ${JSON.stringify(c)}`,
    );
  }
}

test('Conv2DBackpropInput on wasm leaks nothing', async () => {
  await useWasm();
  for (const ci of [3, 8]) {
    const w = tf.tensor4d(randomValues(3 * 3 * ci * 5, 7), [3, 3, ci, 5]);
    for (const [stride, oh] of [[1, 8], [2, 4]]) {
      const dy = tf.tensor4d(randomValues(2 * oh * oh * 5, 8), [2, oh, oh, 5]);
      await assertNoLeak(
        () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: stride, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, ci] }) as tf.Tensor,
        `ci ${ci} stride ${stride}`,
      );
      dy.dispose();
    }
    w.dispose();
  }
});

import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { convDirectTuning as tuning } from '../../../../src/core/compute/kernels/convDirect';
import { assertKernelMatchesCpu, assertNoLeak, type ConvCase, randomValues, size, useWasm } from './kernelHarness';

// Output channels multiples of 8 and outputs at least 4 wide take the direct loops; the rest the stock kernel.
const CASES: ConvCase[] = [
  { x: [3, 9, 10, 3], k: [3, 3], co: 16, stride: 1, pad: 'same' },
  { x: [2, 9, 10, 8], k: [3, 3], co: 8, stride: 1, pad: 'valid' },
  { x: [2, 11, 10, 4], k: [3, 3], co: 16, stride: 2, pad: 'same' },
  { x: [2, 12, 12, 8], k: [3, 3], co: 8, stride: 2, pad: 'valid' },
  { x: [2, 12, 16, 8], k: [1, 1], co: 24, stride: 2, pad: 'same' },
  { x: [2, 10, 11, 5], k: [5, 5], co: 8, stride: 1, pad: 'same' },
  { x: [2, 9, 13, 4], k: [3, 2], co: 8, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 7, 9, 4], k: [3, 3], co: 8, stride: 1, pad: 3 },
  { x: [2, 13, 14, 6], k: [3, 3], co: 16, stride: 3, pad: 'same' },
  { x: [2, 6, 6, 8], k: [3, 3], co: 12, stride: 1, pad: 'same' },
  { x: [2, 4, 4, 8], k: [3, 3], co: 16, stride: 1, pad: 'same' },
  // One input channel (MNIST's first layer): the stock kernel by default, the direct loops with minInChannels 1.
  { x: [3, 10, 9, 1], k: [3, 3], co: 8, stride: 1, pad: 'same' },
  // The ResNet ImageNet stem: 7x7 stride 2, PyTorch's padding 3, on an even side (a bottom row and right column of
  // padding unread) and an odd one.
  { x: [2, 16, 16, 3], k: [7, 7], co: 16, stride: 2, pad: 3 },
  { x: [2, 17, 15, 3], k: [7, 7], co: 8, stride: 2, pad: 3 },
];

test('Conv2D on wasm matches cpu (direct loops and stock fallback; strides, pads, odd widths)', async () => {
  await useWasm();
  const saved = { ...tuning };
  try {
    for (const [minWidth, minInChannels] of [[8, 2], [4, 2], [4, 1]]) {
      tuning.minWidth = minWidth;
      tuning.minInChannels = minInChannels;
      for (const blockBytes of [saved.blockBytes, 1]) {
        tuning.blockBytes = blockBytes;
        for (const c of CASES) {
          const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
          await assertKernelMatchesCpu(
            'Conv2D',
            { x: { values: randomValues(size(c.x), 1), shape: c.x }, filter: { values: randomValues(size(filterShape), 2), shape: filterShape } },
            { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap,
            `minWidth ${minWidth} minInChannels ${minInChannels} block ${blockBytes} ${JSON.stringify(c)}`,
          );
        }
      }
    }
  } finally {
    Object.assign(tuning, saved);
  }
});

test('Conv2D on wasm leaks nothing', async () => {
  await useWasm();
  const x = tf.tensor4d(randomValues(2 * 9 * 9 * 4, 3), [2, 9, 9, 4]);
  const w = tf.tensor4d(randomValues(3 * 3 * 4 * 8, 4), [3, 3, 4, 8]);
  for (const pad of ['same', 'valid'] as const) await assertNoLeak(() => tf.conv2d(x, w, 1, pad), `pad ${pad}`);
  tf.dispose([x, w]);
});

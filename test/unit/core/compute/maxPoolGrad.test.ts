import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

test('MaxPoolGrad on wasm matches cpu (2x2/s2 fast path, 3x3 same/valid, overlapping windows, ties)', async () => {
  await useWasm();
  const cases: { x: [number, number, number, number]; f: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 7, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 7, 3], f: 2, s: 2, pad: 'same' },
    { x: [2, 8, 8, 4], f: 3, s: 2, pad: 'same' },
    { x: [2, 8, 8, 4], f: 3, s: 1, pad: 'valid' },
    { x: [1, 7, 7, 2], f: [3, 2], s: [1, 2], pad: 1 },
    // C % 4 == 0: the SIMD loop (even and odd sizes, several examples)
    { x: [3, 8, 8, 4], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 7, 8], f: 2, s: 2, pad: 'valid' },
    { x: [5, 6, 10, 12], f: 2, s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    for (const ties of [false, true]) {
      const xv = randomValues(size(c.x), 3);
      // ReLU-like input: many exact zeros, so windows tie and the first maximum must win as on cpu.
      if (ties) for (let i = 0; i < xv.length; i++) xv[i] = Math.max(0, xv[i] - 0.5);
      await tf.setBackend('cpu');
      const y = tf.maxPool(tf.tensor4d(xv, c.x), c.f, c.s, c.pad);
      const ys = y.shape;
      const yv = y.dataSync() as Float32Array;
      y.dispose();
      await assertKernelMatchesCpu(
        'MaxPoolGrad',
        { dy: { values: randomValues(size(ys), 4), shape: ys }, input: { values: xv, shape: c.x }, output: { values: yv, shape: ys } },
        { filterSize: c.f, strides: c.s, pad: c.pad } as unknown as tf.NamedAttrMap,
        `${JSON.stringify(c)} ties=${ties}`,
        1e-6, // overlapping windows sum in a different order; a misplaced tie would be off by O(1)
      );
    }
  }
});

test('MaxPoolGrad on wasm leaks nothing', async () => {
  await useWasm();
  const x = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
  await assertNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x), 'grad');
  x.dispose();
});

test('MaxPoolGrad 2x2 on two threads matches cpu', async () => {
  await useWasm(2);
  const shape: [number, number, number, number] = [9, 12, 12, 16];
  const xv = randomValues(size(shape), 6).map((v) => Math.max(0, v - 0.3));
  await tf.setBackend('cpu');
  const y = tf.maxPool(tf.tensor4d(xv, shape), 2, 2, 'valid');
  const ys = y.shape;
  const yv = y.dataSync() as Float32Array;
  y.dispose();
  await assertKernelMatchesCpu(
    'MaxPoolGrad',
    { dy: { values: randomValues(size(ys), 7), shape: ys }, input: { values: xv, shape }, output: { values: yv, shape: ys } },
    { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap,
    '2 threads',
    1e-6,
  );
});

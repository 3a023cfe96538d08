import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relError } from '../../helpers/tf';
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
    // The ResNet ImageNet stem's pool: 3x3 stride 2, PyTorch's padding 1, even and odd sides.
    { x: [2, 8, 8, 4], f: 3, s: 2, pad: 1 },
    { x: [2, 9, 7, 3], f: 3, s: 2, pad: 1 },
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

/**
 * PyTorch's max_pool2d(kernel 3, stride 2, padding 1) written out over NHWC: output side floor((n + 2 - 3) / 2) + 1,
 * padded cells left out of every window (never the maximum), the gradient to the first maximum of a window.
 */
function torchPool3x3s2(xv: Float32Array, [n, h, w, c]: number[], dyv: Float32Array): { y: Float32Array; dx: Float32Array; shape: number[] } {
  const oh = Math.floor((h - 1) / 2) + 1;
  const ow = Math.floor((w - 1) / 2) + 1;
  const y = new Float32Array(n * oh * ow * c);
  const dx = new Float32Array(xv.length);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 2 * r - 1; i <= 2 * r + 1; i++) {
            for (let j = 2 * q - 1; j <= 2 * q + 1; j++) {
              if (i < 0 || i >= h || j < 0 || j >= w) continue;
              const p = ((b * h + i) * w + j) * c + k;
              if (xv[p] > best) [best, at] = [xv[p], p];
            }
          }
          const o = ((b * oh + r) * ow + q) * c + k;
          y[o] = best;
          dx[at] += dyv[o];
        }
      }
    }
  }
  return { y, dx, shape: [n, oh, ow, c] };
}

test("max-pool 3x3 stride 2 padding 1 (the ImageNet stem's) equals PyTorch's on wasm and cpu: sizes, and padded cells never win", async () => {
  await useWasm();
  for (const shape of [[2, 8, 8, 4], [2, 9, 7, 3], [1, 16, 15, 8]]) {
    // All negative: a zero-padded pool would return 0 along the border.
    const xv = randomValues(size(shape), 8).map((v) => v - 2);
    const dyShape = [shape[0], Math.floor((shape[1] - 1) / 2) + 1, Math.floor((shape[2] - 1) / 2) + 1, shape[3]];
    const dyv = randomValues(size(dyShape), 9);
    const want = torchPool3x3s2(xv, shape, dyv);
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, shape as [number, number, number, number]);
      const dy = tf.tensor4d(dyv, dyShape as [number, number, number, number]);
      const y = tf.maxPool(x, 3, 2, 1);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 2, 1), dy)))(x);
      const label = `${backend} ${shape.join('x')}`;
      assert.deepEqual(y.shape, want.shape, `${label}: PyTorch's output size`);
      assert.deepEqual(Array.from(await y.data()), Array.from(want.y), `${label}: values`);
      assert.ok(relError((await dx.data()) as Float32Array, want.dx) < 1e-6, `${label}: gradient`);
      tf.dispose([x, dy, y, dx]);
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

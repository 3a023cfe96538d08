import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { assertKernelMatchesCpu, assertNoLeak, randomValues, runOn, size, useWasm } from './kernelHarness';

test('Slice on wasm matches cpu for ranks 1-6, contiguous and strided regions, float32/int32/bool', async () => {
  await useWasm();
  const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [10], begin: [3], size: [4] },
    { shape: [6, 7], begin: [1, 2], size: [3, -1] },
    { shape: [6, 7], begin: [2, 0], size: [3, 7] },
    { shape: [4, 5, 6], begin: [1, 1, 1], size: [2, 3, 4] },
    { shape: [4, 5, 6, 3], begin: [1, 0, 0, 0], size: [1, 5, 6, 3] },
    { shape: [4, 5, 6, 3], begin: [0, 2, 1, 1], size: [4, 2, 4, 2] },
    { shape: [2, 3, 4, 3, 2], begin: [1, 1, 0, 1, 0], size: [1, 2, 4, 2, 2] },
    { shape: [2, 2, 3, 2, 2, 3], begin: [0, 1, 1, 0, 1, 1], size: [2, 1, 2, 2, 1, 2] },
    { shape: [5, 4], begin: [2, 1], size: [0, 2] },
  ];
  for (const c of cases) {
    await assertKernelMatchesCpu('Slice', { x: { values: randomValues(size(c.shape), 2), shape: c.shape } }, { begin: c.begin, size: c.size }, JSON.stringify(c), 0);
    const iv = Int32Array.from({ length: size(c.shape) }, (_, i) => i);
    await assertKernelMatchesCpu('Slice', { x: { values: iv, shape: c.shape, dtype: 'int32' } }, { begin: c.begin, size: c.size }, `int32 ${JSON.stringify(c)}`, 0);
    const bv = Uint8Array.from({ length: size(c.shape) }, (_, i) => i % 3 === 0 ? 1 : 0);
    await assertKernelMatchesCpu('Slice', { x: { values: bv, shape: c.shape, dtype: 'bool' } }, { begin: c.begin, size: c.size }, `bool ${JSON.stringify(c)}`, 0);
  }
});

test('Unpack and SplitV on wasm match cpu', async () => {
  await useWasm();
  const shape = [4, 3, 5];
  const values = randomValues(size(shape), 3);
  for (const axis of [0, 1, 2, -1]) {
    await assertKernelMatchesCpu('Unpack', { value: { values, shape } }, { axis }, `unpack axis ${axis}`, 0);
  }
  for (const [split, axis] of [[2, 0], [[1, 2], 1], [[2, -1, 1], 2]] as [number | number[], number][]) {
    await assertKernelMatchesCpu('SplitV', { x: { values, shape } }, { numOrSizeSplits: split, axis }, `split ${split} axis ${axis}`, 0);
  }
});

test('Slice of string tensors still works on wasm (stock kernel)', async () => {
  await useWasm();
  const t = tf.tensor1d(['a', 'b', 'c', 'd']);
  assert.deepEqual(tf.slice(t, [1], [2]).arraySync(), ['b', 'c']);
  t.dispose();
  assert.ok((await runOn('wasm', 'Slice', { x: { values: randomValues(4, 1), shape: [4] } }, { begin: [0], size: [2] }))[0].values.length === 2);
});

test('unstacking a batch of 128 copies only each example (fast) and leaks nothing', async () => {
  await useWasm();
  const x = tf.tensor4d(randomValues(128 * 16 * 16 * 8, 4), [128, 16, 16, 8]);
  await assertNoLeak(() => tf.unstack(x), 'unstack');
  await assertNoLeak(() => tf.split(x, 4, 3), 'split');
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) tf.dispose(tf.unstack(x));
  const ms = (performance.now() - t0) / 5;
  // The stock kernel copies the whole 1 MB batch per example (~128 MB per unstack); this copies 1 MB in total.
  assert.ok(ms < 200, `unstack took ${ms.toFixed(1)} ms`);
  x.dispose();
});

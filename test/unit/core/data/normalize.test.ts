import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { loadMnist } from '../../../../src/core/data/mnist';
import { channelStats, normalizationTable, normalizeBatch } from '../../../../src/core/data/normalize';
import { makeRng } from '../../../../src/core/random';

function randomDataset(n: number, shape: [number, number, number], seed: number): ImageDataset {
  const rng = makeRng(seed);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Uint8Array(n * size);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return { name: 'rand', images, labels: new Int32Array(n), shape, numClasses: 1 };
}

test('MNIST train statistics match the well-known 0.1307 / 0.3081', () => {
  const { train } = loadMnist('mnist');
  const s = channelStats(train);
  assert.equal(s.mean.length, 1);
  assert.ok(Math.abs(s.mean[0] - 0.1307) < 0.0001, `mean ${s.mean[0]}`);
  assert.ok(Math.abs(s.std[0] - 0.3081) < 0.0001, `std ${s.std[0]}`);
});

test('channelStats matches a naive two-pass computation per channel', () => {
  const ds = randomDataset(20, [5, 4, 3], 1);
  const s = channelStats(ds);
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    for (let i = c; i < ds.images.length; i += 3) vals.push(ds.images[i] / 255);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const std = Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / vals.length);
    assert.ok(Math.abs(s.mean[c] - mean) < 1e-12);
    assert.ok(Math.abs(s.std[c] - std) < 1e-12);
  }
});

test('a constant channel gets std 1 instead of dividing by zero', () => {
  const ds = randomDataset(3, [2, 2, 2], 2);
  for (let i = 1; i < ds.images.length; i += 2) ds.images[i] = 128;
  const s = channelStats(ds);
  assert.equal(s.std[1], 1);
  assert.ok(Math.abs(s.mean[1] - 128 / 255) < 1e-12);
});

test('normalizeBatch matches a naive per-pixel computation, in index order', () => {
  for (const shape of [[4, 3, 1], [4, 3, 3], [2, 2, 2]] as [number, number, number][]) {
    const ds = randomDataset(10, shape, 3);
    const stats = channelStats(ds);
    const indices = [7, 0, 7, 3];
    const out = normalizeBatch(ds, indices, stats);
    const size = shape[0] * shape[1] * shape[2];
    assert.equal(out.length, indices.length * size);
    indices.forEach((idx, b) => {
      for (let j = 0; j < size; j++) {
        const c = j % shape[2];
        const want = (ds.images[idx * size + j] / 255 - stats.mean[c]) / stats.std[c];
        assert.ok(Math.abs(out[b * size + j] - want) < 1e-5);
      }
    });
  }
});

test('normalizeBatch writes into a given buffer and validates its inputs', () => {
  const ds = randomDataset(5, [2, 2, 3], 4);
  const stats = channelStats(ds);
  const buf = new Float32Array(100).fill(99);
  const out = normalizeBatch(ds, Int32Array.from([1, 2]), stats, buf);
  assert.equal(out, buf);
  assert.deepEqual(out.subarray(0, 24), normalizeBatch(ds, [1, 2], stats));
  assert.equal(out[24], 99);
  assert.throws(() => normalizeBatch(ds, [5], stats), RangeError);
  assert.throws(() => normalizeBatch(ds, [-1], stats), RangeError);
  assert.throws(() => normalizeBatch(ds, [0, 1], stats, new Float32Array(10)), RangeError);
  assert.throws(() => normalizeBatch(ds, [0], { mean: [0], std: [1] }), /channels/);
  assert.equal(normalizeBatch(ds, [], stats).length, 0);
});

test('normalizing all of MNIST train gives zero mean and unit std', () => {
  const { train } = loadMnist('mnist');
  const stats = channelStats(train);
  // In chunks, reusing one buffer, as the training loop does.
  const chunk = 6000;
  const buf = new Float32Array(chunk * 784);
  let sum = 0;
  let sq = 0;
  for (let start = 0; start < 60000; start += chunk) {
    const x = normalizeBatch(train, Int32Array.from({ length: chunk }, (_, i) => start + i), stats, buf);
    for (let i = 0; i < x.length; i++) {
      sum += x[i];
      sq += x[i] * x[i];
    }
  }
  const n = 60000 * 784;
  const mean = sum / n;
  assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(sq / n - mean * mean) - 1) < 1e-5);
  const lut = normalizationTable(stats);
  assert.equal(lut.length, 256);
  assert.ok(Math.abs(lut[0] + 0.1307 / 0.3081) < 1e-3);
});

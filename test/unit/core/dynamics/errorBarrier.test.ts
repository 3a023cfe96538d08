import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../helpers/tf';
import { alphaGrid, errorBarrier } from '../../../../src/core/dynamics/errorBarrier';
import { interpolateWeights, lerp, loadWeights, snapshotWeights } from '../../../../src/core/dynamics/weights';
import { recomputeBatchNormStats } from '../../../../src/core/dynamics/batchNormStats';
import { buildModel } from '../../../../src/core/models/registry';
import { makeRng } from '../../../../src/core/random';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import type { ChannelStats } from '../../../../src/core/data/normalize';

test('barrier: the largest rise above the line through the endpoint errors, by hand', () => {
  // Endpoints 0.10 and 0.20: the line is 0.10, 0.125, 0.15, 0.175, 0.20.
  const alphas = [0, 0.25, 0.5, 0.75, 1];
  const errors = [0.1, 0.2, 0.45, 0.3, 0.2];
  const r = errorBarrier(alphas, errors);
  // Rises: 0, 0.075, 0.30, 0.125, 0 -> 0.30 at alpha 0.5.
  assert.ok(Math.abs(r.barrier - 0.3) < 1e-12, String(r.barrier));
  assert.equal(r.alpha, 0.5);
  assert.deepEqual(r.excess.map((v) => Math.round(v * 1000) / 1000), [0, 0.075, 0.3, 0.125, 0]);
  // Linearly connected children: no barrier (not the mean of the endpoints: a straight line gives 0).
  assert.equal(errorBarrier([0, 0.5, 1], [0.1, 0.15, 0.2]).barrier, 0);
  // A middle better than both ends: the endpoints (0) are the maximum.
  assert.equal(errorBarrier([0, 0.5, 1], [0.1, 0.05, 0.1]).barrier, 0);
});

test('barrier inputs are checked', () => {
  assert.throws(() => errorBarrier([0, 0.5], [0.1, 0.2]), /from 0 to 1/);
  assert.throws(() => errorBarrier([0, 1], [0.1]), /2 alphas but 1 errors/);
  assert.throws(() => errorBarrier([0, 0.6, 0.5, 1], [0, 0, 0, 0]), /increase/);
  assert.throws(() => errorBarrier([0, 1], [0, 1.5]), /fractions/);
  assert.deepEqual(alphaGrid(4), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(alphaGrid(10).length, 11);
  assert.equal(alphaGrid(3)[3], 1);
});

test('interpolation: alpha 0 and 1 are the endpoints, 0.25 is a quarter of the way, by hand', () => {
  const a = Float32Array.from([0, 4, -2]);
  const b = Float32Array.from([8, 0, 2]);
  assert.deepEqual(Array.from(lerp(a, b, 0)), [0, 4, -2]);
  assert.deepEqual(Array.from(lerp(a, b, 1)), [8, 0, 2]);
  assert.deepEqual(Array.from(lerp(a, b, 0.25)), [2, 3, -1]);
  const w = interpolateWeights({ params: [a], state: [b] }, { params: [b], state: [a] }, 0.5);
  assert.deepEqual(Array.from(w.params[0]), [4, 2, 0]);
  assert.deepEqual(Array.from(w.state[0]), [4, 2, 0]);
  assert.throws(() => lerp(a, Float32Array.from([1]), 0.5), /3 and 1/);
});

test('snapshot, load and interpolate a real model: the midpoint of two networks is the mean of their weights', async () => {
  await useCpu();
  const spec = { arch: 'cnn-small' as const, width: 0.125, inputShape: [8, 8, 1] as const, numClasses: 3 };
  const m1 = buildModel(spec, makeRng(1).next);
  const m2 = buildModel(spec, makeRng(2).next);
  const s1 = snapshotWeights(m1);
  const s2 = snapshotWeights(m2);
  loadWeights(m1, interpolateWeights(s1, s2, 0.5));
  const mid = m1.params.map((p) => p.variable.dataSync());
  mid.forEach((v, i) => v.forEach((x, j) => assert.ok(Math.abs(x - (s1.params[i][j] + s2.params[i][j]) / 2) < 1e-6)));
  loadWeights(m1, s1);
  assert.deepEqual(Array.from(m1.params[0].variable.dataSync()), Array.from(s1.params[0]));
  m1.dispose();
  m2.dispose();
});

test('batch-norm statistics are recomputed as the exact mean over the batches, not an exponential average', async () => {
  await useCpu();
  const spec = { arch: 'resnet18' as const, width: 0.0625, inputShape: [4, 4, 1] as const, numClasses: 2 };
  const model = buildModel(spec, makeRng(3).next);
  const rng = makeRng(9);
  const n = 12;
  const ds: ImageDataset = {
    name: 'toy',
    images: Uint8Array.from({ length: n * 16 }, () => Math.floor(rng.next() * 256)),
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    shape: [4, 4, 1],
    numClasses: 2,
  } as ImageDataset;
  const stats: ChannelStats = { mean: [0.4], std: [0.25] };
  const batches = [Int32Array.from([0, 1, 2, 3]), Int32Array.from([4, 5, 6, 7]), Int32Array.from([8, 9, 10, 11])];
  recomputeBatchNormStats(model, ds, stats, batches);
  // The stem's batch norm sees the stem conv's output: its running mean must be the mean of the three batch means.
  const stemMean = model.state[0];
  assert.match(stemMean.name, /running_mean/);
  const { normalizeBatch } = await import('../../../../src/core/data/normalize');
  const conv = model.params[0].variable;
  const expected = tf.tidy(() => {
    const means = batches.map((idx) => {
      const x = tf.tensor4d(normalizeBatch(ds, idx, stats), [idx.length, 4, 4, 1]);
      return tf.mean(tf.conv2d(x, conv as tf.Tensor4D, 1, 'same'), [0, 1, 2]);
    });
    return tf.div(tf.addN(means), 3).dataSync();
  });
  const got = stemMean.dataSync();
  for (let c = 0; c < got.length; c++) assert.ok(Math.abs(got[c] - expected[c]) < 1e-4 * (1 + Math.abs(expected[c])), `channel ${c}: ${got[c]} vs ${expected[c]}`);
  model.dispose();
});

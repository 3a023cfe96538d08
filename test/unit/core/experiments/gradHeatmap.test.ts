import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tempDir } from '../../helpers/paths';
import { heatmapTable, orderRowsByLast, runGradHeatmap, type GradHeatmapTable } from '../../../../src/core/experiments/gradHeatmap';
import { prepareData } from '../../../../src/core/experiments/experimentData';
import { buildModel } from '../../../../src/core/models/registry';
import { probedTrainingStreams } from '../../../../src/core/experiments/experimentStreams';
import { normalizeBatch } from '../../../../src/core/data/normalize';

test('rows ordered by the last column, largest first, ties by example id', () => {
  const cols = [Float32Array.from([1, 2, 3, 4]), Float32Array.from([0.5, 3, 0.5, 1])];
  assert.deepEqual(orderRowsByLast([10, 20, 5, 30], cols), [1, 3, 2, 0]);
  const t = heatmapTable(Int32Array.from([10, 20, 5, 30]), Int32Array.from([1, 2, 3, 4]), [0, 1], cols, { testAccuracy: [null, 0.5], steps: 3, partial: false });
  assert.deepEqual(t.examples, [20, 30, 5, 10]);
  assert.deepEqual(t.labels, [2, 4, 3, 1]);
  assert.deepEqual(t.values, [[2, 3], [4, 1], [3, 0.5], [1, 0.5]]);
});

test('grad-heatmap run on MNIST: norms of the sample at init and after each epoch; the init column matches a batch-size-1 reference', async () => {
  const root = tempDir('heatmap');
  const cfg = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 500, batchSize: 25, epochs: 2, sample: 12, backend: 'wasm' as const };
  const m = await runGradHeatmap(cfg, { root });
  assert.equal(m.status, 'done', m.error);
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'grad-heatmap.json'), 'utf8')) as GradHeatmapTable;
  assert.deepEqual(t.epochs, [0, 1, 2]);
  assert.equal(t.examples.length, 12);
  assert.equal(new Set(t.examples).size, 12);
  assert.ok(t.values.every((row) => row.length === 3 && row.every((v) => v > 0)));
  for (let r = 1; r < 12; r++) assert.ok(t.values[r - 1][2] >= t.values[r][2], 'sorted by the final norm');
  assert.ok(t.testAccuracy[2]! > 0.3, `trained above chance: ${t.testAccuracy[2]}`);

  // Reference: the same initial weights (seed 0's probed-train stream) and normalization, one example at a time, full gradient vector.
  const data = await prepareData({ dataset: 'mnist', validation: 0, seed: 0, trainSubset: 500 });
  const sampleSet = new Set(data.trainIndices);
  assert.ok(t.examples.every((e) => sampleSet.has(e)), 'the sample is drawn from the trained examples');
  const model = buildModel({ arch: 'cnn-small', width: 0.25, inputShape: data.train.shape, numClasses: 10 }, probedTrainingStreams(0).init.uniform());
  const vars = model.params.map((p) => p.variable);
  t.examples.slice(0, 4).forEach((ex, r) => {
    const ref = tf.tidy(() => {
      const x = tf.tensor4d(normalizeBatch(data.train, Int32Array.of(ex), data.stats), [1, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d([data.train.labels[ex]], 'int32'), 10);
      const { grads } = tf.variableGrads(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(model.forward(x, { training: false }))))) as tf.Scalar, vars);
      let sq = 0;
      for (const v of vars) for (const g of grads[v.name].dataSync()) sq += g * g;
      return Math.sqrt(sq);
    });
    assert.ok(Math.abs(t.values[r][0] - ref) / ref < 1e-3, `example ${ex}: ${t.values[r][0]} vs reference ${ref}`);
    assert.equal(t.labels[r], data.train.labels[ex]);
  });
  model.dispose();
});

test('grad-heatmap over the last layer only (--params last-layer, the paper\'s MNIST choice): the classifier weights\' share of the norm', async () => {
  const root = tempDir('heatmap-last');
  const cfg = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 500, batchSize: 25, epochs: 1, sample: 8, backend: 'wasm' as const };
  const all = await runGradHeatmap(cfg, { root });
  const last = await runGradHeatmap({ ...cfg, subset: 'last-layer' }, { root });
  assert.equal(last.status, 'done', last.error);
  const read = (id: string) => JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', id, 'grad-heatmap.json'), 'utf8')) as GradHeatmapTable;
  const a = read(all.id);
  const l = read(last.id);
  // Same sample and training; the last layer's weights are part of all the parameters, so their norm is smaller.
  assert.deepEqual([...l.examples].sort(), [...a.examples].sort());
  for (const [r, ex] of l.examples.entries()) {
    const ra = a.examples.indexOf(ex);
    for (let c = 0; c < l.epochs.length; c++) assert.ok(l.values[r][c] > 0 && l.values[r][c] < a.values[ra][c], `example ${ex}, epoch ${c}: ${l.values[r][c]} vs ${a.values[ra][c]}`);
  }
});


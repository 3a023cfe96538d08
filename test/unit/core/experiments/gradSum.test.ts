import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../helpers/tf';
import { tempDir } from '../../helpers/paths';
import { buildModel } from '../../../../src/core/models/registry';
import type { Model, ModelSpec } from '../../../../src/core/models/model';
import { makeRng } from '../../../../src/core/random';
import { gradSumSummary, minibatchGradSum, pearson, runGradSum, type GradSumTable } from '../../../../src/core/experiments/gradSum';

/**
 * The slow reference: one example at a time, the full gradient vector of its cross-entropy loss (inference mode)
 * over every parameter; the vectors are summed for ||sum||, their norms summed for sum ||.||.
 */
function reference(model: Model, x: tf.Tensor4D, labels: Int32Array): { normOfSum: number; sumOfNorms: number } {
  const vars = model.params.map((p) => p.variable);
  const total = vars.map((v) => new Float64Array(v.size));
  let sumOfNorms = 0;
  for (let i = 0; i < labels.length; i++) {
    tf.tidy(() => {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
      const y = tf.oneHot(tf.tensor1d([labels[i]], 'int32'), model.spec.numClasses);
      const { grads } = tf.variableGrads(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(model.forward(xi, { training: false }))))) as tf.Scalar, vars);
      let sq = 0;
      vars.forEach((v, j) => {
        const g = grads[v.name].dataSync();
        for (let q = 0; q < g.length; q++) {
          sq += g[q] * g[q];
          total[j][q] += g[q];
        }
      });
      sumOfNorms += Math.sqrt(sq);
    });
  }
  let sq = 0;
  for (const t of total) for (const v of t) sq += v * v;
  return { normOfSum: Math.sqrt(sq), sumOfNorms };
}

/** Batch-norm statistics away from their initial values, so inference mode is not the identity. */
function perturbed(spec: ModelSpec, seed: number): Model {
  const m = buildModel(spec, makeRng(seed).next);
  const rng = makeRng(seed + 1);
  for (const v of m.state) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (v.name.includes('running_var') ? 0.5 + rng.next() : rng.next() - 0.5)), v.shape));
  return m;
}

test('||sum of grads|| and sum of ||grads|| match the batch-size-1 reference (linear and CNN with batch norm)', async () => {
  await useCpu();
  for (const spec of [
    { arch: 'linear', width: 1, inputShape: [6, 6, 1], numClasses: 4 },
    { arch: 'cnn-small', width: 0.25, inputShape: [8, 8, 1], numClasses: 3 },
  ] as ModelSpec[]) {
    const model = perturbed(spec, 5);
    const n = 7;
    const x = tf.randomNormal([n, ...spec.inputShape], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 5) % spec.numClasses);
    for (const method of ['direct', 'ghost'] as const) {
      const ours = minibatchGradSum(model, x, labels, method);
      const ref = reference(model, x, labels);
      assert.ok(Math.abs(ours.normOfSum - ref.normOfSum) / ref.normOfSum < 1e-4, `${spec.arch}/${method} ||sum||: ${ours.normOfSum} vs ${ref.normOfSum}`);
      assert.ok(Math.abs(ours.sumOfNorms - ref.sumOfNorms) / ref.sumOfNorms < 1e-4, `${spec.arch}/${method} sum||.||: ${ours.sumOfNorms} vs ${ref.sumOfNorms}`);
      assert.ok(ours.normOfSum <= ours.sumOfNorms * (1 + 1e-6), 'triangle inequality');
      assert.ok(ours.normOfSum < 0.999 * ours.sumOfNorms, 'different examples do not all point the same way');
    }
    // One example: the two quantities coincide.
    const one = minibatchGradSum(model, tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, labels.slice(0, 1));
    assert.ok(Math.abs(one.normOfSum - one.sumOfNorms) / one.sumOfNorms < 1e-5);
    x.dispose();
    model.dispose();
  }
});

test('pearson against hand values; summary per epoch', () => {
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6.5]) - 0.9979487157886733) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1], [1])));
  const rows = [
    { epoch: 0, batch: 0, normOfSum: 1, sumOfNorms: 2, ratio: 0.5 },
    { epoch: 0, batch: 1, normOfSum: 2, sumOfNorms: 4, ratio: 0.5 },
    { epoch: 1, batch: 0, normOfSum: 1, sumOfNorms: 4, ratio: 0.25 },
    { epoch: 1, batch: 1, normOfSum: 1.5, sumOfNorms: 3, ratio: 0.5 },
  ];
  const s = gradSumSummary(rows, new Map([[1, 0.9]]));
  assert.deepEqual(s.perEpoch.map((p) => [p.epoch, p.meanRatio, p.testAccuracy]), [[0, 0.5, null], [1, 0.375, 0.9]]);
  assert.ok(Math.abs(s.perEpoch[0].pearson - 1) < 1e-12);
  assert.ok(Math.abs(s.pearson - pearson([2, 4, 4, 3], [1, 2, 1, 1.5])) < 1e-12);
});

test('grad-sum run on MNIST: every epoch measures the same minibatches, writes grad-sum.json', async () => {
  const root = tempDir('gradsum');
  const m = await runGradSum({ dataset: 'mnist', model: 'cnn-small', width: 0.25, trainSubset: 500, batchSize: 25, epochs: 2, batches: 5, gradBatchSize: 20, backend: 'wasm' }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'grad-sum');
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'grad-sum.json'), 'utf8')) as GradSumTable;
  assert.equal(t.rows.length, 3 * 5, 'initialization + 2 epochs, 5 minibatches each');
  assert.deepEqual(t.perEpoch.map((p) => p.epoch), [0, 1, 2]);
  assert.equal(t.batchSize, 20);
  assert.equal(t.partial, false);
  for (const r of t.rows) assert.ok(r.normOfSum > 0 && r.normOfSum <= r.sumOfNorms * (1 + 1e-5) && r.ratio > 0 && r.ratio <= 1 + 1e-5, JSON.stringify(r));
  assert.equal(t.perEpoch[0].testAccuracy, null);
  assert.ok(t.perEpoch[2].testAccuracy! > 0.3, `trained above chance: ${t.perEpoch[2].testAccuracy}`);
  // Gradients shrink as the model learns.
  const mean = (e: number) => t.rows.filter((r) => r.epoch === e).reduce((s, r) => s + r.sumOfNorms, 0) / 5;
  assert.ok(mean(2) < mean(0), `${mean(2)} < ${mean(0)}`);
});

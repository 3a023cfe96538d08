import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relError, useCpu } from '../../helpers/tf';
import { buildModel } from '../../../../src/core/models/registry';
import type { Model, ModelSpec } from '../../../../src/core/models/model';
import { makeRng } from '../../../../src/core/random';
import { logitNtkGram } from '../../../../src/core/dynamics/ntkGram';
import { kernelDistance } from '../../../../src/core/dynamics/kernelDistance';

/**
 * The slow, obviously-correct reference: batch size 1, one tf.variableGrads per (class, example) of the logit
 * f_c(x_i) w.r.t. every parameter, flattened into a row of Psi; K = Psi Psi^T in float64.
 */
function referenceGram(model: Model, x: tf.Tensor4D): Float64Array {
  const m = x.shape[0];
  const classes = model.spec.numClasses;
  const vars = model.params.map((p) => p.variable);
  const rows: Float64Array[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < m; i++) {
      tf.tidy(() => {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
        const { grads } = tf.variableGrads(() => tf.squeeze(tf.slice(model.forward(xi, { training: false }), [0, c], [1, 1])) as tf.Scalar, vars);
        rows.push(Float64Array.from(vars.flatMap((v) => Array.from(grads[v.name].dataSync()))));
      });
    }
  }
  const n = rows.length;
  const k = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let s = 0; s < n; s++) {
    let d = 0;
    for (let p = 0; p < rows[r].length; p++) d += rows[r][p] * rows[s][p];
    k[r * n + s] = d;
  }
  return k;
}

/** Batch-norm statistics and biases away from their trivial initial values, so every term is exercised. */
function perturbed(spec: ModelSpec, seed: number): Model {
  const m = buildModel(spec, makeRng(seed).next);
  const rng = makeRng(seed + 1);
  for (const v of [...m.params.filter((p) => p.role !== 'weight').map((p) => p.variable), ...m.state]) {
    const isVar = v.name.includes('running_var');
    v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (isVar ? 0.5 + rng.next() : rng.next() - 0.5)), v.shape));
  }
  return m;
}

for (const spec of [
  { arch: 'cnn-small', width: 0.125, inputShape: [8, 8, 1], numClasses: 3 },
  { arch: 'resnet18', width: 0.0625, inputShape: [8, 8, 3], numClasses: 4 },
  { arch: 'linear', width: 1, inputShape: [5, 5, 1], numClasses: 10 },
] as ModelSpec[]) {
  test(`logit NTK Gram of ${spec.arch} matches the batch-size-1 Jacobian reference`, async () => {
    await useCpu();
    const model = perturbed(spec, 5);
    const x = tf.randomNormal([3, ...spec.inputShape], 0, 1, 'float32', 7) as tf.Tensor4D;
    const { gram, size } = logitNtkGram(model, x);
    assert.equal(size, 3 * spec.numClasses);
    const ref = referenceGram(model, x);
    const err = relError(gram, ref);
    assert.ok(err < 1e-4, `relative error ${err}`);
    // A Gram matrix: symmetric with a positive diagonal.
    for (let r = 0; r < size; r++) {
      assert.ok(gram[r * size + r] > 0);
      for (let s = 0; s < r; s++) assert.ok(Math.abs(gram[r * size + s] - gram[s * size + r]) <= 1e-4 * gram[r * size + r]);
    }
    x.dispose();
    model.dispose();
  });
}

test('kernel distance: 0 for the same kernel at any scale, 1 for orthogonal ones, matches a hand computation', () => {
  const k = [2, 1, 1, 3];
  assert.equal(kernelDistance(k, k.map((v) => 5 * v)), 0);
  assert.ok(Math.abs(kernelDistance([1, 0, 0, 0], [0, 0, 0, 1]) - 1) < 1e-15);
  // <a,b> = 1*1 + 0*1 = 1, |a| = 1, |b| = sqrt 2: 1 - 1/sqrt(2).
  assert.ok(Math.abs(kernelDistance([1, 0], [1, 1]) - (1 - Math.SQRT1_2)) < 1e-15);
  assert.throws(() => kernelDistance([1, 2], [1, 2, 3]), /differ in size/);
  assert.throws(() => kernelDistance([0, 0], [1, 2]), /all zeros/);
});

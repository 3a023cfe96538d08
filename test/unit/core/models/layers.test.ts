import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relError, useCpu } from '../../helpers/tf';
import { batchNorm, BN_EPSILON, type StateUpdate } from '../../../../src/core/models/layers';

/** Batch norm written with plain differentiable ops: the obviously-correct reference for the custom gradient. */
function referenceBn(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), gamma), beta);
}

test('batch norm: hand-written backward equals autodiff of the plain formula (x, gamma, beta)', async () => {
  await useCpu();
  const bn = batchNorm('bn', 3);
  const [gammaP, betaP] = bn.params();
  gammaP.variable.assign(tf.tensor1d([0.5, 1.5, -2]));
  betaP.variable.assign(tf.tensor1d([0.1, -0.3, 0.7]));
  const x = tf.randomNormal([4, 5, 5, 3], 2, 3, 'float32', 7) as tf.Tensor4D;
  const w = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 8); // makes the loss depend on every output
  const loss = (f: (x: tf.Tensor4D) => tf.Tensor) => (xx: tf.Tensor4D) => tf.sum(tf.mul(f(xx), w)) as tf.Scalar;
  const ours = tf.variableGrads(() => loss((xx) => bn.forward(xx, { training: true }))(x), [gammaP.variable, betaP.variable]);
  const ref = tf.variableGrads(() => loss((xx) => referenceBn(xx, gammaP.variable, betaP.variable))(x), [gammaP.variable, betaP.variable]);
  assert.ok(relError(ours.value.dataSync(), ref.value.dataSync()) < 1e-5, 'forward');
  for (const v of [gammaP.variable, betaP.variable]) {
    assert.ok(relError(ours.grads[v.name].dataSync(), ref.grads[v.name].dataSync()) < 1e-4, `grad ${v.name}`);
  }
  const dxOurs = tf.grad((xx: tf.Tensor) => loss((x4) => bn.forward(x4, { training: true }))(xx as tf.Tensor4D))(x);
  const dxRef = tf.grad((xx: tf.Tensor) => loss((x4) => referenceBn(x4, gammaP.variable, betaP.variable))(xx as tf.Tensor4D))(x);
  assert.ok(relError(dxOurs.dataSync(), dxRef.dataSync()) < 1e-4, 'grad x');
});

test('batch norm: running statistics follow PyTorch (momentum 0.1, unbiased variance) and drive inference', async () => {
  await useCpu();
  const bn = batchNorm('bn2', 1);
  const x = tf.tensor4d([1, 2, 3, 6], [4, 1, 1, 1]);
  const updates: StateUpdate[] = [];
  bn.forward(x, { training: true, stateUpdates: updates });
  for (const u of updates) u.variable.assign(u.value);
  const [mean, variance] = bn.state();
  // batch mean 3, unbiased variance ((4+1+0+9)/3)=14/3
  assert.ok(Math.abs(mean.dataSync()[0] - 0.3) < 1e-6);
  assert.ok(Math.abs(variance.dataSync()[0] - (0.9 + 0.1 * (14 / 3))) < 1e-6);
  const y = bn.forward(tf.tensor4d([0.3], [1, 1, 1, 1]), { training: false }).dataSync()[0];
  assert.ok(Math.abs(y) < 1e-6, 'inference subtracts the running mean');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relError, useCpu } from '../../helpers/tf';
import { buildModel } from '../../../../src/core/models/registry';
import type { Model, ModelSpec } from '../../../../src/core/models/model';
import { makeRng } from '../../../../src/core/random';
import { grandCotangent as grandCotangentOf, lastLinearLayer, perExampleGradNorms, perExampleGradTuning, type ConvMethod, type NormKind, type ParamSubset } from '../../../../src/core/scores/perExampleGrads';
import type { Param } from '../../../../src/core/models/layers';
import { initBackend } from '../../../../src/core/compute/backend';

/**
 * The slow, obviously-correct reference: one example at a time, tf.grads of <f(x_i), c_i> w.r.t. every parameter,
 * then the norm over the chosen parameters.
 */
function referenceNorms(model: Model, x: tf.Tensor4D, cot: tf.Tensor2D, norm: NormKind, subset: ParamSubset): Float32Array {
  const last = lastLinearLayer(model);
  const chosen = (p: Param) =>
    subset === 'all' || (subset === 'weights' && p.role === 'weight') || (subset === 'biases' && p.role === 'bias') || (subset === 'last-layer' && p.role === 'weight' && p.layer === last);
  const params = model.params.filter(chosen);
  const n = x.shape[0];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = tf.tidy(() => {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
      const ci = tf.slice(cot, [i, 0], [1, -1]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi, { training: false }), ci)) as tf.Scalar, params.map((p) => p.variable));
      let acc = 0;
      for (const p of params) {
        const g = grads[p.variable.name].dataSync();
        for (const v of g) {
          if (norm === 'l2') acc += v * v;
          else if (norm === 'l1') acc += Math.abs(v);
          else acc = Math.max(acc, Math.abs(v));
        }
      }
      return norm === 'l2' ? Math.sqrt(acc) : acc;
    });
  }
  return out;
}

/** Cotangents as in GraNd: softmax(logits) - onehot(y). */
function grandCotangent(model: Model, x: tf.Tensor4D, labels: number[]): tf.Tensor2D {
  return tf.tidy(() => tf.sub(tf.softmax(model.forward(x, { training: false })), tf.oneHot(tf.tensor1d(labels, 'int32'), model.spec.numClasses))) as tf.Tensor2D;
}

/** A model whose batch-norm statistics and biases are not at their trivial initial values. */
function perturbed(spec: ModelSpec, seed: number): Model {
  const m = buildModel(spec, makeRng(seed).next);
  const rng = makeRng(seed + 1);
  for (const v of [...m.params.filter((p) => p.role !== 'weight').map((p) => p.variable), ...m.state]) {
    const isVar = v.name.includes('running_var');
    v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (isVar ? 0.5 + rng.next() : rng.next() - 0.5)), v.shape));
  }
  return m;
}

function check(spec: ModelSpec, n: number, cases: [NormKind, ParamSubset, ConvMethod][]) {
  const model = perturbed(spec, 3);
  const x = tf.randomNormal([n, ...spec.inputShape], 0, 1, 'float32', 11) as tf.Tensor4D;
  const labels = Array.from({ length: n }, (_, i) => (i * 7) % spec.numClasses);
  const cot = grandCotangent(model, x, labels);
  for (const [norm, subset, method] of cases) {
    const ours = perExampleGradNorms(model, x, cot, { norm, subset, convMethod: method });
    const ref = referenceNorms(model, x, cot, norm, subset);
    const err = relError(ours, ref);
    assert.ok(err < 1e-4, `${spec.arch} ${norm}/${subset}/${method}: relative error ${err}`);
    assert.ok(ref.every((v) => v > 0), 'reference norms are non-trivial');
  }
  model.dispose();
}

const everyVariant: [NormKind, ParamSubset, ConvMethod][] = [
  ['l2', 'all', 'direct'],
  ['l2', 'all', 'ghost'],
  ['l2', 'all', 'auto'],
  ['l1', 'all', 'auto'],
  ['linf', 'all', 'auto'],
  ['l2', 'weights', 'auto'],
  ['l1', 'weights', 'auto'],
  ['linf', 'weights', 'auto'],
  ['l2', 'biases', 'auto'],
  ['l1', 'biases', 'auto'],
  ['linf', 'biases', 'auto'],
  ['l2', 'last-layer', 'auto'],
  ['l1', 'last-layer', 'auto'],
  ['linf', 'last-layer', 'auto'],
];

test('GraNd on cnn-small equals the batch-size-1 tf.grads reference for every norm and parameter subset', async () => {
  await useCpu();
  check({ arch: 'cnn-small', width: 0.25, inputShape: [12, 12, 1], numClasses: 10 }, 5, everyVariant);
});

test('GraNd on a reduced resnet18 with batch norm (strided convs, 1x1 shortcuts) equals the reference', async () => {
  await useCpu();
  check({ arch: 'resnet18', width: 0.0625, inputShape: [8, 8, 3], numClasses: 10 }, 3, everyVariant);
});

test('per-example norms do not depend on the batch they are computed in', async () => {
  await useCpu();
  const spec: ModelSpec = { arch: 'cnn-small', width: 0.25, inputShape: [12, 12, 1], numClasses: 10 };
  const model = perturbed(spec, 4);
  const x = tf.randomNormal([6, 12, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const cot = grandCotangent(model, x, [0, 1, 2, 3, 4, 5]);
  const whole = perExampleGradNorms(model, x, cot);
  const half = perExampleGradNorms(model, tf.slice(x, [3, 0, 0, 0], [3, -1, -1, -1]), tf.slice(cot, [3, 0], [3, -1]));
  assert.ok(relError(half, whole.subarray(3)) < 1e-5);
  const before = tf.memory().numTensors;
  perExampleGradNorms(model, x, cot);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  model.dispose();
});

test('on the wasm backend (the one users run) GraNd matches the reference too', async () => {
  await initBackend('wasm', { threads: 1 });
  const variants: [NormKind, ParamSubset, ConvMethod][] = [
    ['l2', 'all', 'direct'],
    ['l2', 'all', 'ghost'],
    ['l1', 'weights', 'auto'],
    ['linf', 'all', 'auto'],
    ['l2', 'last-layer', 'auto'],
  ];
  check({ arch: 'cnn-small', width: 0.25, inputShape: [12, 12, 1], numClasses: 10 }, 4, variants);
  check({ arch: 'resnet18', width: 0.0625, inputShape: [8, 8, 3], numClasses: 10 }, 3, variants);
  await useCpu();
});

test('a cotangent given as a function of the logits (one forward pass) gives the same norms, with or without the probe', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    if (backend === 'cpu') await useCpu();
    else await initBackend('wasm', { threads: 1 });
    for (const spec of [
      { arch: 'cnn-small', width: 0.25, inputShape: [12, 12, 1], numClasses: 10 },
      { arch: 'resnet18', width: 0.0625, inputShape: [8, 8, 3], numClasses: 10 },
    ] as ModelSpec[]) {
      const model = perturbed(spec, 6);
      const n = 4;
      const x = tf.randomNormal([n, ...spec.inputShape], 0, 1, 'float32', 7) as tf.Tensor4D;
      const labels = [3, 1, 4, 1];
      const cot = grandCotangent(model, x, labels);
      const ref = referenceNorms(model, x, cot, 'l2', 'all');
      const before = tf.memory().numTensors;
      for (const [singleForward, probe] of [[true, true], [true, false], [false, true], [false, false]]) {
        Object.assign(perExampleGradTuning, { singleForward, probe });
        for (const subset of ['all', 'last-layer'] as ParamSubset[]) {
          const ours = perExampleGradNorms(model, x, grandCotangentOf(Int32Array.from(labels), 10), { subset });
          const want = subset === 'all' ? ref : referenceNorms(model, x, cot, 'l2', subset);
          const err = relError(ours, want);
          assert.ok(err < 1e-4, `${backend} ${spec.arch} single=${singleForward} probe=${probe} ${subset}: relative error ${err}`);
        }
      }
      Object.assign(perExampleGradTuning, { singleForward: true, probe: true });
      assert.equal(tf.memory().numTensors, before, 'no tensors leak');
      cot.dispose();
      x.dispose();
      model.dispose();
    }
  }
  await useCpu();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_CONV } from '../../../../src/core/compute/kernels/fusedConv';
import { nativeDeclined, nativeImpls } from '../../../../src/core/compute/kernels/nativeConv';
import { loadNative, unloadNative } from '../../../../src/core/compute/native';
import { buildModel } from '../../../../src/core/models/registry';
import type { Architecture } from '../../../../src/core/models/model';
import { RandomStream } from '../../../../src/core/randomStreams';
import { assertNoLeak, randomValues, size, useNative } from './kernelHarness';

/**
 * DataDietFusedConv (an inference conv with its batch norm or bias, residual add and ReLU folded in) against the
 * same steps as separate ops on the cpu backend, natively and on its composed wasm fallback; and whole models'
 * inference with fusion against the layer-by-layer forward.
 */
interface FusedCase {
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
  pad: 'same' | 'valid' | number;
  norm: boolean;
  residual: boolean;
  relu: boolean;
}

const CASES: FusedCase[] = [
  { x: [3, 8, 8, 4], k: 3, co: 8, stride: 1, pad: 'same', norm: true, residual: false, relu: true },
  { x: [3, 8, 8, 4], k: 3, co: 8, stride: 1, pad: 'same', norm: true, residual: true, relu: true },
  { x: [2, 9, 7, 3], k: 3, co: 5, stride: 2, pad: 'same', norm: true, residual: false, relu: false },
  // The ResNet shortcut: 1x1 stride 2 on an even side (the last row and column are never read).
  { x: [2, 8, 8, 5], k: 1, co: 7, stride: 2, pad: 'same', norm: true, residual: false, relu: false },
  { x: [2, 16, 16, 3], k: 7, co: 16, stride: 2, pad: 3, norm: true, residual: false, relu: true },
  { x: [4, 12, 12, 1], k: 3, co: 32, stride: 1, pad: 'same', norm: false, residual: false, relu: true },
  { x: [2, 6, 6, 8], k: 3, co: 8, stride: 1, pad: 'valid', norm: false, residual: true, relu: false },
];

function caseInputs(c: FusedCase): tf.NamedTensorMap {
  const fs = [c.k, c.k, c.x[3], c.co];
  const info = tf.backend_util.computeConv2DInfo(c.x, fs as [number, number, number, number], c.stride, 1, c.pad, undefined, false, 'channelsLast');
  const out = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const ins: tf.NamedTensorMap = { x: tf.tensor(randomValues(size(c.x), 1), c.x), filter: tf.tensor(randomValues(size(fs), 2), fs) };
  if (c.norm) {
    ins.gamma = tf.tensor(randomValues(c.co, 3).map((v) => 1 + v));
    ins.beta = tf.tensor(randomValues(c.co, 4));
    ins.mean = tf.tensor(randomValues(c.co, 5));
    ins.variance = tf.tensor(randomValues(c.co, 6).map((v) => 0.5 + Math.abs(v)));
  } else {
    ins.bias = tf.tensor(randomValues(c.co, 7));
  }
  if (c.residual) ins.residual = tf.tensor(randomValues(size(out), 8), out);
  return ins;
}

const EPS = 1e-5;

/** The definition, op by op (cpu backend). */
function reference(c: FusedCase, ins: tf.NamedTensorMap): tf.Tensor {
  return tf.tidy(() => {
    let y: tf.Tensor = tf.conv2d(ins.x as tf.Tensor4D, ins.filter as tf.Tensor4D, c.stride, c.pad);
    if (c.norm) y = tf.add(tf.mul(tf.div(tf.sub(y, ins.mean), tf.sqrt(tf.add(ins.variance, EPS))), ins.gamma), ins.beta);
    else y = tf.add(y, ins.bias);
    if (c.residual) y = tf.add(y, ins.residual);
    return c.relu ? tf.relu(y) : y;
  });
}

async function onBackend(backend: string, c: FusedCase, f: (ins: tf.NamedTensorMap) => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const ins = caseInputs(c);
  try {
    const y = f(ins);
    const v = (await y.data()) as Float32Array;
    y.dispose();
    return v;
  } finally {
    tf.dispose(Object.values(ins));
  }
}

function assertClose(got: Float32Array, want: Float32Array, label: string, tol = 2e-5): void {
  assert.equal(got.length, want.length, `${label}: length`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < got.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  const rel = Math.sqrt(num / Math.max(den, 1e-30));
  assert.ok(rel <= tol, `${label}: relative error ${rel.toExponential(2)} > ${tol}`);
}

const run = (c: FusedCase) => (ins: tf.NamedTensorMap) =>
  tf.engine().runKernel(FUSED_CONV, ins, { strides: c.stride, pad: c.pad, relu: c.relu, epsilon: EPS } as unknown as tf.NamedAttrMap) as tf.Tensor;

test('the fused conv matches conv, batch norm (or bias), residual add and ReLU as separate ops: native, on a JIT kernel', async (t) => {
  if (!(await useNative(t))) return;
  nativeDeclined.clear();
  nativeImpls.clear();
  for (const c of CASES) {
    const want = await onBackend('cpu', c, (ins) => reference(c, ins));
    assertClose(await onBackend('wasm', c, run(c)), want, JSON.stringify(c));
  }
  assert.deepEqual([...nativeDeclined], [], 'oneDNN declined none of the shapes');
  const fused = [...nativeImpls].filter(([k]) => k.startsWith('fused'));
  assert.equal(fused.length, CASES.length, 'every case ran natively');
  assert.deepEqual(fused.filter(([, impl]) => impl.startsWith('ref')), [], 'no case ran on oneDNN\'s reference kernel');
});

test('the fused conv without the native kernels composes the same result from wasm kernels', async (t) => {
  if (!(await useNative(t))) return;
  unloadNative();
  try {
    for (const c of CASES) {
      const want = await onBackend('cpu', c, (ins) => reference(c, ins));
      assertClose(await onBackend('wasm', c, run(c)), want, `composed ${JSON.stringify(c)}`);
    }
  } finally {
    loadNative(2);
  }
});

test('the fused conv rejects a residual of the wrong shape and leaks nothing', async (t) => {
  if (!(await useNative(t))) return;
  const c = CASES[1];
  await tf.setBackend('wasm');
  const ins = caseInputs(c);
  assert.throws(() => run(c)({ ...ins, residual: tf.zeros([1, 2, 3, 4]) }), /residual must be float32 \[3, 8, 8, 8\]/);
  await assertNoLeak(() => run(c)(ins), 'fused conv');
  tf.dispose(Object.values(ins));
});

/**
 * Inference through the fused path vs the layers one by one (an identity onLinear hook turns fusion off) and vs
 * the cpu backend, for the models whose layers fuse (ResNet blocks: conv + batch norm (+ ReLU), the last one with
 * the residual; the small CNN: conv + bias + ReLU), with running statistics away from their initial values.
 */
for (const arch of ['resnet18', 'cnn-small'] as Architecture[]) {
  test(`${arch} inference with fused layers equals the layer-by-layer forward`, async (t) => {
    if (!(await useNative(t))) return;
    const input: [number, number, number] = arch === 'resnet18' ? [16, 16, 3] : [28, 28, 1];
    const spec = { arch, width: 0.25, inputShape: input, numClasses: 10 };
    const model = buildModel(spec, RandomStream.root(3).derive('init').uniform());
    try {
      for (const v of model.state) v.assign(tf.tidy(() => tf.add(v, tf.mul(tf.abs(tf.randomNormal(v.shape, 0, 1, 'float32', 7)), 0.3))));
      const xs = tf.tensor4d(randomValues(5 * size(input), 9), [5, ...input]);
      nativeImpls.clear();
      const fused = (await tf.tidy(() => model.forward(xs, { training: false })).data()) as Float32Array;
      assert.ok([...nativeImpls.keys()].some((k) => k.startsWith('fused')), 'the fused kernel ran');
      const plain = (await tf.tidy(() => model.forward(xs, { training: false, onLinear: (_i, _x, y) => y })).data()) as Float32Array;
      assertClose(fused, plain, `${arch}: fused vs layer by layer`, 1e-5);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(model.forward(x as tf.Tensor4D, { training: false })))(xs);
      assert.ok(grad.shape.join() === xs.shape.join() && (await grad.data()).some((v) => v !== 0), 'a gradient through inference still works (unfused)');
      tf.dispose([xs, grad]);
    } finally {
      model.dispose();
    }
  });
}

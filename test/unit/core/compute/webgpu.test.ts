import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, isSoftwareAdapter } from '../../../../src/core/compute/backend';
import { buildModel } from '../../../../src/core/models/registry';
import type { Model, ModelSpec } from '../../../../src/core/models/model';
import { makeRng } from '../../../../src/core/random';
import { el2nFromLogits } from '../../../../src/core/scores/el2n';
import { grandCotangent, perExampleGradNormsAsync } from '../../../../src/core/scores/perExampleGrads';
import { Sgd } from '../../../../src/core/train/sgd';
import { trainStep } from '../../../../src/core/train/trainLoop';
import { relError } from '../../helpers/tf';
import { assertKernelMatchesCpu, MATMUL_SHAPES, matMulCombos, randomValues, runOn, size } from './kernelHarness';

/**
 * The WebGPU path (Dawn through the `webgpu` package, tfjs-backend-webgpu) against the cpu reference, on whatever
 * adapter is here: a GPU, or Mesa's lavapipe (software Vulkan) on a machine without one. Every test skips with the
 * reason when no adapter is found (CI has no Vulkan loader). All readbacks are asynchronous: under Node the webgpu
 * backend has no synchronous readback (its readSync needs OffscreenCanvas), see the last test.
 */

// Initialized once; later tests only switch with tf.setBackend.
const ready: Promise<string | null> = initBackend('webgpu', { adapterTimeoutMs: 20000 }).then(
  () => null,
  (e: unknown) => (e instanceof Error ? e.message : String(e)),
);

async function webgpuOrSkip(t: { skip(msg: string): void }): Promise<boolean> {
  const why = await ready;
  if (why === null) return true;
  // CI installs a software Vulkan driver (scripts/webgpu-deps.sh) and sets this: there, no adapter is a failure.
  if (process.env.DATADIET_REQUIRE_WEBGPU === '1') assert.fail(`a WebGPU adapter is required (DATADIET_REQUIRE_WEBGPU=1) but ${why}`);
  t.skip(why);
  return false;
}

// Float32 on a GPU sums in other orders (and lavapipe vectorizes): a few ulps per term, not bit equality.
const KERNEL_TOL = 1e-4;

function kernelMatches(name: string, inputs: Parameters<typeof runOn>[2], attrs: tf.NamedAttrMap, label: string): Promise<void> {
  return assertKernelMatchesCpu(name, inputs, attrs, label, KERNEL_TOL, 'webgpu');
}

test('webgpu: the adapter is named in the device string', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const info = await initBackend('webgpu');
  assert.equal(info.name, 'webgpu');
  assert.match(info.device, /^webgpu \(.+\)$/);
  assert.doesNotMatch(info.device, /^webgpu \(GPU\)$/, 'the adapter description is known');
});

test("webgpu: 'auto' never picks a software adapter (lavapipe, SwiftShader) ahead of wasm", async (t) => {
  // The rule itself needs no adapter.
  assert.equal(isSoftwareAdapter({ info: { vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' } }), true);
  assert.equal(isSoftwareAdapter({ info: { vendor: 'google', description: 'SwiftShader Device (Subzero)' } }), true);
  assert.equal(isSoftwareAdapter({ info: { vendor: 'x', isFallbackAdapter: true } }), true);
  assert.equal(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' } }), false);
  assert.equal(isSoftwareAdapter({ info: { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX' } }), false);
  if (!(await webgpuOrSkip(t))) return;
  const info = await initBackend('webgpu');
  const software = /llvmpipe|lavapipe|swiftshader|software/i.test(info.device);
  const auto = await initBackend('auto');
  if (software) {
    assert.notEqual(auto.name, 'webgpu', `auto picked the software adapter: ${auto.device}`);
    assert.match(auto.reason, /webgpu: software adapter only/);
  }
  await initBackend('webgpu');
});

test('webgpu: Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter match cpu (strides 1/2, same/valid, the ImageNet stem)', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const cases: { x: [number, number, number, number]; k: number; co: number; s: number; pad: 'same' | 'valid' | number }[] = [
    { x: [2, 8, 8, 3], k: 3, co: 8, s: 1, pad: 'same' },
    { x: [2, 9, 9, 8], k: 3, co: 12, s: 2, pad: 'same' },
    { x: [1, 7, 6, 5], k: 3, co: 4, s: 1, pad: 'valid' },
    { x: [2, 8, 8, 4], k: 1, co: 6, s: 2, pad: 'valid' },
    // The ResNet ImageNet stem: 7x7 stride 2, PyTorch's padding 3, even and odd sides.
    { x: [2, 16, 16, 3], k: 7, co: 8, s: 2, pad: 3 },
    { x: [1, 17, 15, 3], k: 7, co: 8, s: 2, pad: 3 },
  ];
  let seed = 1;
  for (const c of cases) {
    const filterShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.co];
    const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad);
    const x = { values: randomValues(size(c.x), seed++), shape: c.x };
    const filter = { values: randomValues(size(filterShape), seed++), shape: filterShape };
    const dy = { values: randomValues(size(info.outShape), seed++), shape: info.outShape };
    const base = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    const label = JSON.stringify(c);
    await kernelMatches('Conv2D', { x, filter }, base as unknown as tf.NamedAttrMap, `Conv2D ${label}`);
    await kernelMatches('Conv2DBackpropInput', { dy, filter }, { ...base, inputShape: c.x } as unknown as tf.NamedAttrMap, `Conv2DBackpropInput ${label}`);
    await kernelMatches('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape } as unknown as tf.NamedAttrMap, `Conv2DBackpropFilter ${label}`);
  }
});

test('webgpu: BatchMatMul matches cpu for every transpose combination, 2-D and batched', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const { a, b, ta, tb } of matMulCombos(MATMUL_SHAPES)) {
    await kernelMatches(
      'BatchMatMul',
      { a: { values: randomValues(size(a), 1), shape: a }, b: { values: randomValues(size(b), 2), shape: b } },
      { transposeA: ta, transposeB: tb },
      `a ${a} b ${b} tA ${ta} tB ${tb}`,
    );
  }
});

test('webgpu: MaxPool and MaxPoolGrad match cpu', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const cases: { x: [number, number, number, number]; f: number; s: number; pad: 'same' | 'valid' | number; negative?: boolean }[] = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 7, 4], f: 2, s: 2, pad: 'same' },
    { x: [2, 8, 8, 4], f: 3, s: 2, pad: 'same' },
    // The ResNet ImageNet stem's pool (PyTorch's padding 1): all-negative inputs, so a padded cell must never win.
    { x: [2, 8, 8, 4], f: 3, s: 2, pad: 1, negative: true },
    { x: [2, 9, 7, 4], f: 3, s: 2, pad: 1, negative: true },
  ];
  let seed = 20;
  for (const c of cases) {
    const x = { values: randomValues(size(c.x), seed++).map((v) => (c.negative ? v - 2 : v)), shape: c.x };
    const attrs = { filterSize: c.f, strides: c.s, pad: c.pad } as unknown as tf.NamedAttrMap;
    await kernelMatches('MaxPool', { x }, attrs, `MaxPool ${JSON.stringify(c)}`);
    const [y] = await runOn('cpu', 'MaxPool', { x }, attrs);
    await kernelMatches(
      'MaxPoolGrad',
      { dy: { values: randomValues(y.values.length, seed++), shape: y.shape }, input: x, output: { values: y.values as Float32Array, shape: y.shape } },
      attrs,
      `MaxPoolGrad ${JSON.stringify(c)}`,
    );
  }
});

/** A small conv net's loss: conv+bias, relu, maxpool; strided conv, relu; global mean; dense; softmax CE. */
function convNetLoss(x: tf.Tensor4D, y: tf.Tensor2D, p: tf.Tensor[]): tf.Scalar {
  let h = tf.relu(tf.add(tf.conv2d(x, p[0] as tf.Tensor4D, 1, 'same'), p[1])) as tf.Tensor4D; // 8x8
  h = tf.maxPool(h, 2, 2, 'valid'); // 4x4
  h = tf.relu(tf.conv2d(h, p[2] as tf.Tensor4D, 2, 'same')); // 2x2
  const gap = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(gap, p[3] as tf.Tensor2D), p[4]) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

async function convNetGradsOn(backend: 'cpu' | 'webgpu'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const shapes = [[3, 3, 3, 6], [6], [3, 3, 6, 8], [8, 5], [5]];
  const ts = tf.tidy(() => {
    const p = shapes.map((s, i) => tf.mul(tf.tensor(randomValues(size(s), 40 + i), s), 0.5));
    const x = tf.tensor4d(randomValues(3 * 8 * 8 * 3, 50), [3, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5) as tf.Tensor2D;
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => convNetLoss(a[0] as tf.Tensor4D, y, a.slice(1)))([x, ...p]);
    return [value, ...grads];
  });
  const out = await Promise.all(ts.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose(ts);
  return out;
}

test('webgpu: tf.grads of a small conv net loss match cpu (loss, input and every parameter)', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const ref = await convNetGradsOn('cpu');
  const got = await convNetGradsOn('webgpu');
  const names = ['loss', 'x', 'conv1', 'bias1', 'conv2', 'dense', 'biasDense'];
  for (let i = 0; i < ref.length; i++) {
    const err = relError(got[i], ref[i]);
    assert.ok(err < KERNEL_TOL, `${names[i]}: relative error ${err.toExponential(2)}`);
  }
});

const CNN: ModelSpec = { arch: 'cnn-small', width: 0.25, inputShape: [16, 16, 1], numClasses: 10 };

function batch(n: number, seed: number): { xs: Float32Array; labels: Int32Array } {
  const xs = randomValues(n * size([...CNN.inputShape]), seed);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % CNN.numClasses);
  return { xs, labels };
}

/** One step of the product's trainStep (asynchronous readback): its loss. */
async function stepLoss(model: Model, sgd: Sgd, xs: Float32Array, labels: Int32Array, lr: number): Promise<number> {
  return (await trainStep(model, sgd, model.params.map((p) => p.variable), xs, labels, lr)).loss;
}

async function trainLosses(backend: 'cpu' | 'webgpu', steps: number): Promise<{ losses: number[]; params: Float32Array }> {
  await tf.setBackend(backend);
  const model = buildModel(CNN, makeRng(7).next); // same seed, same init on both backends
  const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { xs, labels } = batch(16, 100 + s);
    losses.push(await stepLoss(model, sgd, xs, labels, 0.05));
  }
  const flat = tf.concat(model.params.map((p) => tf.reshape(p.variable, [-1])));
  const params = (await flat.data()) as Float32Array;
  flat.dispose();
  sgd.dispose();
  model.dispose();
  return { losses, params };
}

test('webgpu: cnn-small trained for 5 SGD steps from the same init gives the cpu losses and parameters', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const ref = await trainLosses('cpu', 5);
  const got = await trainLosses('webgpu', 5);
  assert.ok(ref.losses.every(Number.isFinite) && ref.losses[0] > 1, `cpu losses ${ref.losses}`);
  for (let s = 0; s < ref.losses.length; s++) {
    const err = Math.abs(got.losses[s] - ref.losses[s]) / Math.abs(ref.losses[s]);
    assert.ok(err < 1e-4, `step ${s}: loss ${got.losses[s]} vs cpu ${ref.losses[s]} (relative ${err.toExponential(2)})`);
  }
  const perr = relError(got.params, ref.params);
  assert.ok(perr < 1e-4, `parameters after 5 steps: relative error ${perr.toExponential(2)}`);
});

/** A briefly trained model (so that scores are not all alike) on cpu, copied onto `backend`. */
async function scoredModel(backend: 'cpu' | 'webgpu'): Promise<Model> {
  await tf.setBackend(backend);
  const model = buildModel(CNN, makeRng(11).next);
  const sgd = new Sgd({ momentum: 0.9, nesterov: false, weightDecay: 0 });
  for (let s = 0; s < 2; s++) {
    const { xs, labels } = batch(16, 200 + s);
    await stepLoss(model, sgd, xs, labels, 0.1);
  }
  sgd.dispose();
  return model;
}

/** Exact GraNd on any backend: one example at a time, tf.variableGrads of <f(x_i), softmax - onehot>, L2 norm. */
async function exactGrandAsync(model: Model, xs: Float32Array, labels: Int32Array): Promise<Float32Array> {
  const [h, w, c] = model.spec.inputShape;
  const per = h * w * c;
  const vars = model.params.map((p) => p.variable);
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const sq = tf.tidy(() => {
      const xi = tf.tensor4d(xs.subarray(i * per, (i + 1) * per), [1, h, w, c]);
      const cot = grandCotangent(labels.subarray(i, i + 1), model.spec.numClasses)(model.forward(xi, { training: false }));
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi, { training: false }), cot)) as tf.Scalar, vars);
      // Pairwise adds, not tf.addN: tfjs-backend-webgpu's AddN binds one storage buffer per input and fails
      // (invalid pipeline, garbage result) past the device's default 8 storage buffers per stage.
      return Object.values(grads)
        .map((g) => tf.sum(tf.square(g)))
        .reduce((a, b) => tf.add(a, b));
    });
    out[i] = Math.sqrt((await sq.data())[0]);
    sq.dispose();
  }
  return out;
}

test('webgpu: EL2N and exact GraNd of a small batch match cpu (src/core/scores)', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { xs, labels } = batch(8, 300);
  const [h, w, c] = CNN.inputShape;
  const results: Record<string, { el2n: Float32Array; grand: Float32Array; batched: Float32Array }> = {};
  for (const backend of ['cpu', 'webgpu'] as const) {
    const model = await scoredModel(backend);
    const x = tf.tensor4d(xs, [labels.length, h, w, c]);
    const logitsT = tf.tidy(() => model.forward(x, { training: false }));
    const logits = (await logitsT.data()) as Float32Array;
    logitsT.dispose();
    results[backend] = {
      el2n: el2nFromLogits(logits, labels, CNN.numClasses),
      grand: await exactGrandAsync(model, xs, labels),
      // The product's batched GraNd (per-example gradient norms in one backward pass), read asynchronously.
      batched: await perExampleGradNormsAsync(model, x, grandCotangent(labels, CNN.numClasses)),
    };
    x.dispose();
    model.dispose();
  }
  assert.ok(new Set(results.cpu.el2n).size > 1 && new Set(results.cpu.grand).size > 1, 'scores are not all alike');
  assert.ok(relError(results.cpu.batched, results.cpu.grand) < 1e-4, 'batched GraNd matches the one-at-a-time form on cpu');
  const e = relError(results.webgpu.el2n, results.cpu.el2n);
  const g = relError(results.webgpu.grand, results.cpu.grand);
  const b = relError(results.webgpu.batched, results.cpu.batched);
  assert.ok(e < 1e-4, `EL2N: relative error ${e.toExponential(2)}`);
  assert.ok(g < 1e-4, `GraNd one at a time: relative error ${g.toExponential(2)}`);
  assert.ok(b < 1e-4, `GraNd batched (the product path): relative error ${b.toExponential(2)}`);
});


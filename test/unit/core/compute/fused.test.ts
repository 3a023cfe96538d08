import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ADD_RELU, BN_APPLY, BN_GRAD, BN_STATS, fusedKernelsReady, RELU_GRAD } from '../../../../src/core/compute/kernels/fused';
import { relError } from '../../helpers/tf';
import { assertNoLeak, randomValues, size, useWasm } from './kernelHarness';

const EPS = 1e-5;

/** Values (and shapes) of f's outputs computed on `backend` from the given host arrays. */
async function on(
  backend: 'cpu' | 'wasm',
  ins: Record<string, { v: Float32Array; s: number[] }>,
  f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const t: Record<string, tf.Tensor> = {};
    for (const [k, { v, s }] of Object.entries(ins)) t[k] = tf.tensor(v, s);
    const out = f(t);
    return (Array.isArray(out) ? out : [out]).map((o) => o.dataSync() as Float32Array);
  });
}

function inputs(shape: number[], seed: number, offset = 0): Record<string, { v: Float32Array; s: number[] }> {
  const c = shape[shape.length - 1];
  return {
    x: { v: randomValues(size(shape), seed).map((v) => 3 * v + offset), s: shape },
    dy: { v: randomValues(size(shape), seed + 1), s: shape },
    gamma: { v: randomValues(c, seed + 2).map((v) => 1 + 0.5 * v), s: [c] },
    beta: { v: randomValues(c, seed + 3), s: [c] },
    runMean: { v: randomValues(c, seed + 4), s: [c] },
    runVar: { v: randomValues(c, seed + 5).map((v) => 1 + 0.5 * v), s: [c] },
  };
}

// (Not 2 rows: with two values per channel the exact dx is ~epsilon/variance, pure rounding noise either way.)
const SHAPES = [[4, 5, 6, 8], [3, 7, 4], [6, 16], [1, 3, 1, 4]];

test('fused batch-norm kernels on wasm match the formula on cpu (stats, apply +/- relu, grad +/- relu)', async () => {
  await useWasm();
  assert.ok(fusedKernelsReady(), 'fused kernels ready on wasm');
  let seed = 1;
  for (const shape of SHAPES) {
    // A large common offset checks that the statistics do not cancel catastrophically (on enough rows for the
    // cpu reference itself to stay accurate).
    for (const offset of size(shape) >= 100 ? [0, 100] : [0]) {
      const ins = inputs(shape, (seed += 10), offset);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const count = size(shape) / shape[shape.length - 1];
      const label = `${JSON.stringify(shape)} offset ${offset}`;
      const stats = (t: Record<string, tf.Tensor>) =>
        tf.engine().runKernel(BN_STATS, { x: t.x, runMean: t.runMean, runVar: t.runVar }, { momentum: 0.1 }) as tf.Tensor[];
      const refStats = (t: Record<string, tf.Tensor>) => {
        const { mean, variance } = tf.moments(t.x, axes);
        const unbiased = tf.mul(variance, count / Math.max(1, count - 1));
        return [mean, variance, tf.add(tf.mul(t.runMean, 0.9), tf.mul(mean, 0.1)), tf.add(tf.mul(t.runVar, 0.9), tf.mul(unbiased, 0.1))];
      };
      const got = await on('wasm', ins, stats);
      const ref = await on('cpu', ins, refStats);
      // The mean is compared relative to the data's scale (its own size can be ~0).
      assert.ok(relError(got[0], ref[0]) < 1e-5 || Math.max(...got[0].map((v, i) => Math.abs(v - ref[0][i]))) < 3e-6 * (offset + 3), `${label}: mean`);
      for (let i = 1; i < 4; i++) assert.ok(relError(got[i], ref[i]) < 1e-5, `${label}: stats output ${i} ${relError(got[i], ref[i])}`);
      for (const relu of [false, true]) {
        const apply = (t: Record<string, tf.Tensor>) => {
          const [mean, variance] = stats(t);
          const y = tf.engine().runKernel(BN_APPLY, { x: t.x, mean, variance, gamma: t.gamma, beta: t.beta }, { epsilon: EPS, relu }) as tf.Tensor;
          const inputs: tf.NamedTensorMap = { dy: t.dy, x: t.x, gamma: t.gamma, mean, variance };
          if (relu) inputs.y = y;
          return [y, ...(tf.engine().runKernel(BN_GRAD, inputs, { epsilon: EPS, relu }) as tf.Tensor[])];
        };
        const refApply = (t: Record<string, tf.Tensor>) => {
          const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
            const { mean, variance } = tf.moments(x, axes);
            const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), g), b);
            return relu ? tf.relu(y) : y;
          };
          const { value, grads } = tf.valueAndGrads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(x, g, b), t.dy)))([t.x, t.gamma, t.beta]);
          void value;
          return [f(t.x, t.gamma, t.beta), ...grads];
        };
        const g2 = await on('wasm', ins, apply);
        const r2 = await on('cpu', ins, refApply);
        ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => {
          const err = relError(g2[i], r2[i]);
          assert.ok(err < 1e-5, `${label} relu=${relu}: ${name} relative error ${err.toExponential(2)}`);
        });
      }
    }
  }
});

test('AddRelu and ReluGrad on wasm match relu(a + b) and its gradient on cpu (odd sizes too)', async () => {
  await useWasm();
  for (const shape of [[2, 3, 4, 8], [7], [3, 5]]) {
    const ins = { a: { v: randomValues(size(shape), 3), s: shape }, b: { v: randomValues(size(shape), 4), s: shape }, dy: { v: randomValues(size(shape), 5), s: shape } };
    const got = await on('wasm', ins, (t) => {
      const y = tf.engine().runKernel(ADD_RELU, { a: t.a, b: t.b }) as tf.Tensor;
      return [y, tf.engine().runKernel(RELU_GRAD, { dy: t.dy, y }) as tf.Tensor];
    });
    const ref = await on('cpu', ins, (t) => {
      const y = tf.relu(tf.add(t.a, t.b));
      return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(a, t.b)), t.dy)))(t.a)];
    });
    assert.equal(relError(got[0], ref[0]), 0, `${shape}: add+relu`);
    assert.equal(relError(got[1], ref[1]), 0, `${shape}: relu grad`);
  }
});

test('fused kernels reject shapes they do not take, and leak nothing', async () => {
  await useWasm();
  const x = tf.tensor(randomValues(2 * 3 * 6, 1), [2, 3, 6]);
  const v = tf.ones([6]);
  assert.throws(() => tf.engine().runKernel(BN_STATS, { x, runMean: v, runVar: v }, { momentum: 0.1 }), /multiple of 4/);
  tf.dispose([x, v]);
  const x8 = tf.tensor(randomValues(2 * 3 * 8, 2), [2, 3, 8]);
  const g = tf.ones([8]);
  await assertNoLeak(() => {
    const [mean, variance, m2, v2] = tf.engine().runKernel(BN_STATS, { x: x8, runMean: g, runVar: g }, { momentum: 0.1 }) as tf.Tensor[];
    const y = tf.engine().runKernel(BN_APPLY, { x: x8, mean, variance, gamma: g, beta: g }, { epsilon: EPS, relu: true }) as tf.Tensor;
    const grads = tf.engine().runKernel(BN_GRAD, { dy: x8, x: x8, y, gamma: g, mean, variance }, { epsilon: EPS, relu: true }) as tf.Tensor[];
    const z = tf.engine().runKernel(ADD_RELU, { a: x8, b: y }) as tf.Tensor;
    return [mean, variance, m2, v2, y, ...grads, z, tf.engine().runKernel(RELU_GRAD, { dy: x8, y: z }) as tf.Tensor];
  }, 'fused kernels');
  tf.dispose([x8, g]);
});

test('Identity on wasm shares the data (no copy) and disposal stays reference-counted', async () => {
  await useWasm();
  const x = tf.tensor([1, 2, 3, 4]);
  const before = tf.backend().numDataIds();
  const y = tf.clone(x);
  assert.equal(tf.backend().numDataIds(), before, 'no new data');
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4], 'clone survives the original');
  y.dispose();
  const s = tf.tensor(['a', 'b']);
  assert.deepEqual(tf.clone(s).dataSync(), ['a', 'b'], 'strings');
  s.dispose();
  const z = tf.tensor(randomValues(64, 9), [4, 16]);
  await assertNoLeak(() => tf.clone(z), 'identity');
  z.dispose();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../helpers/tf';
import { Sgd } from '../../../../src/core/train/sgd';
import { learningRateAt } from '../../../../src/core/train/schedule';

test('SGD with Nesterov momentum and weight decay follows torch.optim.SGD step by step', async () => {
  await useCpu();
  const v = tf.variable(tf.tensor1d([1, -2]), true, 'p');
  const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  // Reference in plain numbers, torch semantics: d = g + wd p; buf = m buf + d (buf = d first); d += m buf; p -= lr d
  let p = [1, -2];
  let buf: number[] | undefined;
  const grads = [
    [0.5, 0.25],
    [-1, 2],
    [0.1, 0.1],
  ];
  for (const g of grads) {
    sgd.step([v], { p: tf.tensor1d(g) }, 0.1);
    const d = g.map((gi, i) => gi + 0.01 * p[i]);
    buf = buf ? buf.map((b, i) => 0.9 * b + d[i]) : d.slice();
    const upd = d.map((di, i) => di + 0.9 * buf![i]);
    p = p.map((pi, i) => pi - 0.1 * upd[i]);
  }
  const got = Array.from(v.dataSync());
  got.forEach((x, i) => assert.ok(Math.abs(x - p[i]) < 1e-6, `param ${i}: ${x} vs ${p[i]}`));
  sgd.dispose();
});

test('step schedule multiplies the rate by gamma at each milestone fraction of the budget', () => {
  const s = { baseLr: 0.1, milestones: [0.5, 0.75], gamma: 0.2, totalSteps: 100 };
  assert.equal(learningRateAt(s, 0), 0.1);
  assert.equal(learningRateAt(s, 49), 0.1);
  assert.ok(Math.abs(learningRateAt(s, 50) - 0.02) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 99) - 0.004) < 1e-12);
});

test('SGD on wasm (one fused kernel per parameter) matches the composed ops on cpu', async () => {
  const { initBackend } = await import('../../../../src/core/compute/backend');
  const rows = (seed: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * 2);
  const run = (): Float32Array[] => {
    const out: Float32Array[] = [];
    for (const options of [
      { momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      { momentum: 0.8, nesterov: false, weightDecay: 0 },
      { momentum: 0, nesterov: false, weightDecay: 1e-3 },
    ]) {
      // Sizes with and without a remainder of 4 (the SIMD loop's tail).
      const vars = [tf.variable(tf.tensor(rows(1, 12), [3, 4])), tf.variable(tf.tensor(rows(2, 7)))];
      const sgd = new Sgd(options);
      for (let step = 0; step < 3; step++) {
        const grads: tf.NamedTensorMap = {};
        vars.forEach((v, i) => (grads[v.name] = tf.tensor(rows(10 * step + i, v.size), v.shape)));
        sgd.step(vars, grads, 0.05 * (step + 1));
        tf.dispose(Object.values(grads));
      }
      vars.forEach((v) => out.push(v.dataSync() as Float32Array));
      sgd.dispose();
      tf.dispose(vars);
    }
    return out;
  };
  await initBackend('wasm', { threads: 1 });
  const wasm = run();
  await useCpu();
  const cpu = run();
  cpu.forEach((ref, i) => ref.forEach((x, j) => assert.ok(Math.abs(wasm[i][j] - x) <= 1e-6 * Math.max(1, Math.abs(x)), `${i}/${j}: ${wasm[i][j]} vs ${x}`)));
});

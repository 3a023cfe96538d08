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

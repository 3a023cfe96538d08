import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { curveAtEvaluations } from '../../../../src/core/experiments/pruneSweep';
import { trainRunStreams } from '../../../../src/core/experiments/experimentStreams';
import { buildModel } from '../../../../src/core/models/registry';
import { makeRng } from '../../../../src/core/random';
import { trainModel, type EpochMetrics, type TrainOptions } from '../../../../src/core/train/trainLoop';
import { useCpu } from '../../helpers/tf';

/** Two classes told apart by brightness, with noise: learnable in a few steps by a linear model. */
function brightness(n: number, seed: number): ImageDataset {
  const rng = makeRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(2));
  const images = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) images[i * 16 + p] = Math.min(255, Math.floor((labels[i] ? 150 : 60) + 80 * rng.next()));
  return { name: 'brightness', images, labels, shape: [4, 4, 1], numClasses: 2 };
}

const train = brightness(200, 1);
const test_ = brightness(100, 2);
const stats = { mean: [128], std: [50] };
const options = (evalEverySteps?: number): TrainOptions => ({
  batchSize: 10, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0, steps: 60, milestones: [], gamma: 1,
  dataStream: trainRunStreams(0).data, augment: false, ...(evalEverySteps === undefined ? {} : { evalEverySteps }),
});

async function run(subset: Int32Array, evalEverySteps?: number) {
  await useCpu();
  const model = buildModel({ arch: 'linear', width: 1, inputShape: [4, 4, 1], numClasses: 2 }, trainRunStreams(0).init.uniform());
  try {
    return await trainModel(model, { train, trainIndices: subset, test: test_, stats }, options(evalEverySteps));
  } finally {
    model.dispose();
  }
}

test('evalEverySteps: a small subset is evaluated about once per interval, and always at the end; training is unchanged', async () => {
  // 20 examples at batch 10: 2 steps per pass, 30 passes for the 60-step budget.
  const subset = Int32Array.from({ length: 20 }, (_, i) => i * 10);
  const every = await run(subset);
  const sparse = await run(subset, 20);
  assert.equal(every.epochs.length, 30);
  assert.ok(every.epochs.every((e) => e.test), 'by default every epoch is evaluated');
  assert.deepEqual(sparse.epochs.filter((e) => e.test).map((e) => e.step), [20, 40, 60]);
  // Evaluating does not touch the model or the data order: the same losses, the same final accuracy.
  assert.deepEqual(sparse.epochs.map((e) => e.trainLoss), every.epochs.map((e) => e.trainLoss));
  assert.equal(sparse.epochs.at(-1)!.test!.accuracy, every.epochs.at(-1)!.test!.accuracy);
  // An interval that does not divide the epochs: the first epoch end at or past it, then the last step.
  assert.deepEqual((await run(subset, 25)).epochs.filter((e) => e.test).map((e) => e.step), [26, 52, 60]);
});

test('the retraining curve averages the training loss and accuracy by steps between its evaluations', () => {
  const e = (epoch: number, step: number, trainLoss: number, trainAccuracy: number, accuracy?: number): EpochMetrics =>
    ({ epoch, step, lr: 0.1, trainLoss, trainAccuracy, trainSeconds: 1, examplesPerSecond: 1, ...(accuracy === undefined ? {} : { test: { accuracy, loss: 0 } }) }) as EpochMetrics;
  const curve = curveAtEvaluations([e(1, 2, 1.0, 0.5), e(2, 4, 0.5, 0.7, 0.8), e(3, 6, 0.4, 0.8), e(4, 7, 0.1, 1, 0.9)]);
  assert.equal(curve.length, 2);
  assert.deepEqual(curve.map((p) => [p.epoch, p.step, p.testAccuracy]), [[2, 4, 0.8], [4, 7, 0.9]]);
  assert.ok(Math.abs(curve[0].trainLoss - 0.75) < 1e-12 && Math.abs(curve[0].trainAccuracy - 0.6) < 1e-12);
  // Two steps at 0.4 and one at 0.1.
  assert.ok(Math.abs(curve[1].trainLoss - 0.3) < 1e-12 && Math.abs(curve[1].trainAccuracy - (0.8 * 2 + 1) / 3) < 1e-12);
});

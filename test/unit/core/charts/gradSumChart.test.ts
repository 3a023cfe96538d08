import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradSumChart } from '../../../../src/core/charts/gradSumChart';
import { dataMarks, itemCount, render, texts } from './svg';

test('a point per minibatch and epoch, Pearson r in the subtitle, epochs in the legend', async () => {
  const rows = [0, 1, 2].flatMap((epoch) => Array.from({ length: 6 }, (_, batch) => ({ epoch, batch, sumOfNorms: 10 - 3 * epoch + batch, normOfSum: (10 - 3 * epoch + batch) * 0.4 })));
  const spec = gradSumChart({ rows, batchSize: 128, pearson: 0.987 });
  assert.equal((spec as { encoding: { x: { scale: { type?: string } } } }).encoding.x.scale.type, 'log');
  const svg = await render(spec);
  assert.deepEqual(dataMarks(svg), ['symbol']);
  assert.equal(itemCount(svg, 'symbol'), 18);
  const t = texts(svg);
  for (const s of ['18 minibatches of 128, Pearson r = 0.987', 'Sum of per-example gradient norms', 'Norm of the minibatch gradient sum', 'Epoch', '0', '1', '2']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
});

test('a zero norm falls back to linear axes', async () => {
  const spec = gradSumChart({ rows: [{ epoch: 0, batch: 0, normOfSum: 0, sumOfNorms: 0 }, { epoch: 0, batch: 1, normOfSum: 1, sumOfNorms: 2 }], batchSize: 2 });
  assert.equal((spec as { encoding: { y: { scale: { type?: string } } } }).encoding.y.scale.type, undefined);
  assert.equal(itemCount(await render(spec), 'symbol'), 2);
});

test('refuses empty or non-finite input', () => {
  assert.throws(() => gradSumChart({ rows: [], batchSize: 1 }), /no minibatches/);
  assert.throws(() => gradSumChart({ rows: [{ epoch: 0, batch: 0, normOfSum: NaN, sumOfNorms: 1 }], batchSize: 1 }), /norm of sum of batch 0 at epoch 0 must be a finite number/);
});

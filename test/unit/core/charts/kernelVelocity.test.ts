import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelVelocity, kernelVelocityRows } from '../../../../src/core/charts/kernelVelocity';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

const rows = [0, 1, 2].flatMap((epoch) => [0, 0.25, 0.5, 0.75, 0.95].map((startFraction) => ({ epoch, startFraction, velocity: 0.05 + startFraction / (epoch + 1) / 5, meanScore: startFraction })));

test('one line per epoch pair with a point per window, x as percentiles', async () => {
  const svg = await render(kernelVelocity({ rows, windowSize: 100, score: 'EL2N' }));
  const marks = dataMarks(svg);
  assert.ok(marks.includes('line') && marks.includes('symbol'), marks.join(','));
  assert.equal(itemCount(svg, 'line'), 3, 'a line per epoch pair');
  assert.equal(itemCount(svg, 'symbol'), 15, 'a point per window and epoch');
  const t = texts(svg);
  for (const s of ['epoch 0 → 1', 'epoch 1 → 2', 'epoch 2 → 3', '0%', '100%', 'NTK kernel velocity']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
  assert.ok(t.some((s) => s.includes('sorted by EL2N') && s.includes('windows of 100 examples')));
});

test('rows are sorted and checked', () => {
  const r = kernelVelocityRows({ rows: [...rows].reverse() });
  assert.equal(r[0].epoch, 0);
  assert.equal(r[0].startFraction, 0);
  assert.throws(() => kernelVelocityRows({ rows: [] }), /no rows/);
  assert.throws(() => kernelVelocityRows({ rows: [{ epoch: 0, startFraction: 1.5, velocity: 0.1 }] }), /startFraction/);
  assert.throws(() => kernelVelocityRows({ rows: [{ epoch: 0, startFraction: 0, velocity: NaN }] }), /velocity/);
});

test('hostile titles are inert', async () => {
  const svg = await render(kernelVelocity({ rows, title: HOSTILE[0], score: HOSTILE[2] }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[0]));
});

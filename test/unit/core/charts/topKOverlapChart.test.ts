import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topKOverlapChart } from '../../../../src/core/charts/topKOverlapChart';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

test('one line per pair of models and the dashed random baseline k/N, percent axis', async () => {
  const ks = [10, 100, 1000, 2000];
  const svg = await render(topKOverlapChart({ ks, baseline: ks.map((k) => k / 2000), series: [{ name: 'run 0 vs run 1', overlap: [0.3, 0.4, 0.7, 1] }, { name: 'run 0 vs run 2', overlap: [0.2, 0.45, 0.72, 1] }] }));
  assert.ok(!dataMarks(svg).includes('rule'));
  assert.equal(itemCount(svg, 'line'), 3);
  assert.equal(itemCount(svg, 'symbol'), 3 * ks.length);
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  for (const s of ['run 0 vs run 1', 'run 0 vs run 2', 'random (k/N)', 'Overlap |S1 ∩ S2| / k']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
  assert.ok(t.some((s) => /^\d+%$/.test(s)), 'percent y axis');
  assert.ok(!t.includes('10,000'), 'the k axis ends at the largest k');
});

test('names from data are escaped', async () => {
  assertInert(await render(topKOverlapChart({ ks: [1, 2], baseline: [0.5, 1], series: [{ name: HOSTILE[3], overlap: [1, 1] }], title: HOSTILE[1] })));
  assert.ok(hasLabel(await render(topKOverlapChart({ ks: [1, 2], baseline: [0.5, 1], series: [{ name: HOSTILE[0], overlap: [1, 1] }] })), HOSTILE[0]));
});

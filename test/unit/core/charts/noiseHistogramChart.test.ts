import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noiseHistogramChart } from '../../../../src/core/charts/noiseHistogramChart';
import { dataMarks, hasLabel, render, texts } from './svg';

test('clean and corrupted bars, normalized per group, AUROC in the title', async () => {
  const n = 500;
  const corrupted = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const values = corrupted.map((c, i) => c * 0.8 + ((i * 37) % 100) / 200);
  const svg = await render(noiseHistogramChart({ score: 'el2n', values, corrupted, auroc: 0.9712 }));
  assert.ok(dataMarks(svg).includes('rect'), dataMarks(svg).join(','));
  const t = texts(svg);
  assert.ok(hasLabel(svg, 'el2n of clean and corrupted labels (AUROC 0.971)'), t.join('|'));
  assert.ok(t.includes('clean') && t.includes('corrupted'), t.join('|'));
});

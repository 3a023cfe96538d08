import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitWidth, MIN_CHART_WIDTH } from '../../../../src/core/notebook/fitWidth';
import { pruningCurve } from '../../../../src/core/charts/pruningCurve';
import { histogramChart, histogram } from '../../../../src/core/charts/scoreHistogram';
import { render } from '../charts/svg';

const svgWidth = (svg: string) => Number(/^<svg [^>]*width="([\d.]+)"/.exec(svg)![1]);

test('a fitted chart is as wide as the output, axes and legend included', async () => {
  const spec = pruningCurve({ series: [{ name: 'EL2N', points: [{ fractionPruned: 0, accuracies: [0.9] }, { fractionPruned: 0.5, accuracies: [0.8] }] }, { name: 'random', points: [{ fractionPruned: 0, accuracies: [0.9] }, { fractionPruned: 0.5, accuracies: [0.85] }] }] });
  for (const w of [500, 900]) assert.ok(Math.abs(svgWidth(await render(fitWidth(spec, w))) - w) <= 1, `width ${w}`);
  assert.equal((fitWidth(spec, 100) as { width: number }).width, MIN_CHART_WIDTH);
  assert.equal(fitWidth(spec, 0), spec, 'an unmeasured output keeps the builder width');
});

test('small multiples are left to their builder, which splits the width', () => {
  const h = histogram([1, 2, 3, 4, 5, 6], 3);
  const facet = histogramChart({ ...h, groups: ['a', 'b', 'c'], counts: [h.counts[0], h.counts[0], h.counts[0]] }, { score: 's', width: 800 });
  assert.equal(fitWidth(facet, 800), facet);
});

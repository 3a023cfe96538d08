import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategyComparisonChart } from '../../../../src/core/charts/strategyComparisonChart';
import { PAPER_STRATEGY_NAMES } from '../../../../src/core/experiments/strategyComparison';
import { dataMarks, hasLabel, itemCount, render } from './svg';

test('the four strategies under the paper names, bands, and the full-data rule, from prune-sweep rows', async () => {
  const rows = [0, 1].flatMap((seed) => [
    { strategy: 'full data', fractionPruned: 0, testAccuracy: 0.95 + 0.01 * seed },
    ...['keep-top', 'non-extreme', 'gradient-cdf', 'random'].flatMap((strategy, s) => [0.5, 0.9].map((f) => ({ strategy, fractionPruned: f, testAccuracy: 0.9 - f * 0.1 * (s + 1) + 0.01 * seed }))),
  ]);
  const svg = await render(strategyComparisonChart({ rows, names: PAPER_STRATEGY_NAMES, score: 'grand' }));
  const marks = dataMarks(svg);
  for (const m of ['area', 'line', 'rule']) assert.ok(marks.includes(m), `mark-${m} in ${marks}`);
  assert.equal(itemCount(svg, 'line'), 4);
  assert.equal(itemCount(svg, 'area'), 4);
  for (const name of ['Max-Gradient', 'Non-extreme Max-Gradient', 'Gradient-CDF', 'Random', 'Subset selection strategies (grand scores)']) assert.ok(hasLabel(svg, name), name);
  assert.ok(hasLabel(svg, 'full data 95.5%'));
  assert.throws(() => strategyComparisonChart({ rows: rows.filter((r) => r.strategy === 'full data') }), /no pruned retrainings/);
});

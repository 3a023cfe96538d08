import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelEntropyChart } from '../../../../src/core/charts/labelEntropyChart';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

const ks = [10, 100, 1000, 2000];

test('a line per score plus random, and the dashed uniform baseline ln 10', async () => {
  const svg = await render(
    labelEntropyChart({ ks, uniform: Math.log(10), numClasses: 10, series: [{ score: 'el2n', entropy: [1.1, 1.9, 2.25, 2.3] }, { score: 'grand', entropy: [1.3, 2.0, 2.27, 2.3] }], random: [2.1, 2.28, 2.3, 2.3] }),
  );
  const marks = dataMarks(svg);
  for (const m of ['line', 'symbol', 'rule', 'text']) assert.ok(marks.includes(m), `mark-${m} in ${marks}`);
  assert.equal(itemCount(svg, 'line'), 3, 'el2n, grand, random');
  assert.equal(itemCount(svg, 'symbol'), 3 * ks.length);
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  assert.ok(!t.includes('10,000'), 'the k axis ends at the largest k (2,000), not the next power of 10');
  for (const s of ['el2n', 'grand', 'random', 'uniform: ln 10 = 2.30', 'Label entropy (nats)', 'Label entropy of the top-k examples']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
});

test('score names from data are escaped', async () => {
  const svg = await render(labelEntropyChart({ ks: [1, 2], uniform: Math.LN2, numClasses: 2, series: [{ score: HOSTILE[0], entropy: [0, 0.5] }] }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[0]));
});

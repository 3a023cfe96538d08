import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruningCurve, pruningCurveRows, type PruningCurveInput } from '../../../../src/core/charts/pruningCurve';
import { makeRng } from '../../../../src/core/random';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

function input(names: string[], seeds = 4): PruningCurveInput {
  const rng = makeRng(7);
  return {
    title: 'CIFAR-10, ResNet18',
    series: names.map((name, s) => ({
      name,
      points: [0.7, 0, 0.1, 0.3, 0.5].map((f) => ({ fractionPruned: f, accuracies: Array.from({ length: seeds }, () => 0.9 - 0.2 * f * (s + 1) + 0.02 * rng.next()) })),
    })),
    fullData: [0.951, 0.953, 0.949],
  };
}

test('rows: mean and 16th-84th band per point, sorted by fraction pruned, lo <= mean <= hi', () => {
  const rows = pruningCurveRows(input(['EL2N (keep top)', 'random'], 7));
  assert.equal(rows.length, 10);
  assert.deepEqual(rows.slice(0, 5).map((r) => r.fractionPruned), [0, 0.1, 0.3, 0.5, 0.7]);
  for (const r of rows) {
    assert.ok(r.lo <= r.mean && r.mean <= r.hi, JSON.stringify(r));
    assert.equal(r.seeds, 7);
  }
  const one = pruningCurveRows({ series: [{ name: 'a', points: [{ fractionPruned: 0.2, accuracies: [0.5, 0.6, 0.7, 0.8, 0.9] }] }] })[0];
  assert.ok(Math.abs(one.mean - 0.7) < 1e-12);
  assert.ok(Math.abs(one.lo - 0.564) < 1e-12 && Math.abs(one.hi - 0.836) < 1e-12, `${one.lo} ${one.hi}`);
});

test('renders a line and a band per series, a dashed full-data rule with its label, and a legend', async () => {
  const svg = await render(pruningCurve(input(['EL2N (keep top)', 'random'])));
  const marks = dataMarks(svg);
  for (const m of ['area', 'line', 'symbol', 'rule', 'text', 'rect']) assert.ok(marks.includes(m), `mark-${m} in ${marks}`);
  assert.equal(itemCount(svg, 'line'), 2, 'one line per series');
  assert.equal(itemCount(svg, 'area'), 2, 'one band per series');
  assert.equal(itemCount(svg, 'symbol'), 10, 'a point per (series, fraction)');
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  assert.ok(t.includes('full data 95.1%'), t.join('|'));
  assert.ok(t.includes('EL2N (keep top)') && t.includes('random'), 'legend labels');
  assert.ok(t.includes('Fraction of dataset pruned') && t.includes('Test accuracy'));
  assert.ok(t.includes('50%'), 'percent axis');
  assert.ok(t.includes('CIFAR-10, ResNet18'));
});

test('without full data there is no rule; one seed gives a zero-width band', async () => {
  const spec = pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0, accuracies: [0.9] }, { fractionPruned: 0.5, accuracies: [0.8] }] }] });
  const svg = await render(spec);
  assert.ok(!dataMarks(svg).includes('rule'));
  const rows = pruningCurveRows({ series: [{ name: 'a', points: [{ fractionPruned: 0, accuracies: [0.9] }] }] });
  assert.equal(rows[0].lo, rows[0].hi);
});

test('hostile series names and titles come out escaped and inert', async () => {
  const spec = pruningCurve({ ...input(HOSTILE, 2), title: HOSTILE[0] });
  const svg = await render(spec);
  assertInert(svg);
  assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/);
  for (const h of HOSTILE) assert.ok(hasLabel(svg, h), `legend label ${h}`);
});

test('refuses bad input with a reason', () => {
  assert.throws(() => pruningCurve({ series: [] }), /no series/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [] }] }), /"a" has no points/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0.1, accuracies: [95.1] }] }] }), /fractions in \[0, 1\], got 95.1/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0.1, accuracies: [] }] }] }), /no accuracies/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 1.5, accuracies: [0.5] }] }] }), /fractionPruned must be in \[0, 1\]/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0.1, accuracies: [0.5] }] }, { name: 'a', points: [{ fractionPruned: 0.1, accuracies: [0.5] }] }] }), /"a" is used twice/);
  assert.throws(() => pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0.1, accuracies: [0.5] }] }], fullData: [NaN] }), /fractions in \[0, 1\], got NaN/);
});

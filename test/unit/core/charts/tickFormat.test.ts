import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisFormat, extent, tickCountFor, tickFormat, tickStep } from '../../../../src/core/charts/tickFormat';
import { pruningCurve } from '../../../../src/core/charts/pruningCurve';
import { windowSweep } from '../../../../src/core/charts/windowSweep';
import { curves } from '../../../../src/core/charts/curves';
import { loadVega } from '../../../../src/core/charts/render';
import { render } from './svg';

/** Labels of ticks every `step` over [lo, hi] under d3 format `f` (Vega formats tick labels with d3-format). */
async function labels(lo: number, hi: number, f: string, count = 10): Promise<string[]> {
  const { vega } = await loadVega();
  const step = tickStep(lo, hi, count);
  const fmt = (vega as unknown as { defaultLocale(): { format(f: string): (v: number) => string } }).defaultLocale().format(f);
  const out: string[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(fmt(v));
  return out;
}

test('tickStep follows d3: 1, 2 or 5 times a power of ten', () => {
  assert.equal(tickStep(0, 1, 10), 0.1);
  assert.equal(tickStep(0, 1, 5), 0.2);
  assert.ok(Math.abs(tickStep(0.916, 0.924, 10) - 0.001) < 1e-15);
  assert.equal(tickStep(0, 60000, 10), 5000);
  assert.equal(tickStep(3, 3, 10), 0.2, 'an empty range still has a step');
});

test('formats: decimals from the range, percent or not', () => {
  assert.equal(tickFormat([0.916, 0.924], { percent: true }), '.1%');
  assert.equal(tickFormat([0.1, 0.9], { percent: true }), '.0%');
  assert.equal(tickFormat([0, 1], { percent: true }), '.0%');
  assert.equal(tickFormat([0.9991, 0.9995], { percent: true }), '.3%');
  assert.equal(tickFormat([0.1, 0.9]), ',.1f');
  assert.equal(tickFormat([0, 1]), ',.1f');
  assert.equal(tickFormat([1e-4, 3e-4]), '.1e');
  assert.equal(tickFormat([0, 60000]), ',.0f');
  assert.equal(tickFormat([1e6, 5e7]), ',.0f');
  assert.equal(tickFormat([NaN, 1], { percent: true }), '.0%');
});

test('adjacent tick labels are distinct on narrow, wide, tiny and large ranges', async () => {
  const cases: [number, number, boolean][] = [
    [0.916, 0.924, true],
    [0.1, 0.9, true],
    [0, 1, true],
    [0.99991, 0.99994, true],
    [1e-4, 3e-4, false],
    [2.5e-7, 2.6e-7, false],
    [0, 60000, false],
    [123456, 123470, false],
    [0.916, 0.924, false],
  ];
  for (const [lo, hi, percent] of cases) {
    for (const count of [3, 7, 10]) {
      const f = tickFormat([lo, hi], { percent, count });
      const ls = await labels(lo, hi, f, count);
      assert.ok(ls.length >= 2, `[${lo}, ${hi}] ${f}: ${ls}`);
      assert.equal(new Set(ls).size, ls.length, `[${lo}, ${hi}] count ${count} with ${f}: ${ls.join(' ')}`);
    }
  }
  // Not more decimals than needed: the narrow accuracy range reads 91.6%, not 91.600%.
  assert.deepEqual((await labels(0.916, 0.924, tickFormat([0.916, 0.924], { percent: true }))).slice(0, 2), ['91.6%', '91.7%']);
});

test('extent skips non-finite values and nulls; axisFormat pairs the format with its tick count', () => {
  assert.deepEqual(extent([3, NaN, null, -1, undefined, Infinity]), [-1, 3]);
  assert.deepEqual(extent([]), [0, 1]);
  assert.equal(tickCountFor(280), 7);
  assert.deepEqual(axisFormat([0.916, 0.924], 280, true), { format: '.1%', tickCount: 7 });
});

/** The tick labels of each axis in an SVG (Vega writes one role-axis-label group per axis). */
function axisLabels(svg: string): string[][] {
  return [...svg.matchAll(/<g class="mark-text role-axis-label[^>]*>(.*?)<\/g>/g)].map((m) => [...m[1].matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
}

test('charts over a narrow accuracy range draw distinct y tick labels', async () => {
  const acc = (m: number) => [m - 0.0004, m, m + 0.0004];
  const specs = [
    pruningCurve({ series: [{ name: 'EL2N', points: [0, 0.1, 0.2, 0.3].map((f, i) => ({ fractionPruned: f, accuracies: acc(0.9235 - 0.0025 * i) })) }], fullData: acc(0.922) }),
    windowSweep({ size: 500, n: 1000, points: [0, 100, 200, 300, 400, 500].map((offset, i) => ({ offset, val: [], test: acc(0.917 + 0.0012 * i) })) }),
    curves({ xTitle: 'k', yTitle: 'overlap', yFormat: '.0%', series: [{ name: 'a', x: [1, 2, 3], y: [0.9161, 0.92, 0.9239] }] }),
  ];
  for (const spec of specs) {
    const svg = await render(spec);
    const axes = axisLabels(svg);
    assert.equal(axes.length, 2, 'two axes');
    for (const ls of axes) {
      assert.ok(ls.length >= 3, ls.join(' '));
      assert.equal(new Set(ls).size, ls.length, `tick labels repeat: ${ls.join(' ')}`);
    }
    assert.ok(axes.flat().some((l) => /^9\d\.\d%$/.test(l)), axes.flat().join(' '));
  }
});

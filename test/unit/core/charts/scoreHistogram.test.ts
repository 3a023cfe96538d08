import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLayout, facetColumns, histogram, histogramChart, histogramRows, scoreHistogram, type Histogram } from '../../../../src/core/charts/scoreHistogram';
import { makeRng } from '../../../../src/core/random';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, rectHeights, render, texts } from './svg';

/** 60,000 EL2N-like scores: clean examples low, the 10% corrupted ones high. */
function scores(): { values: Float32Array; corrupted: Uint8Array } {
  const rng = makeRng(3);
  const n = 60000;
  const values = new Float32Array(n);
  const corrupted = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    corrupted[i] = rng.next() < 0.1 ? 1 : 0;
    const u = rng.next() * rng.next();
    values[i] = corrupted[i] ? 1.4 - 0.6 * u : 0.05 + 1.2 * u;
  }
  return { values, corrupted };
}

test('bins every finite value once; counts sum to the number of values', () => {
  const { values, corrupted } = scores();
  const h = histogram(values, 40);
  assert.equal(h.edges.length, 41);
  assert.equal(h.counts[0].reduce((a, c) => a + c, 0), values.length);
  const g = histogram(values, 40, { name: 'corrupted', member: corrupted, rest: 'clean' });
  assert.deepEqual(g.groups, ['clean', 'corrupted']);
  const nCorrupted = corrupted.reduce((a, c) => a + c, 0);
  assert.equal(g.counts[1].reduce((a, c) => a + c, 0), nCorrupted);
  assert.equal(g.counts[0].reduce((a, c) => a + c, 0), values.length - nCorrupted);
});

test('bin edges: [lo, hi) per bin, the maximum in the last bin, checked against counting by edges', () => {
  const rng = makeRng(11);
  for (let trial = 0; trial < 20; trial++) {
    const bins = 1 + rng.int(30);
    // Values on a grid, so many fall exactly on bin edges.
    const values = Array.from({ length: 500 }, () => rng.int(7) * 0.1 + (trial % 3) * 1e6);
    const h = histogram(values, bins);
    const { edges } = h;
    for (let b = 0; b < bins; b++) {
      const expect = values.filter((v) => v >= edges[b] && (b === bins - 1 ? v <= edges[b + 1] : v < edges[b + 1])).length;
      assert.equal(h.counts[0][b], expect, `trial ${trial} bin ${b}`);
    }
  }
});

test('NaN and infinities are left out and counted; a constant sample gets one bin', () => {
  const h = histogram([1, NaN, 2, Infinity, 3, -Infinity], 4);
  assert.equal(h.nonFinite, 3);
  assert.equal(h.counts[0].reduce((a, c) => a + c, 0), 3);
  const c = histogram([5, 5, 5], 10);
  assert.deepEqual(c.edges, [4.5, 5.5]);
  assert.deepEqual(c.counts, [[3]]);
  assert.throws(() => histogram([NaN], 4), /no finite values among 1/);
  assert.throws(() => histogram([1], 0), /bins must be a positive integer/);
  assert.throws(() => histogram([1, 2], 4, { name: 'a', member: [1] }), /groups.member has 1 entries for 2 values/);
  assert.throws(() => histogram([1, 2], 4, { name: 'a', member: [1, 0], rest: 'a' }), /need different names/);
});

test('60,000 scores make a small spec whose bars add up to all the values', async () => {
  const { values, corrupted } = scores();
  const spec = scoreHistogram({ score: 'EL2N (epoch 10)', values, groups: { name: 'corrupted', member: corrupted, rest: 'clean' } });
  assert.ok(JSON.stringify(spec).length < 20000, `spec is ${JSON.stringify(spec).length} characters`);
  const rows = histogramRows(histogram(values, 40, { name: 'corrupted', member: corrupted, rest: 'clean' }));
  assert.equal(rows.reduce((a, r) => a + r.count, 0), values.length);
  const svg = await render(spec);
  assert.deepEqual(dataMarks(svg), ['rect']);
  assert.equal(itemCount(svg, 'rect'), rows.length, 'one bar per non-empty (group, bin)');
  // Bars grow from 0: every height is the same number of pixels per example.
  const heights = rectHeights(svg);
  assert.equal(heights.length, rows.length);
  const perExample = heights[0] / rows[0].count;
  heights.forEach((h, i) => assert.ok(Math.abs(h - perExample * rows[i].count) < 0.01, `bar ${i}: ${h} px for ${rows[i].count}`));
  const t = texts(svg);
  assert.ok(t.includes('clean') && t.includes('corrupted') && t.includes('EL2N (epoch 10)') && t.includes('Examples'), t.join('|'));
});

test('ungrouped and normalized variants render', async () => {
  const { values, corrupted } = scores();
  const svg = await render(scoreHistogram({ score: 'GraNd', values: Array.from(values.subarray(0, 1000)).concat([NaN]), bins: 10 }));
  assert.ok(itemCount(svg, 'rect') <= 10);
  assert.ok(texts(svg).some((s) => s.includes('1,000 examples; 1 non-finite left out')));
  const norm = scoreHistogram({ score: 'EL2N', values, groups: { name: 'corrupted', member: corrupted }, normalize: true });
  const rows = (norm as { data: { values: { group: string; fraction: number }[] } }).data.values;
  for (const g of ['other', 'corrupted']) {
    const s = rows.filter((r) => r.group === g).reduce((a, r) => a + r.fraction, 0);
    assert.ok(Math.abs(s - 1) < 1e-9, `${g} fractions sum to ${s}`);
  }
  assert.ok(texts(await render(norm)).includes('Fraction of group'));
});

test('hostile group and score names are escaped and inert', async () => {
  const svg = await render(scoreHistogram({ score: HOSTILE[2], values: [1, 2, 3, 4], groups: { name: HOSTILE[0], member: [0, 1, 0, 1], rest: HOSTILE[3] }, title: HOSTILE[4] }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[0]) && hasLabel(svg, HOSTILE[3]));
});

/** A histogram of ten classes, as histogramPayload's split by class makes it. */
function byClass(): Histogram {
  const { values } = scores();
  const base = histogram(values, 20);
  const counts = Array.from({ length: 10 }, (_, c) => base.counts[0].map((n, b) => Math.round(n / (c + 1)) + (b === 19 ? c : 0)));
  return { ...base, groups: Array.from({ length: 10 }, (_, c) => `class ${c}`), counts };
}

test('layouts: two groups overlay, more are small multiples with a header each; stacked on request', async () => {
  assert.equal(defaultLayout(2), 'overlay');
  assert.equal(defaultLayout(10), 'facet');
  assert.equal(facetColumns(10, 420), 2);
  assert.equal(facetColumns(10, 900), 5, 'two full rows, not 6 + 4 with empty panels');
  assert.equal(facetColumns(12, 900), 6);
  assert.equal(facetColumns(7, 2000), 7);
  assert.equal(facetColumns(3, 2000), 3);
  assert.equal(facetColumns(10, 50), 1);
  const h = byClass();
  const facet = histogramChart(h, { score: 'EL2N', width: 900 }) as { facet?: unknown; columns?: number; spec?: { width: number } };
  assert.ok(facet.facet, 'faceted');
  assert.equal(facet.columns, 5);
  assert.ok(facet.spec!.width * 5 <= 900, 'the panels share the width');
  const svg = await render(facet as never);
  const t = texts(svg);
  for (let c = 0; c < 10; c++) assert.ok(t.includes(`class ${c}`), `header of class ${c}`);
  assert.equal(itemCount(svg, 'rect'), histogramRows(h).length, 'one bar per non-empty (class, bin)');
  const stacked = histogramChart(h, { score: 'EL2N', layout: 'stack' }) as { facet?: unknown; encoding: { y: { stack: unknown } } };
  assert.equal(stacked.facet, undefined);
  assert.equal(stacked.encoding.y.stack, 'zero');
  assert.equal(itemCount(await render(stacked as never), 'rect'), histogramRows(h).length);
});

test('log count axis: symlog scale, so one-example bins get visible bars next to a tall peak', async () => {
  const values = [...Array.from({ length: 5000 }, (_, i) => (i % 10) / 1000), 0.5, 0.9];
  const lin = rectHeights(await render(scoreHistogram({ score: 'EL2N', values, bins: 10 })));
  const log = rectHeights(await render(scoreHistogram({ score: 'EL2N', values, bins: 10, logCount: true })));
  const ratio = (hs: number[]) => Math.abs(Math.min(...hs.map(Math.abs))) / Math.max(...hs.map(Math.abs));
  assert.ok(ratio(lin) < 0.001, `linear: a one-example bar is ${ratio(lin)} of the peak`);
  assert.ok(ratio(log) > 0.05, `symlog: a one-example bar is ${ratio(log)} of the peak`);
  assert.ok(texts(await render(scoreHistogram({ score: 'EL2N', values, bins: 10, logCount: true }))).some((s) => s.includes('symmetric-log')));
});

test('normalized y ticks keep their decimals on a narrow range', async () => {
  const svg = await render(scoreHistogram({ score: 'EL2N', values: Array.from({ length: 400 }, (_, i) => i % 40), bins: 40, normalize: true }));
  const labels = [...svg.matchAll(/<g class="mark-text role-axis-label[^>]*>(.*?)<\/g>/g)].map((m) => [...m[1].matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((x) => x[1]));
  const y = labels.find((ls) => ls.some((l) => l.endsWith('%')))!;
  assert.equal(new Set(y).size, y.length, y.join(' '));
});

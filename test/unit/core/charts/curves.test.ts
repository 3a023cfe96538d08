import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveRows, curves } from '../../../../src/core/charts/curves';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

const ks = [10, 100, 1000, 10000];

test('entropy vs k with a constant baseline: a line per series, a dashed rule and its label', async () => {
  const svg = await render(
    curves({
      title: 'Label entropy of the top-k examples',
      xTitle: 'k',
      yTitle: 'Entropy (nats)',
      xScale: 'log',
      series: [
        { name: 'EL2N', x: ks, y: [1.2, 1.9, 2.2, 2.3] },
        { name: 'GraNd', x: ks, y: [1.0, 1.7, 2.1, 2.3] },
      ],
      baseline: { name: 'all data', y: Math.log(10) },
    }),
  );
  const marks = dataMarks(svg);
  for (const m of ['line', 'symbol', 'rule', 'text']) assert.ok(marks.includes(m), `mark-${m} in ${marks}`);
  assert.equal(itemCount(svg, 'line'), 2);
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  assert.ok(t.includes('all data') && t.includes('EL2N') && t.includes('GraNd') && t.includes('Entropy (nats)'), t.join('|'));
});

test('overlap vs k with a baseline curve: the baseline is a dashed line in the legend', async () => {
  const n = 50000;
  const spec = curves({
    xTitle: 'k',
    yTitle: 'Overlap of top-k sets',
    yFormat: '.0%',
    series: [{ name: 'EL2N vs GraNd', x: ks, y: [0.3, 0.45, 0.6, NaN] }],
    baseline: { name: 'chance (k/n)', y: ks.map((k) => k / n) },
  });
  const svg = await render(spec);
  assert.ok(!dataMarks(svg).includes('rule'));
  assert.equal(itemCount(svg, 'line'), 2, 'series and baseline');
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  assert.ok(t.includes('chance (k/n)') && t.includes('EL2N vs GraNd'));
  assert.ok(t.some((s) => /^\d+%$/.test(s)), 'percent y axis');
});

test('rows: NaN becomes null (a gap); the baseline curve takes the first series x by default', () => {
  const rows = curveRows({ xTitle: 'k', yTitle: 'v', series: [{ name: 'a', x: [1, 2], y: [NaN, 3] }], baseline: { name: 'b', y: [0, 1] } });
  assert.deepEqual(rows, [
    { series: 'a', x: 1, y: null, kind: 'series' },
    { series: 'a', x: 2, y: 3, kind: 'series' },
    { series: 'b', x: 1, y: 0, kind: 'baseline' },
    { series: 'b', x: 2, y: 1, kind: 'baseline' },
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), rows, 'JSON-safe');
});

test('hostile names are escaped and inert', async () => {
  const svg = await render(
    curves({ title: HOSTILE[1], xTitle: HOSTILE[2], yTitle: HOSTILE[3], series: [{ name: HOSTILE[0], x: [1, 2], y: [1, 2] }], baseline: { name: HOSTILE[4], y: 1.5 } }),
  );
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[0]) && hasLabel(svg, HOSTILE[4]));
});

test('refuses bad input', () => {
  const base = { xTitle: 'k', yTitle: 'v' };
  assert.throws(() => curves({ ...base, series: [] }), /no series/);
  assert.throws(() => curves({ ...base, series: [{ name: 'a', x: [1, 2], y: [1] }] }), /"a" has 2 x values and 1 y values/);
  assert.throws(() => curves({ ...base, series: [{ name: 'a', x: [1], y: [1] }], baseline: { name: 'a', y: 1 } }), /"a" is used twice/);
  assert.throws(() => curves({ ...base, xScale: 'log', series: [{ name: 'a', x: [0, 1], y: [1, 1] }] }), /positive on a log axis/);
  assert.throws(() => curves({ ...base, series: [{ name: 'a', x: [1], y: [Infinity] }] }), /finite/);
  assert.throws(() => curves({ ...base, series: [{ name: 'a', x: [1, 2], y: [1, 1] }], baseline: { name: 'b', y: [1] } }), /"b" has 2 x values and 1 y values/);
});

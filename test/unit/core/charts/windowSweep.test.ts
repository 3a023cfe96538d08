import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowSweep, windowSweepRows, type WindowSweepInput } from '../../../../src/core/charts/windowSweep';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

const n = 50000;
const size = 20000;
function input(): WindowSweepInput {
  const offsets = [0, 5000, 10000, 15000, 20000, 25000, 30000];
  // Accuracy rises with the offset and drops at the top (Data Diet Fig. 2): the peak is at 25,000.
  const acc = (o: number, d: number) => 0.8 + 0.1 * Math.min(o, 25000) / 25000 - (o > 25000 ? 0.05 : 0) + d;
  return {
    n,
    size,
    score: 'EL2N (epoch 10)',
    points: offsets.map((offset) => ({ offset, test: [acc(offset, 0), acc(offset, 0.01), acc(offset, -0.012)], val: [acc(offset, 0.005), acc(offset, 0.003)] })),
    best: { offset: 25000 },
  };
}

test('rows: x is offset / n; test carries its band, validation its mean', () => {
  const rows = windowSweepRows(input());
  const test = rows.filter((r) => r.split === 'test');
  const val = rows.filter((r) => r.split === 'validation');
  assert.equal(test.length, 7);
  assert.equal(val.length, 7);
  assert.deepEqual(test.map((r) => r.start), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  for (const r of rows) assert.ok(r.lo <= r.mean && r.mean <= r.hi);
  // Without validation accuracies there is no validation line.
  const noVal = windowSweepRows({ ...input(), points: input().points.map((p) => ({ ...p, val: [] })) });
  assert.ok(noVal.every((r) => r.split === 'test'));
});

test('renders the test band and line, a dashed validation line and the best-window rule', async () => {
  const svg = await render(windowSweep(input()));
  const marks = dataMarks(svg);
  for (const m of ['area', 'line', 'rule', 'text']) assert.ok(marks.includes(m), `mark-${m} in ${marks}`);
  assert.equal(itemCount(svg, 'area'), 1, 'band for test only');
  assert.equal(itemCount(svg, 'line'), 2, 'test and validation lines');
  assert.match(svg, /stroke-dasharray="6,4"/);
  const t = texts(svg);
  assert.ok(t.includes('best on validation: 50.0%'), t.join('|'));
  assert.ok(t.includes('test') && t.includes('validation'));
  assert.ok(t.some((s) => s.includes('EL2N (epoch 10)') && s.includes('window of 20,000 examples (40% of 50,000)')), t.join('|'));
  assert.ok(t.includes('60%') && !t.includes('65%'), 'x runs to the last possible start, 1 - size/n');
});

test('a window of all examples and no best still renders', async () => {
  const svg = await render(windowSweep({ n: 10, size: 10, points: [{ offset: 0, test: [0.5, 0.6], val: [] }] }));
  assert.ok(!dataMarks(svg).includes('rule'));
});

test('hostile score names and titles are escaped and inert', async () => {
  const svg = await render(windowSweep({ ...input(), score: HOSTILE[0], title: HOSTILE[1] }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[1]));
});

test('refuses windows that do not fit', () => {
  assert.throws(() => windowSweep({ ...input(), best: { offset: 40000 } }), /best.offset 40000 with window 20000 does not fit in n = 50000/);
  assert.throws(() => windowSweep({ ...input(), size: 0 }), /size must be an integer in \[1, n = 50000\]/);
  assert.throws(() => windowSweep({ n, size, points: [{ offset: 35000, test: [0.5], val: [] }] }), /offset 35000 with window 20000 does not fit/);
  assert.throws(() => windowSweep({ n, size, points: [] }), /no points/);
  assert.throws(() => windowSweep({ n, size, points: [{ offset: 0, test: [90], val: [] }] }), /fractions in \[0, 1\], got 90/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBarrierChart, errorBarrierRows, type ErrorBarrierInput } from '../../../../src/core/charts/errorBarrier';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

function input(): ErrorBarrierInput {
  const spawns = [0, 10, 20, 50];
  const decay = (s: number, h: number) => h / (1 + s / 10);
  return {
    steps: 100,
    series: [
      { name: 'highest EL2N', points: spawns.map((s) => ({ spawnStep: s, barriers: [decay(s, 0.3), decay(s, 0.32), decay(s, 0.27)] })) },
      { name: 'lowest EL2N', points: spawns.map((s) => ({ spawnStep: s, barriers: [decay(s, 0.05), decay(s, 0.06), decay(s, 0.04)] })) },
      { name: 'random', points: spawns.map((s) => ({ spawnStep: s, barriers: [decay(s, 0.1), decay(s, 0.12), decay(s, 0.11)] })) },
    ],
  };
}

test('a band and a line per evaluation set, points at each spawn step', async () => {
  const svg = await render(errorBarrierChart(input()));
  const marks = dataMarks(svg);
  for (const m of ['area', 'line', 'symbol']) assert.ok(marks.includes(m), `${m} in ${marks}`);
  assert.equal(itemCount(svg, 'area'), 3);
  assert.equal(itemCount(svg, 'line'), 3);
  assert.equal(itemCount(svg, 'symbol'), 12);
  const t = texts(svg);
  for (const s of ['highest EL2N', 'lowest EL2N', 'random', 'Spawn step t*', 'children trained to step 100']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
});

test('rows carry mean and band; bad barriers are refused', () => {
  const rows = errorBarrierRows(input());
  for (const r of rows) assert.ok(r.lo <= r.mean && r.mean <= r.hi);
  assert.equal(rows.length, 12);
  assert.throws(() => errorBarrierRows({ series: [{ name: 'x', points: [{ spawnStep: 0, barriers: [2] }] }] }), /in \[-1, 1\]/);
  assert.throws(() => errorBarrierRows({ series: [] }), /no series/);
});

test('hostile series names are inert', async () => {
  const svg = await render(errorBarrierChart({ series: [{ name: HOSTILE[1], points: [{ spawnStep: 0, barriers: [0.1] }] }] }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[1]));
});

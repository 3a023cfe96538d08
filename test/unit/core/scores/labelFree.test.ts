import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelFreeScore2 } from '../../../../src/core/scores/labelFree';

test('Score_2 is 0 for a uniform prediction and sqrt(1 - 1/K) for a one-hot one', () => {
  const K = 4;
  const got = labelFreeScore2(Float32Array.from([3, 3, 3, 3, 1000, -1000, -1000, -1000]), K);
  assert.equal(got[0], 0);
  assert.ok(Math.abs(got[1] - Math.sqrt(1 - 1 / K)) < 1e-7);
});

test('Score_2 matches the naive formula', () => {
  const row = [0.5, -1, 2];
  const e = row.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  const want = Math.sqrt(e.reduce((acc, v) => acc + (v / s - 1 / 3) ** 2, 0));
  assert.ok(Math.abs(labelFreeScore2(Float32Array.from(row), 3)[0] - want) < 1e-7);
});

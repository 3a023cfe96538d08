import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ranks, spearman, spearmanMatrix, stabilityCurve } from '../../../../src/core/analysis/spearman';
import { makeRng } from '../../../../src/core/random';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('ranks are 1-based, ties share the average rank (scipy rankdata)', () => {
  assert.deepEqual(Array.from(ranks([10, 20, 10, 30, 20, 20])), [1.5, 4, 1.5, 6, 4, 4]);
  assert.deepEqual(Array.from(ranks(Float32Array.from([0.3, -Infinity, Infinity, 0.1]))), [3, 1, 4, 2]);
  assert.deepEqual(Array.from(ranks([])), []);
});

test('NaN is refused with its position', () => {
  assert.throws(() => ranks([1, NaN]), /position 1 is NaN/);
  assert.throws(() => spearmanMatrix([{ name: 'a', values: [1, 2] }, { name: 'aum', values: [NaN, 1] }]), /column "aum": .*position 0 is NaN/);
});

test('spearman matches scipy.stats.spearmanr, with and without ties', () => {
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233);
  close(spearman([1, 1, 2, 2, 3], [3, 1, 2, 2, 5]), 0.5407380704358752);
  assert.equal(spearman([1, 2, 3], [30, 20, 10]), -1);
  assert.equal(spearman([1, 2, 3], [1, 4, 9]), 1, 'monotone, not linear');
  assert.ok(Number.isNaN(spearman([1, 2, 3], [7, 7, 7])), 'undefined for a constant sample');
  assert.throws(() => spearman([1, 2], [1, 2, 3]), /lengths differ \(2 vs 3\)/);
});

test('spearmanMatrix is symmetric with a unit diagonal', () => {
  const { names, matrix } = spearmanMatrix([
    { name: 'x', values: [1, 2, 3, 4, 5] },
    { name: 'y', values: Float32Array.from([5, 6, 7, 8, 7]) },
    { name: 'z', values: [5, 4, 3, 2, 1] },
  ]);
  assert.deepEqual(names, ['x', 'y', 'z']);
  for (let i = 0; i < 3; i++) assert.equal(matrix[i][i], 1);
  close(matrix[0][1], 0.8207826816681233);
  assert.equal(matrix[1][0], matrix[0][1]);
  assert.equal(matrix[0][2], -1);
  assert.throws(() => spearmanMatrix([{ name: 'a', values: [1, 2] }, { name: 'b', values: [1] }]), /column "b" has 1 values, column "a" has 2/);
});

test('stabilityCurve: mean of the first k runs against the mean of all, ending at exactly 1', () => {
  const rng = makeRng(5);
  const n = 200;
  const truth = Float32Array.from({ length: n }, () => rng.next());
  const runs = Array.from({ length: 6 }, () => Float32Array.from(truth, (v) => v + (rng.next() - 0.5)));
  const curve = stabilityCurve(runs);
  assert.equal(curve.length, 6);
  assert.equal(curve[5], 1);
  assert.ok(curve[0] < curve[4], `averaging more runs gets closer to the full average (${curve})`);
  // First entry by hand: run 0 against the mean of all runs.
  const all = Float64Array.from({ length: n }, (_, i) => runs.reduce((a, r) => a + r[i], 0) / runs.length);
  close(curve[0], spearman(runs[0], all));
});

test('stabilityCurve refuses ragged runs', () => {
  assert.throws(() => stabilityCurve([new Float32Array(3), new Float32Array(2)]), /run 1 has 2 scores, run 0 has 3/);
  assert.throws(() => stabilityCurve([]), /at least one run/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldMembers, stratifiedFolds } from '../../../../src/core/data/stratifiedFolds';
import { RandomStream } from '../../../../src/core/randomStreams';

const rng = (seed: number) => RandomStream.root(seed).derive('audit-folds').rng();

test('stratified folds: sizes differ by at most one, every class spread evenly, the same stream gives the same folds', () => {
  // Unbalanced classes: 40, 23, 7 and 1 example(s).
  const labels = Int32Array.from([...Array(40).fill(0), ...Array(23).fill(1), ...Array(7).fill(2), 3]);
  for (const k of [2, 3, 5, 7]) {
    const folds = stratifiedFolds(labels, 4, k, rng(1));
    const sizes = Array.from({ length: k }, (_, f) => folds.filter((x) => x === f).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `k=${k}: fold sizes ${sizes}`);
    for (let c = 0; c < 4; c++) {
      const n = labels.filter((y) => y === c).length;
      const per = Array.from({ length: k }, (_, f) => folds.filter((x, i) => x === f && labels[i] === c).length);
      assert.ok(per.every((p) => p === Math.floor(n / k) || p === Math.ceil(n / k)), `k=${k}, class ${c}: ${per}`);
    }
  }
  assert.deepEqual(stratifiedFolds(labels, 4, 5, rng(1)), stratifiedFolds(labels, 4, 5, rng(1)));
  assert.notDeepEqual(stratifiedFolds(labels, 4, 5, rng(1)), stratifiedFolds(labels, 4, 5, rng(2)));
});

test('fold members: the fold and the rest, ascending, together every example once', () => {
  const folds = Int32Array.from([2, 0, 1, 0, 2, 1]);
  assert.deepEqual(foldMembers(folds, 0), { inFold: Int32Array.from([1, 3]), outOfFold: Int32Array.from([0, 2, 4, 5]) });
});

test('fewer than 2 folds, more folds than examples and labels outside the classes are refused', () => {
  const labels = Int32Array.from([0, 1, 0]);
  assert.throws(() => stratifiedFolds(labels, 2, 1, rng(0)), /needs at least 2 folds, got 1/);
  assert.throws(() => stratifiedFolds(labels, 2, 4, rng(0)), /4 folds for 3 examples/);
  assert.throws(() => stratifiedFolds(Int32Array.from([0, 2]), 2, 2, rng(0)), /label 2 of example 1 is outside 0\.\.1/);
});

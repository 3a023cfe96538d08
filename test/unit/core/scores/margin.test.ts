import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarginTracker, marginFromLogits } from '../../../../src/core/scores/margin';

test('margin is the label logit minus the largest other logit', () => {
  const m = marginFromLogits(Float32Array.from([3, 1, 2, 0, 5, 4, 7, 7, 1]), Int32Array.from([0, 2, 1]), 3);
  assert.deepEqual(Array.from(m), [1, -1, 0]);
});

test('AUM averages the margins over presentations; never-presented examples are NaN', () => {
  const t = new MarginTracker(3, 2);
  t.update(Int32Array.from([0, 1]), Float32Array.from([2, 0, 0, 1]), Int32Array.from([0, 0])); // margins 2, -1
  t.update(Int32Array.from([0]), Float32Array.from([0, 1]), Int32Array.from([0])); // margin -1
  t.update(Int32Array.from([1]), Float32Array.from([0, 4]), Int32Array.from([1])); // margin 4
  const aum = t.result();
  assert.equal(aum[0], 0.5);
  assert.equal(aum[1], 1.5);
  assert.ok(Number.isNaN(aum[2]));
  assert.deepEqual(Array.from(t.presentations()), [2, 2, 0]);
});

test('margins need at least two classes; mismatched batches are refused', () => {
  assert.throws(() => new MarginTracker(3, 1), /numClasses must be an integer >= 2/);
  const t = new MarginTracker(3, 2);
  assert.throws(() => t.update(Int32Array.from([0]), new Float32Array(4), Int32Array.from([0, 1])), /1 indices for 2 logit rows/);
  assert.throws(() => t.update(Int32Array.from([3]), new Float32Array(2), Int32Array.from([0])), /index 3 at batch position 0/);
});

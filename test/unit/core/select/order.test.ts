import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ascendingOrder, checkKeep, checkScores, sortedSlice } from '../../../../src/core/select/order';
import { naiveAscending } from './reference';

test('ascendingOrder sorts by score, ties by index, -0 ties +0, infinities in place', () => {
  assert.deepEqual(Array.from(ascendingOrder([3, 1, 2, 1, 3])), [1, 3, 2, 0, 4]);
  assert.deepEqual(Array.from(ascendingOrder(Float32Array.from([Infinity, -0, 0, -Infinity, Infinity, -0]))), [3, 1, 2, 5, 0, 4]);
  assert.deepEqual(Array.from(ascendingOrder([])), []);
});

test('ascendingOrder matches a plain pair sort (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 40 }), (xs) => {
      assert.deepEqual(Array.from(ascendingOrder(Float32Array.from(xs))), naiveAscending(xs));
    }),
  );
});

test('checks name the function, the example and the limits', () => {
  assert.throws(() => checkScores('keepTop', [0, NaN]), /keepTop: score of example 1 is NaN/);
  assert.throws(() => checkKeep('keepTop', 11, 10), /keepTop: keep must be an integer count in \[0, 10\].*got 11.*keepCount/);
  assert.throws(() => checkKeep('keepTop', 0.5, 10), /got 0.5/);
  assert.throws(() => checkKeep('keepTop', -1, 10), /got -1/);
  assert.deepEqual(Array.from(sortedSlice(Int32Array.from([5, 2, 9, 1]), 1, 4)), [1, 2, 9]);
});

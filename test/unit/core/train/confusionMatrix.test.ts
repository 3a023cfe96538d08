import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrix } from '../../../../src/core/train/confusionMatrix';

test('rows are the true class, columns the predicted one (hand-computed)', () => {
  // true:      0  0  1  1  1  2  2  2  2
  // predicted: 0  1  1  1  2  2  0  2  2
  const m = confusionMatrix([0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 1, 1, 1, 2, 2, 0, 2, 2], 3);
  assert.deepEqual(m, [
    [1, 1, 0],
    [0, 2, 1],
    [1, 0, 3],
  ]);
  assert.deepEqual(confusionMatrix(new Int32Array([]), new Int32Array([]), 2), [[0, 0], [0, 0]]);
});

test('refuses predictions or labels outside the classes, and mismatched lengths', () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /label 3 of example 1/);
  assert.throws(() => confusionMatrix([0, 1], [0, -1], 3), /prediction -1 of example 1/);
  assert.throws(() => confusionMatrix([0], [0, 1], 3), /1 labels but 2 predictions/);
  assert.throws(() => confusionMatrix([0], [0], 0), /positive integer/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectionMetrics, flagTop } from '../../../../src/core/labelErrors/detectionMetrics';

test('precision, recall and F1 of the flagged set, by hand', () => {
  // 10 examples, corrupted {1, 4, 7}; flagged {1, 4, 5, 9}: 2 true positives.
  const corrupted = [0, 1, 0, 0, 1, 0, 0, 1, 0, 0];
  const flagged = [0, 1, 0, 0, 1, 1, 0, 0, 0, 1];
  const suspicion = [0.1, 0.9, 0.2, 0.3, 0.8, 0.7, 0.1, 0.4, 0.0, 0.6];
  const m = detectionMetrics(flagged, suspicion, corrupted);
  assert.deepEqual([m.flagged, m.corrupted], [4, 3]);
  assert.equal(m.precision, 0.5);
  assert.equal(m.recall, 2 / 3);
  assert.ok(Math.abs(m.f1 - (2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3)) < 1e-12);
  // Ranking: positives at 0.9, 0.8, 0.4; negatives 0.7, 0.6, 0.3, 0.2, 0.1, 0.1, 0.0. Pairs won: 7 + 7 + 5 = 19 of 21.
  assert.ok(Math.abs(m.auroc - 19 / 21) < 1e-12);
});

test('edge cases: nothing flagged, nothing corrupted, no hit', () => {
  const none = detectionMetrics([0, 0, 0], [1, 2, 3], [0, 1, 0]);
  assert.ok(Number.isNaN(none.precision) && none.recall === 0 && Number.isNaN(none.f1));
  const clean = detectionMetrics([1, 0, 0], [1, 2, 3], [0, 0, 0]);
  assert.ok(clean.precision === 0 && Number.isNaN(clean.recall) && Number.isNaN(clean.auroc));
  const miss = detectionMetrics([1, 0, 0], [3, 2, 1], [0, 1, 0]);
  assert.equal(miss.f1, 0);
  assert.throws(() => detectionMetrics([2, 0, 0], [1, 2, 3], [0, 1, 0]), /flags must be 0 or 1/);
  assert.throws(() => detectionMetrics([0, 0], [1, 2, 3], [0, 1, 0]), /2 flags/);
});

test('flagTop: the k most suspicious, ties by index; precision equals recall at k = corrupted', () => {
  assert.deepEqual(Array.from(flagTop([0.5, 0.9, 0.5, 0.1], 2)), [1, 1, 0, 0]);
  const corrupted = [0, 1, 1, 0, 0];
  const suspicion = [0.2, 0.9, 0.1, 0.8, 0.0];
  const m = detectionMetrics(flagTop(suspicion, 2), suspicion, corrupted);
  assert.equal(m.precision, m.recall);
  assert.equal(m.precision, 0.5);
  assert.throws(() => flagTop([1, 2], 3), /count 3/);
});

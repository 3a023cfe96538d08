import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ForgettingTracker } from '../../../../src/core/scores/forgetting';

/** Feeds one presentation per example per epoch, example order shuffled within the batch to check indexing. */
function track(history: number[][]): ReturnType<ForgettingTracker['result']> {
  const n = history.length;
  const t = new ForgettingTracker(n);
  for (let epoch = 0; epoch < history[0].length; epoch++) {
    const idx = Int32Array.from({ length: n }, (_, j) => n - 1 - j);
    t.update(idx, Uint8Array.from(idx, (i) => history[i][epoch]), epoch);
  }
  return t.result();
}

test('counts correct -> incorrect transitions between consecutive presentations', () => {
  const r = track([
    [0, 1, 1, 1, 1], // learned at epoch 1, never forgotten: 0
    [1, 0, 1, 0, 1], // forgotten twice
    [0, 0, 0, 1, 0], // learned late, forgotten once
    [0, 0, 0, 0, 0], // never learned
    [1, 1, 1, 1, 0], // forgotten at the very end
  ]);
  assert.deepEqual(Array.from(r.counts), [0, 2, 1, 3, 1], 'never learned = max over learned (2) + 1');
  assert.deepEqual(Array.from(r.firstLearnedEpoch), [1, 0, 3, -1, 0]);
  assert.deepEqual(Array.from(r.everLearned), [1, 1, 1, 0, 1]);
  assert.deepEqual(Array.from(r.presentations), [5, 5, 5, 5, 5]);
});

test('only presentations count: an example absent from a batch keeps its previous state', () => {
  const t = new ForgettingTracker(3);
  t.update(Int32Array.from([0, 1]), [true, true], 0);
  t.update(Int32Array.from([2]), [false], 0);
  t.update(Int32Array.from([1, 2]), [false, true], 1); // 1 forgets; 0 is absent
  t.update(Int32Array.from([0]), [false], 2); // 0's previous presentation (epoch 0) was correct: an event
  const r = t.result();
  assert.deepEqual(Array.from(r.counts), [1, 1, 0]);
  assert.deepEqual(Array.from(r.firstLearnedEpoch), [0, 0, 1]);
  assert.deepEqual(Array.from(r.presentations), [2, 2, 2]);
});

test('a repeated index within one batch counts as consecutive presentations', () => {
  const t = new ForgettingTracker(1);
  t.update(Int32Array.from([0, 0, 0]), [true, false, true], 0);
  assert.equal(t.result().counts[0], 1);
});

test('if nothing was ever learned every example scores 1; never-presented examples count as never learned', () => {
  const t = new ForgettingTracker(3);
  t.update(Int32Array.from([0, 1]), [false, false], 0);
  const r = t.result();
  assert.deepEqual(Array.from(r.counts), [1, 1, 1]);
  assert.deepEqual(Array.from(r.presentations), [1, 1, 0]);
});

test('bad input is refused and leaves the tracker untouched', () => {
  const t = new ForgettingTracker(2);
  assert.throws(() => t.update(Int32Array.from([0, 1]), [true], 0), /2 indices but 1 correctness flags/);
  assert.throws(() => t.update(Int32Array.from([0, 2]), [true, true], 0), /index 2 at batch position 1 is outside \[0, 2\)/);
  assert.deepEqual(Array.from(t.result().presentations), [0, 0]);
});

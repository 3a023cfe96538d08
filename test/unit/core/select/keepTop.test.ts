import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keepBottom, keepTop } from '../../../../src/core/select/keepTop';
import { naiveAscending } from './reference';

const arr = (a: Int32Array) => Array.from(a);

test('keepTop keeps the highest scores, keepBottom the lowest, both in dataset order', () => {
  const s = Float32Array.from([0.5, 0.9, 0.1, 0.7, 0.3]);
  assert.deepEqual(arr(keepTop(s, 2)), [1, 3]);
  assert.deepEqual(arr(keepBottom(s, 2)), [2, 4]);
  assert.deepEqual(arr(keepTop(s, 0)), []);
  assert.deepEqual(arr(keepTop(s, 5)), [0, 1, 2, 3, 4]);
  assert.ok(keepTop(s, 2) instanceof Int32Array);
});

test('ties: one order (score, then index), so a later index counts as higher', () => {
  const s = [1, 1, 1, 0];
  assert.deepEqual(arr(keepTop(s, 2)), [1, 2]);
  assert.deepEqual(arr(keepBottom(s, 2)), [0, 3]);
  // Deterministic: a function of the scores alone.
  assert.deepEqual(arr(keepTop(s, 2)), arr(keepTop(Float32Array.from(s), 2)));
});

test('errors: NaN score, bad keep', () => {
  assert.throws(() => keepTop([1, NaN, 2], 1), /keepTop: score of example 1 is NaN/);
  assert.throws(() => keepBottom([1, 2], 3), /keepBottom: keep must be an integer count in \[0, 2\]/);
});

test('keepTop(k) and keepBottom(N - k) partition the dataset; keepTop matches a naive sort (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 30 }).chain((xs) => fc.tuple(fc.constant(xs), fc.integer({ min: 0, max: xs.length }))),
      ([xs, k]) => {
        const s = Float32Array.from(xs);
        const top = arr(keepTop(s, k));
        const bottom = arr(keepBottom(s, xs.length - k));
        assert.deepEqual([...top, ...bottom].sort((a, b) => a - b), xs.map((_, i) => i));
        const naive = naiveAscending(xs);
        assert.deepEqual(top, naive.slice(xs.length - k).sort((a, b) => a - b));
        // Every kept score >= every pruned score.
        const kept = new Set(top);
        const minKept = Math.min(...top.map((i) => xs[i]));
        for (let i = 0; i < xs.length; i++) if (!kept.has(i)) assert.ok(xs[i] <= minKept);
      },
    ),
  );
});

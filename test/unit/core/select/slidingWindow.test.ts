import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keepBottom, keepTop } from '../../../../src/core/select/keepTop';
import { slidingWindow } from '../../../../src/core/select/slidingWindow';

const arr = (a: Int32Array) => Array.from(a);

test('slidingWindow drops the lowest offset, keeps the next size', () => {
  // Ascending order by score: 3 (0.0), 1 (0.1), 4 (0.2), 0 (0.3), 2 (0.4), 5 (0.5)
  const s = Float32Array.from([0.3, 0.1, 0.4, 0.0, 0.2, 0.5]);
  assert.deepEqual(arr(slidingWindow(s, 0, 2)), [1, 3]);
  assert.deepEqual(arr(slidingWindow(s, 2, 3)), [0, 2, 4]);
  assert.deepEqual(arr(slidingWindow(s, 6, 0)), []);
  assert.deepEqual(arr(slidingWindow(s, 4, 2)), [2, 5]);
});

test('slidingWindow error says the limits', () => {
  const s = new Float32Array(100);
  assert.throws(() => slidingWindow(s, 30, 80), /offset 30 \+ size 80 = 110 exceeds the 100 examples; need offset \+ size <= 100 \(offset <= 20 for size 80\)/);
  assert.throws(() => slidingWindow(s, 0, 101), /size alone exceeds the dataset/);
  assert.throws(() => slidingWindow(s, -1, 5), /offset must be a non-negative integer/);
  assert.throws(() => slidingWindow(s, 1, 2.5), /size must be a non-negative integer/);
  assert.throws(() => slidingWindow([1, NaN], 0, 1), /example 1 is NaN/);
});

test('windows at the ends are keepBottom and keepTop; consecutive windows tile the order (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }).chain((xs) => fc.tuple(fc.constant(xs), fc.integer({ min: 0, max: xs.length }))), ([xs, k]) => {
      const n = xs.length;
      assert.deepEqual(arr(slidingWindow(xs, 0, k)), arr(keepBottom(xs, k)));
      assert.deepEqual(arr(slidingWindow(xs, n - k, k)), arr(keepTop(xs, k)));
      const a = arr(slidingWindow(xs, 0, k));
      const b = arr(slidingWindow(xs, k, n - k));
      assert.deepEqual([...a, ...b].sort((x, y) => x - y), xs.map((_, i) => i));
    }),
  );
});

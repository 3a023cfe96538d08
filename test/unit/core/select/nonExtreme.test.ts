import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keepTop } from '../../../../src/core/select/keepTop';
import { nonExtreme, nonExtremeDropCount } from '../../../../src/core/select/nonExtreme';
import { slidingWindow } from '../../../../src/core/select/slidingWindow';

const arr = (a: Int32Array) => Array.from(a);

test('nonExtreme drops the top 5% by default, then keeps the highest of the rest', () => {
  const s = Float32Array.from({ length: 100 }, (_, i) => i); // score = index
  // Top 5 (95..99) discarded, next 10 (85..94) kept.
  assert.deepEqual(arr(nonExtreme(s, 10)), Array.from({ length: 10 }, (_, i) => 85 + i));
  assert.deepEqual(arr(nonExtreme(s, 3, { dropFraction: 0.2 })), [77, 78, 79]);
  assert.deepEqual(arr(nonExtreme(s, 3, { dropCount: 1 })), [96, 97, 98]);
  assert.deepEqual(arr(nonExtreme(s, 10, { dropFraction: 0 })), arr(keepTop(s, 10)));
});

test('nonExtremeDropCount rounds (0.29 * 100 is 28.999999999999996)', () => {
  assert.equal(nonExtremeDropCount(100, { dropFraction: 0.29 }), 29);
  assert.equal(nonExtremeDropCount(100), 5);
  assert.equal(nonExtremeDropCount(10), 1); // 0.5 rounds up
  assert.equal(nonExtremeDropCount(9), 0);
});

test('nonExtreme errors', () => {
  const s = new Float32Array(100);
  assert.throws(() => nonExtreme(s, 96), /discarding the top 5 of 100 examples leaves 95, fewer than keep = 96; lower keep to at most 95/);
  assert.throws(() => nonExtreme(s, 1, { dropFraction: 1 }), /dropFraction must be a fraction in \[0, 1\)/);
  assert.throws(() => nonExtreme(s, 1, { dropFraction: 0.1, dropCount: 3 }), /not both/);
  assert.throws(() => nonExtreme(s, 1, { dropCount: 101 }), /dropCount must be an integer in \[0, 100\]/);
});

test('nonExtreme is the window ending `drop` below the top (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 40 }).chain((xs) =>
        fc.integer({ min: 0, max: xs.length }).chain((drop) => fc.tuple(fc.constant(xs), fc.constant(drop), fc.integer({ min: 0, max: xs.length - drop }))),
      ),
      ([xs, drop, k]) => {
        const n = xs.length;
        assert.deepEqual(arr(nonExtreme(xs, k, { dropCount: drop })), arr(slidingWindow(xs, n - drop - k, k)));
      },
    ),
  );
});

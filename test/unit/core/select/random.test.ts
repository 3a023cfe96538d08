import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomSubset } from '../../../../src/core/select/random';
import { makeRng } from '../../../../src/core/random';

test('randomSubset: ascending, distinct, in range, repeatable from the seed', () => {
  const a = randomSubset(1000, 100, makeRng(7));
  assert.equal(a.length, 100);
  for (let i = 1; i < a.length; i++) assert.ok(a[i] > a[i - 1]);
  assert.ok(a[0] >= 0 && a[99] < 1000);
  assert.deepEqual(a, randomSubset(1000, 100, makeRng(7)));
  assert.notDeepEqual(a, randomSubset(1000, 100, makeRng(8)));
  assert.deepEqual(Array.from(randomSubset(5, 5, makeRng(1))), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(randomSubset(0, 0, makeRng(1))), []);
});

test('randomSubset is uniform: every example kept with probability keep/n', () => {
  const n = 10;
  const hits = new Array(n).fill(0);
  const trials = 20000;
  for (let t = 0; t < trials; t++) for (const i of randomSubset(n, 3, makeRng(t))) hits[i]++;
  for (const h of hits) assert.ok(Math.abs(h / trials - 0.3) < 0.015, `inclusion ${h / trials} vs 0.3`);
});

test('randomSubset errors', () => {
  assert.throws(() => randomSubset(5, 6, makeRng(0)), /keep must be an integer count in \[0, 5\]/);
  assert.throws(() => randomSubset(-1, 0, makeRng(0)), /n must be a non-negative integer/);
});

test('randomSubset always returns keep distinct sorted indices (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer())), ([n, k, seed]) => {
      const s = randomSubset(n, k, makeRng(seed));
      assert.equal(s.length, k);
      for (let i = 0; i < k; i++) assert.ok(s[i] >= 0 && s[i] < n && (i === 0 || s[i] > s[i - 1]));
    }),
  );
});

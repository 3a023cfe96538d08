import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { topKOverlap } from '../../../../src/core/analysis/overlap';
import { makeRng } from '../../../../src/core/random';
import { membershipByEnumeration } from '../select/reference';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('identical rankings overlap fully, reversed ones not at all, with the k/N baseline', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const r = topKOverlap(a, Float32Array.from(a, (v) => 10 * v), [1, 3, 6]);
  assert.deepEqual(r.overlap, [1, 1, 1]);
  assert.deepEqual(r.baseline, [1 / 6, 3 / 6, 1]);
  assert.deepEqual(topKOverlap(a, Float32Array.from(a, (v) => -v), [1, 3, 4]).overlap, [0, 0, 2 / 4]); // top 4 of 6: {2..5} vs {0..3}
});

test('partial overlap by hand', () => {
  // Top 2 of a: {3, 2}; top 2 of b: {3, 0}.
  assert.deepEqual(topKOverlap([1, 2, 3, 4], [3, 1, 0, 4], [2]).overlap, [0.5]);
});

test('unrelated random scores overlap about k/N', () => {
  const rng = makeRng(11);
  const n = 20000;
  const a = Float32Array.from({ length: n }, () => rng.next());
  const b = Float32Array.from({ length: n }, () => rng.next());
  const r = topKOverlap(a, b, [2000, 10000]);
  close(r.overlap[0], 0.1, 0.02);
  close(r.overlap[1], 0.5, 0.02);
});

test('heavily tied scores do not look alike just because ties break by index', () => {
  // Both all-zero: every example is in the top k with probability k/N under random tie-breaking.
  const r = topKOverlap(new Float32Array(10), new Float32Array(10), [5]);
  close(r.overlap[0], 0.5);
});

test('errors', () => {
  assert.throws(() => topKOverlap([1, 2], [1], [1]), /lengths differ \(2 vs 1\)/);
  assert.throws(() => topKOverlap([1, 2], [1, 2], [0]), /k must be an integer in \[1, 2\]/);
  assert.throws(() => topKOverlap([1, 2], [1, NaN], [1]), /second scores.*example 1 is NaN/);
});

test('expected overlap under independent random tie-breaks (property)', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 6 })
        .chain((rows) => fc.tuple(fc.constant(rows), fc.integer({ min: 1, max: rows.length }))),
      ([rows, k]) => {
        const a = rows.map((r) => r[0]);
        const b = rows.map((r) => r[1]);
        const ma = membershipByEnumeration(a, k);
        const mb = membershipByEnumeration(b, k);
        const expected = ma.reduce((acc, v, i) => acc + v * mb[i], 0) / k;
        const got = topKOverlap(a, b, [k]).overlap[0];
        close(got, expected, 1e-9);
        assert.ok(got >= 0 && got <= 1);
        close(topKOverlap(b, a, [k]).overlap[0], got, 1e-9);
      },
    ),
  );
});

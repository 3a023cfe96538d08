import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelEntropy, topKLabelEntropy } from '../../../../src/core/analysis/entropy';
import { membershipByEnumeration } from '../select/reference';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('labelEntropy is Shannon entropy in nats', () => {
  close(labelEntropy([1, 1]), Math.LN2);
  close(labelEntropy([5, 5, 5, 5]), Math.log(4));
  assert.equal(labelEntropy([7, 0, 0]), 0);
  close(labelEntropy([1, 3]), -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)));
  assert.throws(() => labelEntropy([0, 0]), /all counts are 0/);
  assert.throws(() => labelEntropy([1, -1]), /count of class 1 is -1/);
});

test('topKLabelEntropy: low when the top is one class, with the uniform and dataset baselines', () => {
  // Class 0 holds the 4 highest scores; classes balanced overall.
  const scores = Float32Array.from([9, 8, 7, 6, 5, 4, 3, 2]);
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 2, 3]);
  const r = topKLabelEntropy(scores, labels, [1, 4, 6, 8]);
  assert.deepEqual(r.ks, [1, 4, 6, 8]);
  assert.equal(r.entropy[0], 0);
  assert.equal(r.entropy[1], 0);
  close(r.entropy[2], labelEntropy([4, 2]));
  close(r.entropy[3], labelEntropy([4, 2, 1, 1]));
  close(r.dataset, r.entropy[3]);
  close(r.uniform, Math.log(4));
  assert.equal(r.numClasses, 4);
  close(topKLabelEntropy(scores, labels, [8], { numClasses: 10 }).uniform, Math.log(10));
});

test('ties across place k count in proportion', () => {
  // Top 2 of all-equal scores over labels [0, 1]: each example half in -> counts [0.5, 0.5] -> ln 2 (not 0).
  close(topKLabelEntropy([1, 1], [0, 1], [1]).entropy[0], Math.LN2);
});

test('errors', () => {
  assert.throws(() => topKLabelEntropy([1, 2], [0], [1]), /2 scores but 1 labels/);
  assert.throws(() => topKLabelEntropy([1, 2], [0, 1], [3]), /k must be an integer in \[1, 2\]/);
  assert.throws(() => topKLabelEntropy([1, 2], [0, 5], [1], { numClasses: 3 }), /label 5 out of range for 3 classes/);
  assert.throws(() => topKLabelEntropy([1, NaN], [0, 1], [1]), /score of example 1 is NaN/);
});

test('entropy of the expected class counts over random tie-breaks, never above ln K (property)', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 6 })
        .chain((rows) => fc.tuple(fc.constant(rows), fc.integer({ min: 1, max: rows.length }))),
      ([rows, k]) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        const m = membershipByEnumeration(s, k);
        const counts = [0, 0, 0];
        m.forEach((v, i) => (counts[y[i]] += v));
        const r = topKLabelEntropy(s, y, [k], { numClasses: 3 });
        close(r.entropy[0], labelEntropy(counts), 1e-9);
        assert.ok(r.entropy[0] <= r.uniform + 1e-12);
      },
    ),
  );
});

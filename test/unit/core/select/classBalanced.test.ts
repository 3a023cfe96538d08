import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classBalanced, classMembers, classQuotas } from '../../../../src/core/select/classBalanced';
import { keepTop } from '../../../../src/core/select/keepTop';

const arr = (a: Int32Array) => Array.from(a);

test('classMembers groups indices by label in dataset order', () => {
  assert.deepEqual(classMembers([1, 0, 1, 2, 0]).map(arr), [[1, 4], [0, 2], [3]]);
  assert.deepEqual(classMembers([1, 1], 3).map(arr), [[], [0, 1], []]);
  assert.throws(() => classMembers([0, -1]), /label of example 1 is -1/);
  assert.throws(() => classMembers([0, 1.5]), /label of example 1 is 1.5/);
  assert.throws(() => classMembers([0, 3], 3), /label 3 out of range for 3 classes/);
});

test('quotas are proportional to class size and sum exactly to keep (largest remainder)', () => {
  const members = classMembers([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]); // sizes 6, 3, 1
  assert.deepEqual(classQuotas(members, 5), [3, 2, 0]); // exact 3, 1.5, 0.5: tie on .5 goes to the lower class
  assert.deepEqual(classQuotas(members, 10), [6, 3, 1]);
  assert.deepEqual(classQuotas(members, 0), [0, 0, 0]);
});

test('class-balanced keep-top keeps the top of each class', () => {
  // Class 0 has all the high scores; plain keepTop would keep only class 0.
  const scores = Float32Array.from([9, 8, 7, 6, 1, 2, 3, 0.5]);
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(arr(keepTop(scores, 4)), [0, 1, 2, 3]);
  assert.deepEqual(arr(classBalanced(scores, labels, 4, (s, q) => keepTop(s, q))), [0, 1, 5, 6]);
});

test('the selector gets each class in label order, with its scores and quota', () => {
  const calls: [number[], number, number][] = [];
  classBalanced([5, 6, 7, 8], [2, 0, 2, 0], 2, (s, q, label) => {
    calls.push([Array.from(s), q, label]);
    return keepTop(s, q);
  }, 3);
  assert.deepEqual(calls, [
    [[6, 8], 1, 0],
    [[], 0, 1],
    [[5, 7], 1, 2],
  ]);
});

test('a misbehaving selector is caught', () => {
  assert.throws(() => classBalanced([1, 2], [0, 0], 1, () => Int32Array.from([0, 1])), /returned 2 examples for class 0, expected its quota 1/);
  assert.throws(() => classBalanced([1, 2], [0, 0], 2, () => Int32Array.from([1, 1])), /invalid or repeated position 1/);
  assert.throws(() => classBalanced([1, 2], [0], 1, (s, q) => keepTop(s, q)), /2 scores but 1 labels/);
});

test('class proportions are kept and each class keeps its own top (property)', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 60 })
        .chain((rows) => fc.tuple(fc.constant(rows), fc.integer({ min: 0, max: rows.length }))),
      ([rows, keep]) => {
        const scores = Float32Array.from(rows, (r) => r[0]);
        const labels = Int32Array.from(rows, (r) => r[1]);
        const kept = classBalanced(scores, labels, keep, (s, q) => keepTop(s, q));
        assert.equal(kept.length, keep);
        const members = classMembers(labels);
        const quotas = classQuotas(members, keep);
        members.forEach((m, c) => {
          const keptHere = arr(kept).filter((i) => labels[i] === c);
          assert.equal(keptHere.length, quotas[c]);
          assert.ok(Math.abs(quotas[c] - (m.length * keep) / rows.length) < 1, 'quota within 1 of the exact share');
          const expected = arr(keepTop(Float32Array.from(m, (i) => scores[i]), quotas[c])).map((p) => m[p]);
          assert.deepEqual(keptHere, expected);
        });
      },
    ),
  );
});

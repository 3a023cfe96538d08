import { test } from 'node:test';
import assert from 'node:assert/strict';
import { el2nFromLogits, softmaxRows } from '../../../../src/core/scores/el2n';
import { makeRng } from '../../../../src/core/random';

/** The textbook formula, no max subtraction: only valid for moderate logits. */
function naiveEl2n(logits: number[][], labels: number[]): number[] {
  return logits.map((row, i) => {
    const e = row.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    return Math.sqrt(e.reduce((acc, v, k) => acc + (v / s - (k === labels[i] ? 1 : 0)) ** 2, 0));
  });
}

test('EL2N matches the naive formula on random logits', () => {
  const rng = makeRng(7);
  const n = 50;
  const K = 10;
  const rows = Array.from({ length: n }, () => Array.from({ length: K }, () => Math.fround((rng.next() - 0.5) * 10)));
  const labels = Array.from({ length: n }, () => rng.int(K));
  const got = el2nFromLogits(Float32Array.from(rows.flat()), Int32Array.from(labels), K);
  const want = naiveEl2n(rows, labels);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `row ${i}: ${got[i]} vs ${want[i]}`);
});

test('huge logits give the limit values, not NaN', () => {
  // Row 0: confidently right -> 0. Row 1: confidently wrong -> sqrt(2). Row 2: two-way tie on +1000 incl. the label.
  const logits = Float32Array.from([1000, -1000, -1000, -1000, 1000, -1000, 1000, 1000, -1000]);
  const got = el2nFromLogits(logits, Int32Array.from([0, 0, 0]), 3);
  assert.equal(got[0], 0);
  assert.ok(Math.abs(got[1] - Math.SQRT2) < 1e-7);
  assert.ok(Math.abs(got[2] - Math.sqrt(0.5)) < 1e-7, 'error vector (-1/2, 1/2, 0)');
});

test('softmaxRows: rows sum to 1 and are shift invariant, extreme logits included', () => {
  const p = softmaxRows(Float32Array.from([1, 2, 3, 1001, 1002, 1003, -1000, 0, 1000]), 3);
  for (let r = 0; r < 3; r++) assert.ok(Math.abs(p[3 * r] + p[3 * r + 1] + p[3 * r + 2] - 1) < 1e-6);
  for (let k = 0; k < 3; k++) assert.equal(p[k], p[3 + k]);
  assert.deepEqual(Array.from(p.subarray(6)), [0, 0, 1]);
});

test('a NaN logit gives a NaN score instead of a plausible number', () => {
  const got = el2nFromLogits(Float32Array.from([NaN, 1, 0, 1]), Int32Array.from([0, 1]), 2);
  assert.ok(Number.isNaN(got[0]));
  assert.ok(Number.isFinite(got[1]));
});

test('shape and label errors name the problem', () => {
  assert.throws(() => el2nFromLogits(new Float32Array(7), new Int32Array(2), 3), /not a multiple of numClasses 3/);
  assert.throws(() => el2nFromLogits(new Float32Array(6), new Int32Array(3), 3), /3 labels for 2 logit rows/);
  assert.throws(() => el2nFromLogits(new Float32Array(6), Int32Array.from([0, 3]), 3), /label 3 of row 1 is outside \[0, 3\)/);
});

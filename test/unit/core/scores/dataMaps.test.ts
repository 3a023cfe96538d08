import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataMapTracker } from '../../../../src/core/scores/dataMaps';
import { makeRng } from '../../../../src/core/random';

/** Two-class logits [0, z] give p_1 = sigmoid(z); this picks z for a wanted p_1. */
const logitFor = (p: number) => Math.log(p / (1 - p));

test('confidence, variability (population std) and correctness over presentations', () => {
  const t = new DataMapTracker(2, 2);
  const ps = [0.2, 0.6, 0.9];
  for (const p of ps) t.update(Int32Array.from([0]), Float32Array.from([0, logitFor(p)]), Int32Array.from([1]));
  const r = t.result();
  const mean = ps.reduce((a, b) => a + b) / 3;
  const std = Math.sqrt(ps.reduce((a, p) => a + (p - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(r.confidence[0] - mean) < 1e-6);
  assert.ok(Math.abs(r.variability[0] - std) < 1e-6);
  assert.ok(Math.abs(r.correctness[0] - 2 / 3) < 1e-7);
  assert.ok(Number.isNaN(r.confidence[1]) && Number.isNaN(r.variability[1]) && Number.isNaN(r.correctness[1]), 'never presented');
});

test('Welford agrees with the two-pass formulas on many presentations', () => {
  const rng = makeRng(3);
  const K = 5;
  const t = new DataMapTracker(1, K);
  const py: number[] = [];
  let correct = 0;
  for (let e = 0; e < 200; e++) {
    const row = Float32Array.from({ length: K }, () => (rng.next() - 0.5) * 6);
    t.update(Int32Array.from([0]), row, Int32Array.from([2]));
    const ex = Array.from(row, Math.exp);
    py.push(ex[2] / ex.reduce((a, b) => a + b));
    if (row.every((v, k) => k === 2 || v < row[2])) correct++;
  }
  const mean = py.reduce((a, b) => a + b) / py.length;
  const std = Math.sqrt(py.reduce((a, p) => a + (p - mean) ** 2, 0) / py.length);
  const r = t.result();
  assert.ok(Math.abs(r.confidence[0] - mean) < 1e-6);
  assert.ok(Math.abs(r.variability[0] - std) < 1e-6);
  assert.ok(Math.abs(r.correctness[0] - correct / 200) < 1e-7);
});

test('argmax ties go to the first class, like tf.argMax', () => {
  const t = new DataMapTracker(2, 2);
  t.update(Int32Array.from([0, 1]), Float32Array.from([1, 1, 1, 1]), Int32Array.from([0, 1]));
  assert.deepEqual(Array.from(t.result().correctness), [1, 0]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradientCdf } from '../../../../src/core/select/gradientCdf';
import { makeRng } from '../../../../src/core/random';

/** Exact inclusion probabilities of successive proportional draws without replacement (enumerates all sequences). */
function exactInclusion(w: number[], keep: number): number[] {
  const p = new Array(w.length).fill(0);
  const walk = (taken: number[], prob: number): void => {
    if (taken.length === keep) {
      for (const i of taken) p[i] += prob;
      return;
    }
    const rest = w.map((_, i) => i).filter((i) => !taken.includes(i));
    const total = rest.reduce((a, i) => a + w[i], 0);
    for (const i of rest) if (w[i] > 0) walk([...taken, i], (prob * w[i]) / total);
  };
  walk([], 1);
  return p;
}

function frequencies(w: Float32Array, keep: number, trials: number): number[] {
  const hits = new Array(w.length).fill(0);
  for (let t = 0; t < trials; t++) for (const i of gradientCdf(w, keep, makeRng(t))) hits[i]++;
  return hits.map((h) => h / trials);
}

test('gradientCdf: ascending distinct indices, repeatable from the seed', () => {
  const w = Float32Array.from({ length: 500 }, (_, i) => 1 + (i % 7));
  const a = gradientCdf(w, 50, makeRng(3));
  assert.equal(a.length, 50);
  for (let i = 1; i < a.length; i++) assert.ok(a[i] > a[i - 1]);
  assert.deepEqual(a, gradientCdf(w, 50, makeRng(3)));
  assert.notDeepEqual(a, gradientCdf(w, 50, makeRng(4)));
  assert.deepEqual(Array.from(gradientCdf(w, 0, makeRng(3))), []);
  assert.deepEqual(Array.from(gradientCdf(w, 500, makeRng(3))), Array.from({ length: 500 }, (_, i) => i));
});

test('inclusion probabilities match successive proportional draws (numpy choice replace=False, p=w/sum)', () => {
  const w = [1, 2, 3, 4, 10];
  for (const keep of [1, 2, 3]) {
    const expected = exactInclusion(w, keep);
    const got = frequencies(Float32Array.from(w), keep, 20000);
    got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 0.015, `keep ${keep}, example ${i}: ${g} vs exact ${expected[i]}`));
  }
  // keep 1 is exactly w_i / sum w.
  assert.ok(Math.abs(exactInclusion(w, 1)[4] - 0.5) < 1e-15);
});

test('zero scores are drawn only after every positive one, then uniformly', () => {
  const w = Float32Array.from([0, 5, 0, 0, 1]);
  for (let seed = 0; seed < 50; seed++) {
    const two = Array.from(gradientCdf(w, 2, makeRng(seed)));
    assert.deepEqual(two, [1, 4], 'positives first');
  }
  const f = frequencies(w, 3, 15000);
  assert.equal(f[1], 1);
  assert.equal(f[4], 1);
  for (const i of [0, 2, 3]) assert.ok(Math.abs(f[i] - 1 / 3) < 0.02, `zero-score example ${i}: ${f[i]}`);
  assert.deepEqual(Array.from(gradientCdf(new Float32Array(4), 2, makeRng(0))).length, 2, 'all-zero scores: uniform');
});

test('tiny float32 weights keep their proportions (log-space keys do not underflow)', () => {
  const w = Float32Array.from([1e-40, 3e-40]); // denormals: u^(1/w) would be 0 for both
  const f = frequencies(w, 1, 20000);
  assert.ok(Math.abs(f[1] - 0.75) < 0.015, `${f[1]} vs 0.75`);
});

test('gradientCdf refuses negative, NaN and infinite scores, and a bad keep', () => {
  assert.throws(() => gradientCdf([1, -0.5], 1, makeRng(0)), /score of example 1 is -0.5; sampling probability is proportional to the score, so scores must be >= 0/);
  assert.throws(() => gradientCdf([NaN], 1, makeRng(0)), /example 0 is NaN/);
  assert.throws(() => gradientCdf([1, Infinity], 1, makeRng(0)), /example 1 is Infinity/);
  assert.throws(() => gradientCdf([1, 2], 3, makeRng(0)), /keep must be an integer count in \[0, 2\]/);
  assert.deepEqual(Array.from(gradientCdf([-0, 1], 2, makeRng(0))), [0, 1], '-0 is a zero score, not negative');
});

test('scaling every score by a power of two gives the same sample (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }).chain((xs) =>
        fc.tuple(fc.constant(xs), fc.integer({ min: 0, max: xs.length }), fc.integer(), fc.integer({ min: -20, max: 20 })),
      ),
      ([xs, k, seed, e]) => {
        const w = Float32Array.from(xs);
        const scaled = Float32Array.from(xs, (x) => x * 2 ** e);
        // Skip scalings that flush a weight to 0 or overflow float32.
        fc.pre(scaled.every((v, i) => Number.isFinite(v) && (v > 0) === (w[i] > 0)));
        assert.deepEqual(gradientCdf(scaled, k, makeRng(seed)), gradientCdf(w, k, makeRng(seed)));
      },
    ),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { injectLabelNoise } from '../../../../src/core/data/noise';
import { makeRng } from '../../../../src/core/random';

const histogram = (ys: ArrayLike<number>) => {
  const h = new Map<number, number>();
  for (let i = 0; i < ys.length; i++) h.set(ys[i], (h.get(ys[i]) ?? 0) + 1);
  return [...h.entries()].sort((a, b) => a[0] - b[0]);
};

test('permutes the labels of round(fraction * N) random examples; repeatable from the seed', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  const copy = labels.slice();
  const a = injectLabelNoise(labels, 0.1, makeRng(5));
  assert.deepEqual(labels, copy, 'input untouched');
  assert.equal(a.indices.length, 100);
  for (let r = 1; r < a.indices.length; r++) assert.ok(a.indices[r] > a.indices[r - 1], 'indices ascending');
  assert.deepEqual(histogram(a.labels), histogram(labels), 'label statistics kept');
  assert.deepEqual(injectLabelNoise(labels, 0.1, makeRng(5)), a);
  assert.notDeepEqual(injectLabelNoise(labels, 0.1, makeRng(6)).indices, a.indices);
});

test('corrupted flags exactly the examples whose label changed; others are untouched', () => {
  const labels = Int32Array.from({ length: 500 }, (_, i) => (i * 7) % 3);
  const { labels: noisy, corrupted, indices } = injectLabelNoise(labels, 0.3, makeRng(1));
  const chosen = new Set(indices);
  let nCorrupted = 0;
  for (let i = 0; i < labels.length; i++) {
    assert.equal(corrupted[i], noisy[i] !== labels[i] ? 1 : 0);
    if (!chosen.has(i)) assert.equal(noisy[i], labels[i]);
    nCorrupted += corrupted[i];
  }
  assert.ok(nCorrupted < indices.length, 'with 3 classes some permuted labels land on their own class');
  assert.ok(nCorrupted > 0);
});

test('about (1 - sum p_c^2) of the chosen examples change label', () => {
  const labels = Int32Array.from({ length: 20000 }, (_, i) => i % 10);
  const { corrupted, indices } = injectLabelNoise(labels, 0.2, makeRng(2));
  const changed = corrupted.reduce((a, b) => a + b, 0);
  // 4000 chosen, each keeps its class with probability ~1/10: expect ~3600 (sd ~19).
  assert.ok(Math.abs(changed - 3600) < 100, `${changed} changed of ${indices.length}`);
});

test('edge fractions and errors', () => {
  const labels = Int32Array.from([0, 1, 2, 0, 1]);
  const none = injectLabelNoise(labels, 0, makeRng(1));
  assert.deepEqual(none.labels, labels);
  assert.equal(none.indices.length, 0);
  assert.equal(none.corrupted.reduce((a, b) => a + b, 0), 0);
  assert.deepEqual(Array.from(injectLabelNoise(labels, 1, makeRng(1)).indices), [0, 1, 2, 3, 4]);
  assert.equal(injectLabelNoise(new Int32Array(0), 0.5, makeRng(1)).labels.length, 0);
  assert.throws(() => injectLabelNoise(labels, 1.5, makeRng(1)), /fraction must be in \[0, 1\]/);
  assert.throws(() => injectLabelNoise(labels, NaN, makeRng(1)), /fraction must be in \[0, 1\]/);
  assert.throws(() => injectLabelNoise([0, -1], 0.5, makeRng(1)), /label of example 1 is -1/);
});

test('invariants for any labels, fraction and seed (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (ys, f, seed) => {
      const labels = Int32Array.from(ys);
      const r = injectLabelNoise(labels, f, makeRng(seed));
      assert.equal(r.indices.length, Math.round(f * ys.length));
      assert.deepEqual(histogram(r.labels), histogram(labels));
      assert.deepEqual(histogram(Array.from(r.indices, (i) => r.labels[i])), histogram(Array.from(r.indices, (i) => labels[i])), 'permuted among the chosen');
      const chosen = new Set(r.indices);
      for (let i = 0; i < ys.length; i++) {
        assert.equal(r.corrupted[i], r.labels[i] !== labels[i] ? 1 : 0);
        if (r.corrupted[i]) assert.ok(chosen.has(i));
      }
    }),
  );
});

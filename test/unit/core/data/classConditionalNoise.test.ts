import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FASHION_MNIST_NOISE_PAIRS, injectPairNoise, MNIST_NOISE_PAIRS } from '../../../../src/core/data/classConditionalNoise';
import { makeRng } from '../../../../src/core/random';

const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);

test('pair noise flips exactly round(fraction x class size) of each source class to its pair, and nothing else', () => {
  const noise = injectPairNoise(labels, 0.3, MNIST_NOISE_PAIRS, makeRng(1));
  const flips = new Map<string, number>();
  for (let i = 0; i < labels.length; i++) {
    const changed = noise.labels[i] !== labels[i];
    assert.equal(noise.corrupted[i], changed ? 1 : 0);
    if (changed) flips.set(`${labels[i]}->${noise.labels[i]}`, (flips.get(`${labels[i]}->${noise.labels[i]}`) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(flips), { '2->7': 30, '3->8': 30, '5->6': 30, '6->5': 30, '7->1': 30 });
  assert.equal(noise.indices.length, 150);
  assert.ok(noise.indices.every((v, k) => k === 0 || v > noise.indices[k - 1]), 'indices ascending');
  assert.deepEqual(Array.from(labels.slice(0, 3)), [0, 1, 2], 'input untouched');
});

test('pair noise is a function of the labels, fraction, pairs and stream', () => {
  const a = injectPairNoise(labels, 0.1, FASHION_MNIST_NOISE_PAIRS, makeRng(7));
  const b = injectPairNoise(labels, 0.1, FASHION_MNIST_NOISE_PAIRS, makeRng(7));
  const c = injectPairNoise(labels, 0.1, FASHION_MNIST_NOISE_PAIRS, makeRng(8));
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(a.labels, c.labels);
  assert.equal(injectPairNoise(labels, 0, MNIST_NOISE_PAIRS, makeRng(1)).indices.length, 0);
  assert.throws(() => injectPairNoise(labels, 0.1, [[3, 3]], makeRng(1)), /does not change the label/);
  assert.throws(() => injectPairNoise(labels, 0.1, [[3, 4], [3, 5]], makeRng(1)), /two pairs/);
  assert.throws(() => injectPairNoise(labels, 1.5, MNIST_NOISE_PAIRS, makeRng(1)), /fraction/);
});

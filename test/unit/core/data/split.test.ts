import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { loadMnist } from '../../../../src/core/data/mnist';
import { splitValidation, stratifiedQuotas, subset, validationCount } from '../../../../src/core/data/split';
import { makeRng } from '../../../../src/core/random';

/** 1000 examples, classes of size 500/300/200 interleaved; pixel bytes encode the example index. */
function imbalanced(): ImageDataset {
  const n = 1000;
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));
  const images = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    images[2 * i] = i & 255;
    images[2 * i + 1] = i >> 8;
  }
  const sources = Array.from({ length: n }, (_, i) => `img${i}.png`);
  return { name: 'imb', images, labels, shape: [1, 2, 1], numClasses: 3, classNames: ['a', 'b', 'c'], sources };
}

function classCounts(labels: Int32Array, k: number): number[] {
  const h = new Array(k).fill(0);
  for (const y of labels) h[y]++;
  return h;
}

test('stratified, disjoint, covering, sorted, and pixels follow their indices', () => {
  const ds = imbalanced();
  const s = splitValidation(ds, 0.1, makeRng(1));
  assert.equal(s.val.labels.length, 100);
  assert.equal(s.train.labels.length, 900);
  assert.deepEqual(classCounts(s.val.labels, 3), [50, 30, 20]);
  assert.deepEqual(classCounts(s.train.labels, 3), [450, 270, 180]);
  const all = [...s.trainIndices, ...s.valIndices].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
  for (const idx of [s.trainIndices, s.valIndices]) for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
  s.valIndices.forEach((orig, i) => {
    assert.equal(s.val.labels[i], ds.labels[orig]);
    assert.equal(s.val.images[2 * i] + 256 * s.val.images[2 * i + 1], orig);
    assert.equal(s.val.sources?.[i], `img${orig}.png`);
  });
  assert.deepEqual(s.val.classNames, ['a', 'b', 'c']);
  assert.equal(s.val.numClasses, 3);
});

test('seeded: same seed same split, another seed another split', () => {
  const ds = imbalanced();
  assert.deepEqual(splitValidation(ds, 100, makeRng(7)).valIndices, splitValidation(ds, 100, makeRng(7)).valIndices);
  assert.notDeepEqual(splitValidation(ds, 100, makeRng(7)).valIndices, splitValidation(ds, 100, makeRng(8)).valIndices);
});

test('counts are exact with largest-remainder rounding', () => {
  const ds = imbalanced();
  for (const count of [1, 7, 99, 101, 999]) {
    const s = splitValidation(ds, count, makeRng(3));
    assert.equal(s.val.labels.length, count);
  }
  assert.deepEqual(stratifiedQuotas([500, 300, 200], 7), [4, 2, 1]); // exact 3.5, 2.1, 1.4
  assert.deepEqual(stratifiedQuotas([1, 1, 1], 2), [1, 1, 0]);
  assert.deepEqual(stratifiedQuotas([0, 5], 2), [0, 2]);
});

test('0 gives an empty validation set; impossible sizes are refused', () => {
  const ds = imbalanced();
  const s = splitValidation(ds, 0, makeRng(1));
  assert.equal(s.val.labels.length, 0);
  assert.equal(s.train.labels.length, 1000);
  assert.throws(() => validationCount(1000, 1000), /no training examples/);
  assert.throws(() => validationCount(1000, 2.5), RangeError);
  assert.throws(() => validationCount(1000, -0.1), RangeError);
  assert.equal(validationCount(1000, 0.25), 250);
});

test('subset copies examples in the given order and checks bounds', () => {
  const ds = imbalanced();
  const sub = subset(ds, [5, 0, 5], 'sub');
  assert.deepEqual(Array.from(sub.labels), [1, 0, 1]);
  assert.deepEqual(Array.from(sub.images), [5, 0, 0, 0, 5, 0]);
  assert.deepEqual(sub.sources, ['img5.png', 'img0.png', 'img5.png']);
  assert.equal(sub.name, 'sub');
  sub.images[0] = 77;
  assert.equal(ds.images[10], 5, 'subset must copy, not alias');
  assert.throws(() => subset(ds, [1000]), RangeError);
  assert.throws(() => subset(ds, [0.5]), RangeError);
});

test('MNIST: 5000 held out, per class within one of proportional', () => {
  const { train } = loadMnist('mnist');
  const s = splitValidation(train, 5000, makeRng(0));
  const all = classCounts(train.labels, 10);
  const val = classCounts(s.val.labels, 10);
  all.forEach((c, k) => assert.ok(Math.abs(val[k] - (c * 5000) / 60000) <= 1, `class ${k}: ${val[k]}`));
  assert.equal(s.train.labels.length, 55000);
});

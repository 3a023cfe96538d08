import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { fingerprint } from '../../../../src/core/data/fingerprint';
import { loadMnist } from '../../../../src/core/data/mnist';

function tiny(): ImageDataset {
  return {
    name: 'tiny',
    images: Uint8Array.from({ length: 4 * 2 * 2 * 3 }, (_, i) => i),
    labels: Int32Array.from([0, 1, 2, 1]),
    shape: [2, 2, 3],
    numClasses: 3,
  };
}

test('stable: same content gives the same hex digest, independent of names and buffer offsets', () => {
  const a = tiny();
  const h = fingerprint(a);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(fingerprint(tiny()), h);
  const renamed: ImageDataset = { ...a, name: 'renamed', classNames: ['x', 'y', 'z'] };
  assert.equal(fingerprint(renamed), h);
  // The same bytes as views into bigger buffers.
  const bigImages = new Uint8Array(100);
  bigImages.set(a.images, 7);
  const bigLabels = new Int32Array(10);
  bigLabels.set(a.labels, 3);
  assert.equal(fingerprint({ ...a, images: bigImages.subarray(7, 7 + 48), labels: bigLabels.subarray(3, 7) }), h);
});

test('changes when one label, one pixel, the shape or the class count changes', () => {
  const h = fingerprint(tiny());
  const l = tiny();
  l.labels[2] = 0;
  assert.notEqual(fingerprint(l), h);
  const p = tiny();
  p.images[47] ^= 1;
  assert.notEqual(fingerprint(p), h);
  assert.notEqual(fingerprint({ ...tiny(), shape: [2, 3, 2] }), h);
  assert.notEqual(fingerprint({ ...tiny(), numClasses: 4 }), h);
});

test('fast on MNIST train and different for train and test', () => {
  const { train, test: testSplit } = loadMnist('mnist');
  const t0 = performance.now();
  const h = fingerprint(train);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `${ms} ms`);
  assert.notEqual(h, fingerprint(testSplit));
  assert.equal(fingerprint(train), h);
});

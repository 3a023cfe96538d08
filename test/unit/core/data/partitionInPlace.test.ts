import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { partitionInPlace, subset } from '../../../../src/core/data/split';

function dataset(n: number, size: number, dim: number): ImageDataset {
  return {
    name: 'd',
    images: Uint8Array.from({ length: n * size }, (_, i) => (i * 31 + 7) % 256),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    shape: [1, size, 1],
    numClasses: 3,
    sources: Array.from({ length: n }, (_, i) => `img${i}.png`),
    ...(dim ? { features: { values: Float32Array.from({ length: n * dim }, (_, i) => i * 0.5), dim } } : {}),
  };
}

test('partitionInPlace gives the same two datasets as copying subsets, as views of the one array', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.infiniteStream(fc.boolean()), (n, size, dim, picks) => {
      const it = picks[Symbol.iterator]();
      const inFirst = Array.from({ length: n }, () => it.next().value as boolean);
      const first = Int32Array.from(inFirst.flatMap((f, i) => (f ? [i] : [])));
      const second = Int32Array.from(inFirst.flatMap((f, i) => (f ? [] : [i])));
      const copyA = subset(dataset(n, size, dim), first, 'a');
      const copyB = subset(dataset(n, size, dim), second, 'b');
      const ds = dataset(n, size, dim);
      const buffer = ds.images.buffer;
      const [a, b] = partitionInPlace(ds, first, second, ['a', 'b']);
      for (const [got, want] of [[a, copyA], [b, copyB]] as const) {
        assert.deepEqual(Array.from(got.images), Array.from(want.images));
        assert.deepEqual(Array.from(got.labels), Array.from(want.labels));
        assert.deepEqual(got.sources, want.sources);
        assert.deepEqual(got.features && Array.from(got.features.values), want.features && Array.from(want.features.values));
        assert.equal(got.images.buffer, buffer, 'no copy of the pixels');
      }
    }),
    { numRuns: 200 },
  );
});

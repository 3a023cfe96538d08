import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectDatasetKind, loadDataset, parseDatasetSpec } from '../../../../src/core/data/load';
import { FASHION_MNIST_SYSTEM_DIR } from '../../../../src/core/data/mnist';
import { assertDataError, assertDataRejects, cifarRecord, idxBytes, tempDir, write, writeGrayPng } from './fixtures';

const dir = tempDir();
const fashionInstalled = fs.existsSync(path.join(FASHION_MNIST_SYSTEM_DIR, 'train-images-idx3-ubyte.gz'));

// Small fixtures in every on-disk format.
const cifar10Dir = path.join(dir, 'c10');
['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].forEach((f, i) =>
  write(path.join(cifar10Dir, f), cifarRecord([i], () => i)),
);
const cifar100Dir = path.join(dir, 'c100');
write(path.join(cifar100Dir, 'train.bin'), Buffer.concat([cifarRecord([0, 5], () => 1), cifarRecord([0, 6], () => 2)]));
write(path.join(cifar100Dir, 'test.bin'), cifarRecord([0, 5], () => 3));
const idxDir = path.join(dir, 'idx');
write(path.join(idxDir, 'train-images-idx3-ubyte'), idxBytes([2, 1, 1], [1, 2]));
write(path.join(idxDir, 'train-labels-idx1-ubyte'), idxBytes([2], [0, 2]));
write(path.join(idxDir, 't10k-images-idx3-ubyte'), idxBytes([1, 1, 1], [3]));
write(path.join(idxDir, 't10k-labels-idx1-ubyte'), idxBytes([1], [1]));
const folderDir = path.join(dir, 'folder');
for (const cls of ['cat', 'dog']) for (let i = 0; i < 12; i++) writeGrayPng(path.join(folderDir, cls, `${i}.png`), 2, 2, () => i);
const csvFile = write(
  path.join(folderDir, 'labels.csv'),
  'path,label\n' + Array.from({ length: 12 }, (_, i) => `cat/${i}.png,cat\ndog/${i}.png,dog\n`).join(''),
);
const jsonlFile = write(
  path.join(folderDir, 'labels.jsonl'),
  Array.from({ length: 12 }, (_, i) => JSON.stringify({ path: `${i % 2 ? 'dog' : 'cat'}/${i}.png`, label: i % 2 })).join('\n'),
);

test('mnist: built-in, with class names and the four source files', async () => {
  const { splits, info } = await loadDataset('mnist');
  assert.equal(splits.train.labels.length, 60000);
  assert.equal(splits.test.labels.length, 10000);
  assert.equal(info.kind, 'mnist');
  assert.equal(info.sources.length, 4);
  assert.ok(info.sources.every((s) => fs.existsSync(s)));
  assert.deepEqual(info.classNames?.slice(0, 2), ['0', '1']);
  assert.equal(info.heldOut, undefined);
  assert.equal((await loadDataset(` MNIST `)).splits.train.labels.length, 60000);
});

test('fashion-mnist: built-in', { skip: !fashionInstalled && 'dataset-fashion-mnist not installed' }, async () => {
  const { splits, info } = await loadDataset('fashion-mnist');
  assert.equal(splits.train.labels.length, 60000);
  assert.equal(info.classNames?.[0], 'T-shirt/top');
  assert.ok(info.sources[0].endsWith('.gz'));
});

test('cifar10:<dir>, cifar100:<dir> and idx:<dir>', async () => {
  const c10 = await loadDataset(`cifar10:${cifar10Dir}`);
  assert.equal(c10.info.kind, 'cifar10');
  assert.equal(c10.splits.train.labels.length, 5);
  assert.deepEqual(Array.from(c10.splits.test.labels), [5]);
  assert.equal(c10.info.classNames?.[0], 'airplane');
  const c100 = await loadDataset(`cifar100:${cifar100Dir}`);
  assert.deepEqual(Array.from(c100.splits.train.labels), [5, 6]);
  const idx = await loadDataset(`idx:${idxDir}`);
  assert.equal(idx.info.kind, 'idx');
  assert.equal(idx.splits.train.numClasses, 3);
  assert.equal(idx.splits.test.numClasses, 3);
  const mnistDir = await loadDataset(`mnist:${idxDir}`);
  assert.equal(mnistDir.splits.train.numClasses, 10);
});

test('bare paths are auto-detected', async () => {
  assert.equal(detectDatasetKind(cifar10Dir), 'cifar10');
  assert.equal(detectDatasetKind(cifar100Dir), 'cifar100');
  assert.equal(detectDatasetKind(idxDir), 'idx');
  assert.equal(detectDatasetKind(folderDir), 'folder');
  assert.equal(detectDatasetKind(csvFile), 'csv');
  assert.equal(detectDatasetKind(jsonlFile), 'jsonl');
  assert.equal(detectDatasetKind(path.join(dir, 'nothing')), undefined);
  assert.equal((await loadDataset(cifar10Dir)).info.kind, 'cifar10');
  assert.equal((await loadDataset(idxDir)).info.kind, 'idx');
  assert.deepEqual(parseDatasetSpec(csvFile), { kind: 'csv', path: csvFile });
});

test('folder without a split: stratified 1/6 held out as test, with indices and a note', async () => {
  const { splits, info } = await loadDataset(`folder:${folderDir}`, { seed: 3 });
  assert.equal(info.kind, 'folder');
  assert.deepEqual(info.classNames, ['cat', 'dog']);
  assert.equal(splits.test.labels.length, 4); // round(24 / 6)
  assert.deepEqual(Array.from(splits.test.labels).sort(), [0, 0, 1, 1]);
  assert.equal(splits.train.labels.length, 20);
  const h = info.heldOut!;
  assert.equal(h.seed, 3);
  assert.deepEqual([...h.trainIndices, ...h.testIndices].sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i));
  assert.match(info.notes[0], /1\/6/);
  assert.match(info.notes[0], /seed 3/);
  assert.deepEqual((await loadDataset(folderDir, { seed: 3 })).info.heldOut?.testIndices, h.testIndices);
  assert.notDeepEqual((await loadDataset(folderDir, { seed: 4 })).info.heldOut?.testIndices, h.testIndices);
  assert.ok(splits.test.sources?.every((s) => s.startsWith(folderDir)));
});

test('folder with train/test sub-folders keeps its own split', async () => {
  const root = path.join(dir, 'splitfolder');
  for (const cls of ['a', 'b']) {
    writeGrayPng(path.join(root, 'train', cls, '1.png'), 2, 2, () => 1);
    writeGrayPng(path.join(root, 'test', cls, '1.png'), 2, 2, () => 1);
  }
  const { splits, info } = await loadDataset(root);
  assert.equal(splits.train.labels.length, 2);
  assert.equal(splits.test.labels.length, 2);
  assert.equal(info.heldOut, undefined);
});

test('csv: and jsonl: manifests are split 1/6 and say so', async () => {
  const csv = await loadDataset(`csv:${csvFile}`);
  assert.equal(csv.info.kind, 'csv');
  assert.equal(csv.splits.test.labels.length, 4);
  assert.match(csv.info.notes[0], /manifest .*labels\.csv has no train\/test split/);
  assert.equal(csv.splits.train.name, 'labels/train');
  const jsonl = await loadDataset(jsonlFile);
  assert.equal(jsonl.info.kind, 'jsonl');
  assert.equal(jsonl.splits.test.labels.length, 2);
  assert.equal(jsonl.splits.train.labels.length, 10);
  // An explicit prefix wins over the extension.
  const txt = write(path.join(folderDir, 'list.txt'), 'cat/0.png,0\ncat/1.png,1\ncat/2.png,0\n');
  assert.equal((await loadDataset(`csv:${txt}`)).splits.train.labels.length + (await loadDataset(`csv:${txt}`)).splits.test.labels.length, 3);
});

test('unknown or broken specs list the accepted forms', async () => {
  await assertDataRejects(() => loadDataset('imagenet'), 'imagenet', 'accepted forms', 'cifar10:<dir>', 'csv:<file>', 'folder:<dir>');
  await assertDataRejects(() => loadDataset('foo:bar'), 'unknown dataset kind "foo"', 'accepted forms');
  await assertDataRejects(() => loadDataset('cifar10:'), 'needs a path', 'accepted forms');
  await assertDataRejects(() => loadDataset(''), 'empty dataset spec');
  const junk = path.join(dir, 'junkdir');
  write(path.join(junk, 'notes.txt'), 'x');
  await assertDataRejects(() => loadDataset(junk), 'cannot tell what kind of dataset', 'accepted forms');
  await assertDataRejects(() => loadDataset(`csv:${path.join(dir, 'missing.csv')}`), 'missing.csv', 'not found');
  const one = write(path.join(folderDir, 'one.csv'), 'cat/0.png,0\n');
  await assertDataRejects(() => loadDataset(one), 'at least 2 are needed');
});

test('a folder with images/ and labels.csv at its root is the manifest, by folder: or bare path', async () => {
  const root = path.join(dir, 'manifestfolder');
  const rows = Array.from({ length: 12 }, (_, i) => `images/${i}.png,${i % 3 ? 'shirt' : 'shoe'}`);
  for (let i = 0; i < 12; i++) writeGrayPng(path.join(root, 'images', `${i}.png`), 2, 2, () => i);
  const csv = write(path.join(root, 'labels.csv'), `path,label\n${rows.join('\n')}\n`);
  assert.deepEqual(parseDatasetSpec(`folder:${root}`), { kind: 'csv', path: csv });
  assert.deepEqual(parseDatasetSpec(root), { kind: 'csv', path: csv });
  assert.equal(detectDatasetKind(root), 'csv');
  // Review decisions saved next to the manifest are never taken for it.
  write(path.join(root, 'annotations.jsonl'), '');
  assert.deepEqual(parseDatasetSpec(root), { kind: 'csv', path: csv });
  const loaded = await loadDataset(`folder:${root}`);
  assert.equal(loaded.info.kind, 'csv');
  assert.deepEqual(loaded.info.classNames, ['shirt', 'shoe']);
  assert.equal(loaded.splits.train.labels.length + loaded.splits.test.labels.length, 12);
  // A JSONL manifest next to the images works the same way.
  const jroot = path.join(dir, 'jsonlfolder');
  for (let i = 0; i < 6; i++) writeGrayPng(path.join(jroot, 'imgs', `${i}.png`), 2, 2, () => i);
  const jl = write(path.join(jroot, 'data.jsonl'), Array.from({ length: 6 }, (_, i) => JSON.stringify({ path: `imgs/${i}.png`, label: i % 2 })).join('\n'));
  assert.deepEqual(parseDatasetSpec(jroot), { kind: 'jsonl', path: jl });
  // Class folders with a stray table stay an image folder.
  assert.equal(detectDatasetKind(folderDir), 'folder');
});

test('several candidate manifests: the one named labels wins, else an error lists them', () => {
  const root = path.join(dir, 'twomanifests');
  writeGrayPng(path.join(root, 'images', '0.png'), 2, 2, () => 0);
  write(path.join(root, 'stats.csv'), 'a,b\n');
  const labels = write(path.join(root, 'labels.csv'), 'images/0.png,0\n');
  assert.equal(parseDatasetSpec(root).path, labels);
  fs.rmSync(labels);
  write(path.join(root, 'other.jsonl'), '');
  assertDataError(() => parseDatasetSpec(`folder:${root}`), root, 'several possible manifests', 'other.jsonl', 'stats.csv', 'csv:');
});

test('a dataset with fewer than 2 classes is refused, naming it and what was found', async () => {
  const root = path.join(dir, 'oneclass');
  for (let i = 0; i < 6; i++) writeGrayPng(path.join(root, 'images', `${i}.png`), 2, 2, () => i);
  await assertDataRejects(() => loadDataset(`folder:${root}`), root, 'only one class ("images", all 6 examples)', 'at least 2 classes', 'labels.csv');
  const same = write(path.join(dir, 'samelabel', 'labels.csv'), '');
  for (let i = 0; i < 6; i++) writeGrayPng(path.join(dir, 'samelabel', `${i}.png`), 2, 2, () => i);
  fs.writeFileSync(same, Array.from({ length: 6 }, (_, i) => `${i}.png,7`).join('\n'));
  await assertDataRejects(() => loadDataset(same), same, 'only one class ("7", all 6 examples)');
});

test('cifar batches with an unofficial record count load with a warning naming the file and count', async () => {
  const w = (await loadDataset(`cifar10:${cifar10Dir}`)).info.warnings ?? [];
  assert.equal(w.length, 6);
  assert.match(w[0], /data_batch_1\.bin: 1 records, but an official cifar10 batch of this name holds 10,000/);
});

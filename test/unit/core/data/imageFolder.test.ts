import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  isSplitLayout,
  listImageFiles,
  loadImageFolder,
  loadImageFolderDataset,
  loadImageFolderSplits,
} from '../../../../src/core/data/imageFolder';
import { decodeImageBuffer } from '../../../../src/core/data/decodeImage';
import { assertDataRejects, tempDir, write, writeGrayPng, writeJpeg, writePng } from './fixtures';

const dir = tempDir();

test('color folder: sorted class names are labels, PNG alpha dropped, JPEG decoded, junk skipped', async () => {
  const root = path.join(dir, 'color');
  writePng(path.join(root, 'cat', 'b.png'), 4, 3, (x, y) => [x * 10, y * 20, 200, 17]);
  writePng(path.join(root, 'cat', 'a.png'), 4, 3, () => [1, 2, 3]);
  writeJpeg(path.join(root, 'bird', 'red.jpg'), 4, 3, () => [220, 30, 30]);
  writePng(path.join(root, 'dog', 'nested', 'deep.PNG'), 4, 3, () => [9, 9, 9]);
  write(path.join(root, 'dog', 'README.txt'), 'not an image');
  write(path.join(root, 'dog', '.DS_Store'), 'junk');
  write(path.join(root, 'notes.md'), 'root-level files are ignored');
  const ds = await loadImageFolderDataset(root);
  assert.deepEqual(ds.classNames, ['bird', 'cat', 'dog']);
  assert.equal(ds.numClasses, 3);
  assert.deepEqual(ds.shape, [3, 4, 3]);
  assert.deepEqual(Array.from(ds.labels), [0, 1, 1, 2]);
  assert.deepEqual(
    ds.sources?.map((s) => path.relative(root, s)),
    [path.join('bird', 'red.jpg'), path.join('cat', 'a.png'), path.join('cat', 'b.png'), path.join('dog', 'nested', 'deep.PNG')],
  );
  const px = (i: number, y: number, x: number) => Array.from(ds.images.subarray(i * 36 + (y * 4 + x) * 3, i * 36 + (y * 4 + x) * 3 + 3));
  assert.deepEqual(px(1, 0, 0), [1, 2, 3]);
  assert.deepEqual(px(2, 2, 3), [30, 40, 200]); // alpha 17 dropped, values exact
  const red = px(0, 1, 1);
  assert.ok(Math.abs(red[0] - 220) < 8 && Math.abs(red[1] - 30) < 8 && Math.abs(red[2] - 30) < 8, `jpeg ${red}`);
  assert.deepEqual(px(3, 0, 0), [9, 9, 9]); // gray image replicated into RGB because others are color
  assert.equal(ds.name, 'color');
});

test('all-grayscale folder gives 1 channel (gray PNG and RGB PNG with R=G=B)', async () => {
  const root = path.join(dir, 'gray');
  writeGrayPng(path.join(root, '0', 'a.png'), 5, 2, (x, y) => x * 50 + y);
  writePng(path.join(root, '1', 'b.png'), 5, 2, (x) => [x, x, x]);
  const ds = await loadImageFolderDataset(root);
  assert.deepEqual(ds.shape, [2, 5, 1]);
  assert.equal(ds.images[1 * 5 + 4], 201);
  assert.equal(ds.images[10 + 3], 3);
});

test('split layout: train/ and test/ share classes and channel count', async () => {
  const root = path.join(dir, 'split');
  writeGrayPng(path.join(root, 'train', 'a', '1.png'), 2, 2, () => 10);
  writeGrayPng(path.join(root, 'train', 'b', '2.png'), 2, 2, () => 20);
  writeGrayPng(path.join(root, 'train', 'c', '3.png'), 2, 2, () => 30);
  // Test has only class b, and one color image: both splits must become 3-channel.
  writePng(path.join(root, 'test', 'b', '4.png'), 2, 2, () => [1, 2, 3]);
  assert.ok(isSplitLayout(root));
  const { train, test: testSplit } = await loadImageFolderSplits(root);
  assert.deepEqual(train.classNames, ['a', 'b', 'c']);
  assert.deepEqual(Array.from(testSplit.labels), [1]);
  assert.equal(testSplit.numClasses, 3);
  assert.deepEqual(train.shape, [2, 2, 3]);
  assert.deepEqual(testSplit.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(train.images.subarray(12, 15)), [20, 20, 20]);
  const r = await loadImageFolder(root);
  assert.equal(r.layout, 'split');
  const single = await loadImageFolder(path.join(dir, 'gray'));
  assert.equal(single.layout, 'single');
});

test('a single-layout dataset whose classes are named train and test is not mistaken for a split', async () => {
  const root = path.join(dir, 'tricky');
  writeGrayPng(path.join(root, 'train', 'x.png'), 2, 2, () => 1);
  writeGrayPng(path.join(root, 'test', 'y.png'), 2, 2, () => 2);
  assert.equal(isSplitLayout(root), false);
  assert.deepEqual((await loadImageFolderDataset(root)).classNames, ['test', 'train']);
});

test('test class missing from train is refused', async () => {
  const root = path.join(dir, 'split-bad');
  writeGrayPng(path.join(root, 'train', 'a', '1.png'), 2, 2, () => 10);
  writeGrayPng(path.join(root, 'test', 'zebra', '1.png'), 2, 2, () => 10);
  await assertDataRejects(() => loadImageFolderSplits(root), path.join(root, 'test', 'zebra'), "'zebra' does not exist in the training split");
});

test('empty root and images without class folders are refused', async () => {
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  await assertDataRejects(() => loadImageFolderDataset(empty), empty, 'no class sub-folders');
  const loose = path.join(dir, 'loose');
  writeGrayPng(path.join(loose, 'a.png'), 2, 2, () => 0);
  await assertDataRejects(() => loadImageFolderDataset(loose), loose, 'images found directly in the folder');
  await assertDataRejects(() => loadImageFolder(path.join(dir, 'missing')), 'directory not found');
});

test('empty class folder is named', async () => {
  const root = path.join(dir, 'emptyclass');
  writeGrayPng(path.join(root, 'ok', 'a.png'), 2, 2, () => 0);
  write(path.join(root, 'hollow', 'readme.txt'), 'no images here');
  await assertDataRejects(() => loadImageFolderDataset(root), path.join(root, 'hollow'), "class folder 'hollow' contains no images");
});

test('an undecodable .png/.jpg is an error naming the file', async () => {
  const root = path.join(dir, 'corrupt');
  writeGrayPng(path.join(root, 'ok', 'a.png'), 2, 2, () => 0);
  const bad = write(path.join(root, 'ok', 'broken.png'), 'this is not a png');
  await assertDataRejects(() => loadImageFolderDataset(root), bad, 'not an image we can read');
  // Valid PNG signature but a truncated body.
  const good = fs.readFileSync(path.join(root, 'ok', 'a.png'));
  write(bad, good.subarray(0, 20));
  await assertDataRejects(() => loadImageFolderDataset(root), bad, 'cannot decode PNG');
  // The decoder's own words never reach the user: the file's problem does.
  write(bad, good.subarray(0, good.length - 16));
  const cut = await assertDataRejects(() => loadImageFolderDataset(root), bad, 'cannot decode PNG: the file ends early', 'no IEND end chunk');
  assert.doesNotMatch(cut.message, /stream|waitng|chunk type|inflate/i);
  fs.rmSync(bad);
  const badJpg = write(path.join(root, 'ok', 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  const jpgErr = await assertDataRejects(() => loadImageFolderDataset(root), badJpg, 'cannot decode JPEG: the file ends early');
  assert.doesNotMatch(jpgErr.message, /marker was not found|SOI/);
});

test('size mismatch names the file and both sizes', async () => {
  const root = path.join(dir, 'sizes');
  const a = writeGrayPng(path.join(root, 'a', '1.png'), 4, 4, () => 0);
  const b = writeGrayPng(path.join(root, 'b', '2.png'), 5, 3, () => 0);
  await assertDataRejects(() => loadImageFolderDataset(root), b, 'the images have 2 different sizes', `5x3: 1 image (e.g. ${b})`, `4x4: 1 image (e.g. ${a})`);
  // Across splits too.
  const split = path.join(dir, 'sizes-split');
  writeGrayPng(path.join(split, 'train', 'a', '1.png'), 4, 4, () => 0);
  const t = writeGrayPng(path.join(split, 'test', 'a', '1.png'), 8, 8, () => 0);
  await assertDataRejects(() => loadImageFolderSplits(split), t, 'the images have 2 different sizes', `8x8: 1 image (e.g. ${t})`, '4x4: 1 image');
});

test('symlinked class folders are followed; listing is sorted', async () => {
  const real = path.join(dir, 'real-class');
  writeGrayPng(path.join(real, 'z.png'), 2, 2, () => 0);
  writeGrayPng(path.join(real, 'a.png'), 2, 2, () => 0);
  const root = path.join(dir, 'linked');
  fs.mkdirSync(root, { recursive: true });
  fs.symlinkSync(real, path.join(root, 'cls'));
  assert.deepEqual(listImageFiles(path.join(root, 'cls')).map((f) => path.basename(f)), ['a.png', 'z.png']);
  assert.equal((await loadImageFolderDataset(root)).labels.length, 2);
});

test('decodeImageBuffer decodes by content: JPEG bytes behind a .png name', async () => {
  const f = writeJpeg(path.join(dir, 'misnamed', 'x.png'), 3, 3, () => [100, 150, 200]);
  const img = await decodeImageBuffer(fs.readFileSync(f), f);
  assert.equal(img.channels, 3);
  assert.equal(img.width, 3);
});

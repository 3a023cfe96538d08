import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPredictions, summarizePredictions, writePredictions } from '../../../../src/core/annotations/predictions';
import { rowPixels } from '../../../../src/core/annotations/rowPixels';
import { checkSourcePath, datasetRootOf, LruCache, MAX_SOURCE_IMAGE_BYTES, readSourceImage, sourceThumbnail, type SourceThumbnail } from '../../../../src/core/annotations/sourceImages';
import { idxBytes, tempDir, writeGrayPng } from '../data/fixtures';

/**
 * A dataset folder with a manifest and two images, a "secret" PNG outside it (so that reading it would succeed if
 * nothing checked), a symlink inside pointing at the secret, and a score run whose sources.json is hostile.
 */
function hostileRun() {
  const base = tempDir('datadiet-srcimg-');
  const data = path.join(base, 'data');
  const a = writeGrayPng(path.join(data, 'a.png'), 2, 2, () => 11);
  const b = writeGrayPng(path.join(data, 'b.png'), 2, 2, () => 22);
  fs.writeFileSync(path.join(data, 'labels.csv'), 'path,label\na.png,0\nb.png,1\n');
  const secret = writeGrayPng(path.join(base, 'secret', 'secret.png'), 2, 2, () => 99);
  fs.symlinkSync(secret, path.join(data, 'link.png'));
  const sources = [
    a,
    path.join(data, '..', '..', '..', '..', '..', 'etc', 'passwd'), // what a crafted run writes: ../../etc/passwd
    '../../etc/passwd',
    secret, // absolute path outside the dataset
    path.join(data, 'link.png'), // a symlink inside that leads out
    b,
  ];
  const runDir = path.join(base, 'runs', 'r1');
  const n = sources.length;
  const p = summarizePredictions(Int32Array.from({ length: n }, (_, i) => i), new Int32Array(n), [new Float32Array(n * 2).fill(0.5)], 2, sources);
  writePredictions(runDir, p, [new Float32Array(n * 2).fill(0.5)]);
  return { base, data, runDir, secret, spec: `csv:${path.join(data, 'labels.csv')}` };
}

test('review-queue pixels: sources.json paths outside the dataset folder are refused with a message, never read', async () => {
  const { data, runDir, spec } = hostileRun();
  const pred = readPredictions(runDir)!;
  assert.equal(datasetRootOf(spec), data);
  const sf = path.join(runDir, 'predictions', 'sources.json');
  const px = await rowPixels({ spec }, pred.index, pred.sources, { sourcesFile: sf });
  assert.deepEqual(px.shape, [2, 2, 1]);
  assert.deepEqual([...px.problems.keys()].sort(), [1, 2, 3, 4]);
  for (const r of [1, 2, 3]) assert.match(px.problems.get(r)!, /sources\.json: row \d: image path ".*" is outside the dataset folder .*; not read \(images are only read from inside the dataset folder/);
  assert.match(px.problems.get(4)!, /row 4: image path ".*link\.png" leads \(through a symlink\) outside the dataset folder/);
  // Good rows decoded; refused rows stay black (the secret's value 99 appears nowhere).
  assert.deepEqual(Array.from(px.images.subarray(0, 4)), [11, 11, 11, 11]);
  assert.deepEqual(Array.from(px.images.subarray(20, 24)), [22, 22, 22, 22]);
  assert.ok(!px.images.includes(99));
});

test('hover thumbnails: the same check (relative escape, absolute path, symlink out), then a cached thumbnail', async () => {
  const { data, secret } = hostileRun();
  const where = { file: path.join(data, 'labels.csv'), place: 'line 3' };
  for (const src of ['../../etc/passwd', secret, 'link.png']) {
    await assert.rejects(sourceThumbnail(data, src, where), (e: Error) => e.name === 'DataFormatError' && /labels\.csv: line 3: image path .* outside the dataset folder/.test(e.message));
  }
  assert.throws(() => checkSourcePath(data, 'gone.png', where), /labels\.csv: line 3: image file not found: gone\.png \(the dataset changed since it was scored/);
  const cache = new LruCache<SourceThumbnail>(4);
  const t = await sourceThumbnail(data, 'a.png', where, cache);
  assert.match(t.uri, /^data:image\/png;base64,/);
  assert.deepEqual([t.width, t.height], [2, 2]);
  assert.equal(await sourceThumbnail(data, 'a.png', where, cache), t, 'second hover served from the cache');
  assert.equal(cache.size, 1);
});

test('source images over the byte cap are refused before reading', async () => {
  const { data } = hostileRun();
  const big = path.join(data, 'big.png');
  fs.copyFileSync(path.join(data, 'a.png'), big);
  fs.truncateSync(big, MAX_SOURCE_IMAGE_BYTES + 1); // sparse: costs no disk
  await assert.rejects(readSourceImage(data, 'big.png', { file: 'sources.json', place: 'row 7' }), /sources\.json: row 7: image big\.png is \d+ bytes, over the 67108864-byte limit; not read \(downscale the image/);
});

test('a binary dataset takes pixels by index and never reads a sources.json it should not have', async () => {
  const dir = path.join(tempDir('datadiet-srcidx-'), 'idx');
  const imgs = Array.from({ length: 16 }, (_, i) => 10 + i);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxBytes([4, 2, 2], imgs));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes([4], [0, 1, 0, 1]));
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxBytes([1, 2, 2], [0, 0, 0, 0]));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxBytes([1], [0]));
  assert.equal(datasetRootOf(`idx:${dir}`), undefined);
  const px = await rowPixels({ spec: `idx:${dir}` }, Int32Array.from([2, 0]), ['../../etc/passwd', '/etc/passwd']);
  assert.deepEqual(Array.from(px.images), [...imgs.slice(8, 12), ...imgs.slice(0, 4)]);
  assert.equal(px.problems.size, 0);
});

test('a torn or malformed sources.json is a clear error naming the file and the fix', () => {
  const { runDir } = hostileRun();
  const sf = path.join(runDir, 'predictions', 'sources.json');
  fs.writeFileSync(sf, '["a.png", ');
  assert.throws(() => readPredictions(runDir), { name: 'DataFormatError', message: /sources\.json: not valid JSON .*\(score the dataset again/ });
  fs.writeFileSync(sf, JSON.stringify(['a.png', 3, 'b', 'c', 'd', 'e']));
  assert.throws(() => readPredictions(runDir), /sources\.json: entry 1: expected a non-empty path string/);
});
